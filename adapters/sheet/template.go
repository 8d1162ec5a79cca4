package sheet

import (
	"fmt"
	"io"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// TemplateItem is a catalog item an order template offers.
type TemplateItem struct {
	SKU, Description, UOM string
	MOQ, PackSize         decimal.Decimal
}

// WriteTemplate writes an order template for a partner: an Orders sheet
// whose headers this package reads back without a profile, the SKU column a
// drop-down of the catalog, quantities restricted to whole numbers no
// smaller than the item's MOQ, date columns formatted as dates; and an
// Items sheet listing the catalog the drop-down and the check read from.
func WriteTemplate(w io.Writer, partner string, items []TemplateItem) error {
	f := excelize.NewFile()
	defer f.Close()
	const orders, list = "Orders", "Items"
	if err := f.SetSheetName("Sheet1", orders); err != nil {
		return err
	}
	if _, err := f.NewSheet(list); err != nil {
		return err
	}
	headers := []any{"PO Number", "Order Date", "Delivery Date", "Ship To", "SKU", "Description", "Quantity", "UOM"}
	if err := f.SetSheetRow(orders, "A1", &headers); err != nil {
		return err
	}
	if err := f.SetSheetRow(list, "A1", &[]any{"SKU", "Description", "MOQ", "Pack size", "UOM"}); err != nil {
		return err
	}
	for i, it := range items {
		moq, _ := it.MOQ.Float64()
		pack, _ := it.PackSize.Float64()
		row := []any{it.SKU, it.Description, moq, pack, it.UOM}
		if err := f.SetSheetRow(list, fmt.Sprintf("A%d", i+2), &row); err != nil {
			return err
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	f.SetCellStyle(orders, "A1", "H1", bold)
	f.SetCellStyle(list, "A1", "E1", bold)
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14, CustomNumFmt: ptr("yyyy-mm-dd")})
	if err != nil {
		return err
	}
	const last = 1000 // rows prepared for entry
	f.SetCellStyle(orders, "B2", fmt.Sprintf("C%d", last), date)
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": PO numbers and stores keep their zeros
	if err != nil {
		return err
	}
	f.SetCellStyle(orders, "A2", fmt.Sprintf("A%d", last), text)
	f.SetCellStyle(orders, "D2", fmt.Sprintf("E%d", last), text)
	for i, wd := range []float64{14, 12, 14, 10, 14, 32, 10, 8} {
		col, _ := excelize.ColumnNumberToName(i + 1)
		f.SetColWidth(orders, col, col, wd)
	}
	f.SetColWidth(list, "B", "B", 32)
	n := len(items) + 1
	if len(items) > 0 {
		sku := excelize.NewDataValidation(true)
		sku.Sqref = fmt.Sprintf("E2:E%d", last)
		sku.SetSqrefDropList(fmt.Sprintf("%s!$A$2:$A$%d", list, n))
		sku.SetError(excelize.DataValidationErrorStyleStop, "Unknown item", "Pick an item from the list (the Items sheet).")
		if err := f.AddDataValidation(orders, sku); err != nil {
			return err
		}
		qty := excelize.NewDataValidation(true)
		qty.Sqref = fmt.Sprintf("G2:G%d", last)
		qty.Type = "custom"
		qty.Formula1 = fmt.Sprintf("<formula1>AND(INT(G2)=G2,G2>=IFERROR(VLOOKUP(E2,%s!$A$2:$C$%d,3,FALSE),1))</formula1>", list, n)
		qty.SetError(excelize.DataValidationErrorStyleStop, "Quantity", "A whole number, at least the item's minimum order quantity (MOQ on the Items sheet).")
		if err := f.AddDataValidation(orders, qty); err != nil {
			return err
		}
	}
	dates := excelize.NewDataValidation(true)
	dates.Sqref = fmt.Sprintf("B2:C%d", last)
	if err := dates.SetRange("2000-01-01", "2099-12-31", excelize.DataValidationTypeDate, excelize.DataValidationOperatorBetween); err == nil {
		dates.SetError(excelize.DataValidationErrorStyleStop, "Date", "A date such as 2026-11-20.")
		f.AddDataValidation(orders, dates)
	}
	f.SetCellValue(list, "G1", "Order template for "+partner)
	f.SetActiveSheet(0)
	return f.Write(w)
}

func ptr[T any](v T) *T { return &v }
