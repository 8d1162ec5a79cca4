package masterdata

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// MaxProblems is how many problems a FileError lists; the rest are counted
// in More. A file with a wrong column mapping fails on every row, and a
// thousand copies of one message help nobody.
const MaxProblems = 100

// ErrUnknownKind is wrapped by the error for a kind Load does not know.
var ErrUnknownKind = errors.New("unknown master data kind")

// Error is one problem in a load file, at a line and column.
type Error struct {
	File string
	// Line is the file's line number (1 is the header row), 0 when the
	// problem is about the file as a whole.
	Line int
	// Column is the column's header name, empty when the problem is about
	// the whole row.
	Column string
	// Header is set when the problem is with the header row's column
	// itself (unknown, missing, duplicate) rather than with a cell.
	Header bool
	Msg    string
}

// Error reads "file:line: column: msg"; a header problem reads
// `file:1: column "name": msg`.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	switch {
	case e.Header && e.Column != "":
		fmt.Fprintf(&b, ": column %q", e.Column)
	case e.Column != "":
		b.WriteString(": " + e.Column)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// FileError is a rejected load file: every problem found (up to
// MaxProblems, More counts the rest). When a load returns it nothing was
// written.
type FileError struct {
	File     string
	Problems []*Error
	More     int
}

func (e *FileError) Error() string {
	n := len(e.Problems) + e.More
	var b strings.Builder
	if n == 1 {
		fmt.Fprintf(&b, "%s: 1 problem; nothing was loaded", e.File)
	} else {
		fmt.Fprintf(&b, "%s: %d problems; nothing was loaded", e.File, n)
	}
	for _, p := range e.Problems {
		b.WriteString("\n" + p.Error())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n... and %d more", e.More)
	}
	return b.String()
}

// Unwrap gives the listed problems to errors.As and errors.Is.
func (e *FileError) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

// problems collects a file's problems, keeping the first MaxProblems.
type problems struct {
	file string
	list []*Error
	more int
}

func (p *problems) add(line int, column, format string, args ...any) {
	p.addErr(&Error{File: p.file, Line: line, Column: column, Msg: fmt.Sprintf(format, args...)})
}

func (p *problems) addErr(e *Error) {
	if len(p.list) < MaxProblems {
		p.list = append(p.list, e)
		return
	}
	p.more++
}

func (p *problems) empty() bool { return len(p.list) == 0 }

// err returns the FileError, problems in line order (reference problems
// found after the rows were read slot in where they belong).
func (p *problems) err() *FileError {
	if p.empty() {
		return nil
	}
	list := append([]*Error(nil), p.list...)
	slices.SortStableFunc(list, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	return &FileError{File: p.file, Problems: list, More: p.more}
}
