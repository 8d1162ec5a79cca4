package edifact

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Writer writes EDIFACT segments with one set of service characters. A
// value holding a service character is written with the release character
// before it (GROOT MARKT?+CO), so a reader gives back what was meant; with
// no release character in force such a value is refused, as is a value
// holding a control character (readers drop line breaks) or a character
// the interchange's repertoire (its UNB syntax identifier) does not have.
// A refused segment writes nothing; the error names the segment, the
// element and the component.
//
// A segment is built with Begin, one Elem per data element and End, or
// written at once with Segment when its elements are simple. Trailing empty
// elements and components are dropped (QTY+21:5', never QTY+21:5::'), which
// is what ISO 9735 asks of a sender.
//
// Writer counts the segments it writes, which is what UNT needs. It is not
// safe for concurrent use.
type Writer struct {
	out io.Writer
	// base are the service characters NewWriter was given; sep those in
	// force, which UNB adjusts to the syntax version (the repetition
	// separator exists from version 4 on).
	base, sep Separators
	lineBreak string
	forceUNA  bool
	// err is sticky: bad separators (found by NewWriter) or a failed write
	// to out. Once set, every call returns it: what reached out is no
	// longer known to be whole segments.
	err   error
	count int

	// The segment being built.
	buf    []byte
	tag    string
	open   bool
	elems  int
	keep   int   // len(buf) after the last element that had a value
	segErr error // the first refused value of the segment

	// rep is the repertoire values are written in: the syntax identifier
	// of the UNB written, UTF-8 before any.
	rep repertoire
	// Interchange and message state for UNZ and UNT.
	control   string // UNB 0020
	inUNB     bool
	messages  int
	inMessage bool
	msgRef    string
	msgStart  int
}

// WriterOption configures a Writer.
type WriterOption func(*Writer)

// WithLineBreak writes s ("\n" or "\r\n") after every segment terminator
// (and after the UNA), for people reading the file; readers drop line
// breaks between segments. The default is none. It is skipped when the
// terminator is itself a line break. The profile's line_break is this.
func WithLineBreak(s string) WriterOption {
	return func(w *Writer) { w.lineBreak = s }
}

// WithUNA writes a UNA before every UNB even when the service characters
// are the defaults (they always get one when they are not). Partners whose
// translators look for a UNA ask for it.
func WithUNA() WriterOption {
	return func(w *Writer) { w.forceUNA = true }
}

// NewWriter returns a Writer writing to out with service characters sep.
// Service characters that a reader could not tell apart (two alike, a
// letter or digit, a missing separator or terminator) make every call
// return an error.
func NewWriter(out io.Writer, sep Separators, opts ...WriterOption) *Writer {
	w := &Writer{out: out, base: sep, sep: sep, rep: repUTF8}
	for _, o := range opts {
		o(w)
	}
	if w.lineBreak != "" && (sep.Segment == '\n' || sep.Segment == '\r') {
		w.lineBreak = ""
	}
	if err := sep.check(); err != nil {
		w.err = fmt.Errorf("writer: %w", err)
	} else if sep.Decimal != '.' && sep.Decimal != ',' {
		w.err = fmt.Errorf("writer: decimal mark %q: want '.' or ','", sep.Decimal)
	}
	return w
}

// Separators returns the writer's service characters.
func (w *Writer) Separators() Separators { return w.sep }

// Count returns the number of segments written so far (a UNA is not a
// segment and is not counted).
func (w *Writer) Count() int { return w.count }

// ValueError is a segment the Writer refused to write.
type ValueError struct {
	Tag string // segment tag, e.g. "NAD"
	// Element and Component are 1-based positions of the bad value after
	// the tag; 0 when the problem is the tag itself or the segment.
	Element, Component int
	Value              string
	Msg                string
}

// Error reads like `NAD element 4 component 1 "A+B": holds the data element
// separator '+' and no release character is in force`.
func (e *ValueError) Error() string {
	var b strings.Builder
	b.WriteString(e.Tag)
	if e.Element > 0 {
		b.WriteString(" element " + strconv.Itoa(e.Element))
		if e.Component > 0 {
			b.WriteString(" component " + strconv.Itoa(e.Component))
		}
		b.WriteString(" " + strconv.Quote(e.Value))
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Begin starts a segment. Elements follow with Elem; End writes it.
func (w *Writer) Begin(tag string) { w.begin(tag, false) }

// begin starts a segment; service says the writer's own envelope methods
// write it, the only ones that may write service segments (UNB, UNH, ...).
func (w *Writer) begin(tag string, service bool) {
	w.buf = append(w.buf[:0], tag...)
	w.tag, w.open, w.elems, w.keep, w.segErr = tag, true, 0, len(w.buf), nil
	switch {
	case !tagWritable(tag):
		w.segErr = &ValueError{Tag: tag, Msg: "a segment tag is three upper-case letters or digits"}
	case !service && serviceSegment(tag):
		w.segErr = &ValueError{Tag: tag, Msg: "service segments are written by the writer's envelope methods, not by a message body"}
	}
}

// Elem appends one data element of the segment Begin started: its
// components in order, trailing empty ones dropped. No components (or only
// empty ones) is an empty element, which End drops when nothing follows.
func (w *Writer) Elem(comps ...string) {
	if !w.open {
		if w.segErr == nil {
			w.segErr = errors.New("Elem without Begin")
		}
		return
	}
	w.elems++
	for len(comps) > 0 && comps[len(comps)-1] == "" {
		comps = comps[:len(comps)-1]
	}
	w.buf = append(w.buf, w.sep.Element)
	for i, c := range comps {
		if i > 0 {
			w.buf = append(w.buf, w.sep.Component)
		}
		if w.segErr != nil {
			continue
		}
		var msg string
		w.buf, msg = w.appendValue(w.buf, c)
		if msg != "" {
			w.segErr = &ValueError{Tag: w.tag, Element: w.elems, Component: i + 1, Value: c, Msg: msg}
		}
	}
	if len(comps) > 0 {
		w.keep = len(w.buf)
	}
}

// End writes the segment Begin started, without its trailing empty
// elements, or returns the first value it refused (and writes nothing).
func (w *Writer) End() error {
	if !w.open {
		return errors.New("End without Begin")
	}
	w.open = false
	if w.err != nil {
		return w.err
	}
	if w.segErr != nil {
		return w.segErr
	}
	b := append(w.buf[:w.keep], w.sep.Segment)
	b = append(b, w.lineBreak...)
	w.buf = b
	return w.emit(b, 1)
}

// Segment writes a segment of simple data elements (each one component).
// A value holding the component separator is escaped like any service
// character: build composites with Begin and Elem.
func (w *Writer) Segment(tag string, elems ...string) error {
	w.Begin(tag)
	for _, e := range elems {
		w.Elem(e)
	}
	return w.End()
}

// Dec formats d with the writer's decimal mark: "2.15", or "2,15" under a
// UNA that says ','. ISO 9735 allows no thousands separators and no
// exponent, and shopspring's String writes neither.
func (w *Writer) Dec(d decimal.Decimal) string {
	s := d.String()
	if w.sep.Decimal == ',' {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func (w *Writer) emit(b []byte, n int) error {
	if _, err := w.out.Write(b); err != nil {
		w.err = fmt.Errorf("writing EDIFACT: %w", err)
		return w.err
	}
	w.count += n
	return nil
}

// appendValue appends v to b in the writer's repertoire, with the release
// character before every service character; msg says why it cannot be
// written, "" when it can.
func (w *Writer) appendValue(b []byte, v string) ([]byte, string) {
	s := &w.sep
	for i := 0; i < len(v); {
		r, size := utf8.DecodeRuneInString(v[i:])
		if r == utf8.RuneError && size == 1 {
			return b, fmt.Sprintf("byte %d is not UTF-8", i)
		}
		i += size
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
			// Readers drop line breaks and no repertoire has control
			// characters: such a value would not read back.
			return b, fmt.Sprintf("holds the control character %q", r)
		}
		if r < 0x80 {
			c := byte(r)
			if name := s.serviceName(c); name != "" {
				if s.Release == 0 {
					return b, fmt.Sprintf("holds the %s %q and no release character is in force", name, c)
				}
				b = append(b, s.Release)
			}
		}
		var ok bool
		if b, ok = w.rep.append(b, r); !ok {
			return b, fmt.Sprintf("%q is not in the %s repertoire", r, w.rep.name())
		}
	}
	return b, ""
}

// serviceName names the service character c is, "" for data.
func (s *Separators) serviceName(c byte) string {
	switch {
	case c == s.Element:
		return "data element separator"
	case c == s.Component:
		return "component separator"
	case c == s.Segment:
		return "segment terminator"
	case s.Release != 0 && c == s.Release:
		return "release character"
	case s.Repetition != 0 && c == s.Repetition:
		return "repetition separator"
	}
	return ""
}

func tagWritable(tag string) bool {
	if len(tag) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if c := tag[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func serviceSegment(tag string) bool {
	switch tag {
	case "UNA", "UNB", "UNZ", "UNG", "UNE", "UNH", "UNT":
		return true
	}
	return false
}

// repertoire is the character set values are written in: the reader's
// charset of the UNB's syntax identifier (charsets), or UTF-8 before any
// UNB (cs nil).
type repertoire struct{ cs *charset }

var repUTF8 = repertoire{}

func (p repertoire) name() string {
	if p.cs == nil {
		return "UTF-8"
	}
	return p.cs.name
}

// append appends r in the repertoire; ok is false when it has no such
// character. Level A has upper-case letters only: lower-case ones are
// written upper-case, which is what UNOA translators do, rather than
// refusing a party name the partner itself may have sent in mixed case.
func (p repertoire) append(b []byte, r rune) ([]byte, bool) {
	if p.cs == nil {
		return utf8.AppendRune(b, r), true
	}
	switch p.cs.kind {
	case csLevelA:
		switch {
		case r >= 'a' && r <= 'z':
			return append(b, byte(r-'a'+'A')), true
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r < utf8.RuneSelf && containsByte(levelA, byte(r)):
			return append(b, byte(r)), true
		}
	case csLevelB:
		if r >= 0x20 && r < 0x7f {
			return append(b, byte(r)), true
		}
	case csLatin1:
		if r < 0x100 {
			return append(b, byte(r)), true
		}
	case csTable:
		if r < utf8.RuneSelf {
			return append(b, byte(r)), true
		}
		// The reader's table turns bytes into runes; a rune is written
		// as the byte it comes from. Answers carry few letters beyond
		// ASCII, so a scan of the upper half does.
		for c := 0xa0; c < 0x100; c++ {
			if p.cs.table[c] == r {
				return append(b, byte(c)), true
			}
		}
	case csUTF8:
		return utf8.AppendRune(b, r), true
	}
	return b, false
}
