package x12

import "bytes"

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
			var j int
			if sc.nlTerm {
				j = lineBreakIndex(b[i:])
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
		var j int
		if sc.nlTerm {
			j = lineBreakIndex(b)
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

// lineBreakIndex is the index of the first CR or LF in b, -1 when there is
// none: where a segment may end when the terminator is a line break (CR,
// LF and CRLF all end one). The search for the common one-byte terminator
// stays a bare bytes.IndexByte in the callers' loops.
func lineBreakIndex(b []byte) int {
	j := bytes.IndexByte(b, '\n')
	before := b
	if j >= 0 {
		before = b[:j]
	}
	if r := bytes.IndexByte(before, '\r'); r >= 0 {
		return r
	}
	return j
}
