package x12

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// Default limits, see Options.
const (
	DefaultMaxSegment     = 1 << 20
	DefaultMaxTransaction = 64 << 20
)

// minMaxSegment keeps MaxSegment above what an ISA and a tag need.
const minMaxSegment = 1024

// maxBadGroups bounds the group verdicts the first pass keeps for one
// interchange; an interchange with more groups in error is refused whole.
const maxBadGroups = 10000

// Options configure a Reader. The zero value is usable.
type Options struct {
	// Doc is the document name put in errors.
	Doc string
	// OnInterchange is called with each interchange's complete report once
	// its IEA (or the end of the document, or the next ISA) has been read
	// and after the caller has handled all its transaction sets: from
	// inside a later call to Next, or the one that returns io.EOF. The
	// 997/999/TA1 are built from it. The report is the caller's from then
	// on.
	OnInterchange func(*InterchangeReport)
	// MaxSegment bounds one segment, in bytes (default DefaultMaxSegment,
	// at least 1 KiB, at most 1 GiB). A longer one is cut there and reported as an element
	// error, and its set is refused.
	MaxSegment int
	// MaxTransaction bounds one transaction set, in bytes (default
	// DefaultMaxTransaction, at most 1 GiB). A larger set is not held: it is refused with
	// a transaction-level error and handed out without its segments.
	MaxTransaction int
	// TempDir is where input that cannot seek is spooled for the first
	// pass (default os.TempDir()).
	TempDir string

	// singlePass hands sets out as soon as they are read, before their
	// group and interchange trailers are seen (see the package comment).
	// For tests and benchmarks only: trailer problems then reach the set
	// reports after the sets were handed out.
	singlePass bool
}

func (o *Options) setDefaults() {
	if o.MaxSegment <= 0 {
		o.MaxSegment = DefaultMaxSegment
	}
	o.MaxSegment = max(o.MaxSegment, minMaxSegment)
	if o.MaxTransaction <= 0 {
		o.MaxTransaction = DefaultMaxTransaction
	}
	// Positions in a set are int32.
	o.MaxTransaction = min(o.MaxTransaction, 1<<30)
	o.MaxSegment = min(o.MaxSegment, 1<<30)
}

// Transaction is one transaction set (ST..SE) with its envelopes. It and
// everything it points into, except Report and the headers, belong to the
// Reader and are valid until the next call to Next.
type Transaction struct {
	Doc         string
	Interchange *InterchangeHeader
	Group       *GroupHeader
	Code        string    // ST01
	Control     string    // ST02
	Segments    []Segment // ST first, SE last; backed by the Reader's buffers (valid until Next)
	// Report is the set's entry in its group's report. Errors non-empty:
	// the set is refused, because of its own problems (Level transaction,
	// segment or element) or because its group or interchange is refused
	// (then one error of Level group or interchange says so, naming the
	// envelope problem; the acknowledgement writers tell the two apart by
	// Level). The caller (the 850 mapper) may append its own *Error values
	// (segment/element level) before calling Next again; they end up in the
	// interchange report.
	Report *SetReport
}

// Reader reads the transaction sets of an X12 document. See the package
// comment for how it works and what it guarantees.
type Reader struct {
	opts    Options
	in      io.Reader
	started bool
	err     error // sticky: io.EOF at the end, or the fatal error

	spool   *os.File
	w       *walker  // the pass that hands sets out
	pre     *prescan // the first pass; nil in single-pass mode
	verdict *verdict // the first pass's verdict on the current interchange

	docErrs []*Error
	sawISA  bool

	ix  *InterchangeReport
	grp *GroupReport
	// controls are the ST02 values seen in the current group.
	controls map[string]struct{}

	// The set being read.
	tx      Transaction
	segs    []Segment
	rep     *SetReport
	setPos  int
	setOver bool // larger than MaxTransaction: segments not kept
	setData setData
	latin1  bool
}

// NewReader returns a Reader of r. When r is an io.ReadSeeker (an
// *os.File, a bytes.Reader) it is read from its current position with
// ReadAt or Seek; otherwise it is first copied to a temporary file.
func NewReader(r io.Reader, opts Options) *Reader {
	opts.setDefaults()
	return &Reader{opts: opts, in: r}
}

var errClosed = errors.New("x12: Reader closed")

// Errors returns the problems found outside any interchange: bytes before,
// between or after interchanges that are not X12, or a document with no
// ISA at all. They reject nothing (an interchange's own problems are in its
// report); they are of Level interchange, code TA1InvalidContent, and
// located by byte offset. Complete once Next has returned io.EOF.
func (r *Reader) Errors() []*Error { return r.docErrs }

// Close releases the Reader's temporary file, if any. Next calls it at the
// end of the document; call it when stopping earlier.
func (r *Reader) Close() error {
	if r.err == nil {
		r.err = errClosed
	}
	if r.spool == nil {
		return nil
	}
	f := r.spool
	r.spool = nil
	err := f.Close()
	if rerr := os.Remove(f.Name()); err == nil {
		err = rerr
	}
	return err
}

// Next returns the next transaction set, io.EOF at the end. A non-nil
// error other than io.EOF is fatal (reading failed). Everything wrong with
// the document itself is reported through Transaction.Report, the
// interchange reports (Options.OnInterchange) and Errors, located.
func (r *Reader) Next() (*Transaction, error) {
	if r.err != nil {
		return nil, r.err
	}
	if !r.started {
		r.started = true
		if err := r.start(); err != nil {
			return nil, r.fail(err)
		}
	} else {
		r.release()
	}
	for {
		if r.w.state == stSet && !r.w.pending && !r.setOver {
			r.plainSegments()
		}
		ev, t := r.w.step()
		switch ev {
		case evSetSeg:
			r.addSeg(t)
		case evSetStart:
			r.beginSet(t)
		case evSetEnd:
			return r.endSet(), nil
		case evIXStart:
			if err := r.beginIX(); err != nil {
				return nil, r.fail(err)
			}
		case evIXEnd:
			r.endIX()
		case evGroupStart:
			r.beginGroup()
		case evGroupEnd:
			r.endGroup()
		case evJunk:
			r.junk(t)
		case evEOF:
			r.end()
			r.Close()
			r.err = io.EOF
			return nil, io.EOF
		case evErr:
			return nil, r.fail(r.w.sc.err)
		}
	}
}

func (r *Reader) fail(err error) error {
	r.Close()
	r.err = fmt.Errorf("x12: reading %s: %w", r.opts.Doc, err)
	return r.err
}

// start picks how to read: two passes over a seekable source (spooling the
// input when it cannot seek), or one pass in single-pass mode.
func (r *Reader) start() error {
	var ra io.ReaderAt
	var base int64
	if !r.opts.singlePass {
		var ok bool
		ra, base, ok = seekable(r.in)
		if !ok {
			f, err := os.CreateTemp(r.opts.TempDir, "orderhub-x12-*.spool")
			if err != nil {
				return err
			}
			r.spool = f
			if _, err := io.Copy(f, r.in); err != nil {
				return err
			}
			ra, base = f, 0
		}
	}
	var src, preSrc io.Reader
	var head [8]byte
	if ra != nil {
		n, err := ra.ReadAt(head[:], base)
		if err != nil && err != io.EOF {
			return err
		}
		r.latin1 = isEBCDIC(head[:n])
		src = io.NewSectionReader(ra, base, math.MaxInt64-base)
		preSrc = io.NewSectionReader(ra, base, math.MaxInt64-base)
	} else {
		n, err := io.ReadFull(r.in, head[:])
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return err
		}
		r.latin1 = isEBCDIC(head[:n])
		src = io.MultiReader(bytes.NewReader(head[:n]), r.in)
	}
	charset := ""
	if r.latin1 {
		charset = "CP037"
		src = cp037Reader{src}
		if preSrc != nil {
			preSrc = cp037Reader{preSrc}
		}
	}
	r.w = newWalker(newScanner(src, r.opts.MaxSegment), r.opts.Doc, charset)
	if preSrc != nil {
		r.pre = newPrescan(preSrc, r.opts, charset)
	}
	return nil
}

// release gives back the previous set's bytes. A token already read but
// not handled yet (the segment that ended a set without SE) is kept.
func (r *Reader) release() {
	sc := r.w.sc
	sc.hold = false
	if r.w.pending && sc.tok.kind == tokSeg {
		t := &sc.tok
		sc.keep = t.s
		n := copy(sc.seps, sc.seps[t.sep0:t.sep1])
		sc.seps = sc.seps[:n]
		t.sep0, t.sep1 = 0, n
	} else {
		sc.keep = sc.pos
		sc.seps = sc.seps[:0]
	}
}

func (r *Reader) beginIX() error {
	w := r.w
	r.sawISA = true
	r.ix = &InterchangeReport{Doc: r.opts.Doc, Header: w.ixHdr}
	if r.pre != nil {
		v, err := r.pre.verdictFor(w.ixOrd)
		if err != nil {
			return err
		}
		r.verdict = v
		r.ix.Errors = v.ix
	} else {
		r.ix.Errors = w.ixErrs
	}
	return nil
}

func (r *Reader) endIX() {
	if r.pre == nil {
		// Single pass: the verdicts are known only now, the sets long
		// handed out; their reports are brought into line for the
		// acknowledgements.
		r.ix.Errors = r.w.ixErrs
		for _, g := range r.ix.Groups {
			for _, s := range g.Sets {
				r.refuseIfEnvelope(s, g)
			}
		}
	}
	if r.opts.OnInterchange != nil {
		r.opts.OnInterchange(r.ix)
	}
	r.ix, r.grp, r.verdict = nil, nil, nil
}

func (r *Reader) beginGroup() {
	w := r.w
	r.grp = &GroupReport{Header: w.grpHdr}
	if r.controls == nil {
		r.controls = make(map[string]struct{})
	}
	clear(r.controls)
	r.ix.Groups = append(r.ix.Groups, r.grp)
	if r.pre != nil {
		r.grp.Errors = r.verdict.group(w.grpOrd)
	} else {
		r.grp.Errors = w.grpErrs
	}
}

func (r *Reader) endGroup() {
	if n := r.w.geSets; n >= 0 {
		r.grp.Declared, r.grp.DeclaredOK = n, true
	}
	if r.pre == nil {
		r.grp.Errors = r.w.grpErrs
	}
}

// refuseIfEnvelope refuses set report s, of group g, when its interchange
// or group is refused, citing the interchange's first error before the
// group's.
func (r *Reader) refuseIfEnvelope(s *SetReport, g *GroupReport) {
	switch {
	case len(r.ix.Errors) > 0:
		r.refuse(s, g.Header.Control, r.ix.Errors[0], "interchange", r.ix.Header.Control)
	case len(g.Errors) > 0:
		r.refuse(s, g.Header.Control, g.Errors[0], "functional group", g.Header.Control)
	}
}

// refuse adds to set report s, of group group, the error that says it is
// refused because of envelope error cause, unless it has one already.
func (r *Reader) refuse(s *SetReport, group string, cause *Error, what, control string) {
	for _, e := range s.Errors {
		if e.Level <= LevelGroup {
			return
		}
	}
	s.Errors = append(s.Errors, &Error{
		Doc: r.opts.Doc, Interchange: r.ix.Header.Control, Group: group,
		Transaction: s.Control, Set: s.Code, Offset: cause.Offset,
		Level: cause.Level, Code: cause.Code,
		Msg: fmt.Sprintf("refused with its %s %s: %s", what, control, cause.Msg),
	})
}

func (r *Reader) junk(t *token) {
	if r.w.ixBad {
		// The bytes after an ISA that could not be read belong to the
		// interchange it refused.
		return
	}
	where := "before the first ISA"
	if r.sawISA {
		where = "after an interchange, where ISA was expected"
	}
	r.docErr(t.off, "%d bytes %s are not X12", t.n, where)
}

func (r *Reader) docErr(off int64, format string, args ...any) {
	if len(r.docErrs) >= maxErrors {
		return
	}
	r.docErrs = append(r.docErrs, &Error{
		Doc: r.opts.Doc, Offset: off, Level: LevelInterchange, Code: TA1InvalidContent,
		Msg: fmt.Sprintf(format, args...),
	})
}

func (r *Reader) end() {
	if r.sawISA {
		return
	}
	switch len(r.docErrs) {
	case 0:
		r.docErr(0, "the document is empty: no ISA segment")
	case 1:
		r.docErrs[0].Msg = "no ISA segment: not an X12 interchange"
	}
}

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
