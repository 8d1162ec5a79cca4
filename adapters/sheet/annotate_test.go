package sheet

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

const annPriceFmt = `#,##0.00 "EUR"`

// annPartnerXLSX is a partner's workbook: a merged title row, the header
// on row 2, a price column with its own number format, a date column,
// five order rows and a totals row, a comment of the partner's, a print
// area, and a second sheet before and after which nothing should move.
func annPartnerXLSX(t *testing.T, extraSheets ...string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "Orders"))
	_, err := f.NewSheet("Notes")
	must(err)
	for _, s := range extraSheets {
		_, err := f.NewSheet(s)
		must(err)
	}
	rows := [][]any{
		{"Northwind purchase order"},
		{"PO", "SKU", "Qty", "Price", "Delivery"},
		{"4500001", "A-100", 10, 12.5, 45500},
		{"4500001", "A-200", "ten", -3.25, 45500},
		{"4500002", "", 4, 1234.5, 45501},
		{"4500003", "B-7", "", 99, 45502},
		{"4500004", "C-9", 2, 0.99, 45503},
		{"Total", "", "", 1343.74},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		must(f.SetSheetRow("Orders", cell, &r))
	}
	must(f.MergeCell("Orders", "A1", "D1"))
	price, err := f.NewStyle(&excelize.Style{CustomNumFmt: annPtr(annPriceFmt)})
	must(err)
	must(f.SetCellStyle("Orders", "D3", "D8", price))
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	must(f.SetCellStyle("Orders", "E3", "E7", date))
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Italic: true}, Border: []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}}})
	must(err)
	must(f.SetCellStyle("Orders", "A2", "E2", head))
	must(f.AddComment("Orders", excelize.Comment{Cell: "C6", Author: "buyer", Text: "ask Jo"}))
	must(f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: "Orders!$A$1:$E$8", Scope: "Orders"}))
	must(f.SetSheetRow("Notes", "A1", &[]any{"Deliver to dock 4", 42}))
	var b bytes.Buffer
	must(f.Write(&b))
	return b.Bytes()
}

func annPtr[T any](v T) *T { return &v }

// annOpen annotates doc and opens the result.
func annOpen(t testing.TB, doc []byte, name string, a *Annotations) *excelize.File {
	t.Helper()
	var out bytes.Buffer
	if err := Annotate(&out, doc, name, a); err != nil {
		t.Fatalf("Annotate: %v", err)
	}
	f, err := excelize.OpenReader(&out)
	if err != nil {
		t.Fatalf("open the annotated workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// annStyle is a cell's style as excelize reads it back.
func annStyle(t testing.TB, f *excelize.File, sheet, cell string) *excelize.Style {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, cell, err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatalf("%s!%s: style %d: %v", sheet, cell, id, err)
	}
	return st
}

// annFill is a cell's solid fill colour, "" for none.
func annFill(t testing.TB, f *excelize.File, sheet, cell string) string {
	t.Helper()
	st := annStyle(t, f, sheet, cell)
	if st.Fill.Type != "pattern" || st.Fill.Pattern != 1 || len(st.Fill.Color) == 0 {
		return ""
	}
	c := strings.ToUpper(st.Fill.Color[0])
	return c[max(0, len(c)-6):]
}

func annComments(t testing.TB, f *excelize.File, sheet string) map[string]excelize.Comment {
	t.Helper()
	cmts, err := f.GetComments(sheet)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]excelize.Comment{}
	for _, c := range cmts {
		m[c.Cell] = c
	}
	return m
}

func annCommentText(c excelize.Comment) string {
	s := c.Text
	for _, r := range c.Paragraph {
		s += r.Text
	}
	return s
}

func annValue(t testing.TB, f *excelize.File, sheet, cell string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, cell)
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, cell, err)
	}
	return v
}

// annSummaryRows reads the summary: its label → value block and its rows.
func annSummaryRows(t testing.TB, f *excelize.File) (map[string]string, [][]string) {
	t.Helper()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	kv := map[string]string{}
	for _, r := range rows {
		if len(r) == 2 {
			kv[r[0]] = r[1]
		}
	}
	return kv, rows
}

var annXLSXProblems = []Problem{
	{Sheet: "Orders", Row: 4, Cell: "C4", Column: "Qty", Msg: `quantity "ten" is not a number`},
	{Sheet: "Orders", Row: 4, Cell: "D4", Column: "Price", Msg: "negative price -3.25"},
	{Sheet: "Orders", Row: 5, Msg: "no item on the row: give a sku, gtin or buyer item"},
	{Sheet: "Orders", Row: 6, Cell: "C6", Column: "Qty", Msg: "no quantity"},
	{Sheet: "Orders", Row: 6, Cell: "C6", Column: "Qty", Msg: "quantity required for PO 4500003"},
	{Sheet: "Orders", Row: 0, Msg: `column "Colour" is not known`},
}

func TestAnnotateXLSX(t *testing.T) {
	doc := annPartnerXLSX(t)
	a := &Annotations{
		Problems: annXLSXProblems,
		Header:   map[string]int{"Orders": 2},
		Accepted: map[string][]int{"Orders": {3, 7, 6}}, // 6 has problems: they win
		Skipped:  []Problem{{Sheet: "Orders", Row: 8, Msg: `total row skipped ("Total")`}},
		Orders:   2,
		Refused:  2,
	}
	f := annOpen(t, doc, "northwind-po.xlsx", a)

	t.Run("summary first and active", func(t *testing.T) {
		if got := f.GetSheetList(); !slices.Equal(got, []string{"Summary", "Orders", "Notes"}) {
			t.Fatalf("sheets %q, want Summary, Orders, Notes", got)
		}
		if got := f.GetActiveSheetIndex(); got != 0 {
			t.Errorf("active sheet %d, want 0", got)
		}
		kv, rows := annSummaryRows(t, f)
		for label, want := range map[string]string{"Orders accepted": "2", "Orders refused": "2", "Rows with problems": "3", "Rows skipped": "1"} {
			if kv[label] != want {
				t.Errorf("summary %q = %q, want %q", label, kv[label], want)
			}
		}
		has := func(want ...string) bool {
			return slices.ContainsFunc(rows, func(r []string) bool { return slices.Equal(r, want) })
		}
		for _, p := range a.Problems {
			if !has(p.Where(), p.Column, p.Msg) && !has(p.Where(), "", p.Msg) {
				t.Errorf("summary lacks the problem %s", p)
			}
		}
		if !has("Where", "Column", "Problem") || !has("Where", "Why") {
			t.Errorf("summary lacks a table header: %q", rows)
		}
		if !has("Orders!8", `total row skipped ("Total")`) {
			t.Errorf("summary lacks the skipped row: %q", rows)
		}
		// Headers bold, places linked to their cells.
		for _, r := range []int{1, 7} {
			if st := annStyle(t, f, "Summary", fmt.Sprintf("A%d", r)); st.Font == nil || !st.Font.Bold {
				t.Errorf("Summary!A%d is not bold", r)
			}
		}
		if ok, loc, err := f.GetCellHyperLink("Summary", "A8"); err != nil || !ok || loc != "'Orders'!C4" {
			t.Errorf("Summary!A8 links to %q (%v, %v), want 'Orders'!C4", loc, ok, err)
		}
		if w, _ := f.GetColWidth("Summary", "C"); w < 40 {
			t.Errorf("the Problem column is %.1f wide", w)
		}
	})

	t.Run("bad cells", func(t *testing.T) {
		cmts := annComments(t, f, "Orders")
		for _, tc := range []struct {
			cell, comment, numFmt string
		}{
			{"C4", `quantity "ten" is not a number`, ""},
			{"D4", "negative price -3.25", annPriceFmt},
			{"C6", "ask Jo\norderhub:\nno quantity\nquantity required for PO 4500003", ""},
		} {
			if got := annFill(t, f, "Orders", tc.cell); got != annRed {
				t.Errorf("%s fill %q, want %s", tc.cell, got, annRed)
			}
			c, ok := cmts[tc.cell]
			if !ok {
				t.Errorf("%s has no comment", tc.cell)
				continue
			}
			if c.Author != annAuthor || annCommentText(c) != tc.comment {
				t.Errorf("%s comment by %q: %q, want by %q: %q", tc.cell, c.Author, annCommentText(c), annAuthor, tc.comment)
			}
			if tc.numFmt != "" {
				if st := annStyle(t, f, "Orders", tc.cell); st.CustomNumFmt == nil || *st.CustomNumFmt != tc.numFmt {
					t.Errorf("%s lost its number format: %v", tc.cell, st.CustomNumFmt)
				}
			}
		}
		if len(cmts) != 3 {
			t.Errorf("%d comments, want 3: %v", len(cmts), cmts)
		}
		for _, cell := range []string{"A4", "B5", "C3", "D3"} {
			if got := annFill(t, f, "Orders", cell); got != "" {
				t.Errorf("%s is filled %s", cell, got)
			}
		}
	})

	t.Run("problems column", func(t *testing.T) {
		for _, tc := range []struct {
			cell, text, fill string
		}{
			{"F2", "Problems", ""},
			{"F3", "accepted", annGreen},
			{"F4", `C4: quantity "ten" is not a number; D4: negative price -3.25`, annRed},
			{"F5", "no item on the row: give a sku, gtin or buyer item", annRed},
			{"F6", "C6: no quantity; C6: quantity required for PO 4500003", annRed},
			{"F7", "accepted", annGreen},
			{"F8", "", ""},
			{"F1", "", ""},
		} {
			if got := annValue(t, f, "Orders", tc.cell); got != tc.text {
				t.Errorf("%s = %q, want %q", tc.cell, got, tc.text)
			}
			if got := annFill(t, f, "Orders", tc.cell); got != tc.fill {
				t.Errorf("%s fill %q, want %q", tc.cell, got, tc.fill)
			}
		}
		st := annStyle(t, f, "Orders", "F2")
		if st.Font == nil || !st.Font.Bold || !st.Font.Italic || len(st.Border) == 0 {
			t.Errorf("the Problems header is not the header's style in bold: %+v %+v", st.Font, st.Border)
		}
	})

	t.Run("the partner's workbook kept", func(t *testing.T) {
		for cell, want := range map[string]string{"A1": "Northwind purchase order", "B2": "SKU", "C4": "ten", "A8": "Total", "B5": ""} {
			if got := annValue(t, f, "Orders", cell); got != want {
				t.Errorf("%s = %q, want %q", cell, got, want)
			}
		}
		if got := annValue(t, f, "Orders", "D5"); got != "1,234.50 EUR" {
			t.Errorf("D5 shows %q, want the number format's 1,234.50 EUR", got)
		}
		if st := annStyle(t, f, "Orders", "E3"); st.NumFmt != 14 {
			t.Errorf("E3 number format %d, want 14", st.NumFmt)
		}
		merges, err := f.GetMergeCells("Orders")
		if err != nil || len(merges) != 1 || merges[0].GetStartAxis() != "A1" || merges[0].GetEndAxis() != "D1" {
			t.Errorf("merged cells %v (%v), want A1:D1", merges, err)
		}
		names := f.GetDefinedName()
		if len(names) != 1 || names[0].Scope != "Orders" {
			t.Errorf("defined names %+v, want the print area of Orders", names)
		}
		if got, _ := f.GetRows("Notes"); !slices.Equal(got[0], []string{"Deliver to dock 4", "42"}) {
			t.Errorf("Notes %q", got)
		}
	})
}

func TestAnnotateSummaryName(t *testing.T) {
	for _, tc := range []struct {
		extra []string
		want  string
	}{
		{nil, "Summary"},
		{[]string{"summary"}, "Summary 2"},
		{[]string{"Summary", "Summary 2"}, "Summary 3"},
	} {
		f := annOpen(t, annPartnerXLSX(t, tc.extra...), "po.xlsx", &Annotations{Accepted: map[string][]int{"Orders": {3}}})
		if got := f.GetSheetList()[0]; got != tc.want {
			t.Errorf("with sheets %q: summary %q, want %q", tc.extra, got, tc.want)
		}
		if got := f.GetSheetName(f.GetActiveSheetIndex()); got != tc.want {
			t.Errorf("with sheets %q: active %q, want %q", tc.extra, got, tc.want)
		}
		if names := f.GetDefinedName(); len(names) != 1 || names[0].Scope != "Orders" {
			t.Errorf("with sheets %q: defined names %+v", tc.extra, names)
		}
		// No problems: the Problems column says only who was accepted.
		if got := annValue(t, f, "Orders", "F3"); got != "accepted" {
			t.Errorf("F3 = %q", got)
		}
	}
}

func TestAnnotateErrors(t *testing.T) {
	doc := annPartnerXLSX(t)
	for _, tc := range []struct {
		name string
		doc  []byte
		a    *Annotations
		want string
	}{
		{"unknown sheet", doc, &Annotations{Problems: []Problem{{Sheet: "Order", Row: 3, Cell: "A3", Msg: "m"}}}, `no sheet "Order"`},
		{"bad cell", doc, &Annotations{Problems: []Problem{{Sheet: "Orders", Row: 3, Cell: "3A", Msg: "m"}}}, `sheet Orders: cell "3A"`},
		{"bad row", doc, &Annotations{Accepted: map[string][]int{"Orders": {-1}}}, "sheet Orders: row -1"},
		{"not a workbook", []byte("PK\x03\x04garbage"), &Annotations{}, "open the workbook"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Annotate(&bytes.Buffer{}, tc.doc, "po.xlsx", tc.a)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "annotate po.xlsx: ") {
				t.Fatalf("error %v, want one about %q", err, tc.want)
			}
		})
	}
}

func TestAnnotatePlacement(t *testing.T) {
	build := func(t *testing.T, merge string) []byte {
		f := excelize.NewFile()
		defer f.Close()
		rows := [][]any{
			{"PO: 4711", "4711"},
			{"SKU", "Qty", "Price"},
			{"A-1", 1, 2.5},
			{"A-2", "", 3.5},
		}
		for i, r := range rows {
			if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &r); err != nil {
				t.Fatal(err)
			}
		}
		if merge != "" {
			from, to, _ := strings.Cut(merge, ":")
			if err := f.MergeCell("Sheet1", from, to); err != nil {
				t.Fatal(err)
			}
		}
		var b bytes.Buffer
		if err := f.Write(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	type mark struct{ cell, text, fill, comment string }
	for _, tc := range []struct {
		name     string
		merge    string
		problems []Problem
		want     []mark
	}{
		{"value above the table", "", []Problem{{Sheet: "Sheet1", Row: 3, Cell: "B1", Column: "PO", Msg: "bad PO"}},
			[]mark{{"B1", "4711", annRed, "bad PO"}, {"D3", "B1: bad PO", annRed, ""}, {"D2", "Problems", "", ""}}},
		{"merged cell", "B3:C4", []Problem{{Sheet: "Sheet1", Row: 4, Cell: "C4", Msg: "no price"}},
			// excelize reads every cell of a merged range as its top-left one
			[]mark{{"B3", "1", annRed, "no price"}, {"C4", "1", "", ""}, {"D4", "C4: no price", annRed, ""}}},
		{"merge across the header", "A2:F2", []Problem{{Sheet: "Sheet1", Row: 3, Msg: "row problem"}},
			[]mark{{"G2", "Problems", "", ""}, {"G3", "row problem", annRed, ""}}},
		{"cell beyond the data", "", []Problem{{Sheet: "Sheet1", Row: 4, Cell: "F4", Msg: "stray value expected"}},
			[]mark{{"G2", "Problems", "", ""}, {"F4", "", annRed, "stray value expected"}, {"G4", "F4: stray value expected", annRed, ""}}},
		{"problem on the header row", "", []Problem{{Sheet: "Sheet1", Row: 2, Cell: "C2", Msg: "unknown currency"}, {Sheet: "Sheet1", Row: 2, Msg: "two PO columns"}},
			[]mark{{"C2", "Price", annRed, "unknown currency"}, {"D2", "Problems", annRed, "C2: unknown currency\ntwo PO columns"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := annOpen(t, build(t, tc.merge), "po.xlsx", &Annotations{Problems: tc.problems, Header: map[string]int{"Sheet1": 2}})
			cmts := annComments(t, f, "Sheet1")
			for _, m := range tc.want {
				if got := annValue(t, f, "Sheet1", m.cell); got != m.text {
					t.Errorf("%s = %q, want %q", m.cell, got, m.text)
				}
				if got := annFill(t, f, "Sheet1", m.cell); got != m.fill {
					t.Errorf("%s fill %q, want %q", m.cell, got, m.fill)
				}
				if got := annCommentText(cmts[m.cell]); got != m.comment {
					t.Errorf("%s comment %q, want %q", m.cell, got, m.comment)
				}
				if st := annStyle(t, f, "Sheet1", m.cell); m.text == "Problems" && (st.Font == nil || !st.Font.Bold) {
					t.Errorf("the Problems header %s is not bold", m.cell)
				}
			}
		})
	}
}
