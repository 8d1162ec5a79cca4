package edifact

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
)

// msgData is what the segments of one message share: their bytes (release
// characters kept, line breaks gone) and the positions of their data
// element separators.
type msgData struct {
	buf  []byte
	seps []int32
	sep  Separators
	cs   *charset
	// frozen: buf is never written again, so strings may share its bytes
	// instead of copying them. A message's data is; the scratch the reader
	// reads envelope segments into is not.
	frozen bool
}

// Segment is one segment of a message. Its values are found when asked
// for: elements by the separator positions the scanner noted, components
// by a look through the element, release characters removed and the
// interchange's character set turned into UTF-8 only for the value asked.
type Segment struct {
	d          *msgData
	s, e       int32 // the segment is d.buf[s:e]: tag and data elements
	sep0, sep1 int32 // its data element separators are d.seps[sep0:sep1], absolute
	pos        int32
	flags      uint8
	off        int64
}

func (s *Segment) bytes() []byte { return s.d.buf[s.s:s.e:s.e] }

// Tag is the segment tag ("QTY").
func (s *Segment) Tag() string { return intern(s.tag()) }

func (s *Segment) tag() []byte {
	if s.sep1 > s.sep0 {
		return s.d.buf[s.s:s.d.seps[s.sep0]]
	}
	return s.bytes()
}

// Is tells whether the segment's tag is tag.
func (s *Segment) Is(tag string) bool { return string(s.tag()) == tag }

// Pos is the segment's position in its message, UNH = 1 (as UNT and CONTRL
// count).
func (s *Segment) Pos() int { return int(s.pos) }

// Offset is the segment's byte offset in the document.
func (s *Segment) Offset() int64 { return s.off }

// Len is the number of data elements after the tag, trailing empty ones
// included as written.
func (s *Segment) Len() int { return int(s.sep1 - s.sep0) }

// Bytes is the segment as read: tag and data elements with their
// separators and release characters, without terminator or line breaks.
func (s *Segment) Bytes() []byte { return s.bytes() }

// Elem is data element i (from 1) as written; nil when absent.
func (s *Segment) Elem(i int) []byte {
	if i < 1 || i > s.Len() {
		return nil
	}
	seps := s.d.seps
	a := seps[s.sep0+int32(i)-1] + 1
	e := s.e
	if i < s.Len() {
		e = seps[s.sep0+int32(i)]
	}
	return s.d.buf[a:e:e]
}

// Comps is the number of components of element i as written: 0 when the
// element is absent, 1 for a simple element.
func (s *Segment) Comps(i int) int {
	el := s.Elem(i)
	if el == nil {
		return 0
	}
	n := 1
	comp, rel := s.d.sep.Component, s.d.sep.Release
	if s.flags&fRelease == 0 {
		return n + bytes.Count(el, []byte{comp})
	}
	for k := 0; k < len(el); k++ {
		switch el[k] {
		case rel:
			k++
		case comp:
			n++
		}
	}
	return n
}

// Raw is component j (from 1) of element i as written, release characters
// kept; nil when absent. Component 1 of a simple element is the element.
func (s *Segment) Raw(i, j int) []byte {
	el := s.Elem(i)
	if el == nil || j < 1 {
		return nil
	}
	comp := s.d.sep.Component
	if s.flags&fRelease == 0 {
		for ; j > 1; j-- {
			k := bytes.IndexByte(el, comp)
			if k < 0 {
				return nil
			}
			el = el[k+1:]
		}
		if k := bytes.IndexByte(el, comp); k >= 0 {
			return el[:k:k]
		}
		return el
	}
	rel := s.d.sep.Release
	start, n := 0, 1
	for k := 0; k < len(el); k++ {
		switch el[k] {
		case rel:
			k++
		case comp:
			if n == j {
				return el[start:k:k]
			}
			n++
			start = k + 1
		}
	}
	if n == j {
		return el[start:]
	}
	return nil
}

// Str is component j of element i as text: release characters removed and
// in UTF-8. "" when absent.
func (s *Segment) Str(i, j int) string {
	b := s.Raw(i, j)
	if len(b) == 0 {
		return ""
	}
	return s.d.text(b, s.flags)
}

// text makes a value's text. Values without release characters or
// characters past ASCII, nearly all of them, share the message's bytes.
func (d *msgData) text(b []byte, flags uint8) string {
	if flags&(fRelease|fWide|fBad) == 0 && d.frozen {
		// The scanner saw nothing to undo in the whole segment: share.
		return unsafe.String(&b[0], len(b))
	}
	if len(b) <= 3 {
		if v, ok := internShort(b); ok {
			return v
		}
	}
	rel := flags&fRelease != 0 && bytes.IndexByte(b, d.sep.Release) >= 0
	high := !ascii(b)
	if !rel && !high {
		if d.frozen {
			return unsafe.String(&b[0], len(b))
		}
		return string(b)
	}
	var tmp [128]byte
	v := tmp[:0]
	if rel {
		v = unescape(v, b, d.sep.Release)
	} else {
		v = append(v, b...)
	}
	if high {
		out := d.cs.decode(nil, v)
		if !utf8.Valid(out) {
			// Bytes that are no character of the declared set (the
			// message is refused for them, yet its values are read to
			// say so): U+FFFD, so that every value is UTF-8.
			return strings.ToValidUTF8(string(out), "\uFFFD")
		}
		return string(out)
	}
	return string(v)
}

// unescape appends b without its release characters to dst.
func unescape(dst, b []byte, rel byte) []byte {
	for k := 0; k < len(b); k++ {
		if b[k] == rel && k+1 < len(b) {
			k++
		}
		dst = append(dst, b[k])
	}
	return dst
}

func ascii(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Decimal reads component j of element i as a number, with either '.' or
// ',' as the decimal mark: ISO 9735 lets the UNA name one, and senders
// use the other all the same; numbers have no grouping, so the two cannot
// be confused. ok is false when the value is absent or not a number.
func (s *Segment) Decimal(i, j int) (d decimal.Decimal, ok bool) {
	b := s.Raw(i, j)
	if len(b) == 0 {
		return decimal.Zero, false
	}
	if k := bytes.IndexByte(b, ','); k >= 0 {
		var tmp [64]byte
		if len(b) > len(tmp) {
			return decimal.Zero, false
		}
		n := copy(tmp[:], b)
		tmp[k] = '.'
		return order.PlainDecimal(tmp[:n])
	}
	return order.PlainDecimal(b)
}

// Err makes a located error about element elem, component comp (0 when
// not about one) of segment s in the message.
func (m *Message) Err(s *Segment, elem, comp int, code, format string, args ...any) *Error {
	e := m.base()
	e.Level = LevelSegment
	if elem > 0 {
		e.Level = LevelElement
	}
	if s != nil {
		e.Segment, e.Tag, e.Offset = s.Pos(), s.Tag(), s.Offset()
	}
	e.Elem, e.Comp, e.Code = elem, comp, code
	e.Msg = fmt.Sprintf(format, args...)
	return e
}

// MessageErr makes a located error about the message as a whole.
func (m *Message) MessageErr(code, format string, args ...any) *Error {
	e := m.base()
	e.Level, e.Code, e.Msg = LevelMessage, code, fmt.Sprintf(format, args...)
	return e
}

func (m *Message) base() *Error {
	e := &Error{Doc: m.Doc, Message: m.Header.Ref, Type: m.Header.Type, Offset: m.Offset}
	if m.Interchange != nil {
		e.Interchange = m.Interchange.Control
	}
	if m.Group != nil {
		e.Group = m.Group.Control
	}
	return e
}

// tags interns the segment tags orderhub reads, so Tag does not allocate.
var tags = func() map[string]string {
	m := map[string]string{}
	for _, t := range []string{"UNA", "UNB", "UNG", "UNH", "UNT", "UNE", "UNZ", "UNS", "BGM", "DTM", "PAI", "ALI",
		"FTX", "RFF", "NAD", "LOC", "FII", "CTA", "COM", "TAX", "CUX", "PAT", "PCD", "MOA", "TDT", "TOD", "PAC",
		"PCI", "EQD", "SCC", "QTY", "APR", "RNG", "ALC", "LIN", "PIA", "IMD", "MEA", "PRI", "GIN", "GIR", "QVR",
		"DOC", "CNT", "UCI", "UCM", "UCS", "UCD", "UCF", "ERC", "GEI", "GIS", "HAN", "RCS", "DGS", "STG", "QVA"} {
		m[t] = t
	}
	return m
}()

func intern(b []byte) string {
	if t, ok := tags[string(b)]; ok {
		return t
	}
	return string(b)
}

// shortValues are the one- to three-character codes most values are
// (qualifiers, code lists, units): shared, not allocated.
var shortValues = func() map[string]string {
	m := map[string]string{}
	add := func(s string) { m[s] = s }
	for c := 0; c < 1000; c++ {
		add(fmt.Sprint(c))
		if c < 100 {
			add(fmt.Sprintf("%02d", c))
		}
	}
	for _, s := range []string{"EA", "PCE", "KGM", "LTR", "MTR", "CT", "CA", "PK", "NAR", "BX", "SET", "PR", "DZN",
		"BY", "SU", "DP", "IV", "ST", "SN", "UD", "OB", "CN", "DL", "PR", "SF", "CA", "PA", "MF", "PE",
		"ON", "VA", "IT", "API", "CR", "AAA", "AAB", "AAE", "AAF", "CT", "EN", "SRV", "SA", "IN", "BP", "MF", "NB",
		"UP", "GD", "AAG", "GTIN", "EUR", "USD", "GBP", "CHF", "SEK", "DKK", "NOK", "PLN", "JPY", "CNY", "CZK", "HUF",
		"TE", "FX", "EM", "IC", "OC", "PD", "PUR", "AAI", "ZZZ", "ORI", "S", "A", "C", "F", "Z", "X", "B", "P", "E",
		"D", "N", "Y", "NA", "AB", "AC", "AD", "INV", "FC", "ZZ", "EUR", "TD", "CU", "DU", "RC", "LI"} {
		add(s)
	}
	return m
}()

func internShort(b []byte) (string, bool) {
	v, ok := shortValues[string(b)]
	return v, ok
}
