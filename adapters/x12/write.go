package x12

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Writer writes X12 segments with one set of delimiters. It refuses, rather
// than writes, anything a reader would split differently from what was
// meant: a value holding a delimiter or a control character, a malformed
// tag. A refused segment writes nothing, so the output stays well-formed;
// the error names the segment, the element and the character.
//
// Writer counts the segments it writes (Count), which is what SE01 needs.
// It is not safe for concurrent use.
type Writer struct {
	out       io.Writer
	d         Delimiters
	lineBreak string
	// err is sticky: bad delimiters (found by NewWriter) or a failed write
	// to out. Once set, every call returns it, because what reached out is
	// no longer known to be whole segments.
	err   error
	count int
	buf   []byte
	// comps are the composites Comp built since the last Segment: the only
	// values allowed to hold the component separator. Comp cannot return an
	// error, so a bad component is kept here and reported by Segment.
	comps []pendingComp
	// body is set while a transaction set's body is written, so a body
	// cannot close its envelope early with an SE, GE or IEA of its own.
	body bool
}

type pendingComp struct {
	value string
	err   *ValueError // nil when every component is sound
}

// WriterOption configures a Writer.
type WriterOption func(*Writer)

// WithLineBreak writes s (such as "\n" or "\r\n") after every segment
// terminator, for people reading the file; readers ignore line breaks after
// a terminator. The default is none, which is what most partners expect.
// It is skipped when the terminator is itself a line break.
func WithLineBreak(s string) WriterOption {
	return func(w *Writer) { w.lineBreak = s }
}

// NewWriter returns a Writer writing to out with delimiters d. Delimiters
// that could not be told apart from each other or from data (zero, a letter,
// a digit, a space, two alike) make every call return an error.
func NewWriter(out io.Writer, d Delimiters, opts ...WriterOption) *Writer {
	w := &Writer{out: out, d: d}
	for _, o := range opts {
		o(w)
	}
	if w.lineBreak != "" && strings.ContainsAny(d.Segment, "\r\n") {
		w.lineBreak = ""
	}
	if err := checkWriterDelimiters(d); err != nil {
		w.err = err
	}
	return w
}

// Delimiters returns the writer's delimiters.
func (w *Writer) Delimiters() Delimiters { return w.d }

// Count returns the number of segments written so far.
func (w *Writer) Count() int { return w.count }

// ValueError is a segment the Writer refused to write.
type ValueError struct {
	Tag string // segment ID, e.g. "PO1"
	// Element and Component are 1-based positions of the bad value; 0 when
	// the problem is the tag itself, Component 0 when not in a composite.
	Element, Component int
	Value              string
	Msg                string
}

// Error reads like `PO107 "AB*1": holds the element separator '*'`.
func (e *ValueError) Error() string {
	var b strings.Builder
	b.WriteString(e.Tag)
	if e.Element > 0 {
		fmt.Fprintf(&b, "%02d", e.Element)
		if e.Component > 0 {
			fmt.Fprintf(&b, "-%d", e.Component)
		}
	}
	if e.Value != "" || e.Element > 0 {
		fmt.Fprintf(&b, " %q", e.Value)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Comp joins parts into a composite element with the component separator,
// dropping trailing empty parts. Pass the result to the next Segment call:
// only values built by Comp may hold the component separator. A part
// holding a delimiter is reported by that Segment call.
func (w *Writer) Comp(parts ...string) string {
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	var bad *ValueError
	for i, p := range parts {
		if msg := w.badValue(p, true); msg != "" {
			bad = &ValueError{Component: i + 1, Value: p, Msg: msg}
			break
		}
	}
	v := strings.Join(parts, delimiterString(w.d.Component))
	w.comps = append(w.comps, pendingComp{value: v, err: bad})
	return v
}

// Segment writes one segment: the tag, the elements (trailing empty ones
// dropped, as X12 wants) and the terminator.
func (w *Writer) Segment(tag string, elems ...string) error {
	comps := w.comps
	w.comps = w.comps[:0]
	if w.err != nil {
		return w.err
	}
	if !tagWritable(tag) {
		return &ValueError{Tag: tag, Msg: "a segment ID is 2 or 3 upper-case letters or digits"}
	}
	if w.body && envelopeSegmentTag(tag) {
		return &ValueError{Tag: tag, Msg: "envelope segments are written by WriteInterchange, not by a transaction set body"}
	}
	for len(elems) > 0 && elems[len(elems)-1] == "" {
		elems = elems[:len(elems)-1]
	}
	for i, e := range elems {
		if e == "" {
			continue
		}
		if c, ok := findComp(comps, e); ok {
			if c.err != nil {
				err := *c.err
				err.Tag, err.Element = tag, i+1
				return &err
			}
			continue
		}
		if msg := w.badValue(e, false); msg != "" {
			return &ValueError{Tag: tag, Element: i + 1, Value: e, Msg: msg}
		}
	}
	b := append(w.buf[:0], tag...)
	for _, e := range elems {
		b = append(b, w.d.Element)
		b = append(b, e...)
	}
	b = append(b, w.d.Segment...)
	b = append(b, w.lineBreak...)
	w.buf = b
	return w.emit(b, 1)
}

// emit writes b, which holds n whole segments.
func (w *Writer) emit(b []byte, n int) error {
	if _, err := w.out.Write(b); err != nil {
		w.err = fmt.Errorf("writing X12: %w", err)
		return w.err
	}
	w.count += n
	return nil
}

func findComp(comps []pendingComp, v string) (pendingComp, bool) {
	for _, c := range comps {
		if c.value == v {
			return c, true
		}
	}
	return pendingComp{}, false
}

// badValue says what is wrong with v as an element value (a component when
// inComp), or "" when nothing is.
func (w *Writer) badValue(v string, inComp bool) string {
	d := w.d
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == d.Element:
			return fmt.Sprintf("holds the element separator %q", c)
		case c == d.Component:
			if inComp {
				return fmt.Sprintf("holds the component separator %q", c)
			}
			return fmt.Sprintf("holds the component separator %q (build composites with Comp)", c)
		case d.Repetition != 0 && c == d.Repetition:
			return fmt.Sprintf("holds the repetition separator %q", c)
		case c < 0x20 || c == 0x7f:
			// Readers drop line breaks and X12's character sets have no
			// control characters: such a value would not read back.
			return fmt.Sprintf("holds the control character %q", c)
		}
	}
	if d.Segment != "" && strings.Contains(v, d.Segment) {
		return fmt.Sprintf("holds the segment terminator %q", d.Segment)
	}
	return ""
}

func tagWritable(tag string) bool {
	if len(tag) < 2 || len(tag) > 3 {
		return false
	}
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func envelopeSegmentTag(tag string) bool {
	switch tag {
	case "ISA", "IEA", "GS", "GE", "ST", "SE", "TA1", "ISB", "ISE":
		return true
	}
	return false
}

// checkWriterDelimiters refuses delimiters a reader could not find again:
// the ISA is located by byte position, then each delimiter must differ from
// every other one and from anything data is made of.
func checkWriterDelimiters(d Delimiters) error {
	type sep struct {
		name string
		c    byte
	}
	seps := []sep{{"element separator", d.Element}, {"component separator", d.Component}}
	if d.Repetition != 0 {
		seps = append(seps, sep{"repetition separator", d.Repetition})
	}
	for i, s := range seps {
		if s.c == 0 {
			return fmt.Errorf("delimiters: no %s", s.name)
		}
		if isDataChar(s.c) {
			return fmt.Errorf("delimiters: %s %q is a letter, digit or space", s.name, s.c)
		}
		for _, o := range seps[:i] {
			if o.c == s.c {
				return fmt.Errorf("delimiters: %s and %s are both %q", o.name, s.name, s.c)
			}
		}
		if strings.IndexByte(d.Segment, s.c) >= 0 {
			return fmt.Errorf("delimiters: segment terminator %q holds the %s", d.Segment, s.name)
		}
	}
	t := d.Segment
	switch {
	case t == "":
		return errors.New("delimiters: no segment terminator")
	case len(t) > 1 && (!utf8.ValidString(t) || utf8.RuneCountInString(t) != 1):
		return fmt.Errorf("delimiters: segment terminator %q is not one character", t)
	case len(t) == 1 && isDataChar(t[0]):
		return fmt.Errorf("delimiters: segment terminator %q is a letter, digit or space", t)
	}
	return nil
}

// delimiterString is the one-byte string c; string(c) would UTF-8 encode bytes
// from 0x80 up into two.
func delimiterString(c byte) string { return string([]byte{c}) }

func isDataChar(c byte) bool {
	return c == ' ' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// Envelope is what the ISA and GS segments of an outbound interchange say.
// The zero value of each field but the IDs and Control is usable; defaults
// are given with each field.
type Envelope struct {
	// AuthQualifier and AuthInfo are ISA01/ISA02; default "00" and blanks.
	AuthQualifier, AuthInfo string
	// SecurityQualifier and SecurityInfo are ISA03/ISA04; default "00"
	// and blanks.
	SecurityQualifier, SecurityInfo string
	// SenderQualifier and SenderID are ISA05/ISA06: who we are. The
	// qualifier defaults to "ZZ" (mutually defined); the ID is required.
	SenderQualifier, SenderID string
	// ReceiverQualifier and ReceiverID are ISA07/ISA08: the partner.
	ReceiverQualifier, ReceiverID string
	// Version is ISA12, e.g. "00401" or "00501"; default "00401". From
	// 00402 on ISA11 is the writer's repetition separator (which must then
	// be set); before, ISA11 is "U" and the repetition separator is not
	// used, so values may hold it.
	Version string
	// Control is ISA13 and IEA02, 1 to 999999999, written with nine
	// digits. Required: control numbers come from the store.
	Control int64
	// AckRequested is ISA14: whether we want a TA1 back.
	AckRequested bool
	// Usage is ISA15: "P" production (default) or "T" test.
	Usage string
	// FunctionalID is GS01: "FA" for 997/999, "PR" for 855.
	FunctionalID string
	// GroupSender and GroupReceiver are GS02/GS03; default SenderID and
	// ReceiverID.
	GroupSender, GroupReceiver string
	// GroupControl is GS06 and GE02; default Control.
	GroupControl int64
	// GroupVersion is GS08, e.g. "004010" or "005010X231A1"; default
	// Version followed by "0".
	GroupVersion string
	// Time is the date and time of ISA09/ISA10 and GS04/GS05, in its own
	// location; default time.Now().
	Time time.Time
}

func (e *Envelope) setDefaults() {
	if e.AuthQualifier == "" {
		e.AuthQualifier = "00"
	}
	if e.SecurityQualifier == "" {
		e.SecurityQualifier = "00"
	}
	if e.SenderQualifier == "" {
		e.SenderQualifier = "ZZ"
	}
	if e.ReceiverQualifier == "" {
		e.ReceiverQualifier = "ZZ"
	}
	if e.Version == "" {
		e.Version = "00401"
	}
	if e.Usage == "" {
		e.Usage = "P"
	}
	if e.GroupSender == "" {
		e.GroupSender = e.SenderID
	}
	if e.GroupReceiver == "" {
		e.GroupReceiver = e.ReceiverID
	}
	if e.GroupControl == 0 {
		e.GroupControl = e.Control
	}
	if e.GroupVersion == "" {
		e.GroupVersion = e.Version + "0"
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
}

// validate checks what setDefaults cannot supply. The ISA's fixed-width
// fields are checked when written.
func (e *Envelope) validate() error {
	if e.SenderID == "" || e.ReceiverID == "" {
		return errors.New("envelope: SenderID and ReceiverID are required")
	}
	if !isDigits(e.Version, 5, 5) {
		return fmt.Errorf("envelope: Version %q: want five digits such as 00401 (ISA12)", e.Version)
	}
	if e.Control < 1 || e.Control > 999999999 {
		return fmt.Errorf("envelope: Control %d: want 1 to 999999999 (ISA13)", e.Control)
	}
	if e.GroupControl < 1 || e.GroupControl > 999999999 {
		return fmt.Errorf("envelope: GroupControl %d: want 1 to 999999999 (GS06)", e.GroupControl)
	}
	if e.Usage != "P" && e.Usage != "T" && e.Usage != "I" {
		return fmt.Errorf("envelope: Usage %q: want P or T (ISA15)", e.Usage)
	}
	return nil
}

// usesRepetition tells whether ISA11 is a repetition separator in this
// version (from 00402) rather than the standards identifier "U".
func (e *Envelope) usesRepetition() bool { return e.Version >= "00402" }

// Set is one transaction set to write: WriteInterchange writes its ST, calls
// Body for everything in between, then writes SE with the count.
type Set struct {
	// Code is ST01, e.g. "997", "999", "855".
	Code string
	// Control is ST02 and SE02, 1 to 999999999, written with at least four
	// digits. 0 numbers the set by its place in the group: 0001, 0002, ...
	Control int64
	// Convention is ST03, the implementation convention reference that
	// 5010 guides want (e.g. "005010X231A1" for a 999); empty for none.
	Convention string
	// Body writes the segments between ST and SE. It must not write
	// envelope segments (ST, SE, GS, GE, ISA, IEA, TA1): the writer refuses
	// them.
	Body func(*Writer) error
}

// WriteInterchange writes one interchange to w: ISA, one functional group
// (GS, the sets, GE) and IEA, with every count and control number filled
// in. The whole interchange is built in memory first and written with one
// call only if every part succeeded, so a failing body leaves nothing half
// written behind it.
func WriteInterchange(w *Writer, env Envelope, sets []Set) error {
	if w.err != nil {
		return w.err
	}
	env.setDefaults()
	if err := env.validate(); err != nil {
		return err
	}
	if env.FunctionalID == "" {
		return errors.New("envelope: FunctionalID (GS01) is required")
	}
	if len(sets) == 0 {
		return errors.New("an interchange with a functional group needs at least one transaction set")
	}
	return w.writeEnvelope(&env, 1, func(iw *Writer) error {
		if err := iw.Segment("GS", env.FunctionalID, env.GroupSender, env.GroupReceiver,
			env.Time.Format("20060102"), env.Time.Format("1504"),
			strconv.FormatInt(env.GroupControl, 10), "X", env.GroupVersion); err != nil {
			return err
		}
		for i, s := range sets {
			if err := iw.writeSet(s, int64(i+1)); err != nil {
				return fmt.Errorf("transaction set %d of %d: %w", i+1, len(sets), err)
			}
		}
		return iw.Segment("GE", strconv.Itoa(len(sets)), strconv.FormatInt(env.GroupControl, 10))
	})
}

// writeEnvelope writes one interchange to w: env's ISA, what body writes
// and the IEA declaring groups functional groups. It is built in memory by
// a writer with the delimiters the interchange really has (before 00402
// there is no repetition separator, so data may hold that character) and
// written with one call only if every part succeeded.
func (w *Writer) writeEnvelope(env *Envelope, groups int, body func(iw *Writer) error) error {
	d := w.d
	if !env.usesRepetition() {
		d.Repetition = 0
	} else if d.Repetition == 0 {
		return fmt.Errorf("version %s needs a repetition separator for ISA11, and the writer has none", env.Version)
	}
	var buf bytes.Buffer
	iw := &Writer{out: &buf, d: d, lineBreak: w.lineBreak}
	if err := iw.writeISA(env); err != nil {
		return err
	}
	if err := body(iw); err != nil {
		return err
	}
	if err := iw.Segment("IEA", strconv.Itoa(groups), fmt.Sprintf("%09d", env.Control)); err != nil {
		return err
	}
	return w.emit(buf.Bytes(), iw.count)
}

func (w *Writer) writeSet(s Set, place int64) error {
	control := s.Control
	if control == 0 {
		control = place
	}
	if control < 1 || control > 999999999 {
		return fmt.Errorf("control number %d: want 1 to 999999999", control)
	}
	if s.Body == nil {
		return errors.New("no body")
	}
	ctl := fmt.Sprintf("%04d", control)
	start := w.count
	if err := w.Segment("ST", s.Code, ctl, s.Convention); err != nil {
		return err
	}
	w.body = true
	err := s.Body(w)
	w.body = false
	if err != nil {
		return fmt.Errorf("ST %s %s: %w", s.Code, ctl, err)
	}
	// SE01 counts ST and SE themselves.
	return w.Segment("SE", strconv.Itoa(w.count-start+1), ctl)
}

// writeISA writes the ISA: 16 fixed-width fields, so it is 106 bytes with
// a one-byte terminator and a reader finds every delimiter by position.
func (w *Writer) writeISA(env *Envelope) error {
	isa11 := "U"
	if env.usesRepetition() {
		isa11 = delimiterString(w.d.Repetition)
	}
	ack := "0"
	if env.AckRequested {
		ack = "1"
	}
	fields := []struct {
		name, value string
		width       int
	}{
		{"ISA01 AuthQualifier", env.AuthQualifier, 2},
		{"ISA02 AuthInfo", env.AuthInfo, 10},
		{"ISA03 SecurityQualifier", env.SecurityQualifier, 2},
		{"ISA04 SecurityInfo", env.SecurityInfo, 10},
		{"ISA05 SenderQualifier", env.SenderQualifier, 2},
		{"ISA06 SenderID", env.SenderID, 15},
		{"ISA07 ReceiverQualifier", env.ReceiverQualifier, 2},
		{"ISA08 ReceiverID", env.ReceiverID, 15},
		{"ISA09 date", env.Time.Format("060102"), 6},
		{"ISA10 time", env.Time.Format("1504"), 4},
		{"ISA11", isa11, 1},
		{"ISA12 Version", env.Version, 5},
		{"ISA13 Control", fmt.Sprintf("%09d", env.Control), 9},
		{"ISA14 AckRequested", ack, 1},
		{"ISA15 Usage", env.Usage, 1},
		{"ISA16", delimiterString(w.d.Component), 1},
	}
	b := append(w.buf[:0], "ISA"...)
	for i, f := range fields {
		if len(f.value) > f.width {
			return fmt.Errorf("envelope: %s %q: longer than %d characters", f.name, f.value, f.width)
		}
		// ISA11 and ISA16 are delimiters by definition; the rest are data.
		if i != 10 && i != 15 {
			for j := 0; j < len(f.value); j++ {
				if f.value[j] >= 0x80 {
					return fmt.Errorf("envelope: %s %q: not ASCII, so the ISA would not be 106 bytes", f.name, f.value)
				}
			}
			if msg := w.badValue(f.value, false); msg != "" {
				return fmt.Errorf("envelope: %s %q: %s", f.name, f.value, msg)
			}
		}
		b = append(b, w.d.Element)
		b = append(b, f.value...)
		for n := len(f.value); n < f.width; n++ {
			b = append(b, ' ')
		}
	}
	b = append(b, w.d.Segment...)
	b = append(b, w.lineBreak...)
	w.buf = b
	return w.emit(b, 1)
}
