package sheet

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/sheets")

// render reads a document and writes what it yields: one canonical order
// per line, refusals as "error: ...".
func render(t testing.TB, f *Format, name string, data []byte, doc format.Doc) (string, []*order.Order, []error) {
	t.Helper()
	if doc.Name == "" {
		doc.Name = name
	}
	var b strings.Builder
	var orders []*order.Order
	var errs []error
	for o, err := range f.Read(context.Background(), bytes.NewReader(data), doc) {
		if err != nil {
			errs = append(errs, err)
			b.WriteString("error: " + err.Error() + "\n")
			continue
		}
		js, err := order.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		orders = append(orders, o)
		b.Write(js)
		b.WriteString("\n")
	}
	return b.String(), orders, errs
}

// profilesFrom loads partner profiles from YAML text.
func profilesFrom(t testing.TB, yml string) *mappings.Profiles {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "p.yaml"), []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := mappings.LoadProfiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/sheets/*")
	for _, path := range files {
		if strings.HasSuffix(path, ".golden") || strings.HasSuffix(path, ".yaml") {
			continue
		}
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f := &Format{}
			doc := format.Doc{Transport: "file"}
			// A profile beside the input (name.yaml) is the partner's.
			if yml, err := os.ReadFile(path + ".yaml"); err == nil {
				f.Profiles = profilesFrom(t, string(yml))
				doc.Partner = "P"
			}
			got, orders, _ := render(t, f, name, data, doc)
			for _, o := range orders {
				if err := o.Validate(); err != nil {
					t.Errorf("PO %s does not validate: %v", o.PONumber, err)
				}
			}
			golden := path + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if got != string(want) {
				t.Errorf("differs from %s\n--- got\n%s--- want\n%s", golden, got, want)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	f := &Format{}
	for _, tt := range []struct {
		head string
		want bool
	}{
		{"PK\x03\x04rest", true},
		{"PO,SKU,Qty\n1,2,3\n", true},
		{"\xef\xbb\xbfPO;SKU;Qty\n", true},
		{"PO\tSKU\n", true},
		{"hello", false},
		{`{"po_number":"1"}`, false},
		{"ISA*00*", false},
		{"UNA:+.? '", false},
		{"", false},
	} {
		if got := f.Detect([]byte(tt.head)); got != tt.want {
			t.Errorf("Detect(%q) = %v, want %v", tt.head, got, tt.want)
		}
	}
}

func TestErrorsAreLocated(t *testing.T) {
	data, err := os.ReadFile("testdata/sheets/errors.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, orders, errs := render(t, &Format{}, "errors.csv", data, format.Doc{})
	if len(orders) != 1 || orders[0].PONumber != "GOOD-1" {
		t.Errorf("orders %v", orders)
	}
	var oe *OrderError
	found := map[string]bool{}
	for _, err := range errs {
		if errors.As(err, &oe) {
			found[oe.PO] = true
		}
	}
	if !found["BAD-1"] || !found["BAD-2"] {
		t.Errorf("refused %v", found)
	}
	all := ""
	for _, err := range errs {
		all += err.Error() + "\n"
	}
	for _, want := range []string{"errors.csv!C3: Qty: want a number", "errors.csv!6: no item on the row", "errors.csv!A2: PO: the PO number is empty"} {
		if !strings.Contains(all, want) {
			t.Errorf("errors lack %q:\n%s", want, all)
		}
	}
}

// A workbook whose XML uses a namespace prefix (<x:row>), as some
// generators write it, is still read.
func TestPrefixedWorkbook(t *testing.T) {
	data := fixtures["merged_formulas.xlsx"](t)
	prefixed := rewriteParts(t, data, func(name string, b []byte) []byte {
		if !strings.HasPrefix(name, "xl/worksheets/") {
			return b
		}
		s := string(b)
		for _, tag := range []string{"row", "c", "v", "f", "sheetData", "worksheet", "mergeCells", "mergeCell", "dimension", "sheetViews", "sheetView", "sheetFormatPr"} {
			s = strings.ReplaceAll(s, "<"+tag+" ", "<x:"+tag+" ")
			s = strings.ReplaceAll(s, "<"+tag+">", "<x:"+tag+">")
			s = strings.ReplaceAll(s, "</"+tag+">", "</x:"+tag+">")
		}
		s = strings.Replace(s, `xmlns="`, `xmlns:x="`, 1)
		return []byte(s)
	})
	_, orders, errs := render(t, &Format{}, "prefixed.xlsx", prefixed, format.Doc{})
	if len(orders) != 2 || len(errs) > 0 {
		t.Errorf("%d orders, %v", len(orders), errs)
	}
}

// In a workbook, 1.234 in a number cell is the number; "1.234" typed as
// text follows the partner's conventions, which the data cannot settle.
func TestNumberTypedAsText(t *testing.T) {
	data := workbook(t, false, func(f *excelize.File) {
		setRows(t, f, "Sheet1", [][]any{
			{"PO", "SKU", "Qty"},
			{"N-1", "BEV-1001", 1.234},
			{"N-2", "BEV-1002", "1.234"},
		})
	})
	_, orders, errs := render(t, &Format{}, "typed.xlsx", data, format.Doc{})
	if len(orders) != 1 || orders[0].PONumber != "N-1" || orders[0].Lines[0].Quantity.String() != "1.234" {
		t.Errorf("orders %v", orders)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "Sheet1!C3") {
		t.Errorf("errors %v", errs)
	}
}

// A PO merged down over its lines belongs to each of them.
func TestMergedCellsFill(t *testing.T) {
	data := workbook(t, false, func(f *excelize.File) {
		setRows(t, f, "Sheet1", [][]any{
			{"PO", "SKU", "Qty"},
			{"M-1", "BEV-1001", 2},
			{nil, "BEV-1002", 3},
			{"M-2", "BEV-1003", 4},
		})
		f.MergeCell("Sheet1", "A2", "A3")
	})
	_, orders, errs := render(t, &Format{}, "merged.xlsx", data, format.Doc{})
	if len(errs) > 0 || len(orders) != 2 || len(orders[0].Lines) != 2 || orders[1].PONumber != "M-2" {
		t.Fatalf("orders %v, errors %v", orders, errs)
	}
	ts, err := xlsxTables(data, "merged.xlsx", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := ts[0].scan(func(*row) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if m := ts[0].merges; !ts[0].mergesKnown || len(m) != 1 || m[0] != (mergeRange{2, 1, 3, 1}) {
		t.Errorf("merges %v", m)
	}
}

// With all_or_nothing in the profile, one bad row refuses every order.
func TestAllOrNothing(t *testing.T) {
	f := &Format{Profiles: profilesFrom(t, "partner: P\nsheet:\n  all_or_nothing: true\n")}
	csv := "PO,SKU,Qty\nA-1,BEV-1001,2\nB-1,BEV-1002,x\n"
	_, orders, errs := render(t, f, "aon.csv", []byte(csv), format.Doc{Partner: "P"})
	if len(orders) != 0 || len(errs) != 2 {
		t.Fatalf("%d orders, errors %v", len(orders), errs)
	}
	if !strings.Contains(errs[0].Error()+errs[1].Error(), "aon.csv!2: refused with the rest of the document") {
		t.Errorf("errors %v", errs)
	}
	if _, orders, _ := render(t, &Format{}, "aon.csv", []byte(csv), format.Doc{}); len(orders) != 1 {
		t.Errorf("without the profile: %d orders", len(orders))
	}
}

// Rows of one PO apart from each other still make one order, handed on in
// the order the POs first come; rows in order make one order at a time.
func TestRowsOfAnOrderApart(t *testing.T) {
	csv := "PO,SKU,Qty\nA-1,BEV-1001,1\nB-1,BEV-1002,2\nA-1,BEV-1003,3\nC-1,BEV-1004,4\nB-1,BEV-1005,5\n"
	_, orders, errs := render(t, &Format{}, "apart.csv", []byte(csv), format.Doc{})
	if len(errs) > 0 || len(orders) != 3 {
		t.Fatalf("%d orders, errors %v", len(orders), errs)
	}
	var got []string
	for _, o := range orders {
		var skus []string
		for _, l := range o.Lines {
			skus = append(skus, l.SKU)
		}
		got = append(got, o.PONumber+":"+strings.Join(skus, "+"))
	}
	if want := "A-1:BEV-1001+BEV-1003 B-1:BEV-1002+BEV-1005 C-1:BEV-1004"; strings.Join(got, " ") != want {
		t.Errorf("got %s, want %s", strings.Join(got, " "), want)
	}
}

// Blank and total rows, and columns not understood, are told to the
// caller's Note with their place: they refuse nothing.
func TestNotes(t *testing.T) {
	csv := "PO,SKU,Qty,Kleur\nA-1,BEV-1001,1,rood\n,,,\nTotal,,1,\nB-1,BEV-1002,2,blauw\n"
	var notes []string
	doc := format.Doc{Note: func(pos, msg string) { notes = append(notes, pos+": "+msg) }}
	_, orders, errs := render(t, &Format{}, "notes.csv", []byte(csv), doc)
	if len(errs) > 0 || len(orders) != 2 {
		t.Fatalf("%d orders, errors %v", len(orders), errs)
	}
	want := []string{
		"notes.csv!1: columns not understood, ignored: Kleur",
		"notes.csv!3: blank row skipped",
		`notes.csv!4: total row skipped ("Total")`,
	}
	if strings.Join(notes, "\n") != strings.Join(want, "\n") {
		t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(notes, "\n"), strings.Join(want, "\n"))
	}
}

// Merged ranges are listed after a sheet's rows. Where they shape the
// header (a two-level header whose single columns are merged down over
// both rows), the layout and the survey are done again with them filled.
func TestMergedTwoLevelHeader(t *testing.T) {
	data := workbook(t, false, func(f *excelize.File) {
		setRows(t, f, "Sheet1", [][]any{
			{"PO", "Item", nil, "Qty", "Ship to"},
			{nil, "SKU", "GTIN", nil, nil},
			{"H-1", "BEV-1001", "8710000000017", 2, "ST-1"},
			{"H-1", "BEV-1002", "8710000000024", 3, nil},
			{"H-2", "BEV-1003", "8710000000031", 4, "ST-2"},
		})
		for _, r := range [][2]string{{"A1", "A2"}, {"B1", "C1"}, {"D1", "D2"}, {"E1", "E2"}} {
			if err := f.MergeCell("Sheet1", r[0], r[1]); err != nil {
				t.Fatal(err)
			}
		}
	})
	_, orders, errs := render(t, &Format{}, "twolevel.xlsx", data, format.Doc{})
	if len(errs) > 0 || len(orders) != 2 {
		t.Fatalf("%d orders, errors %v", len(orders), errs)
	}
	if o := orders[0]; o.PONumber != "H-1" || len(o.Lines) != 2 || o.Lines[1].GTIN != "8710000000024" || o.Parties[0].ID != "ST-1" {
		t.Errorf("first order %+v", o)
	}
	if o := orders[1]; o.PONumber != "H-2" || o.Parties[0].ID != "ST-2" {
		t.Errorf("second order %+v", o)
	}
}
