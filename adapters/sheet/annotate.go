package sheet

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Annotations say what to mark in a partner's document.
type Annotations struct {
	Problems []Problem        // every problem found, located
	Header   map[string]int   // sheet → its header row number (the "Problems" column header goes there); 0/absent: row 1
	Accepted map[string][]int // sheet → rows whose orders were accepted
	Skipped  []Problem        // rows skipped (blank, totals), listed in the summary
	Orders   int              // orders accepted
	Refused  int              // orders refused
}

// The marks Annotate puts in a partner's workbook.
const (
	annRed         = "FFC7CE" // Excel's "bad" fill
	annGreen       = "C6EFCE" // Excel's "good" fill
	annLinkColor   = "0563C1"
	annAuthor      = "orderhub"
	annProblemsCol = "Problems"
	annAcceptedMsg = "accepted"
	annSummary     = "Summary"
)

// Limits for opening the partner's workbook: as the reader's, so what
// could be read can be annotated. Worksheets over the XML limit are
// unzipped to temporary files rather than memory.
const (
	annUnzipLimit    = 2 << 30
	annUnzipXMLLimit = 64 << 20
)

var annZipMagic = []byte("PK\x03\x04")

// Annotate writes the annotated workbook for the document doc (its bytes; name is its file
// name): for an xlsx, the partner's own workbook with its sheets, values, formats and
// merged cells kept; for a CSV/TSV (any text: detect by the zip magic "PK\x03\x04" — not
// zip means text), a workbook with one sheet named after the file (Excel's 31-character
// limit and forbidden characters []:*?/\ handled) holding the rows as text cells (parse the
// CSV with encoding/csv, Comma sniffed simply from the first line among , ; \t |,
// LazyQuotes, FieldsPerRecord -1; a UTF-8 BOM dropped).
// Then, on each sheet that has problems or accepted rows:
//   - every cell named by a problem (Problem.Cell) is filled red (a solid pattern fill,
//     e.g. FFC7CE, keeping the cell's number format: take the cell's existing style and add the fill,
//     using excelize's GetCellStyle/GetStyle/NewStyle) and gets a cell comment with the reasons
//     (several problems on one cell: all their messages, one per line), author "orderhub";
//   - a "Problems" column is added after the last used column: its header cell on the
//     header row says "Problems" (bold), and each data row with problems gets the row's
//     problem messages joined with "; " (cell problems as "C14: <msg>", row problems as
//     the message), its cell filled red; each row in Accepted gets "accepted", filled
//     green (C6EFCE);
//   - a whole-sheet problem (Row 0) goes to the summary only.
//
// A sheet "Summary" (or "Summary 2" … if the name is taken) is added as the FIRST sheet and
// made active: orders accepted, orders refused, rows with problems, then a table of every
// problem (Where, Column, Problem) and every skipped row (Where, Why), with bold headers and
// sensible column widths.
// Works for workbooks of 100,000 rows in reasonable time and memory (do not call
// per-cell APIs for every cell of the sheet: only for the cells you change).
//
// Details beyond the above: a problem's Row says which row's Problems cell
// lists it, its Cell which cell is marked, so a value taken from above the
// table ("PO:" in B1) is marked there and listed on the order's row. A
// problem cell inside a merged range is marked on the range's top-left
// cell, the one Excel shows. Problems on the header row itself are put in a
// comment on the "Problems" header cell, which is then filled red. A row
// with problems is not marked accepted. A comment the partner already had
// on a cell is kept, the reasons appended to it. Every "Where" in the
// summary links to its place. For a CSV, every problem belongs to the one
// sheet, whatever its Sheet says (the reader names it after the file); a
// UTF-16 file with a byte-order mark is decoded, and bytes that are not
// UTF-8 are replaced.
func Annotate(w io.Writer, doc []byte, name string, a *Annotations) (err error) {
	if a == nil {
		a = &Annotations{}
	}
	an := &annotator{doc: name, a: a, red: map[int]int{}, redBold: map[int]int{}, lastCol: map[string]int{}}
	if bytes.HasPrefix(doc, annZipMagic) {
		an.f, err = excelize.OpenReader(bytes.NewReader(doc), excelize.Options{UnzipSizeLimit: annUnzipLimit, UnzipXMLSizeLimit: annUnzipXMLLimit})
		if err != nil {
			return fmt.Errorf("annotate %s: open the workbook: %w", name, err)
		}
	} else {
		an.f = excelize.NewFile()
		an.csv = true
	}
	defer func() {
		if cerr := an.f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("annotate %s: close the workbook: %w", name, cerr)
		}
	}()
	if an.csv {
		if err := an.fromText(doc); err != nil {
			return err
		}
	}
	if an.sheets = an.f.GetSheetList(); len(an.sheets) == 0 {
		return fmt.Errorf("annotate %s: the workbook has no sheets", name)
	}
	plans, err := an.plan()
	if err != nil {
		return err
	}
	for _, p := range plans {
		if err := an.mark(p); err != nil {
			return err
		}
	}
	if err := an.summary(); err != nil {
		return err
	}
	if err := an.f.Write(w); err != nil {
		return fmt.Errorf("annotate %s: write the workbook: %w", name, err)
	}
	return nil
}

// annotator annotates one document.
type annotator struct {
	f      *excelize.File
	doc    string
	a      *Annotations
	csv    bool
	sheets []string // the workbook's sheets, in order, before the summary
	// lastCol is each sheet's last column holding a value: for a CSV
	// known from its records, for an xlsx scanned before any change.
	lastCol map[string]int
	// red and redBold are the styles made from a cell's style by adding
	// the red fill (and bold), by the original style.
	red, redBold map[int]int
	// The fills of the Problems column, made once, 0 until then.
	problemStyle, acceptedStyle int
}

// annPlan is what to mark on one sheet.
type annPlan struct {
	sheet    string
	header   int
	cells    map[string]*annCell // by A1 reference
	rows     map[int][]string    // row → the texts of its Problems cell
	accepted map[int]bool
	col      int // the Problems column
}

type annCell struct {
	ref      string
	col, row int
	msgs     []string
}

// sheetOf finds the workbook's sheet a problem or map key names: for a
// CSV, the one sheet; for an xlsx, the sheet of that name (Excel's names
// are case-insensitive).
func (an *annotator) sheetOf(name string) (string, bool) {
	if an.csv {
		return an.sheets[0], true
	}
	for _, s := range an.sheets {
		if s == name {
			return s, true
		}
	}
	for _, s := range an.sheets {
		if strings.EqualFold(s, name) {
			return s, true
		}
	}
	return "", false
}

// plan sorts the annotations by sheet, in the workbook's order, and finds
// each sheet's Problems column.
func (an *annotator) plan() ([]*annPlan, error) {
	bySheet := map[string]*annPlan{}
	planFor := func(sheet string) *annPlan {
		p := bySheet[sheet]
		if p == nil {
			p = &annPlan{sheet: sheet, header: 1, cells: map[string]*annCell{}, rows: map[int][]string{}, accepted: map[int]bool{}}
			bySheet[sheet] = p
		}
		return p
	}
	for _, pr := range an.a.Problems {
		if pr.Row == 0 && pr.Cell == "" {
			continue // the sheet as a whole: the summary says it
		}
		sheet, ok := an.sheetOf(pr.Sheet)
		if !ok {
			return nil, fmt.Errorf("annotate %s: problem at %s: the workbook has no sheet %q", an.doc, pr.Where(), pr.Sheet)
		}
		if pr.Row < 0 || pr.Row > excelize.TotalRows {
			return nil, fmt.Errorf("annotate %s: problem at %s: row %d out of range", an.doc, pr.Where(), pr.Row)
		}
		p := planFor(sheet)
		text := pr.Msg
		if pr.Cell != "" {
			col, row, err := excelize.CellNameToCoordinates(pr.Cell)
			if err != nil {
				return nil, fmt.Errorf("annotate %s: problem at %s: sheet %s: cell %q: %w", an.doc, pr.Where(), sheet, pr.Cell, err)
			}
			ref, _ := excelize.CoordinatesToCellName(col, row)
			c := p.cells[ref]
			if c == nil {
				c = &annCell{ref: ref, col: col, row: row}
				p.cells[ref] = c
			}
			c.msgs = annAppendNew(c.msgs, pr.Msg)
			text = ref + ": " + pr.Msg
		}
		if pr.Row > 0 {
			p.rows[pr.Row] = annAppendNew(p.rows[pr.Row], text)
		}
	}
	for key, rows := range an.a.Accepted {
		if len(rows) == 0 {
			continue
		}
		sheet, ok := an.sheetOf(key)
		if !ok {
			return nil, fmt.Errorf("annotate %s: accepted rows: the workbook has no sheet %q", an.doc, key)
		}
		p := planFor(sheet)
		for _, r := range rows {
			if r < 1 || r > excelize.TotalRows {
				return nil, fmt.Errorf("annotate %s: accepted rows: sheet %s: row %d out of range", an.doc, sheet, r)
			}
			p.accepted[r] = true
		}
	}
	for key, h := range an.a.Header {
		sheet, ok := an.sheetOf(key)
		if !ok || bySheet[sheet] == nil || h <= 0 {
			continue
		}
		if h > excelize.TotalRows {
			return nil, fmt.Errorf("annotate %s: sheet %s: header row %d out of range", an.doc, sheet, h)
		}
		bySheet[sheet].header = h
	}
	var plans []*annPlan
	for _, s := range an.sheets {
		if p := bySheet[s]; p != nil {
			plans = append(plans, p)
		}
	}
	// The last used columns, before anything is changed: excelize's row
	// iterator reads a sheet as saved, and would first write back a
	// sheet it holds in memory.
	if !an.csv {
		for _, p := range plans {
			n, err := an.scanLastCol(p.sheet)
			if err != nil {
				return nil, err
			}
			an.lastCol[p.sheet] = n
		}
	}
	for _, p := range plans {
		if err := an.placeColumn(p); err != nil {
			return nil, err
		}
	}
	return plans, nil
}

// scanLastCol finds the last column holding a value (or a formula) in a
// sheet, streaming its rows.
func (an *annotator) scanLastCol(sheet string) (int, error) {
	rows, err := an.f.Rows(sheet)
	if err != nil {
		return 0, fmt.Errorf("annotate %s: sheet %s: read the rows: %w", an.doc, sheet, err)
	}
	last, n := 0, 0
	for rows.Next() {
		n++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			rows.Close()
			return 0, fmt.Errorf("annotate %s: sheet %s: row %d: %w", an.doc, sheet, n, err)
		}
		// Columns holds cells up to the last one with a value.
		last = max(last, len(cells))
	}
	if err := rows.Close(); err != nil {
		return 0, fmt.Errorf("annotate %s: sheet %s: read the rows: %w", an.doc, sheet, err)
	}
	return last, nil
}

// placeColumn puts the Problems column after the last used column, after
// every cell to mark, and outside the merged ranges on the rows it writes;
// it moves problem cells inside a merged range to the range's top-left
// cell.
func (an *annotator) placeColumn(p *annPlan) error {
	last := an.lastCol[p.sheet]
	merges, err := an.f.GetMergeCells(p.sheet, true)
	if err != nil {
		return fmt.Errorf("annotate %s: sheet %s: merged cells: %w", an.doc, p.sheet, err)
	}
	written := func(r int) bool { return r == p.header || p.accepted[r] || p.rows[r] != nil }
	nWritten := len(p.accepted) + len(p.rows) + 1
	type span struct{ c1, r1, c2, r2 int }
	var spans []span
	for _, m := range merges {
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err := errors.Join(err1, err2); err != nil {
			return fmt.Errorf("annotate %s: sheet %s: merged cells %s: %w", an.doc, p.sheet, m[0], err)
		}
		c1, c2 = min(c1, c2), max(c1, c2)
		r1, r2 = min(r1, r2), max(r1, r2)
		spans = append(spans, span{c1, r1, c2, r2})
		if c2 <= last {
			continue
		}
		hit := false
		if r2-r1 < nWritten {
			for r := r1; r <= r2 && !hit; r++ {
				hit = written(r)
			}
		} else {
			hit = p.header >= r1 && p.header <= r2
			for r := range p.rows {
				hit = hit || (r >= r1 && r <= r2)
			}
			for r := range p.accepted {
				hit = hit || (r >= r1 && r <= r2)
			}
		}
		if hit {
			last = c2
		}
	}
	if len(spans) > 0 {
		moved := map[string]*annCell{}
		for _, c := range p.cells {
			for _, s := range spans {
				if c.col >= s.c1 && c.col <= s.c2 && c.row >= s.r1 && c.row <= s.r2 {
					c.col, c.row = s.c1, s.r1
					c.ref, _ = excelize.CoordinatesToCellName(c.col, c.row)
					break
				}
			}
			if m := moved[c.ref]; m != nil {
				for _, msg := range c.msgs {
					m.msgs = annAppendNew(m.msgs, msg)
				}
				continue
			}
			moved[c.ref] = c
		}
		p.cells = moved
	}
	for _, c := range p.cells {
		last = max(last, c.col)
	}
	p.col = last + 1
	if p.col > excelize.MaxColumns {
		return fmt.Errorf("annotate %s: sheet %s: no column left for the problems after column %d", an.doc, p.sheet, last)
	}
	return nil
}

// mark marks one sheet: the problem cells, then the Problems column.
func (an *annotator) mark(p *annPlan) error {
	cells := make([]*annCell, 0, len(p.cells))
	for _, c := range p.cells {
		cells = append(cells, c)
	}
	slices.SortFunc(cells, func(a, b *annCell) int { return cmp.Or(cmp.Compare(a.row, b.row), cmp.Compare(a.col, b.col)) })
	var old map[string]excelize.Comment
	if len(cells) > 0 {
		cmts, err := an.f.GetComments(p.sheet)
		if err != nil {
			return fmt.Errorf("annotate %s: sheet %s: comments: %w", an.doc, p.sheet, err)
		}
		old = make(map[string]excelize.Comment, len(cmts))
		for _, c := range cmts {
			old[c.Cell] = c
		}
	}
	for _, c := range cells {
		if err := an.redden(p.sheet, c.ref, false); err != nil {
			return err
		}
		if err := an.comment(p.sheet, c.ref, c.msgs, old); err != nil {
			return err
		}
	}

	colName, _ := excelize.ColumnNumberToName(p.col)
	at := func(row int) string { return colName + fmt.Sprint(row) }
	width := len(annProblemsCol)
	// The header cell: the style of the header's last cell, in bold.
	hdr := at(p.header)
	if err := an.f.SetCellStr(p.sheet, hdr, annProblemsCol); err != nil {
		return fmt.Errorf("annotate %s: sheet %s: cell %s: %w", an.doc, p.sheet, hdr, err)
	}
	base := 0
	if p.col > 1 {
		prev, _ := excelize.CoordinatesToCellName(p.col-1, p.header)
		var err error
		if base, err = an.f.GetCellStyle(p.sheet, prev); err != nil {
			return fmt.Errorf("annotate %s: sheet %s: cell %s: style: %w", an.doc, p.sheet, prev, err)
		}
	}
	if err := an.restyle(p.sheet, hdr, base, p.rows[p.header] != nil, true); err != nil {
		return err
	}
	if msgs := p.rows[p.header]; msgs != nil {
		// Problems of the header row itself: on the header cell.
		if err := an.comment(p.sheet, hdr, msgs, nil); err != nil {
			return err
		}
	}

	rows := make([]int, 0, len(p.rows)+len(p.accepted))
	for r := range p.rows {
		rows = append(rows, r)
	}
	for r := range p.accepted {
		if p.rows[r] == nil {
			rows = append(rows, r)
		}
	}
	slices.Sort(rows)
	for _, r := range rows {
		if r == p.header {
			continue
		}
		ref := at(r)
		text := annAcceptedMsg
		style, err := 0, error(nil)
		if msgs := p.rows[r]; msgs != nil {
			text = strings.Join(msgs, "; ")
			style, err = an.fillStyle(&an.problemStyle, annRed)
		} else {
			style, err = an.fillStyle(&an.acceptedStyle, annGreen)
		}
		if err != nil {
			return fmt.Errorf("annotate %s: sheet %s: cell %s: style: %w", an.doc, p.sheet, ref, err)
		}
		if err := an.f.SetCellStr(p.sheet, ref, text); err != nil {
			return fmt.Errorf("annotate %s: sheet %s: cell %s: %w", an.doc, p.sheet, ref, err)
		}
		if err := an.f.SetCellStyle(p.sheet, ref, ref, style); err != nil {
			return fmt.Errorf("annotate %s: sheet %s: cell %s: style: %w", an.doc, p.sheet, ref, err)
		}
		width = max(width, utf8.RuneCountInString(text))
	}
	if err := an.f.SetColWidth(p.sheet, colName, colName, annWidth(width, 12, 80)); err != nil {
		return fmt.Errorf("annotate %s: sheet %s: column %s: width: %w", an.doc, p.sheet, colName, err)
	}
	return nil
}
