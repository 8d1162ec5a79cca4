package x12

import (
	"bytes"
	"encoding/binary"
	"io"
)

// The scanner cuts a decoded byte stream into tokens: an ISA segment (whose
// delimiters it then uses), a segment, a run of bytes that are not X12, or
// the end. Both passes over a document (see reader.go) run the same scanner
// over the same bytes, so they agree on every boundary by construction.
//
// It works in place in one buffer. A segment's bytes stay where they were
// read; line breaks inside a segment (hard-wrapped files) are squeezed out
// by moving the rest of the segment down over them, so the common case, no
// line break inside, touches each byte once and copies nothing.

// Byte classes inside an interchange.
const (
	clsData  = iota
	clsElem  // element separator
	clsTerm  // first byte of the segment terminator
	clsBreak // CR or LF where they are not the terminator: not data, dropped
)

type tokKind uint8

const (
	tokEOF  tokKind = iota
	tokSeg          // a segment inside an interchange
	tokISA          // an ISA segment; scanner.isa says what it holds
	tokJunk         // bytes outside any interchange that are not an ISA
)

// token is one thing the scanner found. Its byte positions index
// scanner.buf and stay valid until the scanner reads again.
type token struct {
	kind tokKind
	off  int64 // document offset of the first byte
	// tokSeg: the segment is buf[s:e], tag and elements, without its
	// terminator and without line breaks; its element separators are at
	// seps[sep0:sep1], as positions relative to s.
	s, e       int
	sep0, sep1 int
	tag        uint32 // up to three tag bytes packed big-endian; 0 when the tag is longer or empty
	over       bool   // the segment was longer than maxSeg and was cut to it
	// tokJunk: how many bytes were skipped.
	n int64
}

// Packed tags of the segments that shape a document.
const (
	tagISA = 'I'<<16 | 'S'<<8 | 'A'
	tagIEA = 'I'<<16 | 'E'<<8 | 'A'
	tagISB = 'I'<<16 | 'S'<<8 | 'B'
	tagISE = 'I'<<16 | 'S'<<8 | 'E'
	tagTA1 = 'T'<<16 | 'A'<<8 | '1'
	tagGS  = 'G'<<8 | 'S'
	tagGE  = 'G'<<8 | 'E'
	tagST  = 'S'<<8 | 'T'
	tagSE  = 'S'<<8 | 'E'
)

const (
	// isaMaxLen bounds an ISA segment: 106 bytes when well formed; padding
	// with multi-byte characters (seen: U+00A0) makes it longer, never this
	// long.
	isaMaxLen = 512
	// isaWindow is how much is looked at to read an ISA and guess its
	// terminator: the ISA and the segment after it.
	isaWindow = 2048
	// minChunk is the least free room a read asks for.
	minChunk = 64 << 10
)

type scanner struct {
	rd     io.Reader
	buf    []byte
	keep   int   // buf[keep:] is kept when reading more
	hold   bool  // keep stays where it is (a transaction set is being held)
	pos    int   // next byte to look at
	end    int   // end of the bytes read
	base   int64 // document offset of buf[0]
	eof    bool
	err    error // read error other than io.EOF
	maxSeg int
	begun  bool // the BOM check is done

	// skim: segments other than GS, GE and IEA are only delimited, not
	// split into elements (the first pass needs their tags alone).
	skim bool
	// inSet: the walker is inside a transaction set, where only segments
	// that may end it matter to a skimming scanner.
	inSet bool

	inIX   bool // delimiters are known: inside an interchange
	elem   byte
	term   [4]byte
	termN  int
	nlTerm bool // the terminator is a line break: CR and LF both end a segment
	cls    [256]uint8

	seps []int32
	tok  token
	isa  isaInfo
}

func newScanner(rd io.Reader, maxSeg int) *scanner {
	return &scanner{rd: rd, buf: make([]byte, 4*minChunk), maxSeg: maxSeg}
}

// fill reads more input after end. Room comes from dropping buf[:keep] or,
// when that frees too little, from a larger buffer. It reports false when no
// byte was added (end of input or read error). Positions held elsewhere
// must be taken relative to pos, keep or the start of a held set: fill
// moves them all by the same amount.
func (sc *scanner) fill() bool {
	if sc.eof {
		return false
	}
	if len(sc.buf)-sc.end < minChunk {
		if sc.keep >= len(sc.buf)/4 || (sc.keep > 0 && sc.end-sc.keep < len(sc.buf)/2) {
			n := copy(sc.buf, sc.buf[sc.keep:sc.end])
			sc.base += int64(sc.keep)
			sc.pos -= sc.keep
			sc.end = n
			sc.keep = 0
		}
		if len(sc.buf)-sc.end < minChunk {
			nb := make([]byte, 2*len(sc.buf)+minChunk)
			copy(nb, sc.buf[:sc.end])
			sc.buf = nb
		}
	}
	for range 100 {
		n, err := sc.rd.Read(sc.buf[sc.end:])
		sc.end += n
		if err != nil {
			sc.eof = true
			if err != io.EOF {
				sc.err = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	sc.eof = true
	sc.err = io.ErrNoProgress
	return false
}

// more makes at least n bytes available from pos, or as many as there are.
func (sc *scanner) more(n int) bool {
	for sc.end-sc.pos < n {
		if !sc.fill() {
			return false
		}
	}
	return true
}

// spaces are the bytes skipped before a segment: line breaks after
// terminators, indentation of pretty-printed files, the space padding of
// 80-byte card images, NUL and DOS end-of-file padding.
var spaces = func() (t [256]bool) {
	for _, c := range []byte(" \t\r\n\v\f\x00\x1A") {
		t[c] = true
	}
	return t
}()

func isSpace(c byte) bool { return spaces[c] }

func isAlnum(c byte) bool {
	return c-'0' < 10 || c-'A' < 26 || c-'a' < 26
}

// next returns the next token. It is valid until next is called again.
func (sc *scanner) next() *token {
	t := &sc.tok
	if !sc.begun {
		sc.begun = true
		sc.more(3)
		if bytes.HasPrefix(sc.buf[sc.pos:sc.end], []byte("\xEF\xBB\xBF")) {
			sc.pos += 3
		}
	}
	for {
		if !sc.hold {
			sc.keep = sc.pos
			sc.seps = sc.seps[:0]
		}
		for {
			for sc.pos < sc.end && spaces[sc.buf[sc.pos]] {
				sc.pos++
			}
			if !sc.hold {
				sc.keep = sc.pos
			}
			if sc.pos < sc.end || !sc.fill() {
				break
			}
		}
		if sc.pos >= sc.end {
			*t = token{kind: tokEOF, off: sc.base + int64(sc.pos)}
			return t
		}
		if sc.buf[sc.pos] == 'I' && sc.isISAAt(0) {
			sc.readISA(t)
			return t
		}
		if !sc.inIX {
			sc.junk(t)
			return t
		}
		if sc.skim {
			if sc.inSet && sc.skipPlain() {
				continue
			}
			if sc.skimSegment(t) {
				return t
			}
		}
		if sc.segment(t) {
			return t
		}
	}
}

// isISAAt tells whether an ISA segment starts at pos+i: "ISA" followed by a
// byte that may be an element separator. Line breaks among these four
// bytes are skipped: hard-wrapped files break anywhere.
func (sc *scanner) isISAAt(i int) bool {
	sc.more(i + 16)
	b := sc.buf[sc.pos:sc.end]
	var got [4]byte
	n := 0
	for j := i; j < len(b) && j < i+16 && n < 4; j++ {
		if c := b[j]; c != '\r' && c != '\n' {
			got[n] = c
			n++
		}
	}
	if n < 4 || got[0] != 'I' || got[1] != 'S' || got[2] != 'A' {
		return false
	}
	return !isAlnum(got[3]) && !isSpace(got[3])
}

// junk skips bytes up to the next ISA (one preceded by a byte that is not a
// letter or digit) or the end.
func (sc *scanner) junk(t *token) {
	start := sc.base + int64(sc.pos)
	i := 1 // relative to pos; the byte at pos does not start an ISA
	rescanned := false
	for {
		b := sc.buf[sc.pos:sc.end]
		if i < len(b) {
			j := bytes.IndexByte(b[i:], 'I')
			if j >= 0 {
				j += i
				if len(b)-j < 16 && !sc.eof {
					// Too close to the end to tell: read on.
					i = j
				} else if !isAlnum(b[j-1]) && sc.isISAAt(j) {
					sc.pos += j
					break
				} else {
					i = j + 1
					continue
				}
			} else {
				i = len(b)
			}
		}
		// Keep only the byte before i, which tells whether an ISA may
		// start at i.
		sc.pos += i - 1
		i = 1
		sc.keep = sc.pos
		if !sc.fill() {
			if !rescanned {
				// The end is known only now: an ISA that was too
				// close to it to tell is told now.
				rescanned = true
				continue
			}
			sc.pos = sc.end
			break
		}
	}
	sc.keep = sc.pos
	*t = token{kind: tokJunk, off: start, n: sc.base + int64(sc.pos) - start}
}

// segment scans one segment at pos. It reports false for an empty one.
func (sc *scanner) segment(t *token) bool {
	s := sc.pos
	off := sc.base + int64(s)
	i, w := s, s // read and write positions; w < i once a line break was dropped
	sep0 := len(sc.seps)
	over := false
	cls := &sc.cls
	for {
		b := sc.buf[:sc.end]
		if w == i {
			// The hot loop of the reader. Its shape matters: a bare
			// loop over data bytes, then one test of what stopped it,
			// runs faster than one loop testing each byte's class.
			for {
				for i < len(b) && cls[b[i]] == clsData {
					i++
				}
				if i >= len(b) || cls[b[i]] != clsElem {
					break
				}
				sc.seps = append(sc.seps, int32(i-s))
				i++
			}
			w = i
		} else {
			for i < len(b) {
				c := b[i]
				k := cls[c]
				if k == clsData {
					b[w] = c
					i++
					w++
					continue
				}
				if k != clsElem {
					break
				}
				sc.seps = append(sc.seps, int32(w-s))
				b[w] = c
				i++
				w++
			}
		}
		if i < len(b) {
			if cls[b[i]] == clsBreak {
				i++
				continue
			}
			// The first byte of the terminator.
			if sc.termN == 1 {
				sc.pos = i + 1
				break
			}
			if len(b)-i >= sc.termN || sc.eof {
				if bytes.HasPrefix(b[i:], sc.term[:sc.termN]) {
					sc.pos = i + sc.termN
					break
				}
				b[w] = b[i]
				i++
				w++
				continue
			}
			// Part of a multi-byte terminator: read on.
		}
		if w-s > sc.maxSeg {
			// Too long: keep the first maxSeg bytes and write what
			// follows over the rest, so that memory stays bounded.
			over = true
			cut := s + sc.maxSeg
			sc.trimSeps(sep0)
			n := copy(b[cut:], b[i:])
			sc.base += int64(i - cut)
			sc.end = cut + n
			i, w = cut, cut
		}
		b0 := sc.base
		ok := sc.fill()
		d := int(sc.base - b0)
		s, i, w = s-d, i-d, w-d
		if !ok {
			if i < sc.end {
				// The start of a terminator at the end of the
				// document, which is known only now: data.
				continue
			}
			// The last segment of the document has no terminator.
			sc.pos = i
			break
		}
	}
	if w-s > sc.maxSeg {
		over = true
		sc.trimSeps(sep0)
		w = s + sc.maxSeg
	}
	if over {
		// Drop the rest of the cut segment as the cut above does, all
		// of it: what a set holds must not depend on how the input
		// came in (MaxTransaction counts it).
		n := copy(sc.buf[w:], sc.buf[sc.pos:sc.end])
		sc.base += int64(sc.pos - w)
		sc.end = w + n
		sc.pos = w
	}
	if w == s {
		sc.seps = sc.seps[:sep0]
		return false
	}
	// Field by field: see Reader.addSeg.
	t.kind, t.off, t.n = tokSeg, off, 0
	t.s, t.e, t.sep0, t.sep1 = s, w, sep0, len(sc.seps)
	t.over = over
	if n := tagLen(w-s, sc.seps[sep0:]); n >= 1 && n <= 3 && s+4 <= len(sc.buf) {
		t.tag = binary.BigEndian.Uint32(sc.buf[s:]) >> (32 - 8*n)
	} else {
		t.tag = packTag(sc.buf[s:w], sc.seps[sep0:])
	}
	return true
}

// skipPlain passes over the segments of a transaction set that cannot end
// it, one terminator search each. It stops before a segment that may (see
// mayEndSet) and at the end of the bytes read, and reports whether it moved.
// The first pass spends most of its time here.
func (sc *scanner) skipPlain() bool {
	if mayEndSet(sc.buf[sc.pos:sc.end]) {
		return false
	}
	term := sc.term[0]
	for {
		b := sc.buf[:sc.end]
		i := sc.pos
		for {
			j := -1
			if sc.nlTerm {
				j = bytes.IndexByte(b[i:], '\n')
				before := b[i:]
				if j >= 0 {
					before = before[:j]
				}
				if r := bytes.IndexByte(before, '\r'); r >= 0 {
					j = r
				}
			} else {
				j = bytes.IndexByte(b[i:], term)
			}
			if j < 0 {
				break
			}
			i += j
			if sc.termN > 1 {
				if len(b)-i < sc.termN && !sc.eof {
					break
				}
				if !bytes.HasPrefix(b[i:], sc.term[:sc.termN]) {
					i++
					continue
				}
			}
			i += sc.termN
			for i < len(b) && spaces[b[i]] {
				i++
			}
			sc.pos = i
			if i == len(b) {
				return true
			}
			if mayEndSet(b[i:]) {
				return true
			}
		}
		// The segment goes on past what was read: drop what was looked
		// at, keeping a possible start of the terminator.
		sc.pos = max(sc.pos, min(i, sc.end-sc.termN+1))
		sc.keep = sc.pos
		if !sc.fill() {
			sc.pos = sc.end
			return true
		}
	}
}

// mayEndSet tells whether the segment starting b may end a transaction
// set: its tag is SE, ST, GE, GS, IEA or ISA, so it starts with SE, ST, GE,
// GS, IE or IS. When unsure (b too short, a line break) it says yes.
func mayEndSet(b []byte) bool {
	if len(b) < 2 {
		return true
	}
	switch b[0] {
	case 'S':
		return b[1] == 'E' || b[1] == 'T' || b[1] == '\r' || b[1] == '\n'
	case 'G':
		return b[1] == 'E' || b[1] == 'S' || b[1] == '\r' || b[1] == '\n'
	case 'I':
		return b[1] == 'E' || b[1] == 'S' || b[1] == '\r' || b[1] == '\n'
	}
	return false
}

// skimSegment passes over the segment at pos without splitting it, when
// its tag is plain (1 to 3 bytes followed by an element separator or the
// terminator, no line break) and not GS, GE or IEA; it reports false,
// having moved nothing, when the segment must be read in full. The token it
// returns has only kind, off and tag. It finds the same end as segment:
// line breaks inside are not data either way, and a terminator is matched
// on the raw bytes either way.
func (sc *scanner) skimSegment(t *token) bool {
	sc.more(4)
	b := sc.buf[sc.pos:sc.end]
	n := 0
	for n < len(b) && n < 4 && sc.cls[b[n]] == clsData {
		n++
	}
	if n == 0 || n > 3 || n == len(b) {
		return false
	}
	if k := sc.cls[b[n]]; k == clsBreak || (k == clsTerm && sc.termN > 1) {
		return false
	}
	var tag uint32
	for _, c := range b[:n] {
		tag = tag<<8 | uint32(c)
	}
	switch tag {
	case tagGS, tagGE, tagIEA:
		return false
	}
	*t = token{kind: tokSeg, off: sc.base + int64(sc.pos), tag: tag}
	i := sc.pos + n
	for {
		b := sc.buf[i:sc.end]
		j := -1
		if sc.nlTerm {
			j = bytes.IndexByte(b, '\n')
			before := b
			if j >= 0 {
				before = b[:j]
			}
			if r := bytes.IndexByte(before, '\r'); r >= 0 {
				j = r
			}
		} else {
			j = bytes.IndexByte(b, sc.term[0])
		}
		if j >= 0 {
			i += j
			if sc.termN == 1 {
				sc.pos = i + 1
				return true
			}
			if sc.end-i >= sc.termN || sc.eof {
				if bytes.HasPrefix(sc.buf[i:sc.end], sc.term[:sc.termN]) {
					sc.pos = i + sc.termN
					return true
				}
				i++
				continue
			}
		} else {
			i = sc.end
		}
		// Nothing of the segment but its tag is needed: drop what was
		// looked at, keeping only a possible start of the terminator.
		sc.pos = i
		sc.keep = i
		if !sc.fill() {
			sc.pos = sc.end
			return true
		}
		i = sc.pos
	}
}

// trimSeps drops the element separators of the segment whose first
// separator is seps[sep0] that lie beyond maxSeg.
func (sc *scanner) trimSeps(sep0 int) {
	n := sep0
	for n < len(sc.seps) && int(sc.seps[n]) < sc.maxSeg {
		n++
	}
	sc.seps = sc.seps[:n]
}

// tagLen is the length of the tag of a segment of length n with element
// separators at seps.
func tagLen(n int, seps []int32) int {
	if len(seps) > 0 {
		return int(seps[0])
	}
	return n
}

// packTag packs a segment's tag (the bytes before its first element
// separator) into a number: 0 unless it is 1 to 3 bytes long.
func packTag(seg []byte, seps []int32) uint32 {
	n := len(seg)
	if len(seps) > 0 {
		n = int(seps[0])
	}
	if n < 1 || n > 3 {
		return 0
	}
	var v uint32
	for _, c := range seg[:n] {
		v = v<<8 | uint32(c)
	}
	return v
}

// elem returns element i (from 1) of segment token t, nil when absent.
func (sc *scanner) element(t *token, i int) []byte {
	seps := sc.seps[t.sep0:t.sep1]
	if i < 1 || i > len(seps) {
		return nil
	}
	seg := sc.buf[t.s:t.e]
	a := int(seps[i-1]) + 1
	e := len(seg)
	if i < len(seps) {
		e = int(seps[i])
	}
	return seg[a:e]
}

// tagString is segment token t's tag as written.
func (sc *scanner) tagString(t *token) string {
	if t.tag != 0 {
		var b [3]byte
		n := 0
		for v := t.tag; v != 0; v >>= 8 {
			n++
		}
		for i, v := n-1, t.tag; i >= 0; i, v = i-1, v>>8 {
			b[i] = byte(v)
		}
		return string(b[:n])
	}
	seg := sc.buf[t.s:t.e]
	if t.sep1 > t.sep0 {
		seg = seg[:sc.seps[t.sep0]]
	}
	if len(seg) > 8 {
		seg = seg[:8]
	}
	return string(seg)
}
