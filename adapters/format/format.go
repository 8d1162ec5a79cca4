// Package format is the seam between transports and document formats: a
// transport hands over bytes, a Format recognises them by content and streams
// the canonical orders inside. Formats do not know where documents come from;
// transports do not know how documents are written.
package format

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"unicode/utf8"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
)

// HeadSize is how many leading bytes Detect is given.
const HeadSize = 512

// Doc describes the document being read.
type Doc struct {
	// ID is the document's ledger id, empty when nothing is recorded
	// (orderhub translate).
	ID string
	// Name is the file name, or what stands for it ("POST /v1/orders").
	Name string
	// Partner is the partner the transport knows the document is from (the
	// inbox directory, the bearer token), or empty when the format must tell.
	Partner   string
	Transport string
	SHA256    string
	// Size is the document's length in bytes, 0 when unknown: a format
	// that must hold the whole document sizes its buffer once.
	Size int64
	// Answer, when set, receives the documents the format builds for the
	// partner while reading (an X12 997/999 or TA1, an EDIFACT CONTRL):
	// answers about the document itself, not about its orders. The caller
	// sends them once the document's orders are stored. Nil when nothing
	// is to be answered (orderhub translate).
	Answer func(ordermsg.Ack)
	// Note, when set, receives what the format noticed and skipped without
	// refusing anything (a sheet's blank and total rows, columns it did not
	// understand), with where it is ("Orders!14"). Nil: nobody asked.
	Note func(position, message string)
}

// FatalError is yielded by Read when the document could not be read for a
// reason outside it (the file or the store failed): the caller stops and
// tries the document again later, rather than counting a refusal.
type FatalError struct{ Err error }

func (e *FatalError) Error() string { return e.Err.Error() }
func (e *FatalError) Unwrap() error { return e.Err }

// Located is one problem at its place in a document.
type Located struct {
	Position string // "Orders!C14", "segment 12"
	Message  string // what is wrong there, without the place
}

// LocatedError is a refusal that lists its problems one by one, each at its
// own place (a sheet's order refused for three bad cells), for a caller
// that reports them that way.
type LocatedError interface {
	error
	Located() []Located
}

// Fatal marks err as a FatalError.
func Fatal(err error) error { return &FatalError{Err: err} }

// Format reads one kind of document.
type Format interface {
	// Name is the short name used in order.Source.Format and in logs: "json",
	// "x12", "edifact", "sheet".
	Name() string
	// Detect tells from the first bytes of a document (up to HeadSize, fewer
	// for a short document) whether this format reads it.
	Detect(head []byte) bool
	// Read streams the orders in r. It yields (order, nil) for each order and
	// (nil, err) for each unit of the document it refuses (an NDJSON line, an
	// X12 transaction set); reading goes on past a refused unit whenever the
	// format can find the next one. err names the place and what was expected.
	// Read sets each order's Source; it does not assign ids.
	Read(ctx context.Context, r io.Reader, doc Doc) iter.Seq2[*order.Order, error]
}

// ErrUnknown is returned by Set.Detect when no format recognises a document.
var ErrUnknown = errors.New("unrecognised document format")

// Set is the formats a process knows, tried in order.
type Set []Format

// Detect returns the format that recognises head.
func (s Set) Detect(head []byte) (Format, error) {
	for _, f := range s {
		if f.Detect(head) {
			return f, nil
		}
	}
	if len(bytes.TrimSpace(head)) == 0 {
		return nil, fmt.Errorf("%w: the document is empty", ErrUnknown)
	}
	names := make([]string, len(s))
	for i, f := range s {
		names[i] = f.Name()
	}
	return nil, fmt.Errorf("%w: starts with %s; known formats: %s", ErrUnknown, quoteHead(head), strings.Join(names, ", "))
}

// Open detects the format of r and returns it with a reader that still
// yields the whole document. A file (an io.ReadSeeker) is wound back and
// handed on as it is, so a format that reads a document twice (X12 checks
// its trailers first) can seek instead of copying it.
func (s Set) Open(r io.Reader) (Format, io.Reader, error) {
	var start int64 = -1
	if rs, ok := r.(io.ReadSeeker); ok {
		if pos, err := rs.Seek(0, io.SeekCurrent); err == nil {
			start = pos
		}
	}
	head := make([]byte, HeadSize)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, nil, err
	}
	head = head[:n]
	f, err := s.Detect(head)
	if err != nil {
		return nil, nil, err
	}
	if start >= 0 {
		if _, err := r.(io.ReadSeeker).Seek(start, io.SeekStart); err == nil {
			return f, r, nil
		}
	}
	return f, io.MultiReader(bytes.NewReader(head), r), nil
}

// quoteHead shows the start of a document in an error message without
// flooding it or printing binary.
func quoteHead(head []byte) string {
	const max = 24
	h := head
	if len(h) > max {
		h = h[:max]
	}
	if utf8.Valid(h) {
		return fmt.Sprintf("%q", string(h))
	}
	return fmt.Sprintf("bytes % x", h)
}

// Seekable gives r as an io.ReaderAt from where it stands, when it can be
// read again (a file): a format that reads a document twice (a first pass
// over its envelopes) then needs no copy of it. base is r's position.
func Seekable(r io.Reader) (ra io.ReaderAt, base int64, ok bool) {
	s, ok := r.(io.ReadSeeker)
	if !ok {
		return nil, 0, false
	}
	off, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, 0, false // a pipe or terminal behind an *os.File
	}
	if ra, ok := r.(io.ReaderAt); ok {
		return ra, off, true
	}
	return &seekReaderAt{s}, off, true
}

// seekReaderAt reads at an offset by seeking first. The two passes take
// turns, never reading at once.
type seekReaderAt struct{ s io.ReadSeeker }

func (a *seekReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if _, err := a.s.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	n, err := io.ReadFull(a.s, p)
	if err == io.ErrUnexpectedEOF {
		err = io.EOF
	}
	return n, err
}
