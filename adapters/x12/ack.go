package x12

import (
	"fmt"
	"slices"
	"strconv"
)

// Functional acknowledgements (997 for 4010 partners, 999 for 5010 ones),
// built from what the reader found (an InterchangeReport):
//
//   - one 997/999 transaction set per functional group received, all of
//     them in one "FA" group of one interchange (WriteAck);
//   - per group: AK1 (GS01, GS06, and GS08 in a 999), an AK2 loop per
//     transaction set, AK9;
//   - per set: AK2 (ST01, ST02), then for each segment in error an AK3/IK3
//     (tag, position in the set with ST as 1, no loop ID, code) with an
//     AK4/IK4 per element in error (position, then component; no data
//     element reference number and no copy of the bad data, which the
//     reader's errors do not carry), then AK5/IK5;
//   - AK5/IK5 is A for a set without errors and R for one with any: every
//     error our reader reports rejects its set, so E ("accepted, but errors
//     were noted") is never written. AK502-AK506 are the set's own codes
//     (trailer missing, count mismatch, ...) followed by 5 ("one or more
//     segments in error") when it has segment or element errors;
//   - AK9 is A when every set is accepted, P when some are, R when none is
//     or the group itself has errors (their codes in AK905-AK909). A
//     rejected group takes none of its sets, so AK904 (accepted) is then 0
//     even where a set's own AK5 says A.
//
// AK902 is the number of sets the GE says the group holds (GE01; the
// number received when the GE is missing or unreadable), AK903 the number
// received; a GE01 that differs is also reported with AK905 code 5.
//
// 999s carry no CTX segments: the reader's errors do not carry the
// business unit or the loop context CTX would report.

// Acknowledgement kinds for WriteAck.
const (
	Ack997 = "997"
	Ack999 = "999"
)

// Default GS08 (and, for a 999, ST03) of the acknowledgements.
const (
	Version997 = "004010"
	Version999 = "005010X231A1"
)

// maxAK4 is how many AK4/IK4 one AK3/IK3 loop may hold.
const maxAK4 = 99

// Write997 writes the body of the 997 acknowledging one functional group:
// AK1, an AK2 loop per transaction set, AK9.
func Write997(w *Writer, g *GroupReport) error { return writeFunctionalAck(w, g, false) }

// Write999 writes the body of the 999 acknowledging one functional group:
// AK1 (with GS08), an AK2 loop per transaction set with IK3/IK4/IK5, AK9.
func Write999(w *Writer, g *GroupReport) error { return writeFunctionalAck(w, g, true) }

func writeFunctionalAck(w *Writer, g *GroupReport, is999 bool) error {
	h := g.Header
	if h.FunctionalID == "" || h.Control == "" {
		return fmt.Errorf("group with GS01 %q and GS06 %q: AK1 needs both", h.FunctionalID, h.Control)
	}
	ak1 := []string{h.FunctionalID, h.Control}
	if is999 {
		if h.Version == "" {
			return fmt.Errorf("GS %s: a 999's AK103 repeats GS08, and the group has none", h.Control)
		}
		ak1 = append(ak1, h.Version)
	}
	if err := w.Segment("AK1", ak1...); err != nil {
		return fmt.Errorf("GS %s: %w", h.Control, err)
	}
	accepted := 0
	for _, s := range g.Sets {
		if s.Accepted() {
			accepted++
		}
		// A set read without its ST01 or ST02 cannot be named in an AK2;
		// it is still counted in AK9 as received and not accepted.
		if s.Code == "" || s.Control == "" {
			continue
		}
		if err := writeSetAck(w, s, is999); err != nil {
			return fmt.Errorf("GS %s ST %s: %w", h.Control, s.Control, err)
		}
	}
	status := "A"
	switch {
	case len(g.Errors) > 0:
		status, accepted = "R", 0
	case accepted == len(g.Sets):
	case accepted == 0:
		status = "R"
	default:
		status = "P"
	}
	n := strconv.Itoa(len(g.Sets))
	declared := n
	if g.DeclaredOK {
		declared = strconv.Itoa(g.Declared)
	}
	ak9 := []string{status, declared, n, strconv.Itoa(accepted)}
	ak9 = append(ak9, ackCodes(g.Errors, func(*Error) bool { return true }, "")...)
	if err := w.Segment("AK9", ak9...); err != nil {
		return fmt.Errorf("GS %s: %w", h.Control, err)
	}
	return nil
}

// segmentInError is one AK3/IK3 loop: a segment and its element errors.
type segmentInError struct {
	pos   int
	tag   string
	code  string
	elems []*Error
}

func writeSetAck(w *Writer, s *SetReport, is999 bool) error {
	if err := w.Segment("AK2", s.Code, s.Control); err != nil {
		return err
	}
	seg, elem, ctl := "AK3", "AK4", "AK5"
	if is999 {
		seg, elem, ctl = "IK3", "IK4", "IK5"
	}
	for _, se := range segmentsInError(s.Errors) {
		if err := w.Segment(seg, se.tag, strconv.Itoa(se.pos), "", se.code); err != nil {
			return err
		}
		for i, e := range se.elems {
			if i == maxAK4 {
				break
			}
			comp := ""
			if e.Component > 0 {
				comp = strconv.Itoa(e.Component)
			}
			if err := w.Segment(elem, w.Comp(strconv.Itoa(e.Element), comp), "", e.Code); err != nil {
				return err
			}
		}
	}
	status := "A"
	if !s.Accepted() {
		status = "R"
	}
	inSegments := slices.ContainsFunc(s.Errors, func(e *Error) bool {
		return e.Level == LevelSegment || e.Level == LevelElement
	})
	extra := ""
	if inSegments {
		extra = SetSegmentsInError
	}
	codes := ackCodes(s.Errors, func(e *Error) bool { return e.Level == LevelTransaction }, extra)
	return w.Segment(ctl, append([]string{status}, codes...)...)
}

// segmentsInError groups segment and element errors by segment, in the
// order of the segments. An error without a usable tag or position cannot
// be reported in an AK3 (both are mandatory) and is left to AK5's code 5.
// A segment keeps the code of its first segment-level error, or 8 ("has
// data element errors") when it has only element errors.
func segmentsInError(errs []*Error) []*segmentInError {
	var out []*segmentInError
	for _, e := range errs {
		if e.Level != LevelSegment && e.Level != LevelElement {
			continue
		}
		if e.Segment < 1 || !tagWritable(e.Tag) || e.Code == "" {
			continue
		}
		i := slices.IndexFunc(out, func(s *segmentInError) bool { return s.pos == e.Segment && s.tag == e.Tag })
		if i < 0 {
			out = append(out, &segmentInError{pos: e.Segment, tag: e.Tag})
			i = len(out) - 1
		}
		se := out[i]
		switch {
		case e.Level == LevelSegment && se.code == "":
			se.code = e.Code
		case e.Level == LevelElement && e.Element > 0:
			se.elems = append(se.elems, e)
		}
	}
	for _, se := range out {
		if se.code == "" {
			se.code = SegmentHasElementErrors
		}
	}
	slices.SortStableFunc(out, func(a, b *segmentInError) int { return a.pos - b.pos })
	return out
}

// ackCodes returns the distinct codes of the errors keep selects, then
// extra, at most five: AK5 and AK9 have five places for them.
func ackCodes(errs []*Error, keep func(*Error) bool, extra string) []string {
	var codes []string
	add := func(c string) {
		if c != "" && len(codes) < 5 && !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	for _, e := range errs {
		if keep(e) {
			add(e.Code)
		}
	}
	add(extra)
	return codes
}

// ReplyEnvelope returns the envelope of an answer to the interchange r:
// from its receiver to its sender (ISA and, from its first group, GS), in
// its ISA12 version and its usage. Control numbers and the time are left
// for the caller.
func ReplyEnvelope(r *InterchangeReport) Envelope {
	h := r.Header
	env := Envelope{
		SenderQualifier: h.ReceiverQualifier, SenderID: h.ReceiverID,
		ReceiverQualifier: h.SenderQualifier, ReceiverID: h.SenderID,
		Version: h.Version, Usage: h.Usage,
	}
	if len(r.Groups) > 0 {
		g := r.Groups[0].Header
		env.GroupSender, env.GroupReceiver = g.Receiver, g.Sender
	}
	return env
}

// WriteAck writes the 997 or 999 interchange answering r (kind Ack997 or
// Ack999): one acknowledgement per functional group received, numbered
// 0001, 0002, ... in one FA group. env is usually ReplyEnvelope(r) with the
// control numbers set; FunctionalID defaults to "FA", GroupVersion to
// Version997 or Version999 (which is also a 999's ST03), and a 999's
// Version to "00501".
//
// An interchange that was rejected as a whole gets no functional
// acknowledgement, only a TA1 (see TA1For): WriteAck refuses it.
func WriteAck(w *Writer, env Envelope, r *InterchangeReport, kind string) error {
	where := fmt.Sprintf("%s for interchange %s", kind, r.Header.Control)
	if r.Doc != "" {
		where = r.Doc + ": " + where
	}
	if r.Rejected() {
		return fmt.Errorf("%s: the interchange was rejected (%w): it is answered with a TA1 only", where, r.Errors[0])
	}
	if len(r.Groups) == 0 {
		return fmt.Errorf("%s: no functional group to acknowledge", where)
	}
	body := Write997
	switch kind {
	case Ack997:
		if env.GroupVersion == "" {
			env.GroupVersion = Version997
		}
	case Ack999:
		body = Write999
		if env.GroupVersion == "" {
			env.GroupVersion = Version999
		}
		if env.Version == "" {
			env.Version = "00501"
		}
	default:
		return fmt.Errorf("%s: want %s or %s", where, Ack997, Ack999)
	}
	switch env.FunctionalID {
	case "":
		env.FunctionalID = "FA"
	case "FA":
	default:
		return fmt.Errorf("%s: a functional acknowledgement's GS01 is FA, not %q", where, env.FunctionalID)
	}
	sets := make([]Set, len(r.Groups))
	for i, g := range r.Groups {
		sets[i] = Set{Code: kind, Body: func(w *Writer) error { return body(w, g) }}
		if kind == Ack999 {
			sets[i].Convention = env.GroupVersion
		}
	}
	if err := WriteInterchange(w, env, sets); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	return nil
}
