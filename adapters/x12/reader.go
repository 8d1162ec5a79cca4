package x12

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/orderhub/orderhub/adapters/format"
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
		ra, base, ok = format.Seekable(r.in)
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
