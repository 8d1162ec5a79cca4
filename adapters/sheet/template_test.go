package sheet

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/orderhub/orderhub/adapters/format"
)

// The template carries the catalog as a drop-down and the MOQ check, and a
// template filled in reads back as orders with no profile.
func TestTemplate(t *testing.T) {
	items := []TemplateItem{
		{SKU: "BEV-1001", Description: "COLA 12OZ", UOM: "EA", MOQ: decimal.NewFromInt(24), PackSize: decimal.NewFromInt(24)},
		{SKU: "BEV-1002", Description: "COLA ZERO 12OZ", UOM: "EA", MOQ: decimal.NewFromInt(1), PackSize: decimal.NewFromInt(24)},
	}
	var buf bytes.Buffer
	if err := WriteTemplate(&buf, "SHOP", items); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	dvs, err := f.GetDataValidations("Orders")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, dv := range dvs {
		kinds = append(kinds, dv.Type+" "+dv.Sqref+" "+dv.Formula1)
	}
	all := strings.Join(kinds, "\n")
	for _, want := range []string{"list E2:E1000 Items!$A$2:$A$3", "custom G2:G1000", "VLOOKUP(E2,Items!$A$2:$C$3,3,FALSE)", "date B2:C1000"} {
		if !strings.Contains(all, want) {
			t.Errorf("validations lack %q:\n%s", want, all)
		}
	}
	if v, _ := f.GetCellValue("Items", "A3"); v != "BEV-1002" {
		t.Errorf("Items!A3 = %q", v)
	}

	// Filled in by a distributor.
	f.SetCellValue("Orders", "A2", "TPL-1")
	f.SetCellValue("Orders", "B2", 46346)
	f.SetCellValue("Orders", "D2", "0012")
	f.SetCellValue("Orders", "E2", "BEV-1001")
	f.SetCellValue("Orders", "G2", 48)
	var filled bytes.Buffer
	if err := f.Write(&filled); err != nil {
		t.Fatal(err)
	}
	_, orders, errs := render(t, &Format{}, "orders-SHOP.xlsx", filled.Bytes(), format.Doc{})
	if len(errs) > 0 || len(orders) != 1 {
		t.Fatalf("%d orders, %v", len(orders), errs)
	}
	o := orders[0]
	if o.PONumber != "TPL-1" || o.OrderDate != "2026-11-20" || o.Lines[0].SKU != "BEV-1001" || o.Lines[0].Quantity.String() != "48" || o.Parties[0].ID != "0012" {
		t.Errorf("order %+v", o)
	}
}
