package sheet

import (
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestAnnotateCSV(t *testing.T) {
	for _, tc := range []struct {
		name, file, sheet string
		doc               string
	}{
		{"semicolons, BOM, quotes", "po_4711.csv", "po_4711",
			"\xEF\xBB\xBFPO;SKU;Qty;Note\r\n4711;0042;3;\"ship \"\"asap\"\"; dock 4\"\r\n4711;0043;x;\r\n4712;0044;1;=SUM(A1)\r\n"},
		{"tabs, forbidden name", "[PO]: north*?.tsv", "_PO__ north__",
			"PO\tSKU\tQty\tNote\n4711\t0042\t3\tship \"asap\"; dock 4\n4711\t0043\tx\t\n4712\t0044\t1\t=SUM(A1)\n"},
		{"UTF-16", "a very long partner file name, longer than Excel allows.csv", "a very long partner file name,",
			string(annUTF16LE("PO,SKU,Qty,Note\r\n4711,0042,3,\"ship \"\"asap\"\"; dock 4\"\r\n4711,0043,x,\r\n4712,0044,1,=SUM(A1)\r\n"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &Annotations{
				Problems: []Problem{
					{Sheet: tc.file, Row: 3, Cell: "C3", Column: "Qty", Msg: `quantity "x" is not a number`},
					{Sheet: tc.file, Row: 0, Msg: "no delivery date column"},
				},
				Accepted: map[string][]int{tc.file: {2, 4}},
				Orders:   1, Refused: 1,
			}
			f := annOpen(t, []byte(tc.doc), tc.file, a)
			if got := f.GetSheetList(); !slices.Equal(got, []string{"Summary", tc.sheet}) {
				t.Fatalf("sheets %q, want Summary, %q", got, tc.sheet)
			}
			rows, err := f.GetRows(tc.sheet)
			if err != nil {
				t.Fatal(err)
			}
			want := [][]string{
				{"PO", "SKU", "Qty", "Note", "Problems"},
				{"4711", "0042", "3", `ship "asap"; dock 4`, "accepted"},
				{"4711", "0043", "x", "", `C3: quantity "x" is not a number`},
				{"4712", "0044", "1", "=SUM(A1)", "accepted"},
			}
			if !slices.EqualFunc(rows, want, slices.Equal) {
				t.Errorf("rows\n%q\nwant\n%q", rows, want)
			}
			if ct, _ := f.GetCellType(tc.sheet, "B2"); ct != excelize.CellTypeSharedString {
				t.Errorf("B2 is not text: %v", ct)
			}
			if fm, _ := f.GetCellFormula(tc.sheet, "D4"); fm != "" {
				t.Errorf("D4 became a formula %q", fm)
			}
			if got := annFill(t, f, tc.sheet, "C3"); got != annRed {
				t.Errorf("C3 fill %q", got)
			}
			if got := annFill(t, f, tc.sheet, "E2"); got != annGreen {
				t.Errorf("E2 fill %q", got)
			}
			if c := annComments(t, f, tc.sheet)["C3"]; c.Author != annAuthor || annCommentText(c) != `quantity "x" is not a number` {
				t.Errorf("C3 comment %+v", c)
			}
			kv, srows := annSummaryRows(t, f)
			if kv["Rows with problems"] != "1" || kv["Orders accepted"] != "1" {
				t.Errorf("summary %v", kv)
			}
			if !slices.ContainsFunc(srows, func(r []string) bool { return slices.Equal(r, []string{tc.file, "", "no delivery date column"}) }) {
				t.Errorf("summary lacks the sheet problem: %q", srows)
			}
		})
	}
}

func annUTF16LE(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, r := range s { // ASCII only here
		b = append(b, byte(r), 0)
	}
	return b
}

func TestAnnSheetName(t *testing.T) {
	for in, want := range map[string]string{
		"orders.csv":                      "orders",
		"in/2024/orders.TSV":              "orders",
		`C:\drop\po.txt`:                  "po",
		"po.2024.05.csv":                  "po.2024.05",
		"[a]:b*c?.csv":                    "_a__b_c_",
		"'quoted'.csv":                    "quoted",
		".csv":                            "Sheet1",
		"history.csv":                     "history_",
		"orders":                          "orders",
		strings.Repeat("x", 40) + ".csv":  strings.Repeat("x", 31),
		strings.Repeat("x", 30) + "😀.csv": strings.Repeat("x", 30),
	} {
		if got := annSheetName(in); got != want {
			t.Errorf("annSheetName(%q) = %q, want %q", in, got, want)
		}
	}
}
