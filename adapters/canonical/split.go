package canonical

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/orderhub/orderhub/order"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func trimBOM(b []byte) []byte { return bytes.TrimPrefix(b, utf8BOM) }

// unit is one order's worth of a document: the bytes of one JSON value, or
// the reason the document has no usable value here.
type unit struct {
	data []byte // the value; only valid until the next call of next
	err  error  // set instead of data when the splitter refuses the unit
	line int    // where the unit starts: line from 1,
	col  int    // character column from 1,
	// and byte offset in the document.
	offset int64
	// startsLine says only whitespace precedes the unit on its line.
	startsLine bool
	// broken says the value did not end where JSON says it ends: the input
	// ran out, a string met a newline, or a new order began inside it.
	broken bool
	// spills says a broken value's remains are likely to follow it: it
	// broke on a later line than it started on, inside a pretty-printed
	// order, so the lines after the break are the rest of that order.
	spills bool
	// skipped names the lines skipped after a broken value that spilt,
	// for its error to mention: nothing is dropped without a word.
	skipped string
}

// Where the splitter is in the document.
const (
	stateStart      = iota // nothing read yet
	stateStream            // values one after another: NDJSON, pretty objects
	stateArrayValue        // in an array, before a value
	stateArrayNext         // in an array, after a value: ',' or ']'
	stateArrayDone         // after the array's ']'
	stateEnd
)

// splitter cuts a document into units without holding more than one unit
// and a read buffer. It knows just enough JSON to find where a value ends
// (strings, escapes, nesting); order.Decode judges what is inside. Where the
// document is broken it resynchronises on a line that starts a new value,
// so that one bad order does not take its neighbours with it.
type splitter struct {
	r    io.Reader
	buf  []byte
	i, n int
	rerr error // the reader's error once it has one (io.EOF at the end)

	// Position of the next byte.
	line, col int // line from 1; characters before it on its line
	off       int64

	lineBlank bool // only whitespace so far on the current line
	empty     int  // reads in a row that returned nothing

	state    int
	comma    bool // stateArrayValue: a ',' has been read
	maxUnit  int
	data     []byte
	ioFailed bool
}

// maxEmptyReads is how many empty reads in a row are taken for a reader
// that is stuck (the bound bufio uses too).
const maxEmptyReads = 100

func newSplitter(r io.Reader, maxUnit int) *splitter {
	return &splitter{r: r, buf: make([]byte, 64<<10), line: 1, lineBlank: true, maxUnit: maxUnit}
}

// peek returns the next byte without consuming it; ok is false at the end
// of the input or on a read error.
func (s *splitter) peek() (byte, bool) {
	for s.i == s.n {
		if !s.read() {
			return 0, false
		}
	}
	return s.buf[s.i], true
}

// read appends what the reader gives to the buffer, moving unread bytes to
// its front first; false once the reader has failed or ended.
func (s *splitter) read() bool {
	if s.rerr != nil {
		return false
	}
	if s.i > 0 {
		s.n = copy(s.buf, s.buf[s.i:s.n])
		s.i = 0
	}
	n, err := s.r.Read(s.buf[s.n:])
	s.n += n
	switch {
	case err != nil:
		s.rerr = err
	case n == 0:
		if s.empty++; s.empty >= maxEmptyReads {
			s.rerr = io.ErrNoProgress
		}
	default:
		s.empty = 0
	}
	return true
}

// advance consumes byte c, the one peek returned.
func (s *splitter) advance(c byte) {
	s.i++
	s.off++
	switch {
	case c == '\n':
		s.line++
		s.col = 0
		s.lineBlank = true
		return
	case c&0xC0 != 0x80: // not a UTF-8 continuation byte: a new character
		s.col++
	}
	if !isSpace(c) {
		s.lineBlank = false
	}
}

// skipSpace consumes JSON whitespace.
func (s *splitter) skipSpace() {
	for {
		c, ok := s.peek()
		if !ok || !isSpace(c) {
			return
		}
		s.advance(c)
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipLine consumes the rest of the current line, its newline included.
func (s *splitter) skipLine() {
	for {
		c, ok := s.peek()
		if !ok {
			return
		}
		s.advance(c)
		if c == '\n' {
			return
		}
	}
}

// here is a unit that starts at the next byte.
func (s *splitter) here() unit {
	return unit{line: s.line, col: s.col + 1, offset: s.off, startsLine: s.lineBlank}
}

// refuse makes u a syntax error located at the next byte.
func (s *splitter) refuse(u unit, format string, args ...any) unit {
	u.err = &order.DecodeError{
		Problems: []order.Problem{{Message: fmt.Sprintf(format, args...)}},
		Offset:   s.off,
		Line:     s.line,
		Column:   s.col + 1,
	}
	return u
}

// failed tells whether the reader failed, as opposed to ending.
func (s *splitter) failed() bool {
	return s.rerr != nil && !errors.Is(s.rerr, io.EOF)
}

// ioError reports a failed read, once: the document ends there, and
// whatever was read of the order in hand is not reported as cut short.
func (s *splitter) ioError(u unit) unit {
	s.ioFailed = true
	s.state = stateEnd
	u.err = fmt.Errorf("reading the document: %w", s.rerr)
	return u
}

// next returns the next unit, or false at the end of the document.
func (s *splitter) next() (unit, bool) {
	for !s.ioFailed {
		switch s.state {
		case stateStart:
			s.skipBOM()
			s.skipSpace()
			if c, ok := s.peek(); ok && c == '[' {
				s.advance(c)
				s.state = stateArrayValue
			} else {
				s.state = stateStream
			}

		case stateStream:
			s.skipSpace()
			c, ok := s.peek()
			if !ok {
				s.state = stateEnd
				if s.failed() {
					return s.ioError(s.here()), true
				}
				return unit{}, false
			}
			if c != '{' && c != '[' {
				u := s.refuse(s.here(), "want an order, a JSON object starting with '{', got %s", describeByte(c))
				if _, to := s.skipJunk(); to > u.line {
					// The line with the junk is named already; say what else went.
					de := u.err.(*order.DecodeError)
					de.Problems[0].Message += "; " + linesSkipped(u.line+1, to) + " too"
				}
				return u, true
			}
			u := s.value(true)
			if u.spills {
				if from, to := s.skipJunk(); from > 0 {
					u.skipped = linesSkipped(from, to) + ": the rest of this order"
				}
			}
			if u.err == nil && !u.broken {
				// One order per line: anything after it on its line means
				// the line is not what the sender meant.
				for {
					c, ok := s.peek()
					if !ok || c == '\n' {
						break
					}
					if isSpace(c) {
						s.advance(c)
						continue
					}
					u = s.refuse(u, "unexpected %s after the order; write one order per line", describeByte(c))
					s.skipLine()
					break
				}
			}
			return u, true

		case stateArrayValue:
			s.skipSpace()
			c, ok := s.peek()
			switch {
			case !ok:
				if s.failed() {
					return s.ioError(s.here()), true
				}
				s.state = stateEnd
				return s.refuse(s.here(), "the array is not closed: want ']' at the end"), true
			case c == ']':
				u := s.here()
				trailing := s.comma
				s.advance(c)
				s.state = stateArrayDone
				if trailing {
					u.err = &order.DecodeError{
						Problems: []order.Problem{{Message: "unexpected ']' after ','; remove the trailing comma"}},
						Offset:   u.offset, Line: u.line, Column: u.col,
					}
					return u, true
				}
			case c == ',':
				u := s.refuse(s.here(), "unexpected ','; want an order")
				s.advance(c)
				return u, true
			default:
				s.comma = false
				u := s.value(false)
				s.state = stateArrayNext
				if u.broken {
					s.resyncArray(u)
				}
				return u, true
			}

		case stateArrayNext:
			s.skipSpace()
			c, ok := s.peek()
			switch {
			case !ok:
				if s.failed() {
					return s.ioError(s.here()), true
				}
				s.state = stateEnd
				return s.refuse(s.here(), "the array is not closed: want ',' or ']'"), true
			case c == ',':
				s.advance(c)
				s.comma = true
				s.state = stateArrayValue
			case c == ']':
				s.advance(c)
				s.state = stateArrayDone
			default:
				// Most likely a missing comma: refuse the order it would
				// have separated, and read on as if it were there.
				u := s.refuse(s.here(), "want ',' or ']' after an order, got %s", describeByte(c))
				if v := s.value(false); v.broken {
					s.resyncArray(v)
				}
				return u, true
			}

		case stateArrayDone:
			s.skipSpace()
			c, ok := s.peek()
			s.state = stateEnd
			if !ok {
				if s.failed() {
					return s.ioError(s.here()), true
				}
				return unit{}, false
			}
			return s.refuse(s.here(), "unexpected %s after the array; a document holds one array", describeByte(c)), true

		default:
			return unit{}, false
		}
	}
	return unit{}, false
}

// resyncArray finds the next order after a broken one in an array: the
// next line that has a '{' at the broken order's indentation, as a
// pretty-printer writes them, or the array's closing ']' at a smaller one.
// When the broken order did not start its line there is no telling where
// the next one starts, and the rest of the array is skipped.
func (s *splitter) resyncArray(broken unit) {
	if !broken.startsLine {
		s.state = stateEnd
		return
	}
	for {
		if s.col != 0 || !s.lineBlank {
			s.skipLine()
		}
		// At the start of a line: measure its indentation.
		for {
			c, ok := s.peek()
			if !ok {
				s.state = stateEnd
				return
			}
			if c != ' ' && c != '\t' {
				break
			}
			s.advance(c)
		}
		c, _ := s.peek()
		switch {
		case c == '{' && s.col+1 == broken.col:
			s.state, s.comma = stateArrayValue, false
			return
		case c == ']' && s.col+1 < broken.col:
			s.advance(c)
			s.state = stateArrayDone
			return
		}
		s.skipLine()
	}
}

func (s *splitter) skipBOM() {
	for s.n-s.i < len(utf8BOM) && s.read() {
	}
	if bytes.HasPrefix(s.buf[s.i:s.n], utf8BOM) {
		// Consumed without counting a character: editors do not show it.
		s.i += len(utf8BOM)
		s.off += int64(len(utf8BOM))
	}
}

// skipJunk skips lines up to the next one that starts, in its first
// column, with '{' or '[': where a new order most likely begins. It returns
// the first and last line skipped, (0, 0) when there was nothing to skip but
// the rest of the current line.
func (s *splitter) skipJunk() (from, to int) {
	if s.col != 0 || !s.lineBlank {
		s.skipLine()
	}
	for {
		c, ok := s.peek()
		if !ok || c == '{' || c == '[' {
			return from, to
		}
		if from == 0 {
			from = s.line
		}
		to = s.line
		s.skipLine()
	}
}

func linesSkipped(from, to int) string {
	if from == to {
		return fmt.Sprintf("line %d skipped", from)
	}
	return fmt.Sprintf("lines %d-%d skipped", from, to)
}

// value reads one JSON value into a unit: an object or array through its
// closing bracket, a string through its closing quote, any other literal up
// to the next delimiter.
//
// In a stream (NDJSON, or pretty objects one after another) a '{' in the
// first column inside an unfinished value is taken as the start of the next
// order when the value began with content on its first line, as an NDJSON
// line does, and the '{' cannot continue it: the unfinished one was cut
// short, typically a truncated NDJSON line. Valid JSON is never split this
// way, however it is laid out; a line cut short just after a ',' or ':'
// takes the next line down with it.
func (s *splitter) value(stream bool) unit {
	u := s.here()
	s.data = s.data[:0]
	tooLarge := false
	first, _ := s.peek()
	composite := first == '{' || first == '['
	depth := 0
	inString, escaped := false, false
	firstLineContent := false
	var last byte // the last byte outside whitespace
	for n := 0; ; n++ {
		c, ok := s.peek()
		if !ok {
			if s.failed() {
				return s.ioError(u)
			}
			// The input ended: only a literal may end this way.
			u.broken = composite || inString
			s.data = bytes.TrimRight(s.data, " \t\r\n")
			break
		}
		if inString {
			if c == '\n' {
				// JSON strings cannot hold a raw newline: the value is
				// broken here. Decode says so, with the place; the newline
				// goes with the value so that the place is right.
				u.broken = true
				u.spills = s.line > u.line || !firstLineContent
			}
		} else {
			if !composite && n > 0 && (isSpace(c) || c == ',' || c == ']' || c == '}' || c == '{' || c == '[' || c == '"') {
				// A literal (number, true, null, junk) ends at a delimiter.
				break
			}
			if stream && c == '{' && s.col == 0 && depth > 0 && firstLineContent && !continues(last) {
				u.broken = true
				// Say where the cut-short order ends, not where the next
				// one starts.
				s.data = bytes.TrimRight(s.data, " \t\r\n")
				break
			}
			if n > 0 && u.line == s.line && !isSpace(c) {
				firstLineContent = true
			}
		}
		if len(s.data) < s.maxUnit {
			s.data = append(s.data, c)
		} else {
			tooLarge = true
		}
		s.advance(c)
		if u.broken {
			break
		}
		if !isSpace(c) {
			last = c
		}
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			if !inString && !composite {
				break
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
		case '}', ']':
			depth = max(depth-1, 0)
		}
		if composite && depth == 0 {
			break
		}
	}
	return s.finish(u, tooLarge)
}

// continues tells whether a '{' may come next after byte c in valid JSON.
func continues(c byte) bool { return c == ',' || c == ':' || c == '[' }

func (s *splitter) finish(u unit, tooLarge bool) unit {
	if tooLarge {
		u.err = &order.DecodeError{Problems: []order.Problem{{
			Message: "order too large: more than " + strconv.Itoa(s.maxUnit) + " bytes of JSON"}}}
		return u
	}
	u.data = s.data
	return u
}

func describeByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}
