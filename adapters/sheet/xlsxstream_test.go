package sheet

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestTextRuns(t *testing.T) {
	for in, want := range map[string]string{
		`<c t="inlineStr"><is><t>Cola</t></is></c>`:                             "Cola",
		`<c t="inlineStr"><is><t xml:space="preserve"> a &amp; b </t></is></c>`: " a & b ",
		`<c t="inlineStr"><is><r><t>Co</t></r><r><rPr/><t>la</t></r></is></c>`:  "Cola",
		`<c t="inlineStr"><is><t/></is></c>`:                                    "",
		`<c t="inlineStr"><is><t>unclosed`:                                      "",
	} {
		if got := textRuns([]byte(in)); got != want {
			t.Errorf("textRuns(%s) = %q, want %q", in, got, want)
		}
	}
}

// sheetBook is a workbook holding one worksheet part with the XML given.
func sheetBook(t testing.TB, xml []byte) *book {
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	w.Write(xml)
	zw.Close()
	zr, err := zip.NewReader(bytes.NewReader(zbuf.Bytes()), int64(zbuf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return &book{zr: zr, shared: []string{"s0", "s1"}}
}

// scanned renders what scanSheet reads: "n: cell|cell" per row, the text
// numbers' columns, then the merges.
func scanned(t testing.TB, b *book) (string, error) {
	var out strings.Builder
	merges, err := b.scanSheet("xl/worksheets/sheet1.xml", func(r *row) error {
		fmt.Fprintf(&out, "%d: %s", r.num, strings.Join(r.cells, "|"))
		if len(r.textNums) > 0 {
			fmt.Fprintf(&out, " text numbers %v", r.textNums)
		}
		out.WriteString("\n")
		return nil
	})
	for _, m := range merges {
		fmt.Fprintf(&out, "merge %v\n", m)
	}
	return out.String(), err
}

func TestScanSheet(t *testing.T) {
	for _, tt := range []struct{ name, xml, want string }{
		{"cells by reference, shared, inline, formula, boolean",
			`<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>x &amp; y</t></is></c></row>` +
				`<row r="2"><c r="A2"><v>1.5</v></c><c r="B2" t="str"><f>A1</f><v>y</v></c><c r="C2" t="b"><v>1</v></c><c r="D2" t="inlineStr"><is><t>1.234</t></is></c></row></sheetData></worksheet>`,
			"1: s1||x & y\n2: 1.5|y|TRUE|1.234 text numbers [3]\n"},
		{"rows without numbers count on; a self-closing row; cells without references follow on",
			`<sheetData><row><c><v>1</v></c><c><v>2</v></c></row><row r="4"/><row><c r="B5"><v>3</v></c><c><v>4</v></c></row></sheetData>`,
			"1: 1|2\n4: \n5: |3|4\n"},
		{"after the rows: rowBreaks is not a row, merges are read",
			`<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData><mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells><rowBreaks count="1"><brk id="1"/></rowBreaks>`,
			"1: 1\nmerge {1 1 2 2}\n"},
		{"a <v> with attributes; a <c> with nothing in it",
			`<sheetData><row r="1"><c r="A1" s="1"/><c r="B1"><v xml:space="preserve">7</v></c></row></sheetData>`,
			"1: |7\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := scanned(t, sheetBook(t, []byte(tt.xml)))
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v\nwant %q", got, err, tt.want)
			}
		})
	}
}

// Rows cross the scanner's chunks, and a row larger than a chunk is read
// whole.
func TestScanSheetChunks(t *testing.T) {
	var x bytes.Buffer
	x.WriteString("<sheetData>")
	const n = 30000
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&x, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>PO-%d</t></is></c><c r="B%d"><v>%d</v></c></row>`, i, i, i, i, i)
	}
	big := strings.Repeat("z", 3<<20)
	fmt.Fprintf(&x, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c></row>`, n+1, n+1, big)
	x.WriteString(`</sheetData><mergeCells><mergeCell ref="A1:A2"/></mergeCells>`)
	rows := 0
	merges, err := sheetBook(t, x.Bytes()).scanSheet("xl/worksheets/sheet1.xml", func(r *row) error {
		rows++
		switch {
		case r.num != rows:
			return fmt.Errorf("row %d numbered %d", rows, r.num)
		case r.num <= n && (r.cells[0] != fmt.Sprintf("PO-%d", r.num) || r.cells[1] != fmt.Sprint(r.num)):
			return fmt.Errorf("row %d: %q", r.num, r.cells)
		case r.num > n && r.cells[0] != big:
			return fmt.Errorf("the large row: %d bytes", len(r.cells[0]))
		}
		return nil
	})
	if err != nil || rows != n+1 || len(merges) != 1 {
		t.Errorf("%d rows, merges %v, %v", rows, merges, err)
	}
	// Cut short: a row without its end is an error, not a silent stop.
	cut := x.Bytes()[:x.Len()/2]
	if _, err := sheetBook(t, cut).scanSheet("xl/worksheets/sheet1.xml", func(*row) error { return nil }); err == nil {
		t.Error("a sheet cut inside a row: no error")
	}
}

// FuzzSheetXML throws arbitrary bytes at the worksheet scanner: no panic,
// and every row it hands out has a number and its text numbers' columns
// are among its cells.
func FuzzSheetXML(f *testing.F) {
	f.Add([]byte(`<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>x</t></is></c></row><row r="3"/></sheetData>`))
	f.Add([]byte(`<row><c><v>1.5</v></c><c t="b"><v>1</v></c><c t="str"><f>A1</f><v>y</v></c></row>`))
	f.Add([]byte(`<row r="2"><c r="ZZZ9" t="inlineStr"><is><r><t>a</t></r></is></c></row>`))
	f.Add([]byte(`<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData><mergeCells><mergeCell ref="A1:B2"/></mergeCells>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b := sheetBook(t, data)
		_, _ = b.scanSheet("xl/worksheets/sheet1.xml", func(r *row) error {
			for _, c := range r.textNums {
				if c < 0 || c >= len(r.cells) {
					t.Fatalf("text number column %d of %d cells", c, len(r.cells))
				}
			}
			return nil
		})
		var r row
		for _, el := range bytes.SplitAfter(data, []byte("</row>")) {
			r.cells, r.textNums = r.cells[:0], r.textNums[:0]
			_ = b.rowCells(el, &r)
			_ = textRuns(el)
			_, _, _ = b.cellValue([]byte("s"), el)
			_, _, _ = b.cellValue(nil, el)
		}
	})
}
