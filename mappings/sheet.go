package mappings

import (
	"slices"
	"strings"
)

// SheetProfile is how a partner's spreadsheets (xlsx, CSV) are laid out,
// where the automatic reading needs telling:
//
//	sheet:
//	  sheet: Orders              # the sheet to read (default: every sheet with an order table)
//	  header_row: 3              # the header's row number (default: found among the first 30)
//	  columns:                   # canonical field: the partner's header, on top of the built-in aliases
//	    quantity: Bestelde hoeveelheid
//	    sku: Art.nr.
//	  decimal: comma             # comma or point (default: decided per column from the data)
//	  dates: day_first           # day_first or month_first, for 03/04/2026 (default: refuse what is ambiguous)
//	  date_layouts: ["02.01.2006"]  # Go time layouts tried first
//	  defaults: {currency: EUR, ship_to: "0012"}
//	  all_or_nothing: false      # true: one bad row refuses the whole document
type SheetProfile struct {
	Sheet        string            `yaml:"sheet"`
	HeaderRow    int               `yaml:"header_row"`
	Columns      map[string]string `yaml:"columns"`
	Decimal      string            `yaml:"decimal"`
	Dates        string            `yaml:"dates"`
	DateLayouts  []string          `yaml:"date_layouts"`
	Defaults     map[string]string `yaml:"defaults"`
	AllOrNothing bool              `yaml:"all_or_nothing"`
}

// SheetFields are the canonical fields a sheet's columns can fill, the
// names the profile's columns and defaults use.
var SheetFields = []string{
	"po_number", "order_date", "currency", "requested_delivery_date", "requested_ship_date", "cancel_after",
	"ship_to", "ship_to_name", "address", "city", "region", "postal_code", "country", "notes",
	"line_no", "sku", "gtin", "buyer_item", "description", "quantity", "uom", "unit_price",
}

func (s *SheetProfile) validate(add func(path, format string, args ...any)) {
	if s.HeaderRow < 0 {
		add("sheet.header_row", "want a row number from 1, or 0 to find it, got %d", s.HeaderRow)
	}
	for f := range s.Columns {
		if !slices.Contains(SheetFields, f) {
			add("sheet.columns."+f, "unknown field (known: %s)", strings.Join(SheetFields, ", "))
		}
	}
	for f := range s.Defaults {
		if !slices.Contains(SheetFields, f) {
			add("sheet.defaults."+f, "unknown field (known: %s)", strings.Join(SheetFields, ", "))
		}
	}
	if d := strings.ToLower(s.Decimal); d != "" && d != "comma" && d != "point" {
		add("sheet.decimal", `want "comma" or "point", got %q`, s.Decimal)
	}
	if d := strings.ToLower(s.Dates); d != "" && d != "day_first" && d != "month_first" {
		add("sheet.dates", `want "day_first" or "month_first", got %q`, s.Dates)
	}
}
