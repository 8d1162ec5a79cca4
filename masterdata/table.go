package masterdata

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// columns is what one kind of file must and may carry.
type columns struct {
	required []string // in the order the docs list them
	optional []string
}

func (c columns) expected() string {
	s := strings.Join(c.required, ",")
	if len(c.optional) > 0 {
		s += " (optional: " + strings.Join(c.optional, ",") + ")"
	}
	return s
}

func (c columns) known(name string) bool {
	for _, n := range c.required {
		if n == name {
			return true
		}
	}
	for _, n := range c.optional {
		if n == name {
			return true
		}
	}
	return false
}

// table reads a CSV load file: header first, then one row at a time.
type table struct {
	name  string
	cols  columns
	csv   *csv.Reader
	index map[string]int // column name → position
	names []string       // position → column name
	width int
	rows  int
	probs *problems
	done  bool
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// openTable reads and checks the header. It returns false when the header
// is unusable; the reasons are in probs.
func openTable(name string, r io.Reader, cols columns, probs *problems) (*table, bool) {
	br := bufio.NewReader(r)
	// Excel writes "CSV UTF-8" with a byte order mark, which would
	// otherwise stick to the first column's name.
	if head, err := br.Peek(3); err == nil && bytes.Equal(head, utf8BOM) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	t := &table{name: name, cols: cols, csv: cr, probs: probs}

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		probs.add(0, "", "empty file; want a header row: %s", cols.expected())
		return nil, false
	}
	if err != nil {
		t.syntax(err)
		return nil, false
	}
	line, _ := cr.FieldPos(0)
	t.width = len(header)
	t.index = make(map[string]int, len(header))
	t.names = make([]string, len(header))
	if len(header) == 1 && strings.ContainsAny(header[0], ";\t|") {
		probs.add(line, "", "the header has one column %q: the file looks like it is not comma-separated; want comma-separated columns %s",
			clip(header[0]), cols.expected())
		return nil, false
	}
	ok := true
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case !utf8.ValidString(h):
			probs.addErr(&Error{File: name, Line: line, Msg: fmt.Sprintf("column %d: name is not valid UTF-8 (save the file as UTF-8)", i+1)})
		case h == "":
			probs.addErr(&Error{File: name, Line: line, Msg: fmt.Sprintf("column %d: empty name; expected %s", i+1, cols.expected())})
		case !cols.known(h):
			probs.addErr(&Error{File: name, Line: line, Column: h, Header: true, Msg: "unknown column; expected " + cols.expected()})
		case t.has(h):
			probs.addErr(&Error{File: name, Line: line, Column: h, Header: true,
				Msg: fmt.Sprintf("duplicate column (columns %d and %d)", t.index[h]+1, i+1)})
		default:
			t.index[h] = i
			t.names[i] = h
			continue
		}
		ok = false
	}
	for _, need := range cols.required {
		if _, has := t.index[need]; !has {
			probs.addErr(&Error{File: name, Line: line, Column: need, Header: true, Msg: "missing; expected " + cols.expected()})
			ok = false
		}
	}
	return t, ok
}

func (t *table) has(col string) bool {
	_, ok := t.index[col]
	return ok
}

// syntax records a CSV syntax error. Reading stops there: after a stray
// quote the reader cannot tell where the next row starts.
func (t *table) syntax(err error) {
	t.done = true
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		t.probs.add(pe.Line, "", "malformed CSV (at character %d): %v; reading stopped here", pe.Column, pe.Err)
		return
	}
	t.probs.add(0, "", "read: %v", err)
}

// next returns the next non-blank row, or nil at the end of the file or at
// a syntax error.
func (t *table) next(ctx context.Context) (*row, error) {
	for !t.done {
		rec, err := t.csv.Read()
		if errors.Is(err, io.EOF) {
			t.done = true
			return nil, nil
		}
		if err != nil && !errors.Is(err, csv.ErrFieldCount) {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				// Not the file's fault (a read error): stop the load.
				t.done = true
				return nil, fmt.Errorf("%s: %w", t.name, err)
			}
			t.syntax(err)
			return nil, nil
		}
		line, _ := t.csv.FieldPos(0)
		if t.rows++; t.rows%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if blank(rec) {
			// Spreadsheets export trailing empty rows as ",,,,".
			continue
		}
		if len(rec) != t.width {
			t.probs.add(line, "", "want %d fields as in the header, got %d", t.width, len(rec))
			continue
		}
		r := &row{t: t, line: line, cells: rec}
		r.clean()
		return r, nil
	}
	return nil, nil
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// row is one data row being validated. Every problem found is recorded;
// bad says whether there was any.
type row struct {
	t      *table
	line   int
	cells  []string
	bad    bool
	failed map[string]bool // columns with a problem
}

// clean trims the cells and refuses what no field may hold: invalid UTF-8
// and control characters (which break the EDI and spreadsheet documents
// these values end up in).
func (r *row) clean() {
	for i, name := range r.t.names {
		c := strings.TrimSpace(r.cells[i])
		r.cells[i] = c
		if !utf8.ValidString(c) {
			r.fail(name, "not valid UTF-8 (save the file as UTF-8)")
			r.cells[i] = ""
			continue
		}
		if j := strings.IndexFunc(c, unicode.IsControl); j >= 0 {
			r.fail(name, "contains a control character (%U)", []rune(c[j:])[0])
			r.cells[i] = ""
		}
	}
}

// get returns the trimmed cell of col, "" when the column is absent.
func (r *row) get(col string) string {
	if i, ok := r.t.index[col]; ok {
		return r.cells[i]
	}
	return ""
}

func (r *row) fail(col, format string, args ...any) {
	r.bad = true
	if r.failed == nil {
		r.failed = map[string]bool{}
	}
	r.failed[col] = true
	r.t.probs.add(r.line, col, format, args...)
}

// clip shortens a value quoted in a message, so one absurd cell does not
// flood the report.
func clip(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}
