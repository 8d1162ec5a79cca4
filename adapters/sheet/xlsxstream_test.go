package sheet

import (
	"archive/zip"
	"bytes"
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

// FuzzSheetXML throws arbitrary bytes at the worksheet scanner: no panic,
// and every row it hands out has a number.
func FuzzSheetXML(f *testing.F) {
	f.Add([]byte(`<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>x</t></is></c></row><row r="3"/></sheetData>`))
	f.Add([]byte(`<row><c><v>1.5</v></c><c t="b"><v>1</v></c><c t="str"><f>A1</f><v>y</v></c></row>`))
	f.Add([]byte(`<row r="2"><c r="ZZZ9" t="inlineStr"><is><r><t>a</t></r></is></c></row>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var zbuf bytes.Buffer
		zw := zip.NewWriter(&zbuf)
		w, _ := zw.Create("xl/worksheets/sheet1.xml")
		w.Write(data)
		zw.Close()
		zr, err := zip.NewReader(bytes.NewReader(zbuf.Bytes()), int64(zbuf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		b := &book{zr: zr, shared: []string{"s0"}}
		_ = b.readRows("xl/worksheets/sheet1.xml", func(n int, cells []string, nums []int) error {
			for _, c := range nums {
				if c < 0 || c >= len(cells) {
					t.Fatalf("text number column %d of %d cells", c, len(cells))
				}
			}
			return nil
		})
		var cells []string
		var nums []int
		for _, el := range bytes.SplitAfter(data, []byte("</row>")) {
			cells, nums = cells[:0], nums[:0]
			_ = b.rowCells(el, &cells, &nums)
			_ = textRuns(el)
			_, _ = b.cellValue(el)
		}
	})
}
