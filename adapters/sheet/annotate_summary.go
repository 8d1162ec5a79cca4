package sheet

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// summary adds the Summary sheet, first and active.
func (an *annotator) summary() error {
	f, a := an.f, an.a
	name := annSummary
	for n := 2; ; n++ {
		if !slices.ContainsFunc(an.sheets, func(s string) bool { return strings.EqualFold(s, name) }) {
			break
		}
		name = fmt.Sprintf("%s %d", annSummary, n)
	}
	if _, err := f.NewSheet(name); err != nil {
		return fmt.Errorf("annotate %s: add sheet %s: %w", an.doc, name, err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("annotate %s: sheet %s: style: %w", an.doc, name, err)
	}
	link, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: annLinkColor, Underline: "single"}})
	if err != nil {
		return fmt.Errorf("annotate %s: sheet %s: style: %w", an.doc, name, err)
	}
	rowsWithProblems := map[string]bool{}
	for _, p := range a.Problems {
		if p.Row > 0 {
			sheet, _ := an.sheetOf(p.Sheet)
			rowsWithProblems[fmt.Sprintf("%s\x00%d", sheet, p.Row)] = true
		}
	}

	r := 0
	widths := [3]int{}
	put := func(style int, vals ...any) error {
		r++
		cell := fmt.Sprintf("A%d", r)
		if err := f.SetSheetRow(name, cell, &vals); err != nil {
			return fmt.Errorf("annotate %s: sheet %s: row %d: %w", an.doc, name, r, err)
		}
		for i, v := range vals {
			if s, ok := v.(string); ok && i < len(widths) {
				widths[i] = max(widths[i], utf8.RuneCountInString(s))
			}
		}
		if style != 0 {
			end, _ := excelize.CoordinatesToCellName(len(vals), r)
			if err := f.SetCellStyle(name, cell, end, style); err != nil {
				return fmt.Errorf("annotate %s: sheet %s: row %d: style: %w", an.doc, name, r, err)
			}
		}
		return nil
	}
	// where links a Where cell to the place it names.
	where := func(p Problem) error {
		sheet, ok := an.sheetOf(p.Sheet)
		if !ok {
			return nil
		}
		target := "A1"
		switch {
		case p.Cell != "":
			if c, rr, err := excelize.CellNameToCoordinates(p.Cell); err == nil {
				target, _ = excelize.CoordinatesToCellName(c, rr)
			}
		case p.Row > 0:
			target = fmt.Sprintf("A%d", p.Row)
		}
		cell := fmt.Sprintf("A%d", r)
		loc := "'" + strings.ReplaceAll(sheet, "'", "''") + "'!" + target
		if err := f.SetCellHyperLink(name, cell, loc, "Location"); err != nil {
			return fmt.Errorf("annotate %s: sheet %s: cell %s: link to %s: %w", an.doc, name, cell, loc, err)
		}
		if err := f.SetCellStyle(name, cell, cell, link); err != nil {
			return fmt.Errorf("annotate %s: sheet %s: cell %s: style: %w", an.doc, name, cell, err)
		}
		return nil
	}

	steps := []func() error{
		func() error { return put(bold, "Document", an.doc) },
		func() error { return put(0, "Orders accepted", a.Orders) },
		func() error { return put(0, "Orders refused", a.Refused) },
		func() error { return put(0, "Rows with problems", len(rowsWithProblems)) },
		func() error { return put(0, "Rows skipped", len(a.Skipped)) },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	r++ // a blank row
	if err := put(bold, "Where", "Column", "Problem"); err != nil {
		return err
	}
	if len(a.Problems) == 0 {
		if err := put(0, "", "", "No problems."); err != nil {
			return err
		}
	}
	for _, p := range a.Problems {
		if err := put(0, p.Where(), p.Column, p.Msg); err != nil {
			return err
		}
		if err := where(p); err != nil {
			return err
		}
	}
	if len(a.Skipped) > 0 {
		r++
		if err := put(bold, "Where", "Why"); err != nil {
			return err
		}
		for _, p := range a.Skipped {
			if err := put(0, p.Where(), p.Msg); err != nil {
				return err
			}
			if err := where(p); err != nil {
				return err
			}
		}
	}
	for i, wd := range []float64{annWidth(widths[0], 12, 40), annWidth(widths[1], 12, 50), annWidth(widths[2], 20, 100)} {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(name, col, col, wd); err != nil {
			return fmt.Errorf("annotate %s: sheet %s: column %s: width: %w", an.doc, name, col, err)
		}
	}

	// First: MoveSheet reorders the sheets but leaves the sheet-scoped
	// defined names (print areas, filters) with their old positions, which
	// now each name the sheet before: they move one on, as their sheets did.
	if err := f.MoveSheet(name, an.sheets[0]); err != nil {
		return fmt.Errorf("annotate %s: make %s the first sheet: %w", an.doc, name, err)
	}
	if wb := f.WorkBook; wb != nil {
		if wb.DefinedNames != nil {
			for i := range wb.DefinedNames.DefinedName {
				if id := wb.DefinedNames.DefinedName[i].LocalSheetID; id != nil {
					n := *id + 1
					wb.DefinedNames.DefinedName[i].LocalSheetID = &n
				}
			}
		}
		if wb.BookViews != nil {
			for i := range wb.BookViews.WorkBookView {
				wb.BookViews.WorkBookView[i].FirstSheet = 0
			}
		}
	}
	f.SetActiveSheet(0)
	if got := f.GetActiveSheetIndex(); got != 0 {
		return fmt.Errorf("annotate %s: make %s the active sheet: it is sheet %d", an.doc, name, got)
	}
	return nil
}

// annWidth is a column width for text of n characters, within [lo, hi].
func annWidth(n int, lo, hi float64) float64 {
	return min(max(float64(n)*1.1+2, lo), hi)
}

// annAppendNew appends s unless the list has it.
func annAppendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
