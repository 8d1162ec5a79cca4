package sheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"
)

// table is one sheet, read as many times as its reading needs: once to
// find its layout and settle its columns' conventions, once to build its
// orders. Its rows are never all held.
type table struct {
	name string // sheet name; for a CSV, the file name
	// xlsx: the workbook's numbers are machine numbers (a point, no
	// thousands separators) and its dates may be serials.
	xlsx     bool
	date1904 bool
	// scan calls fn with each row, top to bottom; the row is reused by
	// the next call. It returns errStop when fn does.
	scan func(fn func(r *row) error) error
	// merges are a workbook's merged ranges, once a scan has read to the
	// end of the sheet (mergesKnown) and learnt them.
	merges      []mergeRange
	mergesKnown bool
}

// mergesMatter tells whether filling the merged ranges can change what a
// scan without them settled: the rows down to headEnd (where the header
// is looked for) and the orders' keys. A range down one column below the
// header is read alike either way: its first cell's value is carried down
// to the blank cells under it.
func (t *table) mergesMatter(headEnd int) bool {
	for _, m := range t.merges {
		if m.r1 <= headEnd || m.c1 != m.c2 {
			return true
		}
	}
	return false
}

// errStop ends a scan early.
var errStop = errors.New("stop")

// row is one row: its number as a spreadsheet shows it (from 1) and its
// cells from column A.
type row struct {
	num   int
	cells []string
	// textNums are the columns (from 0) of a workbook's text cells holding
	// text that looks like a number ("1.234" typed as text): they follow
	// the partner's conventions, not the workbook's notation.
	textNums []int
	// last is, by column, the value the scanner last made a string of,
	// which it reuses when the next row holds the same.
	last []string
}

func (r *row) cell(i int) string {
	if i < len(r.cells) {
		return strings.TrimSpace(r.cells[i])
	}
	return ""
}

func (r *row) textNum(col int) bool {
	return slices.Contains(r.textNums, col)
}

func (r *row) blank() bool {
	for _, c := range r.cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// clone is a copy of r that the next scan step does not overwrite.
func (r *row) clone() row {
	return row{num: r.num, cells: slices.Clone(r.cells), textNums: slices.Clone(r.textNums)}
}

// cellRef is the A1 reference of column i (from 0) in row n.
func cellRef(i, n int) string {
	name, _ := excelize.ColumnNumberToName(i + 1)
	return fmt.Sprintf("%s%d", name, n)
}

// maxRows bounds what one document may hold, so a hostile file cannot
// take the memory: a sheet's rows are held while its orders are built.
const maxRows = 1_000_000

// csvTable reads a CSV or TSV document: its encoding and delimiter are
// found from its first bytes, and each scan decodes it again from data.
func csvTable(data []byte, name string) (*table, error) {
	text, _, err := ToUTF8(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(text, 64<<10)
	sample, _ := br.Peek(32 << 10)
	delim, ok := SniffDelimiter(sample)
	if !ok {
		delim = ','
	}
	t := &table{name: name}
	t.scan = func(fn func(r *row) error) error {
		text, _, err := ToUTF8(bytes.NewReader(data))
		if err != nil {
			return err
		}
		var r row
		err = csvRecords(text, delim, func(n int, rec []string) error {
			if n > maxRows {
				return fmt.Errorf("more than %d rows", maxRows)
			}
			r.num, r.cells = n, rec
			return fn(&r)
		})
		if err != nil && !errors.Is(err, errStop) {
			return fmt.Errorf("%s: %w", name, err)
		}
		return err
	}
	return t, nil
}

// csvRecords calls fn with each record and its row number as a spreadsheet
// program shows the file: a blank line is a row of its own, a quoted field
// with line breaks keeps its record on one row. The reader and the
// annotated workbook number rows alike through it. rec is reused.
func csvRecords(r io.Reader, delim rune, fn func(row int, rec []string) error) error {
	cr := csv.NewReader(r)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	row, endLine := 0, 0 // the last record's row and the line it ended on
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return fmt.Errorf("line %d: %w", pe.Line, pe.Err)
			}
			return err
		}
		start, _ := cr.FieldPos(0)
		row += max(1, start-endLine) // the lines between were blank: rows too
		last, _ := cr.FieldPos(len(rec) - 1)
		endLine = last + strings.Count(rec[len(rec)-1], "\n")
		if err := fn(row, rec); err != nil {
			return err
		}
	}
}

// maxXLSX bounds the workbook read into memory (a zip needs random access)
// and what it may unzip to.
const (
	maxXLSX     = 256 << 20
	maxUnzipped = 2 << 30
	// maxMergeRanges bounds the merged ranges applied per sheet: a few
	// header cells in an order sheet, not thousands.
	maxMergeRanges = 10_000
)

// xlsxTables opens the workbook data: a table for each sheet, or the one
// named. Rows are read by the byte scanner of xlsxstream.go, merged cells
// filled with their top-left value.
func xlsxTables(data []byte, name, only string) ([]*table, error) {
	bk, err := openBook(data)
	if err != nil {
		return nil, fmt.Errorf("%s: not an xlsx workbook: %w", name, err)
	}
	var out []*table
	var names []string
	anyRow := false
	for _, sh := range bk.sheets {
		names = append(names, sh.name)
		if only != "" && !strings.EqualFold(sh.name, only) {
			continue
		}
		t := &table{name: sh.name, xlsx: true, date1904: bk.date1904}
		t.scan = bk.sheetScanner(sh.path, t)
		if !anyRow {
			err := t.scan(func(*row) error { return errStop })
			anyRow = errors.Is(err, errStop)
		}
		out = append(out, t)
	}
	if len(bk.sheets) == 0 || !anyRow {
		// Written with namespace prefixes (<x:row>) or in some other
		// way the scanner does not follow: excelize reads everything.
		return xlsxTablesSlow(data, name, only)
	}
	if only != "" && len(out) == 0 {
		return nil, fmt.Errorf("%s: no sheet %q (the partner profile names it); the workbook has %s", name, only, strings.Join(names, ", "))
	}
	return out, nil
}

// sheetScanner is the scan of a worksheet. A merged range holds its value
// in its top-left cell; the range's other cells, in that row and the rows
// below, get that value. The ranges are listed after the rows, so the first
// scan that reads to the end learns them (into t) and the scans after it
// fill them; readLayout sees to it that nothing settled before depends on
// them.
func (bk *book) sheetScanner(path string, t *table) func(fn func(r *row) error) error {
	return func(fn func(r *row) error) error {
		ms := t.merges
		tops := make([]string, len(ms))
		n := 0
		got, err := bk.scanSheet(path, func(r *row) error {
			if n++; n > maxRows {
				return fmt.Errorf("more than %d rows", maxRows)
			}
			fillMerged(r, ms, tops)
			return fn(r)
		})
		if err == nil && !t.mergesKnown {
			t.merges, t.mergesKnown = got, true
		}
		return err
	}
}

// fillMerged gives the cells of r inside a merged range their range's
// value, tops[i] for ms[i], taken from the range's first row.
func fillMerged(r *row, ms []mergeRange, tops []string) {
	for i, m := range ms {
		if r.num < m.r1 || r.num > m.r2 {
			continue
		}
		if r.num == m.r1 && m.c1-1 < len(r.cells) {
			tops[i] = r.cells[m.c1-1]
		}
		for c := m.c1; c <= m.c2; c++ {
			if r.num == m.r1 && c == m.c1 {
				continue
			}
			for len(r.cells) < c {
				r.cells = append(r.cells, "")
			}
			if r.cells[c-1] == "" {
				r.cells[c-1] = tops[i]
			}
		}
	}
}

// xlsxTablesSlow reads a workbook with excelize: slower, it holds the
// rows, and it is for what the byte scanner does not read.
func xlsxTablesSlow(data []byte, name, only string) ([]*table, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: 8 << 20})
	if err != nil {
		return nil, fmt.Errorf("%s: not a workbook excelize can read: %w", name, err)
	}
	defer f.Close()
	date1904 := false
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		date1904 = *p.Date1904
	}
	var out []*table
	for _, sh := range f.GetSheetList() {
		if only != "" && !strings.EqualFold(sh, only) {
			continue
		}
		var held []row
		rows, err := f.Rows(sh)
		if err != nil {
			return nil, fmt.Errorf("%s: sheet %s: %w", name, sh, err)
		}
		for n := 1; rows.Next(); n++ {
			if n > maxRows {
				rows.Close()
				return nil, fmt.Errorf("%s: sheet %s: more than %d rows", name, sh, maxRows)
			}
			cells, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("%s: sheet %s: row %d: %w", name, sh, n, err)
			}
			held = append(held, row{num: n, cells: cells})
		}
		rows.Close()
		var ms []mergeRange
		if mc, err := f.GetMergeCells(sh); err == nil {
			for _, m := range mc {
				c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
				c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
				if err1 == nil && err2 == nil && len(ms) < maxMergeRanges {
					ms = append(ms, mergeRange{r1, c1, r2, c2})
				}
			}
		}
		tops := make([]string, len(ms))
		for i := range held {
			fillMerged(&held[i], ms, tops)
		}
		out = append(out, &table{name: sh, xlsx: true, date1904: date1904, mergesKnown: true, scan: func(fn func(r *row) error) error {
			for i := range held {
				if err := fn(&held[i]); err != nil {
					return err
				}
			}
			return nil
		}})
	}
	return out, nil
}

// mergeRange is a merged range, 1-based.
type mergeRange struct{ r1, c1, r2, c2 int }
