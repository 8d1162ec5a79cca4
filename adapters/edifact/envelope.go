package edifact

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
)

// startInterchange finds the next UNA, UNB (or bare UNH) and sets the
// interchange's service characters and character set.
func (w *walker) startInterchange() error {
	sc := w.sc
	if w.pending == nil {
		if !sc.skipSpace() {
			return io.EOF
		}
		junkAt := sc.offset()
		junk, found := sc.seek()
		if junk > 0 {
			w.outside = append(w.outside, &Error{Doc: w.doc, Level: LevelInterchange, Offset: junkAt, Code: CodeInvalidOutside,
				Msg: fmt.Sprintf("%d bytes that are no EDIFACT before an interchange or at the end: skipped", junk)})
		}
		if sc.err != nil {
			return sc.err
		}
		if !found {
			return io.EOF
		}
	}
	h := InterchangeHeader{Separators: DefaultSeparators, Offset: sc.offset()}
	var unb Segment
	if w.pending != nil {
		// The UNB (or UNA) of this interchange was read as a segment of
		// the one before, in its service characters: read again from it.
		p := w.pending
		w.pending = nil
		if !p.Is("UNB") {
			// "UNA" followed its previous interchange without a break:
			// rare enough to be treated as junk and sought again.
			return nil
		}
		h.Separators = w.sep
		unb = *p
		h.Offset = p.off
	} else {
		if head := sc.peek(9); len(head) == 9 && string(head[:3]) == "UNA" {
			sep, err := ParseUNA(string(head[3:9]))
			if err != nil {
				w.outside = append(w.outside, &Error{Doc: w.doc, Level: LevelInterchange, Offset: sc.offset(), Tag: "UNA",
					Code: CodeInvalidServiceChar, Msg: err.Error()})
				sc.r += 3
				return nil
			}
			h.Separators, h.HasUNA = sep, true
			sc.r += 9
			if !sc.skipSpace() {
				return nil
			}
		} else {
			h.Separators = sniffTerminator(sc, h.Separators)
		}
		w.sep = h.Separators
		w.scratch = msgData{buf: w.scratch.buf[:0], seps: w.scratch.seps[:0], sep: h.Separators, cs: charsets["UNOB"]}
		sc.setClasses(classes(h.Separators, charsets["UNOC"], true), h.Separators)
		var ok bool
		unb, _, ok = w.read(&w.scratch, 0)
		if !ok {
			return nil
		}
	}
	w.sep = h.Separators
	w.ord++
	w.ix = &InterchangeReport{}
	w.count, w.group, w.gord, w.gcount = 0, nil, 0, 0
	w.refs = map[uint64]struct{}{}
	if !unb.Is("UNB") {
		// A message without an interchange around it (UNA then UNH).
		w.pending = w.keep(&unb)
		w.cs = charsets["UNOC"]
		w.ix.Header = h
		w.ix.Header.Syntax = ""
		w.setClasses(true)
		if !unb.Is("UNH") && !unb.Is("UNG") {
			w.ix.Errors = append(w.ix.Errors, w.errAt(LevelInterchange, &unb, CodeMissing, "want UNB to start the interchange, got %s", printable(unb.tag())))
		}
		return nil
	}
	h.Enveloped = true
	w.ix.Header = h
	w.parseUNB(&unb)
	return nil
}

// setClasses sets the scanner's byte classes for the interchange.
func (w *walker) setClasses(lenient bool) {
	w.scratch.sep, w.scratch.cs = w.sep, w.cs
	w.sc.setClasses(classes(w.sep, w.cs, lenient), w.sep)
}

// sniffTerminator tells a document whose segments end at line breaks (no
// UNA, no apostrophe on the UNB's line, the next line another service
// segment) from one that is merely wrapped.
func sniffTerminator(sc *scanner, sep Separators) Separators {
	head := sc.peek(4096)
	nl := bytes.IndexByte(head, '\n')
	if nl < 0 || bytes.IndexByte(head[:nl], sep.Segment) >= 0 {
		return sep
	}
	rest := bytes.TrimLeft(head[nl+1:], "\r\n \t")
	if len(rest) >= 4 && rest[0] == 'U' && rest[1] == 'N' && !isAlnum(rest[3]) {
		sep.Segment = '\n'
	}
	return sep
}

// parseUNB reads the UNB into the interchange's header and sets its
// character set.
func (w *walker) parseUNB(s *Segment) {
	h := &w.ix.Header
	h.Syntax, h.SyntaxVersion = s.Str(1, 1), s.Str(1, 2)
	h.Sender, h.SenderQualifier, h.SenderRouting = s.Str(2, 1), s.Str(2, 2), s.Str(2, 3)
	h.Recipient, h.RecipientQualifier, h.RecipientRouting = s.Str(3, 1), s.Str(3, 2), s.Str(3, 3)
	h.Date, h.Time = s.Str(4, 1), s.Str(4, 2)
	h.Control = s.Str(5, 1)
	h.RecipientRef = s.Str(6, 1)
	h.Application = s.Str(7, 1)
	h.Priority = s.Str(8, 1)
	h.AckRequested = s.Str(9, 1) == "1"
	h.Agreement = s.Str(10, 1)
	h.Test = s.Str(11, 1) == "1"
	bad := func(code, format string, args ...any) {
		w.ix.Errors = append(w.ix.Errors, w.errAt(LevelInterchange, s, code, format, args...))
	}
	switch {
	case h.Syntax == "":
		bad(CodeMissing, "UNB: the syntax identifier (S001 0001) is missing")
	case h.Sender == "":
		bad(CodeMissing, "UNB: the interchange sender (S002 0004) is missing")
	case h.Recipient == "":
		bad(CodeMissing, "UNB: the interchange recipient (S003 0010) is missing")
	case h.Control == "":
		bad(CodeMissing, "UNB: the interchange control reference (0020) is missing")
	case len(h.Control) > 14:
		bad(CodeElementTooLong, "UNB: the interchange control reference (0020) %q is longer than 14 characters", h.Control)
	}
	if v := h.SyntaxVersion; v != "" && (len(v) != 1 || v[0] < '1' || v[0] > '4') {
		bad(CodeSyntaxNotSupported, "UNB: syntax version %q: want 1 to 4", v)
	}
	if h.SyntaxVersion == "4" && h.Separators.Repetition == 0 && !h.HasUNA {
		h.Separators.Repetition = '*'
		w.sep = h.Separators
	}
	cs, ok := charsets[h.Syntax]
	if !ok {
		if h.Syntax != "" {
			bad(CodeSyntaxNotSupported, "UNB: syntax identifier %q: want UNOA to UNOK, UNOW or UNOY", h.Syntax)
		}
		cs = charsets["UNOB"]
	}
	w.cs = cs
	lenient := false
	if w.opts.Lenient != nil {
		lenient = w.opts.Lenient(h)
	}
	w.setClasses(lenient)
	if s.flags&fBad != 0 && !lenient {
		bad(CodeInvalidCharacter, "UNB: a character outside %s", h.Syntax)
	}
}

// startGroup opens a functional group.
func (w *walker) startGroup(s *Segment) {
	if w.group != nil {
		w.closeGroup(w.errAt(LevelGroup, s, CodeMissing, "group %s has no UNE before the next UNG", w.group.Header.Control))
	}
	if len(w.ix.Messages) > 0 {
		w.ix.Errors = appendOnce(w.ix.Errors, w.errAt(LevelInterchange, s, CodeGroupsAndMessages, "a group in an interchange with messages outside groups"))
	}
	w.count++
	w.gord++
	w.gcount = 0
	g := &GroupReport{Header: GroupHeader{
		ID: s.Str(1, 1), Sender: s.Str(2, 1), SenderQualifier: s.Str(2, 2),
		Recipient: s.Str(3, 1), RecipientQualifier: s.Str(3, 2), Date: s.Str(4, 1), Time: s.Str(4, 2),
		Control: s.Str(5, 1), Agency: s.Str(6, 1), Version: string(s.Elem(7)),
	}}
	w.group = g
	w.ix.Groups = append(w.ix.Groups, g)
	if g.Header.Control == "" {
		g.Errors = append(g.Errors, w.errAt(LevelGroup, s, CodeMissing, "UNG: the group reference (0048) is missing"))
	}
}

func (w *walker) closeGroup(err *Error) {
	if err != nil {
		w.group.Errors = append(w.group.Errors, err)
	}
	w.group = nil
}

// endGroup checks a UNE against its group.
func (w *walker) endGroup(s *Segment) {
	if w.group == nil {
		w.ix.Errors = appendOnce(w.ix.Errors, w.errAt(LevelInterchange, s, CodeInvalidOutside, "UNE without UNG"))
		return
	}
	g := w.group
	n, ref := s.Str(1, 1), s.Str(2, 1)
	switch {
	case n != strconv.Itoa(w.gcount) && atoi(n) != w.gcount:
		w.closeGroup(w.errAt(LevelGroup, s, CodeCountDoesNotMatch, "UNE says %s messages, the group has %d", quoteOr(n), w.gcount))
	case ref != g.Header.Control:
		w.closeGroup(w.errAt(LevelGroup, s, CodeRefsDoNotMatch, "UNE group reference %s does not match UNG's %s", quoteOr(ref), quoteOr(g.Header.Control)))
	case w.gcount == 0:
		w.closeGroup(w.errAt(LevelGroup, s, CodeLowerLevelEmpty, "the group has no messages"))
	default:
		w.closeGroup(nil)
	}
}

// endInterchange checks the UNZ (nil when it is missing) and hands the
// report on.
func (w *walker) endInterchange(s *Segment) {
	if w.ix == nil {
		return
	}
	if w.group != nil {
		w.closeGroup(w.errAt(LevelGroup, s, CodeMissing, "group %s has no UNE", w.group.Header.Control))
	}
	h := &w.ix.Header
	switch {
	case !h.Enveloped:
		if s != nil {
			w.ix.Errors = append(w.ix.Errors, w.errAt(LevelInterchange, s, CodeInvalidOutside, "UNZ without UNB"))
		}
	case s == nil:
		w.ix.Errors = append(w.ix.Errors, w.errAt(LevelInterchange, nil, CodeMissing, "the interchange has no UNZ: the document ends or the next UNB comes first"))
		w.ix.Errors[len(w.ix.Errors)-1].Tag = "UNZ"
	default:
		n, ref := s.Str(1, 1), s.Str(2, 1)
		switch {
		case atoi(n) != w.count:
			what := "messages"
			if len(w.ix.Groups) > 0 {
				what = "groups"
			}
			w.ix.Errors = append(w.ix.Errors, w.errAt(LevelInterchange, s, CodeCountDoesNotMatch, "UNZ says %s %s, the interchange has %d", quoteOr(n), what, w.count))
		case ref != h.Control:
			w.ix.Errors = append(w.ix.Errors, w.errAt(LevelInterchange, s, CodeRefsDoNotMatch, "UNZ interchange reference %s does not match UNB's %s", quoteOr(ref), quoteOr(h.Control)))
		case w.count == 0:
			w.ix.Errors = append(w.ix.Errors, w.errAt(LevelInterchange, s, CodeLowerLevelEmpty, "the interchange has no messages"))
		}
	}
	rep, ord := w.ix, w.ord
	w.ix, w.group = nil, nil
	if w.onDone != nil {
		w.onDone(rep, ord)
	}
}
