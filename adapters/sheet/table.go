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

// table is one sheet's rows as read: raw values, numbers as the workbook
// stores them (not as a number format shows them), text as written.
type table struct {
	name string // sheet name; for a CSV, the file name
	// xlsx: the workbook's numbers are machine numbers (a point, no
	// thousands separators) and its dates may be serials.
	xlsx     bool
	date1904 bool
	rows     []row
	// textNums are the xlsx cells (row, column from 0) holding text that
	// looks like a number, "1.234" typed as text: they follow the
	// partner's conventions, not the workbook's notation.
	textNums map[[2]int]bool
}

// row is one row: its number as a spreadsheet shows it (from 1) and its
// cells from column A.
type row struct {
	num   int
	cells []string
}

func (r row) cell(i int) string {
	if i < len(r.cells) {
		return strings.TrimSpace(r.cells[i])
	}
	return ""
}

func (r row) blank() bool {
	for _, c := range r.cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// cellRef is the A1 reference of column i (from 0) in row n.
func cellRef(i, n int) string {
	name, _ := excelize.ColumnNumberToName(i + 1)
	return fmt.Sprintf("%s%d", name, n)
}

// maxRows bounds what one document may hold, so a hostile file cannot
// take the memory: a sheet's rows are held while its orders are built.
const maxRows = 1_000_000

// readCSV reads a CSV or TSV document: its encoding and delimiter are
// found from its first bytes.
func readCSV(r io.Reader, name string) (*table, error) {
	text, _, err := ToUTF8(r)
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
	err = csvRecords(br, delim, func(n int, rec []string) error {
		if n > maxRows {
			return fmt.Errorf("more than %d rows", maxRows)
		}
		t.rows = append(t.rows, row{num: n, cells: slices.Clone(rec)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
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

// readXLSX reads every sheet of the workbook data, or the one named, with
// the byte scanner of xlsxstream.go: raw values, formulas by their cached
// value, merged cells filled with their top-left value.
func readXLSX(data []byte, name, only string) ([]*table, error) {
	bk, err := openBook(data)
	if err != nil {
		return nil, fmt.Errorf("%s: not an xlsx workbook: %w", name, err)
	}
	var out []*table
	var names []string
	for _, sh := range bk.sheets {
		names = append(names, sh.name)
		if only != "" && !strings.EqualFold(sh.name, only) {
			continue
		}
		t := &table{name: sh.name, xlsx: true, date1904: bk.date1904}
		if err := readSheet(bk, sh.path, t); err != nil {
			return nil, fmt.Errorf("%s: sheet %s: %w", name, sh.name, err)
		}
		out = append(out, t)
	}
	if len(bk.sheets) == 0 || allEmpty(out) {
		// Written with namespace prefixes (<x:row>) or in some other
		// way the scanner does not follow: excelize reads everything.
		return readXLSXSlow(data, name, only)
	}
	if only != "" && len(out) == 0 {
		return nil, fmt.Errorf("%s: no sheet %q (the partner profile names it); the workbook has %s", name, only, strings.Join(names, ", "))
	}
	return out, nil
}

func allEmpty(ts []*table) bool {
	for _, t := range ts {
		if len(t.rows) > 0 {
			return false
		}
	}
	return true
}

// readXLSXSlow reads a workbook with excelize's row iterator: slower, and
// for what the byte scanner does not read.
func readXLSXSlow(data []byte, name, only string) ([]*table, error) {
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
		t := &table{name: sh, xlsx: true, date1904: date1904}
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
			t.rows = append(t.rows, row{num: n, cells: cells})
		}
		rows.Close()
		out = append(out, t)
	}
	return out, nil
}

// readSheet reads the worksheet at path into t. A merged range holds its
// value in its top-left cell; the range's other cells, in that row and the
// rows below, get that value.
func readSheet(bk *book, path string, t *table) error {
	merges := bk.merges(path)
	tops := make([]string, len(merges)) // each range's value, once its first row is read
	return bk.readRows(path, func(n int, cells []string, textNums []int) error {
		if len(t.rows) >= maxRows {
			return fmt.Errorf("more than %d rows", maxRows)
		}
		for _, c := range textNums {
			if t.textNums == nil {
				t.textNums = map[[2]int]bool{}
			}
			t.textNums[[2]int{n, c}] = true
		}
		for i, m := range merges {
			if n < m.r1 || n > m.r2 {
				continue
			}
			if n == m.r1 && m.c1-1 < len(cells) {
				tops[i] = cells[m.c1-1]
			}
			for c := m.c1; c <= m.c2; c++ {
				if n == m.r1 && c == m.c1 {
					continue
				}
				for len(cells) < c {
					cells = append(cells, "")
				}
				if cells[c-1] == "" {
					cells[c-1] = tops[i]
				}
			}
		}
		t.rows = append(t.rows, row{num: n, cells: cells})
		return nil
	})
}

// mergeRange is a merged range, 1-based.
type mergeRange struct{ r1, c1, r2, c2 int }
