package order

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"
)

// maxShownProblems is how many problems an error message spells out; the
// Problems slice still holds them all.
const maxShownProblems = 50

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// DecodeError is why Decode refused its input: a syntax error (invalid JSON,
// data after the object, empty input) or the content problems of well-formed
// JSON (unknown fields, wrong types, malformed decimals), each with its path.
type DecodeError struct {
	Problems []Problem
	// Offset is the byte offset in the input of a syntax error: the offending
	// byte, or the input's length when it ends too soon. Line and Column
	// (from 1; the column counts characters) say the same for people. All
	// three are 0 when the JSON is well-formed and the problems are about
	// its content.
	Offset       int64
	Line, Column int
}

func (e *DecodeError) Error() string {
	msg := joinProblems(e.Problems)
	if e.Line > 0 {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, msg)
	}
	return msg
}

// Syntax tells whether the input was not well-formed JSON, as opposed to
// well-formed JSON with the wrong content.
func (e *DecodeError) Syntax() bool { return e.Line > 0 }

// joinProblems renders problems as "path: message; path: message".
func joinProblems(ps []Problem) string {
	if len(ps) == 0 {
		return "invalid order"
	}
	var b strings.Builder
	for i, p := range ps {
		if i == maxShownProblems {
			fmt.Fprintf(&b, "; and %d more problems", len(ps)-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// String renders the problem as "path: message", or just the message when
// it is about the order as a whole.
func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// Decode reads exactly one canonical order from data, strictly: unknown
// fields, values of the wrong type, malformed decimals and anything after
// the object are refused with a *DecodeError that names every problem by its
// JSON path ("lines[2].quantity"). A leading UTF-8 byte order mark is
// skipped. Decimals may be JSON strings ("2.15") or JSON numbers (2.15); they
// are read exactly, never through a float.
//
// Like encoding/json, which does the work on the happy path, Decode treats
// null as an absent value and matches field names case-insensitively when
// there is no exact match; the diagnosis of a refused order follows the same
// rules so that it finds what made the decoder fail.
func Decode(data []byte) (*Order, error) {
	start := 0
	if bytes.HasPrefix(data, utf8BOM) {
		start = len(utf8BOM)
	}
	body := data[start:]
	first := skipSpace(body, 0)
	if first == len(body) {
		return nil, &DecodeError{Problems: []Problem{{Message: "empty input: want one JSON object, the order"}}}
	}

	// A long digit run may be a decimal that would take seconds to parse;
	// check the lengths of the decimals before letting the decoder near them.
	if hasDigitRun(body, maxDecimalText) {
		if err := diagnose(data, start); err != nil {
			return nil, err
		}
	}

	o := new(Order)
	// goccy/go-json decodes an order about three times faster than
	// encoding/json; every pipeline stage decodes every order, so that is
	// the difference that counts. Any error is re-examined by
	// encoding/json, whose errors explain() and the diagnosis understand.
	dec := gojson.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(o); err != nil {
		std := json.NewDecoder(bytes.NewReader(body))
		std.DisallowUnknownFields()
		if serr := std.Decode(new(Order)); serr != nil {
			err = serr
		}
		return nil, explain(data, start, err)
	}
	if i := skipSpace(data, start+int(dec.InputOffset())); i < len(data) {
		return nil, syntaxError(data, start, i, fmt.Sprintf("unexpected %s after the order object; a document holds one order (several go in NDJSON or a JSON array)", describeByte(data[i])))
	}
	if body[first] != '{' {
		// Only null gets here: encoding/json accepts it for a struct.
		return nil, &DecodeError{Problems: []Problem{{Message: "want a JSON object, the order; got null"}}}
	}
	if !decimalsInRange(o) {
		// The decoder took them; the diagnosis says which and why not.
		return nil, diagnose(data, start)
	}
	return o, nil
}

// explain turns the decoder's first error into the full list of problems.
func explain(data []byte, start int, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		// Offset counts the bytes read up to and including the bad one.
		off := start + int(se.Offset) - 1
		off = max(start, min(off, len(data)))
		return syntaxError(data, start, off, se.Error())
	case errors.Is(err, io.ErrUnexpectedEOF):
		return syntaxError(data, start, len(data), "unexpected end of input: the JSON is cut short")
	}
	if derr := diagnose(data, start); derr != nil {
		return derr
	}
	// The diagnosis found nothing the decoder did: report the decoder's own
	// words rather than nothing.
	return &DecodeError{Problems: []Problem{{Message: strings.TrimPrefix(err.Error(), "json: ")}}}
}

// syntaxError locates a syntax error at byte off of data, whose first start
// bytes are a byte order mark that no editor shows.
func syntaxError(data []byte, start, off int, msg string) *DecodeError {
	line, col := position(data, start, off)
	return &DecodeError{
		Problems: []Problem{{Message: msg}},
		Offset:   int64(off),
		Line:     line,
		Column:   col,
	}
}

// position returns the line and character column (both from 1) of byte off.
func position(data []byte, start, off int) (line, col int) {
	before := data[start:off]
	line = 1 + bytes.Count(before, []byte{'\n'})
	if i := bytes.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	return line, utf8.RuneCount(before) + 1
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// isSpace is JSON's idea of whitespace.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func describeByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// hasDigitRun tells whether b holds more than n digits in a row.
func hasDigitRun(b []byte, n int) bool {
	run := 0
	for _, c := range b {
		if c >= '0' && c <= '9' {
			run++
			if run > n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}
