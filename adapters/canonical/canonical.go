// Package canonical is the format.Format for documents that already hold
// canonical orders as JSON: one object (compact or pretty-printed), NDJSON
// (one object per line), several pretty-printed objects one after another,
// or a JSON array of objects.
//
// It streams: a document of any size is read through a fixed buffer and
// only one order is held at a time. Each order is decoded strictly with
// order.Decode; an order that does not decode is refused with a located
// *Error and reading goes on with the next one. Orders that decode but break
// business rules are not refused here: the pipeline's validate stage
// rejects them and records why, with the order.
package canonical

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/order"
)

// DefaultMaxOrderBytes is the default for Format.MaxOrderBytes: ten
// thousand lines, the most an order may have, take about 5 MiB.
const DefaultMaxOrderBytes = 32 << 20

// Format reads canonical JSON documents. The zero value is ready to use.
type Format struct {
	// MaxOrderBytes is the largest single order accepted, in bytes of JSON.
	// A larger one is refused without being held in memory. Default
	// DefaultMaxOrderBytes.
	MaxOrderBytes int
}

var _ format.Format = Format{}

// Name implements format.Format.
func (Format) Name() string { return "json" }

// Detect implements format.Format: the document's first character, after
// an optional UTF-8 byte order mark and whitespace, opens an object or an
// array.
func (Format) Detect(head []byte) bool {
	head = trimBOM(head)
	for _, c := range head {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{', '[':
			return true
		}
		return false
	}
	return false
}

// Read implements format.Format. It yields one item per order in the
// document: (order, nil), or (nil, *Error) for one it refuses. An empty
// document, or an empty array, yields nothing. Reading stops quietly when
// ctx is done; the caller sees ctx.Err().
func (f Format) Read(ctx context.Context, r io.Reader, doc format.Doc) iter.Seq2[*order.Order, error] {
	return func(yield func(*order.Order, error) bool) {
		maxUnit := f.MaxOrderBytes
		if maxUnit <= 0 {
			maxUnit = DefaultMaxOrderBytes
		}
		s := newSplitter(r, maxUnit)
		for index := 0; ctx.Err() == nil; index++ {
			u, ok := s.next()
			if !ok {
				return
			}
			o, err := decodeUnit(u)
			if err != nil {
				e := &Error{Doc: doc.Name, Line: u.line, Index: index, Err: err}
				var de *order.DecodeError
				if errors.As(err, &de) && de.Syntax() {
					e.Line, e.Column = de.Line, de.Column
				}
				if !yield(nil, e) {
					return
				}
				continue
			}
			o.Source = &order.Source{
				Format:     "json",
				Transport:  doc.Transport,
				Document:   doc.Name,
				DocumentID: doc.ID,
				SHA256:     doc.SHA256,
				Position:   "line " + strconv.Itoa(u.line),
			}
			if doc.Partner != "" {
				// The transport knows who sent the document (the inbox
				// directory, the API key); a partner field in the body does
				// not get to claim otherwise.
				o.Partner = doc.Partner
			}
			if !yield(o, nil) {
				return
			}
		}
	}
}

// decodeUnit decodes one unit of the document and places any syntax error
// at its position in the whole document.
func decodeUnit(u unit) (*order.Order, error) {
	if u.err != nil {
		return nil, u.err
	}
	o, err := order.Decode(u.data)
	if err == nil {
		return o, nil
	}
	var de *order.DecodeError
	if !errors.As(err, &de) {
		return nil, err
	}
	moved := *de
	if de.Syntax() {
		// Decode counted from the start of the unit.
		moved.Offset = u.offset + de.Offset
		moved.Line = u.line + de.Line - 1
		if de.Line == 1 {
			moved.Column = u.col + de.Column - 1
		}
	}
	if u.skipped != "" {
		moved.Problems = append(slices.Clip(moved.Problems), order.Problem{Message: u.skipped})
	}
	return nil, &moved
}

// Error is an order the format refused: it did not decode, or the document
// around it is broken. Err is usually an *order.DecodeError with the
// problems inside the order.
type Error struct {
	// Doc is the document's name.
	Doc string
	// Line (from 1) is where the order starts; for a syntax error, where the
	// error is, and Column (from 1, in characters) says where on the line.
	// Column is 0 for problems with the content of well-formed JSON.
	Line, Column int
	// Index is the order's position among all the items the document
	// yielded, from 0; messages count from 1.
	Index int
	Err   error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Doc != "" {
		b.WriteString(e.Doc)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%s (order %d): ", e.DocPosition(), e.Index+1)
	var de *order.DecodeError
	if errors.As(e.Err, &de) && de.Syntax() {
		// The position is already in front; do not say it twice.
		plain := order.DecodeError{Problems: de.Problems}
		b.WriteString(plain.Error())
	} else if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// DocPosition is where in the document the problem is: "line 3", or
// "line 3, column 14" for a syntax error.
func (e *Error) DocPosition() string {
	if e.Column > 0 {
		return fmt.Sprintf("line %d, column %d", e.Line, e.Column)
	}
	return "line " + strconv.Itoa(e.Line)
}
