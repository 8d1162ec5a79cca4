package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"html"
	"io"
	"regexp"
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
	bk, err := openBook(data)
	if err != nil {
		return nil, fmt.Errorf("%s: not an xlsx workbook: %w", name, err)
	}
	merges := mergedRanges(data)
	var out []*table
	var names []string
	for _, sh := range bk.sheets {
		names = append(names, sh.name)
		if only != "" && !strings.EqualFold(sh.name, only) {
			continue
		}
		t := &table{name: sh.name, xlsx: true, date1904: bk.date1904}
		if err := readSheet(bk, sh.path, t, merges[sh.name]); err != nil {
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

func readSheet(bk *book, path string, t *table, merges []mergeRange) error {
	// fill holds, by row, the cells of merged ranges other than their
	// top-left one, which alone holds the value.
	type filled struct {
		col int
		v   string
	}
	fill := map[int][]filled{}
	nfill := 0
	// The merged ranges' values are their top-left cells', known once
	// those rows are read: ranges are filled as rows come.
	tops := map[[2]int]string{}
	for _, m := range merges {
		tops[[2]int{m.r1, m.c1}] = ""
	}
	return bk.readRows(path, func(n int, cells []string, textNums []int) error {
		for _, c := range textNums {
			if t.textNums == nil {
				t.textNums = map[[2]int]bool{}
			}
			t.textNums[[2]int{n, c}] = true
		}
		if len(t.rows) >= maxRows {
			return fmt.Errorf("more than %d rows", maxRows)
		}
		if len(merges) > 0 {
			for k := range tops {
				if k[0] == n && k[1]-1 < len(cells) {
					tops[k] = cells[k[1]-1]
				}
			}
			for _, m := range merges {
				for rr := max(m.r1, n); rr <= m.r2 && rr <= n && nfill < maxMergeFill; rr++ {
					v := tops[[2]int{m.r1, m.c1}]
					for c := m.c1; c <= m.c2; c++ {
						if rr == m.r1 && c == m.c1 {
							continue
						}
						fill[rr] = append(fill[rr], filled{c - 1, v})
						nfill++
					}
				}
			}
			for _, fc := range fill[n] {
				for len(cells) <= fc.col {
					cells = append(cells, "")
				}
				if cells[fc.col] == "" {
					cells[fc.col] = fc.v
				}
			}
			delete(fill, n)
		}
		t.rows = append(t.rows, row{num: n, cells: cells})
		return nil
	})
}

// mergeRange is a merged range, 1-based.
type mergeRange struct{ r1, c1, r2, c2 int }

var (
	mergeRE    = regexp.MustCompile(`<mergeCell ref="([A-Z]+[0-9]+):([A-Z]+[0-9]+)"`)
	sheetRE    = regexp.MustCompile(`<sheet [^>]*name="([^"]*)"[^>]*r:id="([^"]*)"`)
	relationRE = regexp.MustCompile(`<Relationship [^>]*Id="([^"]*)"[^>]*Target="([^"]*)"`)
)

// mergedRanges lists each sheet's merged ranges straight from the
// package: excelize's GetMergeCells parses the whole worksheet into memory
// to answer, which on a large sheet costs more than reading it.
func mergedRanges(data []byte) map[string][]mergeRange {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil
	}
	open := func(name string) io.ReadCloser {
		for _, f := range zr.File {
			if f.Name == name {
				if rc, err := f.Open(); err == nil {
					return rc
				}
			}
		}
		return nil
	}
	part := func(name string) []byte {
		rc := open(name)
		if rc == nil {
			return nil
		}
		defer rc.Close()
		b, _ := io.ReadAll(io.LimitReader(rc, 16<<20))
		return b
	}
	// tail streams a worksheet and keeps what follows "<mergeCells", which
	// comes after the rows: the sheet itself is not held.
	tail := func(name string) []byte {
		rc := open(name)
		if rc == nil {
			return nil
		}
		defer rc.Close()
		marker := []byte("<mergeCells")
		var kept []byte
		buf := make([]byte, 256<<10)
		carry := 0
		for {
			n, err := io.ReadFull(rc, buf[carry:])
			chunk := buf[:carry+n]
			if kept != nil {
				kept = append(kept, chunk[carry:]...)
			} else if i := bytes.Index(chunk, marker); i >= 0 {
				kept = append([]byte(nil), chunk[i:]...)
			}
			if err != nil {
				return kept
			}
			carry = min(len(marker)-1, len(chunk))
			copy(buf, chunk[len(chunk)-carry:])
			if len(kept) > 16<<20 {
				return kept
			}
		}
	}
	targets := map[string]string{}
	for _, m := range relationRE.FindAllSubmatch(part("xl/_rels/workbook.xml.rels"), -1) {
		t := strings.TrimPrefix(string(m[2]), "/")
		if !strings.HasPrefix(t, "xl/") {
			t = "xl/" + t
		}
		targets[string(m[1])] = t
	}
	out := map[string][]mergeRange{}
	for _, m := range sheetRE.FindAllSubmatch(part("xl/workbook.xml"), -1) {
		name := html.UnescapeString(string(m[1]))
		for _, mm := range mergeRE.FindAllSubmatch(tail(targets[string(m[2])]), -1) {
			c1, r1, err1 := excelize.CellNameToCoordinates(string(mm[1]))
			c2, r2, err2 := excelize.CellNameToCoordinates(string(mm[2]))
			if err1 == nil && err2 == nil {
				out[name] = append(out[name], mergeRange{r1, c1, r2, c2})
			}
		}
	}
	return out
}
