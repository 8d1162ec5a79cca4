package edifact

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"os"
	"strconv"
	"unsafe"

	"github.com/orderhub/orderhub/adapters/format"
)

// Default limits, see Options.
const (
	DefaultMaxSegment = 1 << 20
	DefaultMaxMessage = 64 << 20
)

// Options configure a Reader. The zero value is usable.
type Options struct {
	// Doc is the document name put in errors.
	Doc string
	// OnInterchange is called with each interchange's complete report once
	// its UNZ (or the end of the document, or the next UNB) has been read:
	// from inside the call to Next that reads past it, before that call
	// returns the next interchange's first message. The report is the
	// caller's from then on. The CONTRL is built from it.
	OnInterchange func(*InterchangeReport)
	// Lenient tells, once an interchange's UNB is read, whether characters
	// outside its declared repertoire are accepted (the partner's
	// lenient_charset). Nil: never.
	Lenient func(*InterchangeHeader) bool
	// MaxSegment bounds one segment in bytes (default DefaultMaxSegment);
	// a longer one is cut and its message refused.
	MaxSegment int
	// MaxMessage bounds one message in bytes (default DefaultMaxMessage);
	// a larger one is not held: it is refused and handed out without its
	// segments.
	MaxMessage int
	// TempDir is where input that cannot seek is spooled for the first
	// pass (default os.TempDir()).
	TempDir string

	// singlePass hands messages out before their group and interchange
	// trailers are read: for tests and benchmarks of the second pass alone.
	singlePass bool
}

func (o *Options) setDefaults() {
	if o.MaxSegment <= 0 {
		o.MaxSegment = DefaultMaxSegment
	}
	o.MaxSegment = max(o.MaxSegment, 1024)
	if o.MaxMessage <= 0 {
		o.MaxMessage = DefaultMaxMessage
	}
}

// Message is one message (UNH to UNT) with its envelopes. Its segments and
// their values stay valid as long as the Message is kept: each message has
// its own buffer.
type Message struct {
	Doc         string
	Interchange *InterchangeHeader
	Group       *GroupHeader // nil outside a functional group
	Header      MessageHeader
	// Segments are UNH to UNT (or as far as the message went); empty for
	// a message past MaxMessage.
	Segments []Segment
	// Report collects the message's errors: those the reader found (its
	// envelope, its characters, its group's or interchange's) and the
	// mapper's. A message with errors is refused whole.
	Report *MessageReport
	Offset int64 // byte offset of its UNH

	data *msgData
}

// Reader reads the messages of a document: one or more interchanges,
// each UNA (optional), UNB, messages or groups of them, UNZ. It reads the
// document twice: a first pass over the envelopes, a little ahead, decides
// whether each interchange and group is whole and counted right before any
// of its messages is handed out, so a bad UNZ at the end of a large file
// still refuses what it holds.
type Reader struct {
	opts    Options
	in      io.Reader
	w       *walker
	pre     *walker
	verdict map[int]*verdict
	spool   *os.File
	started bool
	err     error
}

// verdict is the first pass's finding about one interchange.
type verdict struct {
	ix     []*Error
	groups map[int][]*Error // by group ordinal within the interchange
}

// NewReader reads r. When r can seek (a file) the first pass reads it
// again from where it stands; otherwise it is spooled to a temporary file.
func NewReader(r io.Reader, opts Options) *Reader {
	opts.setDefaults()
	return &Reader{opts: opts, in: r, verdict: map[int]*verdict{}}
}

// Next returns the next message, io.EOF at the end of the document, or
// another error when reading failed (the document could not be read, not
// that it is wrong: what is wrong with it is in the reports).
func (r *Reader) Next() (*Message, error) {
	if r.err != nil {
		return nil, r.err
	}
	if !r.started {
		r.started = true
		if err := r.start(); err != nil {
			r.err = fmt.Errorf("edifact: reading %s: %w", r.opts.Doc, err)
			return nil, r.err
		}
	}
	m, err := r.w.next()
	if err != nil {
		if err == io.EOF {
			r.Close()
		}
		r.err = err
		return nil, err
	}
	if r.pre != nil && r.w.ord > 0 {
		v, err := r.verdictFor(r.w.ord)
		if err != nil {
			r.err = err
			return nil, err
		}
		applyVerdict(m, v, r.w.gord)
	}
	return m, nil
}

// Errors are the problems found outside every interchange: bytes that are
// no EDIFACT before, between or after them. Complete once Next returned
// io.EOF.
func (r *Reader) Errors() []*Error {
	if r.w == nil {
		return nil
	}
	return r.w.outside
}

// Close releases the spool file, if any.
func (r *Reader) Close() error {
	if r.spool != nil {
		name := r.spool.Name()
		r.spool.Close()
		os.Remove(name)
		r.spool = nil
	}
	return nil
}

func (r *Reader) start() error {
	var src io.Reader = r.in
	if !r.opts.singlePass {
		ra, base, ok := format.Seekable(r.in)
		if !ok {
			f, err := os.CreateTemp(r.opts.TempDir, "orderhub-edifact-*.spool")
			if err != nil {
				return err
			}
			r.spool = f
			if _, err := io.Copy(f, r.in); err != nil {
				return err
			}
			ra, base = f, 0
		}
		src = io.NewSectionReader(ra, base, math.MaxInt64-base)
		pre := newWalker(newScanner(io.NewSectionReader(ra, base, math.MaxInt64-base), r.opts.MaxSegment), r.opts)
		pre.skim = true
		pre.onDone = func(rep *InterchangeReport, ord int) {
			v := &verdict{ix: rep.Errors}
			for i, g := range rep.Groups {
				if len(g.Errors) > 0 {
					if v.groups == nil {
						v.groups = map[int][]*Error{}
					}
					v.groups[i+1] = g.Errors
				}
			}
			r.verdict[ord] = v
		}
		r.pre = pre
	}
	r.w = newWalker(newScanner(src, r.opts.MaxSegment), r.opts)
	r.w.onDone = func(rep *InterchangeReport, ord int) {
		delete(r.verdict, ord)
		if r.opts.OnInterchange != nil {
			r.opts.OnInterchange(rep)
		}
	}
	return nil
}

// verdictFor runs the first pass until it has finished interchange ord.
func (r *Reader) verdictFor(ord int) (*verdict, error) {
	for {
		if v, ok := r.verdict[ord]; ok {
			return v, nil
		}
		if r.pre.ord > ord && r.pre.ix == nil {
			return &verdict{}, nil
		}
		if _, err := r.pre.next(); err != nil {
			if err == io.EOF {
				if v, ok := r.verdict[ord]; ok {
					return v, nil
				}
				return &verdict{}, nil
			}
			return nil, err
		}
	}
}

// applyVerdict refuses a message whose interchange or group the first pass
// found wrong.
func applyVerdict(m *Message, v *verdict, gord int) {
	errs := v.ix
	what := "interchange"
	if len(errs) == 0 && m.Group != nil {
		errs, what = v.groups[gord], "group"
	}
	if len(errs) == 0 {
		return
	}
	first := errs[0]
	e := &Error{Doc: m.Doc, Message: m.Header.Ref, Type: m.Header.Type, Interchange: first.Interchange, Group: first.Group,
		Level: LevelMessage, Offset: m.Offset, Code: first.Code,
		Msg: fmt.Sprintf("refused with its %s: %s", what, first.Msg)}
	if first.Tag != "" {
		e.Msg = fmt.Sprintf("refused with its %s (%s): %s", what, first.Tag, first.Msg)
	}
	m.Report.Errors = append(m.Report.Errors, e)
}

// walker follows the envelopes of a document through its segments.
type walker struct {
	sc   *scanner
	opts Options
	skim bool // first pass: messages are counted, not kept
	doc  string

	onDone func(*InterchangeReport, int)

	// The interchange being read; nil between interchanges.
	ix     *InterchangeReport
	ord    int // its ordinal in the document, from 1
	count  int // messages (or groups) for UNZ 0036
	group  *GroupReport
	gord   int // the group's ordinal in its interchange
	gcount int // messages in the group, for UNE 0060
	sep    Separators
	cs     *charset
	// refs are the message references seen in the interchange, hashed:
	// a large interchange has hundreds of thousands.
	refs    map[uint64]struct{}
	seed    maphash.Seed
	scratch msgData
	// pending is a segment read while looking for something else (the
	// UNB after a message without UNT): it is handled next.
	pending *Segment
	outside []*Error
	skimMsg Message
	slabs   struct {
		bytes []byte
		seps  []int32
		segs  []Segment
	}
}

// Messages are carved one after another out of large slabs, their bytes,
// separator positions and segments each: three allocations per few hundred
// messages instead of several per message. A message's strings share its
// part of the slab, which later messages never write to.
const slabItems = 256 << 10

// slabFor returns the free rest of a slab as an empty slice to append to,
// starting a new slab when less than want is left.
func slabFor[T any](slab *[]T, want int) []T {
	if len(*slab) < want {
		*slab = make([]T, max(slabItems/int(unsafe.Sizeof(*new(T))), 4*want))
	}
	return (*slab)[:0:len(*slab)]
}

// used takes what a message kept out of its slab; a message that outgrew
// the slab was moved elsewhere by append and took nothing.
func used[T any](slab *[]T, got []T) {
	if len(got) > 0 && len(*slab) > 0 && unsafe.SliceData(got) == unsafe.SliceData(*slab) {
		*slab = (*slab)[len(got):]
	}
}

func newWalker(sc *scanner, opts Options) *walker {
	return &walker{sc: sc, opts: opts, doc: opts.Doc, seed: maphash.MakeSeed()}
}

// seenRef tells whether the interchange had a message with this reference
// before, and remembers it.
func (w *walker) seenRef(ref string) bool {
	if w.skim {
		return false
	}
	h := maphash.String(w.seed, ref)
	if _, ok := w.refs[h]; ok {
		return true
	}
	w.refs[h] = struct{}{}
	return false
}

// read reads the next segment into d. ok is false at the end.
func (w *walker) read(d *msgData, pos int) (s Segment, bad int, ok bool) {
	if d != &w.scratch && len(d.buf) > w.opts.MaxMessage {
		// The message is no longer held: read on into the scratch.
		d = &w.scratch
	}
	if d == &w.scratch {
		d.buf, d.seps = d.buf[:0], d.seps[:0]
	}
	start, sep0 := len(d.buf), len(d.seps)
	buf, seps, off, flags, bad, ok := w.sc.next(d.buf, d.seps)
	d.buf, d.seps = buf, seps
	if !ok {
		return Segment{}, 0, false
	}
	return Segment{d: d, s: int32(start), e: int32(len(buf)), sep0: int32(sep0), sep1: int32(len(seps)),
		pos: int32(pos), flags: flags, off: off}, bad, true
}

func (w *walker) errAt(level Level, s *Segment, code, format string, args ...any) *Error {
	e := &Error{Doc: w.doc, Level: level, Code: code, Msg: fmt.Sprintf(format, args...)}
	if w.ix != nil {
		e.Interchange = w.ix.Header.Control
	}
	if w.group != nil && level <= LevelGroup {
		e.Group = w.group.Header.Control
	}
	if s != nil {
		e.Tag, e.Offset = s.Tag(), s.Offset()
	}
	return e
}

// next returns the next message, or io.EOF.
func (w *walker) next() (*Message, error) {
	for {
		var s Segment
		if w.pending != nil {
			s = *w.pending
			w.pending = nil
		} else {
			if w.ix == nil {
				if err := w.startInterchange(); err != nil {
					return nil, err
				}
				continue
			}
			var ok bool
			s, _, ok = w.read(&w.scratch, 0)
			if !ok {
				if w.sc.err != nil {
					return nil, w.sc.err
				}
				w.endInterchange(nil)
				continue
			}
		}
		switch string(s.tag()) {
		case "UNH":
			if w.ix == nil {
				w.bare(&s)
			}
			if w.group == nil && len(w.ix.Groups) > 0 {
				w.ix.Errors = appendOnce(w.ix.Errors, w.errAt(LevelInterchange, &s, CodeGroupsAndMessages, "a message outside any group in an interchange with groups"))
			}
			m, err := w.message(&s)
			if err != nil {
				return nil, err
			}
			return m, nil
		case "UNG":
			if w.ix == nil {
				w.bare(&s)
			}
			w.startGroup(&s)
		case "UNE":
			w.endGroup(&s)
		case "UNZ":
			w.endInterchange(&s)
		case "UNB", "UNA":
			if w.ix != nil {
				// The next interchange: this one had no UNZ.
				w.pending = w.keep(&s)
				w.endInterchange(nil)
				continue
			}
			w.pending = w.keep(&s)
			if err := w.startInterchange(); err != nil {
				return nil, err
			}
		default:
			if w.ix != nil {
				w.ix.Errors = appendOnce(w.ix.Errors, w.errAt(LevelInterchange, &s, CodeInvalidOutside,
					"segment %s outside any message: want UNH, UNG, UNE or UNZ", printable(s.tag())))
			} else {
				w.outside = append(w.outside, w.errAt(LevelInterchange, &s, CodeInvalidOutside,
					"segment %s outside any interchange", printable(s.tag())))
			}
		}
	}
}

// appendOnce keeps the first error of each code at a level: one missing
// UNZ is reported, not one per message.
func appendOnce(errs []*Error, e *Error) []*Error {
	for _, x := range errs {
		if x.Code == e.Code && x.Tag == e.Tag {
			return errs
		}
	}
	return append(errs, e)
}

// keep copies a segment out of the scratch, which the next read reuses,
// or out of a message buffer it is about to be trimmed from.
func (w *walker) keep(s *Segment) *Segment {
	d := &msgData{buf: append([]byte(nil), s.bytes()...), sep: s.d.sep, cs: s.d.cs}
	for _, p := range s.d.seps[s.sep0:s.sep1] {
		d.seps = append(d.seps, p-s.s)
	}
	c := Segment{d: d, s: 0, e: int32(len(d.buf)), sep0: 0, sep1: int32(len(d.seps)), pos: s.pos, flags: s.flags, off: s.off}
	return &c
}

// printable shows a tag or value in an error message.
func printable(b []byte) string {
	if len(b) > 20 {
		b = b[:20]
	}
	return strconv.Quote(string(b))
}

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
		h.Separators, h.HasUNA = w.sep, w.ix != nil
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

// bare starts an interchange for messages found with no UNB.
func (w *walker) bare(s *Segment) {
	w.ord++
	w.ix = &InterchangeReport{Header: InterchangeHeader{Separators: w.sep, Offset: s.off}}
	w.refs = map[uint64]struct{}{}
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

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

func quoteOr(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}

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
		m.data = d
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
