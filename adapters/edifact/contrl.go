package edifact

import (
	"context"
	"fmt"
	"slices"
	"strconv"
)

// ControlNumbers hands out the control references of our answers: per
// partner and kind, increasing, never reused; the same ref gets the same
// number again, so an answer rebuilt after a crash is recognised as the
// same one. *store.Store is one.
type ControlNumbers interface {
	ControlNumberFor(ctx context.Context, partner, kind, ref string) (int64, error)
}

// ControlKind is the counter our UNB 0020 come from: one sequence per
// partner for every interchange we send it, CONTRL and ORDRSP alike, so
// the numbers (and AnswerName's names) never repeat for one partner.
const ControlKind = "UNB"

// AnswerName is the file name of an answer of kind (CONTRL, ORDRSP) with
// our control reference: CONTRL_000000042.edi. One sequence per partner
// numbers every kind, so the name is unique per partner.
func AnswerName(kind string, control int64) string {
	return fmt.Sprintf("%s_%09d.edi", kind, control)
}

// CONTRL action codes (ISO 9735 data element 0083).
const (
	// ActionRejected: this level and all lower levels rejected.
	ActionRejected = "4"
	// ActionAcknowledged: this level acknowledged, and the lower levels
	// too unless reported rejected in this CONTRL.
	ActionAcknowledged = "7"
)

// The CONTRL message versions: ISO 9735-4 (syntax version 4) numbers it
// 4:1; for syntax versions 1 to 3 it is the UN directory's D:3 (what
// UN/EDIFACT partners and EANCOM's own 1997 and 2002 guides accept;
// EANCOM's older CONTRL:2:2:UN:EAN002 is D:3's predecessor).
var (
	contrlV3 = MessageHeader{Type: "CONTRL", Version: "D", Release: "3", Agency: "UN"}
	contrlV4 = MessageHeader{Type: "CONTRL", Version: "4", Release: "1", Agency: "UN"}
)

// WriteCONTRL writes one interchange (env's UNB) holding the syntax and
// service report for the interchange rep describes:
//
//	UCI  the interchange, as its UNB wrote it, with action 7, or 4 when
//	     its envelope was refused; with the first envelope error (0085),
//	     its service segment (UNA, UNB or UNZ) and data element (S011)
//	UCF  each functional group (when it had groups), 7 or 4, likewise
//	UCM  each message, within its group's UCF: 7 when it was taken, 4
//	     when not, with its first error
//	UCS  each segment of a rejected message with an error: its position
//	     (UNH = 1), and the error when it is about the segment as a whole
//	UCD  each erroneous data element of that segment: error and position
//
// Every message is reported, accepted ones too, as EANCOM practice wants,
// so the partner knows each one arrived. ISO 9735 counts a data element's
// position (S011 0098) with the segment tag as 1: the first data element
// after the tag is 2, so Error.Elem (counted from 1 after the tag) is
// written plus one.
func WriteCONTRL(w *Writer, env ReplyEnvelope, rep *InterchangeReport) error {
	hdr := contrlV3
	if env.SyntaxVersion == "4" {
		hdr = contrlV4
	}
	if env.Application == "" {
		env.Application = "CONTRL"
	}
	err := WriteInterchange(w, env, []Outgoing{{Header: hdr, Body: func(w *Writer) error { return writeCONTRL(w, rep) }}})
	if err != nil {
		return fmt.Errorf("CONTRL for interchange %s: %w", rep.Header.Control, err)
	}
	return nil
}

// The UCS and UCD limits of CONTRL's segment groups: 999 segments a
// message, 99 data elements a segment.
const (
	maxUCS = 999
	maxUCD = 99
)

func writeCONTRL(w *Writer, rep *InterchangeReport) error {
	h := &rep.Header
	rejected := len(rep.Errors) > 0 && !anyTaken(rep.AllMessages())
	w.Begin("UCI")
	w.Elem(h.Control)
	w.Elem(h.Sender, h.SenderQualifier, h.SenderRouting)
	w.Elem(h.Recipient, h.RecipientQualifier, h.RecipientRouting)
	w.Elem(action(rejected))
	if len(rep.Errors) > 0 {
		elemErr(w, rep.Errors[0], "UNA", "UNB", "UNZ")
	}
	if err := w.End(); err != nil {
		return err
	}
	for _, m := range rep.Messages {
		if err := writeUCM(w, m, rejected); err != nil {
			return err
		}
	}
	for _, g := range rep.Groups {
		gh := &g.Header
		gRejected := rejected || len(g.Errors) > 0 && !anyTaken(g.Messages)
		w.Begin("UCF")
		w.Elem(gh.Control)
		w.Elem(gh.Sender, gh.SenderQualifier)
		w.Elem(gh.Recipient, gh.RecipientQualifier)
		w.Elem(action(gRejected))
		if len(g.Errors) > 0 {
			elemErr(w, g.Errors[0], "UNG", "UNE")
		}
		if err := w.End(); err != nil {
			return err
		}
		for _, m := range g.Messages {
			if err := writeUCM(w, m, gRejected); err != nil {
				return err
			}
		}
	}
	return nil
}

// anyTaken tells whether any of ms went on. An envelope error found after
// its messages were read and taken (a UNZ or UNE count that does not
// match) cannot reject them any more: the CONTRL then acknowledges the
// level (7) and still reports the error, rather than tell the partner that
// orders we are filling were refused.
func anyTaken(ms []*MessageReport) bool {
	return slices.ContainsFunc(ms, func(m *MessageReport) bool { return m.Taken })
}

func action(rejected bool) string {
	if rejected {
		return ActionRejected
	}
	return ActionAcknowledged
}

// elemErr appends the error elements shared by UCI, UCF and UCM: the
// syntax error code (0085), and when e is about one of the level's own
// service segments (tags), that tag (0135) and the data element (S011).
func elemErr(w *Writer, e *Error, tags ...string) {
	w.Elem(e.Code)
	if !slices.Contains(tags, e.Tag) {
		return
	}
	w.Elem(e.Tag)
	if e.Elem > 0 {
		w.Elem(elemPosition(e.Elem), compPosition(e.Comp))
	}
}

func elemPosition(elem int) string { return strconv.Itoa(elem + 1) }

func compPosition(comp int) string {
	if comp <= 0 {
		return ""
	}
	return strconv.Itoa(comp)
}

// writeUCM reports one message: acknowledged (7) when it was taken, else
// rejected (4). Its first message-level error goes in the UCM (with UNH or
// UNT and the data element when it is about them), or the first error's
// code when all are deeper; then UCS and UCD for the segments and data
// elements in error.
func writeUCM(w *Writer, m *MessageReport, parentRejected bool) error {
	h := &m.Header
	w.Begin("UCM")
	w.Elem(h.Ref)
	w.Elem(h.Type, h.Version, h.Release, h.Agency, h.Association)
	w.Elem(action(parentRejected || !m.Taken))
	if len(m.Errors) > 0 {
		first := m.Errors[0]
		for _, e := range m.Errors {
			if e.Level <= LevelMessage {
				first = e
				break
			}
		}
		if first.Level <= LevelMessage {
			elemErr(w, first, "UNH", "UNT")
		} else {
			w.Elem(first.Code)
		}
	}
	if err := w.End(); err != nil {
		return err
	}

	// Segment and element errors, by segment position.
	var deep []*Error
	for _, e := range m.Errors {
		if e.Level >= LevelSegment && e.Segment > 0 {
			deep = append(deep, e)
		}
	}
	slices.SortStableFunc(deep, func(a, b *Error) int { return a.Segment - b.Segment })
	ucs := 0
	for i := 0; i < len(deep) && ucs < maxUCS; ucs++ {
		j := i
		for j < len(deep) && deep[j].Segment == deep[i].Segment {
			j++
		}
		same := deep[i:j]
		i = j
		w.Begin("UCS")
		w.Elem(strconv.Itoa(same[0].Segment))
		for _, e := range same {
			if e.Level == LevelSegment || e.Elem == 0 {
				w.Elem(e.Code)
				break
			}
		}
		if err := w.End(); err != nil {
			return err
		}
		ucd := 0
		for _, e := range same {
			if e.Elem == 0 || ucd == maxUCD {
				continue
			}
			ucd++
			w.Begin("UCD")
			w.Elem(e.Code)
			w.Elem(elemPosition(e.Elem), compPosition(e.Comp))
			if err := w.End(); err != nil {
				return err
			}
		}
	}
	return nil
}
