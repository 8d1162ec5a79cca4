package x12

import (
	"bytes"
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
