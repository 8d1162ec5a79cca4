package edifact

import (
	"fmt"
	"io"
	"math"
	"os"

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
