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
	// cellType tells, for an xlsx cell, whether it holds text: a value
	// such as "1.234" typed as text follows the partner's conventions, a
	// number cell does not. Nil for CSV.
	cellType func(ref string) (text bool)
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
	maxXLSX      = 256 << 20
	maxUnzipped  = 2 << 30
	maxMergeFill = 100_000
)

// readXLSX reads every sheet of a workbook, or the one named, row by row
// with excelize's streaming iterator: raw values, formulas by their cached
// value, merged cells filled with their top-left value.
func readXLSX(r io.Reader, name, only string) ([]*table, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxXLSX+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxXLSX {
		return nil, fmt.Errorf("%s: the workbook is over %d MiB", name, maxXLSX>>20)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: 64 << 20})
	if err != nil {
		return nil, fmt.Errorf("%s: not a workbook excelize can read: %w", name, err)
	}
	defer f.Close()
	date1904 := false
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		date1904 = *p.Date1904
	}
	var out []*table
	found := false
	for _, sh := range f.GetSheetList() {
		if only != "" && !strings.EqualFold(sh, only) {
			continue
		}
		found = true
		t := &table{name: sh, xlsx: true, date1904: date1904}
		if err := readSheet(f, t); err != nil {
			return nil, fmt.Errorf("%s: sheet %s: %w", name, sh, err)
		}
		sheetName := sh
		t.cellType = func(ref string) bool {
			ct, err := f.GetCellType(sheetName, ref)
			return err == nil && (ct == excelize.CellTypeSharedString || ct == excelize.CellTypeInlineString)
		}
		out = append(out, t)
	}
	if only != "" && !found {
		return nil, fmt.Errorf("%s: no sheet %q (the partner profile names it); the workbook has %s", name, only, strings.Join(f.GetSheetList(), ", "))
	}
	return out, nil
}

func readSheet(f *excelize.File, t *table) error {
	// fill holds, by row, the cells of merged ranges other than their
	// top-left one, which alone holds the value.
	type filled struct {
		col int
		v   string
	}
	fill := map[int][]filled{}
	nfill := 0
	if merges, err := f.GetMergeCells(t.name); err == nil {
		for _, m := range merges {
			c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
			c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
			if err1 != nil || err2 != nil {
				continue
			}
			for rr := r1; rr <= r2 && nfill < maxMergeFill; rr++ {
				for cc := c1; cc <= c2 && nfill < maxMergeFill; cc++ {
					if rr != r1 || cc != c1 {
						fill[rr] = append(fill[rr], filled{cc - 1, m.GetCellValue()})
						nfill++
					}
				}
			}
		}
	}
	rows, err := f.Rows(t.name)
	if err != nil {
		return err
	}
	defer rows.Close()
	for n := 1; rows.Next(); n++ {
		if n > maxRows {
			return fmt.Errorf("more than %d rows", maxRows)
		}
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return fmt.Errorf("row %d: %w", n, err)
		}
		for _, fc := range fill[n] {
			for len(cells) <= fc.col {
				cells = append(cells, "")
			}
			if cells[fc.col] == "" {
				cells[fc.col] = fc.v
			}
		}
		t.rows = append(t.rows, row{num: n, cells: cells})
	}
	return rows.Error()
}
