package edifact

import (
	"fmt"
	"strconv"
)

// message reads a message from its UNH to its UNT.
func (w *walker) message(unh *Segment) (*Message, error) {
	var m *Message
	if w.skim {
		m = &w.skimMsg
		*m = Message{}
	} else {
		m = &Message{}
	}
	m.Doc, m.Interchange, m.Offset = w.doc, &w.ix.Header, unh.off
	if w.group != nil {
		m.Group = &w.group.Header
		w.gcount++
	} else {
		w.count++
	}
	rep := &MessageReport{}
	m.Report = rep
	var d *msgData
	if w.skim {
		d = &w.scratch
	} else {
		d = &msgData{sep: w.sep, cs: w.cs, frozen: true}
		// UNH is in the scratch, or kept: copy it in as segment 1.
		d.buf = slabFor(&w.slabs.bytes, 4096)
		d.seps = slabFor(&w.slabs.seps, 512)
		d.buf = append(d.buf, unh.bytes()...)
		for _, p := range unh.d.seps[unh.sep0:unh.sep1] {
			d.seps = append(d.seps, p-unh.s)
		}
		m.Segments = append(slabFor(&w.slabs.segs, 128), Segment{d: d, s: 0, e: int32(len(d.buf)), sep0: 0,
			sep1: int32(len(d.seps)), pos: 1, flags: unh.flags, off: unh.off})
		unh = &m.Segments[0]
		defer func() {
			used(&w.slabs.bytes, d.buf)
			used(&w.slabs.seps, d.seps)
			used(&w.slabs.segs, m.Segments)
		}()
	}
	h := &m.Header
	h.Ref = unh.Str(1, 1)
	h.Type, h.Version, h.Release, h.Agency, h.Association = unh.Str(2, 1), unh.Str(2, 2), unh.Str(2, 3), unh.Str(2, 4), unh.Str(2, 5)
	h.AccessRef = unh.Str(3, 1)
	rep.Header = *h
	switch {
	case w.skim:
		// The first pass keeps no message reports: only its interchange
		// and group verdicts are wanted.
	case w.group != nil:
		w.group.Messages = append(w.group.Messages, rep)
	default:
		w.ix.Messages = append(w.ix.Messages, rep)
	}
	fail := func(s *Segment, elem int, code, format string, args ...any) {
		e := m.Err(s, elem, 0, code, format, args...)
		rep.Errors = append(rep.Errors, e)
	}
	switch {
	case h.Ref == "":
		fail(unh, 1, CodeMissing, "UNH: the message reference (0062) is missing")
	case len(h.Ref) > 14:
		fail(unh, 1, CodeElementTooLong, "UNH: the message reference (0062) %q is longer than 14 characters", h.Ref)
	case w.seenRef(h.Ref):
		fail(unh, 1, CodeDuplicate, "UNH: message reference %s is used twice in the interchange", h.Ref)
	case h.Type == "" || h.Version == "" || h.Release == "" || h.Agency == "":
		fail(unh, 2, CodeMissing, "UNH: want the message identifier type:version:release:agency (S009), got %q", string(unh.Elem(2)))
	}
	w.checkChars(m, unh, 0)
	pos := 1
	big := false
	for {
		pos++
		if w.skim {
			service, ok := w.sc.skip()
			if ok && !service {
				continue
			}
		}
		into := d
		if big {
			// The message is no longer held: read on into the scratch.
			into = &w.scratch
		}
		s, bad, ok := w.read(into, pos)
		if !ok {
			if w.sc.err != nil {
				return nil, w.sc.err
			}
			fail(nil, 0, CodeMissing, "the message has no UNT: the document ends first")
			rep.Errors[len(rep.Errors)-1].Tag = "UNT"
			return m, nil
		}
		switch string(s.tag()) {
		case "UNH", "UNZ", "UNB", "UNG", "UNE":
			w.pending = w.keep(&s)
			fail(nil, 0, CodeMissing, "the message has no UNT: %s comes first", s.Tag())
			rep.Errors[len(rep.Errors)-1].Tag = "UNT"
			w.trim(m, d, &s)
			return m, nil
		case "UNT":
			if !w.skim && !big {
				m.Segments = append(m.Segments, s)
			}
			n, ref := s.Str(1, 1), s.Str(2, 1)
			switch {
			case atoi(n) != pos:
				fail(&s, 1, CodeCountDoesNotMatch, "UNT says %s segments, the message has %d", quoteOr(n), pos)
			case ref != h.Ref:
				fail(&s, 2, CodeRefsDoNotMatch, "UNT message reference %s does not match UNH's %s", quoteOr(ref), quoteOr(h.Ref))
			}
			return m, nil
		}
		if s.flags&(fBad|fHigh|fTooLong|fNoTerm) != 0 {
			w.checkChars(m, &s, bad)
		}
		if w.skim {
			continue
		}
		if s.d != d {
			if !big {
				big = true
				// Keep the UNH's bytes, which the header's strings share
				// (and the slab must not give to the next message); let
				// the rest go.
				unhEnd, unhSeps := m.Segments[0].e, m.Segments[0].sep1
				m.Segments = nil
				d.buf, d.seps = d.buf[:unhEnd], d.seps[:unhSeps]
				rep.Errors = append(rep.Errors, m.MessageErr(CodeUnspecified, "the message is larger than %d bytes: not read", w.opts.MaxMessage))
			}
			continue
		}
		m.Segments = append(m.Segments, s)
	}
}

// trim takes back from a message's buffer the segment read past its end.
func (w *walker) trim(m *Message, d *msgData, s *Segment) {
	if s.d == d && !w.skim {
		d.buf = d.buf[:s.s]
		d.seps = d.seps[:s.sep0]
	}
}

// checkChars reports a segment's characters outside the repertoire, a
// segment cut at MaxSegment and one the document ended in.
func (w *walker) checkChars(m *Message, s *Segment, bad int) {
	rep := m.Report
	switch {
	case s.flags&fTooLong != 0:
		rep.Errors = append(rep.Errors, m.Err(s, 0, 0, CodeSegmentTooLong, "segment longer than %d bytes", w.opts.MaxSegment))
	case s.flags&fNoTerm != 0 && !s.Is("UNT"):
		rep.Errors = append(rep.Errors, m.Err(s, 0, 0, CodeMissing, "the document ends inside the segment (no terminator)"))
	}
	if s.flags&fBad != 0 && bad >= 0 {
		el := s.elemAt(int32(bad))
		c := s.d.buf[bad]
		rep.Errors = append(rep.Errors, m.Err(s, el, 0, CodeInvalidCharacter, "character %s is not in the %s repertoire", describeByte(c), w.ix.Header.Syntax))
		return
	}
	if s.flags&fHigh != 0 {
		for i := 1; i <= s.Len(); i++ {
			if el := s.Elem(i); !ascii(el) && !w.cs.validHigh(el) {
				rep.Errors = append(rep.Errors, m.Err(s, i, 0, CodeInvalidCharacter, "bytes that are not %s: %s", charsetName(w.cs), printable(el)))
				return
			}
		}
	}
}

// elemAt is the element an index into the buffer falls in (0: the tag).
func (s *Segment) elemAt(p int32) int {
	el := 0
	for _, q := range s.d.seps[s.sep0:s.sep1] {
		if q < p {
			el++
		}
	}
	return el
}

func describeByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return strconv.Quote(string(rune(c)))
	}
	return fmt.Sprintf("0x%02X", c)
}

func charsetName(cs *charset) string {
	switch cs.kind {
	case csUTF8:
		return "UTF-8 (" + cs.name + ")"
	case csLatin1:
		return "ISO 8859-1 (" + cs.name + ")"
	}
	return cs.name
}
