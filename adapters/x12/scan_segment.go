package x12

import (
	"bytes"
	"encoding/binary"
)

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
