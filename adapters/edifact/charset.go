package edifact

import (
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// A charset is how an interchange's bytes are read: which bytes its
// syntax identifier allows, and how they become UTF-8.
type charset struct {
	name string
	kind csKind
	// table turns each byte of a single-byte set other than ISO 8859-1
	// into its rune (UNOD to UNOK); nil otherwise.
	table *[256]rune
}

type csKind uint8

const (
	csLevelA csKind = iota // UNOA: upper case letters, digits, a few signs
	csLevelB               // UNOB: printable ASCII
	csLatin1               // UNOC
	csTable                // UNOD–UNOK, through table
	csUTF8                 // UNOW, UNOY
)

// charsets maps UNB syntax identifiers to their repertoires. UNOX (ISO
// 2022 code extension) is not supported: its escape sequences change the
// meaning of the bytes that follow, which a streaming reader cannot take
// on without a decoder for each set it may switch to.
var charsets = map[string]*charset{
	"UNOA": {name: "UNOA", kind: csLevelA},
	"UNOB": {name: "UNOB", kind: csLevelB},
	"UNOC": {name: "UNOC", kind: csLatin1},
	"UNOD": tableSet("UNOD", charmap.ISO8859_2),
	"UNOE": tableSet("UNOE", charmap.ISO8859_5),
	"UNOF": tableSet("UNOF", charmap.ISO8859_7),
	"UNOG": tableSet("UNOG", charmap.ISO8859_3),
	"UNOH": tableSet("UNOH", charmap.ISO8859_4),
	"UNOI": tableSet("UNOI", charmap.ISO8859_6),
	"UNOJ": tableSet("UNOJ", charmap.ISO8859_8),
	"UNOK": tableSet("UNOK", charmap.ISO8859_9),
	"UNOW": {name: "UNOW", kind: csUTF8},
	"UNOY": {name: "UNOY", kind: csUTF8},
}

func tableSet(name string, m *charmap.Charmap) *charset {
	t := new([256]rune)
	for i := range t {
		t[i] = m.DecodeByte(byte(i))
	}
	return &charset{name: name, kind: csTable, table: t}
}

// levelA are the characters of ISO 9735 level A besides letters and digits.
const levelA = ` .,-()/='+:?!"%&*;<>`

// Byte classes of the scanner. 0 is a plain data byte.
const (
	kPlain uint8 = iota
	kElem
	kRelease
	kTerm
	kBreak // CR or LF that is not the terminator: not data, dropped
	kBad   // not in the declared repertoire
	kHigh  // a byte of 0x80 or more whose meaning depends on its neighbours
	kWide  // a byte of 0x80 or more that is a character as it stands (ISO 8859)
)

// classes builds the scanner's byte classes for an interchange: its
// separators and what its character set allows. lenient lets UNOA and
// UNOB take any printable ASCII and C0 controls be data.
func classes(sep Separators, cs *charset, lenient bool) *[256]uint8 {
	t := new([256]uint8)
	for i := 0; i < 256; i++ {
		c := byte(i)
		switch {
		case c < 0x20 || c == 0x7f:
			if !lenient {
				t[i] = kBad
			}
		case c >= 0x80:
			switch cs.kind {
			case csLevelA, csLevelB:
				t[i] = kBad
			case csTable:
				t[i] = kWide
				if cs.table[i] == utf8.RuneError {
					t[i] = kBad
				}
			case csLatin1:
				t[i] = kWide
				if c < 0xa0 {
					// A C1 control is no ISO 8859-1 character, but it is a
					// UTF-8 continuation byte: see text.
					t[i] = kHigh
				}
			case csUTF8:
				t[i] = kHigh
			}
		case cs.kind == csLevelA && !lenient:
			if !isAlnum(c) || c >= 'a' && c <= 'z' {
				if !containsByte(levelA, c) {
					t[i] = kBad
				}
			}
		}
	}
	if cs.kind == csLevelA {
		// The interchange's own service characters are in its repertoire
		// whatever they are.
		for _, c := range []byte{sep.Component, sep.Element, sep.Decimal, sep.Release, sep.Repetition} {
			if c != 0 && t[c] == kBad {
				t[c] = kPlain
			}
		}
	}
	t['\r'], t['\n'] = kBreak, kBreak
	t[sep.Element] = kElem
	if sep.Release != 0 {
		t[sep.Release] = kRelease
	}
	t[sep.Segment] = kTerm
	return t
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// latin1ToUTF8 appends b, read as ISO 8859-1, to dst.
func latin1ToUTF8(dst, b []byte) []byte {
	for _, c := range b {
		if c < utf8.RuneSelf {
			dst = append(dst, c)
		} else {
			dst = utf8.AppendRune(dst, rune(c))
		}
	}
	return dst
}

// decode appends b, in cs, to dst as UTF-8. An ISO 8859-1 (UNOC) value that
// is valid UTF-8 with characters past ASCII is taken as UTF-8: systems that
// write UTF-8 and declare UNOC are common, while Latin-1 text that happens
// to be valid UTF-8 ("Ã©") is not.
func (cs *charset) decode(dst, b []byte) []byte {
	switch cs.kind {
	case csLatin1:
		if utf8.Valid(b) {
			return append(dst, b...)
		}
		return latin1ToUTF8(dst, b)
	case csTable:
		for _, c := range b {
			if c < utf8.RuneSelf {
				dst = append(dst, c)
			} else {
				dst = utf8.AppendRune(dst, cs.table[c])
			}
		}
		return dst
	}
	return append(dst, b...)
}

// validHigh tells whether the bytes of a value past ASCII are right for
// cs: valid UTF-8 for UNOW/UNOY; for UNOC, C1 bytes only inside valid UTF-8.
func (cs *charset) validHigh(b []byte) bool {
	switch cs.kind {
	case csUTF8, csLatin1:
		return utf8.Valid(b)
	}
	return true
}
