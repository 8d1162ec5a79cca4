package x12

import (
	"bytes"
	"fmt"
	"unicode/utf8"
	"unsafe"
)

// Segment is one segment. Its bytes belong to the Reader: valid until the
// next call to Next. Elements are found by position when asked for;
// components and repeats are split only when asked for, so a repetition or
// component separator that also turns up inside plain data (ISA11 "-" and
// a part number "31139-0020") does no harm to a caller reading the element
// whole.
type Segment struct {
	d    *setData
	s, e int32 // the segment is d.buf[s:e]: tag and elements, no terminator or line breaks
	sep0 int32 // its element separators are at d.seps[sep0:sep1], relative to s
	sep1 int32
	pos  int32
	off  int64
}

// setData is what the segments of the set being handed out share.
type setData struct {
	buf       []byte
	seps      []int32
	comp, rep byte // 0 when the interchange has none
	latin1    bool // the document was EBCDIC: buf holds ISO-8859-1
	// frozen: buf is a copy no one writes to again (Detach), so strings
	// may share its bytes instead of copying them.
	frozen bool
	index  *setIndex // a detached set's pooled indexes, see Release
}

func (s *Segment) bytes() []byte { return s.d.buf[s.s:s.e:s.e] }

func (s *Segment) seps() []int32 { return s.d.seps[s.sep0:s.sep1:s.sep1] }

// Tag is the segment ID, e.g. "BEG".
func (s *Segment) Tag() []byte {
	b := s.bytes()
	if s.sep1 > s.sep0 {
		n := s.d.seps[s.sep0]
		return b[:n:n]
	}
	return b
}

// Is tells whether the segment's tag is tag.
func (s *Segment) Is(tag string) bool { return string(s.Tag()) == tag }

// Pos is the segment's position in its transaction set, ST = 1 (as SE01
// and AK301 count).
func (s *Segment) Pos() int { return int(s.pos) }

// Offset is the byte offset of the segment in the document.
func (s *Segment) Offset() int64 { return s.off }

// Len is the number of elements after the tag, trailing empty ones
// included as written.
func (s *Segment) Len() int { return int(s.sep1 - s.sep0) }

// Bytes is the segment as read: tag and elements with their separators,
// without the terminator and without line breaks.
func (s *Segment) Bytes() []byte { return s.bytes() }

// Elem is element i, from 1; nil when absent, empty (not nil) when present
// and empty.
func (s *Segment) Elem(i int) []byte {
	seps := s.seps()
	if i < 1 || i > len(seps) {
		return nil
	}
	b := s.bytes()
	a := int(seps[i-1]) + 1
	e := len(b)
	if i < len(seps) {
		e = int(seps[i])
	}
	return b[a:e:e]
}

// Str is Elem as a string, in UTF-8 (an EBCDIC document's ISO-8859-1 bytes
// are converted). The string is a copy, except for a detached set (see
// Transaction.Detach), whose strings share its bytes.
func (s *Segment) Str(i int) string { return s.text(s.Elem(i)) }

func (s *Segment) text(b []byte) string {
	if len(b) <= 3 {
		// Codes, qualifiers, units and line numbers are most of the
		// values a mapper keeps: share them instead of allocating each.
		if v, ok := short(b); ok {
			return v
		}
	}
	if !s.d.latin1 && !utf8.Valid(b) {
		// X12 data is ASCII; bytes that are not UTF-8 come from a system
		// writing ISO-8859-1 ("MÉXICO"). Read them so, rather than let
		// them reach the JSON encoder, which would make them U+FFFD.
		return latin1(b)
	}
	if s.d.frozen && !s.d.latin1 {
		// The set's bytes never change again: share them. The strings
		// keep the set's buffer alive as long as the order lives.
		return unsafe.String(&b[0], len(b))
	}
	if s.d.latin1 {
		return latin1(b)
	}
	return string(b)
}

// latin1 reads b as ISO-8859-1.
func latin1(b []byte) string {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			r := make([]rune, len(b))
			for i, c := range b {
				r[i] = rune(c)
			}
			return string(r)
		}
	}
	return string(b)
}

// Comp is component j (from 1) of element i, split on the component
// separator; nil when absent. Without a component separator the element is
// its own only component.
func (s *Segment) Comp(i, j int) []byte { return nth(s.Elem(i), s.d.comp, j) }

// Reps is the number of repeats of element i (split on the repetition
// separator): 1 when there is no separator in it or the interchange has
// none, 0 when the element is absent.
func (s *Segment) Reps(i int) int {
	e := s.Elem(i)
	if e == nil {
		return 0
	}
	if s.d.rep == 0 {
		return 1
	}
	return bytes.Count(e, []byte{s.d.rep}) + 1
}

// Rep is repeat k (from 1) of element i; nil when absent.
func (s *Segment) Rep(i, k int) []byte { return nth(s.Elem(i), s.d.rep, k) }

// RepComp is component j of repeat k of element i.
func (s *Segment) RepComp(i, k, j int) []byte { return nth(s.Rep(i, k), s.d.comp, j) }

// nth is part n (from 1) of b split on sep; with sep 0, b is its only part.
func nth(b []byte, sep byte, n int) []byte {
	if b == nil || n < 1 {
		return nil
	}
	if sep == 0 {
		if n == 1 {
			return b
		}
		return nil
	}
	for ; n > 1; n-- {
		i := bytes.IndexByte(b, sep)
		if i < 0 {
			return nil
		}
		b = b[i+1:]
	}
	if i := bytes.IndexByte(b, sep); i >= 0 {
		return b[:i:i]
	}
	return b
}

// shortStrings holds every value of one or two digits or capital letters
// and the numbers below 1000, indexed without hashing.
var shortStrings = func() (t struct {
	one   [256]string
	two   [36 * 36]string
	three [1000]string
}) {
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for i := range len(alnum) {
		t.one[alnum[i]] = alnum[i : i+1]
		for j := range len(alnum) {
			t.two[i*36+j] = alnum[i:i+1] + alnum[j:j+1]
		}
	}
	for n := range 1000 {
		t.three[n] = fmt.Sprintf("%03d", n)
	}
	return t
}()

// alnumIndex is a digit's or capital letter's place in 0-9A-Z, or -1.
func alnumIndex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return -1
}

// short returns the shared string for b when there is one.
func short(b []byte) (string, bool) {
	switch len(b) {
	case 0:
		return "", true
	case 1:
		v := shortStrings.one[b[0]]
		return v, v != ""
	case 2:
		i, j := alnumIndex(b[0]), alnumIndex(b[1])
		if i >= 0 && j >= 0 {
			return shortStrings.two[i*36+j], true
		}
	case 3:
		if b[0] >= '0' && b[0] <= '9' && b[1] >= '0' && b[1] <= '9' && b[2] >= '0' && b[2] <= '9' {
			return shortStrings.three[int(b[0]-'0')*100+int(b[1]-'0')*10+int(b[2]-'0')], true
		}
	}
	return "", false
}
