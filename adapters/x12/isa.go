package x12

import "bytes"

// isaInfo is what the scanner read of an ISA segment.
type isaInfo struct {
	off  int64
	raw  []byte // the ISA without line breaks and terminator; points into buf below
	seps []int  // positions in raw of the element separators found (16 when complete)
	d    Delimiters
	// fifteen: ISA16 is missing; the byte after ISA15's separator ended the
	// segment (it is also the terminator of the segments that follow).
	fifteen bool
	// wrapped: the terminator came after a line break (a hard wrap right
	// after ISA16).
	wrapped bool
	// bad is why the ISA cannot be used to read the interchange (no
	// delimiters); empty when it can.
	bad     string
	badCode string
	buf     [isaMaxLen]byte
	sepsBuf [17]int
}

// leaveInterchange forgets the delimiters after an IEA: what follows is
// read as bytes until the next ISA.
func (sc *scanner) leaveInterchange() {
	sc.inIX = false
	sc.nlTerm = false
	sc.elem = 0
}

// readISA reads the ISA segment at pos and takes its delimiters: the
// element separator is the byte after "ISA", the component separator the
// byte after the sixteenth element separator (ISA16), the segment
// terminator what follows ISA16. Line breaks inside the ISA are dropped
// (hard-wrapped files break it anywhere), so the ISA is read by counting
// separators rather than at fixed offsets; the fixed widths are checked
// afterwards (envelope.go), and an ISA of the wrong length is reported, not
// misread.
func (sc *scanner) readISA(t *token) {
	isa := &sc.isa
	*isa = isaInfo{off: sc.base + int64(sc.pos)}
	isa.seps = isa.sepsBuf[:0]
	sc.more(isaWindow)
	b := sc.buf[sc.pos:sc.end]
	raw := isa.buf[:0]
	var elem byte
	j := 0
	for j < len(b) && len(raw) < isaMaxLen-1 && len(isa.seps) < 16 {
		c := b[j]
		j++
		if c == '\r' || c == '\n' {
			continue
		}
		if len(raw) == 3 {
			elem = c
		}
		if len(raw) >= 3 && c == elem {
			isa.seps = append(isa.seps, len(raw))
		}
		raw = append(raw, c)
	}
	for j < len(b) && (b[j] == '\r' || b[j] == '\n') {
		j++
	}
	if len(isa.seps) < 16 || j >= len(b) {
		isa.raw = raw
		if j >= len(b) && sc.eof {
			isa.bad, isa.badCode = "the document ends inside the ISA segment", TA1PrematureEnd
		} else {
			isa.bad, isa.badCode = "ISA segment is not 16 elements separated by "+quoteByte(elem)+" within "+itoa(isaMaxLen)+" bytes", TA1InvalidContent
		}
		sc.pos += 3
		sc.leaveInterchange()
		*t = token{kind: tokISA, off: isa.off}
		return
	}
	isa16 := b[j]
	raw = append(raw, isa16)
	j++
	term, n := sc.isaTerminator(b, j, isa16, isa)
	if isa.fifteen {
		raw = raw[:len(raw)-1]
	}
	isa.raw = raw
	isa.d = Delimiters{Element: elem, Segment: term}
	if !isa.fifteen {
		isa.d.Component = isa16
	}
	if len(isa.seps) == 16 {
		if e11 := raw[isa.seps[10]+1 : isa.seps[11]]; len(e11) == 1 && !isAlnum(e11[0]) {
			if e12 := raw[isa.seps[11]+1 : isa.seps[12]]; string(e12) >= "00402" {
				isa.d.Repetition = e11[0]
			}
		}
	}
	sc.checkDelims(isa)
	sc.pos += n
	if isa.bad != "" {
		sc.leaveInterchange()
		*t = token{kind: tokISA, off: isa.off}
		return
	}
	sc.useDelims(isa.d)
	*t = token{kind: tokISA, off: isa.off}
}

// isaTerminator works out the segment terminator, which starts at b[j]
// right after ISA16, and returns it with how many bytes from the start of
// the ISA were consumed.
func (sc *scanner) isaTerminator(b []byte, j int, isa16 byte, isa *isaInfo) (string, int) {
	if j >= len(b) {
		isa.bad, isa.badCode = "the document ends after ISA16: no segment terminator", TA1PrematureEnd
		return "", j
	}
	c := b[j]
	if c != '\r' && c != '\n' {
		n := utf8Len(b[j:])
		return string(b[j : j+n]), j + n
	}
	// A line break right after ISA16: the terminator, a hard wrap, or the
	// line end after an ISA that lost ISA16 (its terminator then being the
	// byte taken for ISA16).
	nl := "\n"
	if c == '\r' {
		nl = "\r"
		if j+1 < len(b) && b[j+1] == '\n' {
			nl = "\r\n"
		}
	}
	k := j
	for k < len(b) && (b[k] == '\r' || b[k] == '\n') {
		k++
	}
	if k < len(b) && !isAlnum(b[k]) && !isSpace(b[k]) {
		// "...>\n~GS*": the line break is a wrap; "~" is the terminator.
		isa.wrapped = true
		n := utf8Len(b[k:])
		return string(b[k : k+n]), k + n
	}
	if !isAlnum(isa16) && !isSpace(isa16) {
		line := b[k:]
		if e := bytes.IndexAny(line, "\r\n"); e > 0 && line[e-1] == isa16 {
			isa.fifteen = true
			return string(isa16), j
		}
	}
	return nl, j
}

// utf8Len is the length of the UTF-8 character b starts with, 1 when b does
// not start with a valid multi-byte one.
func utf8Len(b []byte) int {
	c := b[0]
	n := 1
	switch {
	case c >= 0xC2 && c < 0xE0:
		n = 2
	case c >= 0xE0 && c < 0xF0:
		n = 3
	case c >= 0xF0 && c < 0xF5:
		n = 4
	}
	if n == 1 || len(b) < n {
		return 1
	}
	for _, x := range b[1:n] {
		if x&0xC0 != 0x80 {
			return 1
		}
	}
	return n
}

// checkDelims decides whether the delimiters can be used: the element
// separator and the terminator must differ and the terminator must not be a
// letter or digit; a component or repetition separator that collides with
// another delimiter is not used (envelope.go reports each).
func (sc *scanner) checkDelims(isa *isaInfo) {
	d := &isa.d
	if isa.bad != "" {
		return
	}
	t := d.Segment[0]
	switch {
	case isAlnum(t) || t == ' ':
		isa.bad, isa.badCode = "segment terminator "+quoteByte(t)+" is a letter, digit or space", TA1InvalidSegmentTerminator
	case t == d.Element:
		isa.bad, isa.badCode = "segment terminator and element separator are both "+quoteByte(t), TA1InvalidControlCharacters
	}
	if d.Component != 0 && (d.Component == d.Element || d.Component == t || isAlnum(d.Component)) {
		d.Component = 0
	}
	if d.Repetition != 0 && (d.Repetition == d.Element || d.Repetition == t || d.Repetition == d.Component) {
		d.Repetition = 0
	}
}

// useDelims sets the byte classes for reading an interchange.
func (sc *scanner) useDelims(d Delimiters) {
	sc.inIX = true
	sc.cls = [256]uint8{}
	sc.elem = d.Element
	sc.termN = copy(sc.term[:], d.Segment)
	sc.nlTerm = d.Segment[0] == '\r' || d.Segment[0] == '\n'
	if sc.nlTerm {
		// Any line end ends a segment: files with mixed line endings
		// exist, and the LF of a CRLF then starts the next segment as
		// whitespace.
		sc.termN = 1
		sc.cls['\r'], sc.cls['\n'] = clsTerm, clsTerm
	} else {
		sc.cls['\r'], sc.cls['\n'] = clsBreak, clsBreak
		sc.cls[sc.term[0]] = clsTerm
	}
	sc.cls[d.Element] = clsElem
}
