package x12

import "fmt"

func (r *Reader) beginSet(t *token) {
	w, sc := r.w, r.w.sc
	sc.hold = true
	r.segs = r.segs[:0]
	r.setPos = 0
	r.setOver = false
	r.setData = setData{comp: w.ixHdr.Delimiters.Component, rep: w.ixHdr.Delimiters.Repetition, latin1: r.latin1}
	r.rep = &SetReport{}
	if !w.headerless {
		r.rep.Code = internCode(sc.element(t, 1))
		r.rep.Control = string(sc.element(t, 2))
	}
	r.addSeg(t)
	if w.headerless {
		tag := sc.tagString(t)
		r.setErr(LevelTransaction, SetIDInvalid, t, tag, 0, "ST missing: found %s where ST was expected", tag)
		return
	}
	if c := r.rep.Code; len(c) != 3 || !isAlnum(c[0]) || !isAlnum(c[1]) || !isAlnum(c[2]) {
		r.setErr(LevelTransaction, SetIDInvalid, t, "ST", 0, "ST01 is %s, expected a 3-character transaction set identifier", shown([]byte(c)))
	}
	if c := r.rep.Control; len(c) < 4 || len(c) > 9 {
		r.setErr(LevelTransaction, SetControlNumberInvalid, t, "ST", 0, "ST02 is %s, expected a control number of 4 to 9 characters", shown([]byte(c)))
	}
	if _, dup := r.controls[r.rep.Control]; dup {
		r.setErr(LevelTransaction, SetControlNumberNotUnique, t, "ST", 0, "ST02 %s is used by an earlier transaction set of the functional group", shown([]byte(r.rep.Control)))
	} else {
		r.controls[r.rep.Control] = struct{}{}
	}
}

func (r *Reader) addSeg(t *token) {
	sc := r.w.sc
	r.setPos++
	if !validTag(t.tag) {
		tag := sc.tagString(t)
		r.setErr(LevelSegment, SegmentUnrecognized, t, tag, 0, "segment tag %s is not 2 or 3 capital letters and digits", shown([]byte(tag)))
	}
	if t.over {
		r.setErr(LevelElement, ElementTooLong, t, sc.tagString(t), t.sep1-t.sep0, "segment longer than %d bytes (MaxSegment); cut there", r.opts.MaxSegment)
	}
	if t.tag == tagSE && !r.w.headerless {
		r.checkSE(t)
	} else if t.tag == tagSE && r.rep.Control == "" {
		r.rep.Control = string(sc.element(t, 2))
	}
	if r.setOver {
		return
	}
	if t.e-sc.keep > r.opts.MaxTransaction {
		r.setOver = true
		r.segs = r.segs[:0]
		sc.hold = false
		r.setErr(LevelTransaction, SetNotSupported, t, sc.tagString(t), 0, "transaction set larger than %d bytes (MaxTransaction): not read", r.opts.MaxTransaction)
		return
	}
	// Field by field, in place: a composite literal is built on the
	// stack with narrow stores and copied with wide loads, which stalls.
	n := len(r.segs)
	if n == cap(r.segs) {
		r.segs = append(r.segs, Segment{})
	} else {
		r.segs = r.segs[:n+1]
	}
	s := &r.segs[n]
	s.d = &r.setData
	s.s, s.e = int32(t.s-sc.keep), int32(t.e-sc.keep)
	s.sep0, s.sep1 = int32(t.sep0), int32(t.sep1)
	s.pos = int32(r.setPos)
	s.off = t.off
}

// plainSegments reads the segments of the current set that are nothing
// but segments of the set, without the walker: most of a document. It
// stops before anything else (an envelope segment, which it leaves to the
// walker as the pending token, a possible ISA, the end of what was read).
func (r *Reader) plainSegments() {
	sc := r.w.sc
	t := &sc.tok
	for {
		for sc.pos < sc.end && spaces[sc.buf[sc.pos]] {
			sc.pos++
		}
		if sc.pos >= sc.end || sc.buf[sc.pos] == 'I' {
			return
		}
		if !sc.segment(t) {
			continue
		}
		switch t.tag {
		case tagSE, tagST, tagGE, tagGS, tagIEA:
			r.w.pending = true
			return
		}
		r.addSeg(t)
		if r.setOver {
			return
		}
	}
}

func (r *Reader) checkSE(t *token) {
	sc := r.w.sc
	n, c := sc.element(t, 1), sc.element(t, 2)
	if v, ok := number(n); !ok || v != r.setPos {
		r.setErr(LevelTransaction, SetSegmentCountMismatch, t, "SE", 0, "SE01 says %s segments, counted %d", shown(n), r.setPos)
	}
	if string(c) != r.rep.Control {
		r.setErr(LevelTransaction, SetControlNumberMismatch, t, "SE", 0, "SE02 says %s, ST02 is %s", shown(c), shown([]byte(r.rep.Control)))
	}
}

func (r *Reader) setErr(level Level, code string, t *token, tag string, elem int, format string, args ...any) {
	if len(r.rep.Errors) >= maxErrors {
		return
	}
	r.rep.Errors = append(r.rep.Errors, &Error{
		Doc: r.opts.Doc, Interchange: r.ix.Header.Control, Group: r.grp.Header.Control,
		Transaction: r.rep.Control, Set: r.rep.Code,
		Segment: r.setPos, Tag: tag, Element: elem, Offset: t.off,
		Level: level, Code: code, Msg: fmt.Sprintf(format, args...),
	})
}

func (r *Reader) endSet() *Transaction {
	w, sc := r.w, r.w.sc
	if !w.setComplete && !w.headerless {
		where := "the document ends"
		if w.cutTag != "" {
			where = "found " + w.cutTag
		}
		r.rep.Errors = append(r.rep.Errors, &Error{
			Doc: r.opts.Doc, Interchange: r.ix.Header.Control, Group: r.grp.Header.Control,
			Transaction: r.rep.Control, Set: r.rep.Code,
			Segment: r.setPos + 1, Tag: w.cutTag, Offset: w.cutOff,
			Level: LevelTransaction, Code: SetTrailerMissing,
			Msg: fmt.Sprintf("SE missing: %s where SE was expected", where),
		})
	}
	if r.pre != nil {
		r.refuseIfEnvelope(r.rep, r.grp)
	}
	r.grp.Sets = append(r.grp.Sets, r.rep)
	// The set's bytes have stayed together since it began, but may have
	// moved in the buffer as it grew: segments are placed from the set's
	// start, keep, only now.
	r.setData.buf = sc.buf[sc.keep:sc.end]
	r.setData.seps = sc.seps
	r.tx = Transaction{
		Doc: r.opts.Doc, Interchange: &r.ix.Header, Group: &r.grp.Header,
		Code: r.rep.Code, Control: r.rep.Control, Segments: r.segs, Report: r.rep,
	}
	return &r.tx
}

// tagChars marks the bytes a tag is made of: 1 for capital letters, 2 for
// digits.
var tagChars = func() (t [256]uint8) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = 1
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = 2
	}
	return t
}()

// validTag tells whether a packed tag is 2 or 3 capital letters and digits,
// starting with a letter.
func validTag(v uint32) bool {
	switch {
	case v >= 1<<16:
		return tagChars[byte(v>>16)] == 1 && tagChars[byte(v>>8)] != 0 && tagChars[byte(v)] != 0
	case v >= 1<<8:
		return tagChars[byte(v>>8)] == 1 && tagChars[byte(v)] != 0
	}
	return false
}

// internCode returns ST01 as a string, without allocating for the sets
// orderhub sees most.
func internCode(b []byte) string {
	switch string(b) {
	case "850":
		return "850"
	case "860":
		return "860"
	case "855":
		return "855"
	case "997":
		return "997"
	case "999":
		return "999"
	case "856":
		return "856"
	case "810":
		return "810"
	}
	return string(b)
}
