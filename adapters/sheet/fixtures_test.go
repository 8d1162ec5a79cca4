package sheet

import (
	"archive/zip"
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

var updateFixtures = flag.Bool("update-fixtures", false, "rebuild the binary fixtures (xlsx, GBK and UTF-16 CSV) under testdata/sheets")

// fixtures are the inputs that are not plain text: built here so that they
// can be rebuilt and read as code. TestFixturesCurrent checks the files
// under testdata match.
var fixtures = map[string]func(t *testing.T) []byte{
	"chinese_gbk.csv": func(t *testing.T) []byte {
		text := "订单号,商品编码,品名,数量,单价,交货日期,门店\r\n" +
			"CN-7001,BEV-1001,可乐,24,2.15,2026-12-01,SH-01\r\n" +
			"CN-7001,BEV-1006,苏打水,12,1.09,2026-12-01,SH-01\r\n"
		b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		return b
	},
	"utf16_tab.csv": func(t *testing.T) []byte {
		text := "PO\tSKU\tQty\r\nU16-1\tBEV-1001\t6\r\n"
		b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		return b
	},
	// Chinese headers under a title and a blank row, one order per
	// store, dates as Excel serials, a total row, a Notes sheet first.
	"chinese.xlsx": func(t *testing.T) []byte {
		return workbook(t, false, func(f *excelize.File) {
			f.SetSheetName("Sheet1", "说明")
			f.SetCellValue("说明", "A1", "请在订单表中填写")
			f.NewSheet("订单")
			rows := [][]any{
				{"华东饮料订货单"},
				{},
				{"订单号", "商品编码", "品名", "数量", "单价", "交货日期", "门店"},
				{"CN-8001", "BEV-1001", "可乐", 24, 2.15, 46357, "SH-01"},
				{"CN-8001", "BEV-1002", "零度可乐", 48, 2.15, 46357, "SH-01"},
				{"CN-8001", "BEV-1001", "可乐", 12, 2.15, 46357, "SH-02"},
				{"合计", nil, nil, 84},
			}
			setRows(t, f, "订单", rows)
		})
	},
	// Merged header cells, a formula with its cached value, two orders,
	// numbers stored as text, a GTIN kept as text.
	"merged_formulas.xlsx": func(t *testing.T) []byte {
		return workbook(t, false, func(f *excelize.File) {
			f.SetSheetName("Sheet1", "Orders")
			rows := [][]any{
				{"Order", nil, "Item", nil, "Quantity", "Unit price", "Line total"},
				{"PO Number", "Order date", "SKU", "GTIN", "Qty", "Price", "Total"},
				{"MF-1", 46346, "BEV-1001", "0049000010015", "24", 2.15},
				{"MF-1", 46346, "BEV-1003", "0049000010039", 10, 1.99},
				{"MF-2", 46347, "BEV-1004", "", nil, 3.49},
			}
			setRows(t, f, "Orders", rows)
			f.MergeCell("Orders", "A1", "B1")
			f.MergeCell("Orders", "C1", "D1")
			for _, r := range []string{"3", "4", "5"} {
				f.SetCellFormula("Orders", "G"+r, "E"+r+"*F"+r)
			}
			f.SetCellFormula("Orders", "E5", "2*3") // a quantity computed: its cached value is read
		}, map[string]string{"E3*F3": "51.6", "E4*F4": "19.9", "E5*F5": "20.94", "2*3": "6"})
	},
	// A header block above the table, 1904 date system, Dutch headers,
	// decimal commas in text cells.
	"block_1904.xlsx": func(t *testing.T) []byte {
		return workbook(t, true, func(f *excelize.File) {
			f.SetSheetName("Sheet1", "Bestelling")
			rows := [][]any{
				{"Bestelformulier Noordwest"},
				{"PO: NW-88120"},
				{"Leverdatum", 44895},
				{"Filiaal", "0031"},
				{},
				{"Artikelnummer", "Omschrijving", "Aantal", "Prijs"},
				{"BEV-1001", "Cola", 24, "0,78"},
				{"BEV-1006", "Spa citroen", 12, "1,09"},
			}
			setRows(t, f, "Bestelling", rows)
		})
	},
}

func setRows(t *testing.T, f *excelize.File, sheet string, rows [][]any) {
	for i, r := range rows {
		for j, v := range r {
			if v == nil {
				continue
			}
			ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellValue(sheet, ref, v); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// workbook builds an xlsx. cached gives formulas their cached values (the
// value Excel stores beside a formula), which excelize does not write.
func workbook(t *testing.T, date1904 bool, build func(f *excelize.File), cached ...map[string]string) []byte {
	f := excelize.NewFile()
	build(f)
	if date1904 {
		yes := true
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if len(cached) == 0 {
		return buf.Bytes()
	}
	return rewriteParts(t, buf.Bytes(), func(name string, b []byte) []byte {
		if !strings.HasPrefix(name, "xl/worksheets/") {
			return b
		}
		s := string(b)
		for formula, v := range cached[0] {
			s = strings.ReplaceAll(s, "<f>"+formula+"</f>", "<f>"+formula+"</f><v>"+v+"</v>")
		}
		return []byte(s)
	})
}

// TestFixturesCurrent rebuilds the fixtures under -update-fixtures, and
// otherwise checks that they exist.
func TestFixturesCurrent(t *testing.T) {
	for name, build := range fixtures {
		path := filepath.Join("testdata", "sheets", name)
		if *updateFixtures {
			if err := os.WriteFile(path, build(t), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%v: run go test ./adapters/sheet -run TestFixturesCurrent -update-fixtures", err)
		}
	}
}

// rewriteParts rewrites the parts of a zip package.
func rewriteParts(t *testing.T, data []byte, edit func(name string, b []byte) []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		w, err := zw.Create(zf.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(edit(zf.Name, b))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
