package order

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// validOrder is an order that passes every rule; each test case breaks one.
func validOrder() *Order {
	p := decimal.RequireFromString("2.15")
	return &Order{
		PONumber: "4500012345", Purpose: PurposeOriginal, OrderType: TypeStandalone,
		OrderDate: "2026-11-20", Currency: "USD",
		RequestedDeliveryDate: "2026-12-01", RequestedShipDate: "2026-11-25", CancelAfter: "2026-12-10",
		References: []Reference{{Qualifier: "DP", Value: "042"}},
		Parties:    []Party{{Role: RoleShipTo, ID: "0007"}, {Role: RoleBillTo, ID: "0001"}},
		Lines: []Line{
			{LineNo: "1", SKU: "SKU-1001", GTIN: "012345678905", Quantity: decimal.NewFromInt(24), UOM: "EA", UnitPrice: &p},
			{LineNo: "2", BuyerItem: "88001", Quantity: decimal.RequireFromString("1.5")},
		},
	}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(o *Order)
		want   []string // every problem, "path: message"; none means valid
	}{
		{"valid", func(o *Order) {}, nil},
		{"free goods from a sender", func(o *Order) { o.Lines[1].Promotion, o.Lines[1].FreeOf = "P1", []string{"1"} },
			[]string{"lines[1].promotion: set by orderhub on the free goods it adds; leave it out",
				"lines[1].free_of: set by orderhub on the free goods it adds; leave it out"}},
		{"partner not required", func(o *Order) { o.Partner = "" }, nil},
		{"partner plausible", func(o *Order) { o.Partner = "BIG.RETAIL_01-x" }, nil},
		{"partner with space", func(o *Order) { o.Partner = "BIG RETAIL" },
			[]string{`partner: want 1-64 characters of A-Z a-z 0-9 _ . -, got "BIG RETAIL"`}},
		{"partner too long", func(o *Order) { o.Partner = strings.Repeat("A", 65) },
			[]string{`partner: want 1-64 characters of A-Z a-z 0-9 _ . -, got "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"… (65 characters)`}},

		{"po_number missing", func(o *Order) { o.PONumber = "" }, []string{"po_number: required"}},
		{"po_number blank", func(o *Order) { o.PONumber = "  \t" }, []string{"po_number: required, got only blanks"}},
		{"po_number long", func(o *Order) { o.PONumber = strings.Repeat("9", 65) }, []string{"po_number: at most 64 characters, got 65"}},
		{"po_number 64 runes", func(o *Order) { o.PONumber = strings.Repeat("é", 64) }, nil},
		{"po_number control", func(o *Order) { o.PONumber = "PO\x0712" }, []string{"po_number: control character U+0007 at character 3"}},
		{"po_number bad utf8", func(o *Order) { o.PONumber = "PO\xff" }, []string{"po_number: not valid UTF-8"}},

		{"purpose each", func(o *Order) { o.Purpose = PurposeReplace }, nil},
		{"purpose unknown", func(o *Order) { o.Purpose = "00" },
			[]string{`purpose: want one of original, cancel, replace, change; got "00"`}},

		{"order_type code", func(o *Order) { o.OrderType = "code:KN" }, nil},
		{"order_type code 3", func(o *Order) { o.OrderType = "code:A1b" }, nil},
		{"order_type code too long", func(o *Order) { o.OrderType = "code:ABCD" },
			[]string{`order_type: want one of standalone, dropship, release, blanket, rush, consigned, or code: and 1-3 letters or digits (code:SA); got "code:ABCD"`}},
		{"order_type empty code", func(o *Order) { o.OrderType = "code:" },
			[]string{`order_type: want one of standalone, dropship, release, blanket, rush, consigned, or code: and 1-3 letters or digits (code:SA); got "code:"`}},
		{"order_type raw code", func(o *Order) { o.OrderType = "SA" },
			[]string{`order_type: want one of standalone, dropship, release, blanket, rush, consigned, or code: and 1-3 letters or digits (code:SA); got "SA"`}},

		{"dates empty", func(o *Order) {
			o.OrderDate, o.RequestedDeliveryDate, o.RequestedShipDate, o.CancelAfter = "", "", "", ""
		}, nil},
		{"leap day", func(o *Order) { o.OrderDate = "2028-02-29" }, nil},
		{"not a leap day", func(o *Order) { o.OrderDate = "2026-02-29" },
			[]string{`order_date: want a calendar date YYYY-MM-DD, got "2026-02-29"`}},
		{"date format", func(o *Order) { o.RequestedDeliveryDate = "20261201" },
			[]string{`requested_delivery_date: want a calendar date YYYY-MM-DD, got "20261201"`}},
		{"date short month", func(o *Order) { o.RequestedShipDate = "2026-1-25" },
			[]string{`requested_ship_date: want a calendar date YYYY-MM-DD, got "2026-1-25"`}},
		{"date with time", func(o *Order) { o.CancelAfter = "2026-12-10T00:00:00Z" },
			[]string{`cancel_after: want a calendar date YYYY-MM-DD, got "2026-12-10T00:00:00Z"`}},
		{"ship after cancel", func(o *Order) { o.RequestedShipDate = "2026-12-11" },
			[]string{"requested_ship_date: 2026-12-11 is after cancel_after 2026-12-10"}},
		{"delivery after cancel", func(o *Order) { o.RequestedDeliveryDate = "2026-12-15" },
			[]string{"requested_delivery_date: 2026-12-15 is after cancel_after 2026-12-10"}},
		{"both after cancel", func(o *Order) { o.CancelAfter = "2026-11-01" },
			[]string{"requested_delivery_date: 2026-12-01 is after cancel_after 2026-11-01", "requested_ship_date: 2026-11-25 is after cancel_after 2026-11-01"}},
		{"ship on cancel day", func(o *Order) { o.RequestedShipDate = o.CancelAfter }, nil},
		{"no cancel_after", func(o *Order) { o.CancelAfter = ""; o.RequestedShipDate = "2030-01-01" }, nil},

		{"currency lower", func(o *Order) { o.Currency = "usd" },
			[]string{`currency: want a 3-letter ISO 4217 code such as USD, got "usd"`}},
		{"currency symbol", func(o *Order) { o.Currency = "$" },
			[]string{`currency: want a 3-letter ISO 4217 code such as USD, got "$"`}},

		{"reference incomplete", func(o *Order) { o.References = append(o.References, Reference{Qualifier: "IA"}, Reference{Value: "7"}) },
			[]string{"references[1].value: required", "references[2].qualifier: required"}},

		{"party role unknown", func(o *Order) { o.Parties[1].Role = "ST" },
			[]string{`parties[1].role: want one of ship_to, bill_to, buyer, supplier, sold_to, ship_from; got "ST"`}},
		{"party role missing", func(o *Order) { o.Parties[1].Role = "" },
			[]string{"parties[1].role: required: one of ship_to, bill_to, buyer, supplier, sold_to, ship_from"}},
		{"party role twice", func(o *Order) { o.Parties = append(o.Parties, Party{Role: RoleShipTo}) },
			[]string{"parties[2].role: a second ship_to party: parties[0] is ship_to already"}},

		{"no lines", func(o *Order) { o.Lines = nil }, []string{"lines: at least one line is required (only a cancel may have none)"}},
		{"cancel without lines", func(o *Order) { o.Lines = nil; o.Purpose = PurposeCancel }, nil},
		{"too many lines", func(o *Order) {
			o.Lines = make([]Line, MaxLines+1)
			for i := range o.Lines {
				o.Lines[i] = Line{LineNo: fmt.Sprint(i + 1), SKU: "A", Quantity: decimal.NewFromInt(1)}
			}
		}, []string{"lines: at most 10000 lines, got 10001"}},

		{"line_no missing", func(o *Order) { o.Lines[1].LineNo = "" }, []string{"lines[1].line_no: required"}},
		{"line_no duplicate", func(o *Order) { o.Lines = append(o.Lines, Line{LineNo: "1", SKU: "X", Quantity: dec("1")}) },
			[]string{`lines[2].line_no: "1" is also the line_no of lines[0]`}},

		{"quantity zero", func(o *Order) { o.Lines[0].Quantity = decimal.Decimal{} }, []string{`lines[0].quantity: must be > 0, got "0"`}},
		{"quantity negative", func(o *Order) { o.Lines[1].Quantity = dec("-3") }, []string{`lines[1].quantity: must be > 0, got "-3"`}},
		{"quantity zero on a deleted line", func(o *Order) { o.Lines[0].Quantity = decimal.Decimal{}; o.Lines[0].Change = "delete" }, nil},
		{"quantity negative on a deleted line", func(o *Order) { o.Lines[0].Quantity = dec("-1"); o.Lines[0].Change = "delete" },
			[]string{`lines[0].quantity: must be >= 0, got "-1"`}},
		{"quantity 4 places", func(o *Order) { o.Lines[0].Quantity = dec("1.2345") }, nil},
		{"quantity trailing zeros", func(o *Order) { o.Lines[0].Quantity = dec("1.23450000") }, nil},
		{"quantity 5 places", func(o *Order) { o.Lines[0].Quantity = dec("1.23456") },
			[]string{`lines[0].quantity: at most 4 decimal places, got "1.23456"`}},

		{"unit_price zero", func(o *Order) { z := dec("0"); o.Lines[0].UnitPrice = &z }, nil},
		{"unit_price negative", func(o *Order) { z := dec("-0.01"); o.Lines[0].UnitPrice = &z },
			[]string{`lines[0].unit_price: must be >= 0, got "-0.01"`}},
		{"unit_price 6 places", func(o *Order) { z := dec("0.123456"); o.Lines[0].UnitPrice = &z }, nil},
		{"unit_price 7 places", func(o *Order) { z := dec("0.1234567"); o.Lines[0].UnitPrice = &z },
			[]string{`lines[0].unit_price: at most 6 decimal places, got "0.1234567"`}},

		{"uom ok", func(o *Order) { o.Lines[0].UOM = "PK" }, nil},
		{"uom digits", func(o *Order) { o.Lines[0].UOM = "P4" }, nil},
		{"uom lower", func(o *Order) { o.Lines[0].UOM = "ea" },
			[]string{`lines[0].uom: want 1-3 uppercase letters or digits such as EA, CA, PK, LB, KG; got "ea"`}},
		{"uom long", func(o *Order) { o.Lines[0].UOM = "EACH" },
			[]string{`lines[0].uom: want 1-3 uppercase letters or digits such as EA, CA, PK, LB, KG; got "EACH"`}},

		{"item only item_ids", func(o *Order) {
			o.Lines[1].BuyerItem = ""
			o.Lines[1].ItemIDs = ItemIDs{{"UP", "012345678905"}}
		}, nil},
		{"no item", func(o *Order) { o.Lines[1].BuyerItem = "" }, []string{"lines[1]: no item: give sku, gtin, buyer_item or item_ids"}},
		{"item_ids all blank", func(o *Order) { o.Lines[1].BuyerItem = ""; o.Lines[1].ItemIDs = ItemIDs{{"UP", ""}} },
			[]string{"lines[1]: no item: give sku, gtin, buyer_item or item_ids"}},

		{"gtin 8", func(o *Order) { o.Lines[0].GTIN = "96385074" }, nil},
		{"gtin 13", func(o *Order) { o.Lines[0].GTIN = "4006381333931" }, nil},
		{"gtin 14", func(o *Order) { o.Lines[0].GTIN = "10012345678902" }, nil},
		{"gtin check digit", func(o *Order) { o.Lines[0].GTIN = "012345678904" },
			[]string{"lines[0].gtin: check digit should be 5, got 4"}},
		{"gtin length", func(o *Order) { o.Lines[0].GTIN = "12345" },
			[]string{`lines[0].gtin: want 8, 12, 13 or 14 digits, got "12345"`}},
		{"gtin letters", func(o *Order) { o.Lines[0].GTIN = "01234567890A" },
			[]string{`lines[0].gtin: want 8, 12, 13 or 14 digits, got "01234567890A"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := validOrder()
			tt.change(o)
			got := problemStrings(t, o.Validate())
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func problemStrings(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %T %v, want *ValidationError", err, err)
	}
	var out []string
	for _, p := range ve.Problems {
		out = append(out, p.String())
	}
	if err.Error() != strings.Join(out, "; ") {
		t.Errorf("Error() = %q, want the problems joined", err.Error())
	}
	return out
}

func TestValidateNil(t *testing.T) {
	var o *Order
	if err := o.Validate(); err == nil {
		t.Fatal("nil order validated")
	}
}

// TestValidateManyProblems decodes an order with a problem in nearly every
// field and checks that all of them are reported at once.
func TestValidateManyProblems(t *testing.T) {
	data, err := os.ReadFile("testdata/validate/many.json")
	if err != nil {
		t.Fatal(err)
	}
	o, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	verr := o.Validate()
	if verr == nil {
		t.Fatal("valid")
	}
	got := problemStrings(t, verr)
	golden(t, "testdata/validate/many.golden", []byte(strings.Join(got, "\n")+"\n"))
	if len(got) < 20 {
		t.Errorf("only %d problems", len(got))
	}
}

func TestCheckGTIN(t *testing.T) {
	// Check digits from GS1's own examples and real products.
	for _, g := range []string{"96385074", "036000291452", "4006381333931", "5901234123457", "00012345600012", "10012345678902"} {
		if msg := checkGTIN(g); msg != "" {
			t.Errorf("%s: %s", g, msg)
		}
	}
	if msg := checkGTIN("5901234123458"); msg != "check digit should be 7, got 8" {
		t.Errorf("got %q", msg)
	}
}

func TestGTINShaped(t *testing.T) {
	for g, want := range map[string]bool{
		"12345670": true, "012345678905": true, "4006381333931": true, "10012345678902": true,
		"": false, "1234567": false, "123456789": false, "123456789012345": false, "40063813339X1": false, "4006381 33931": false,
	} {
		if got := GTINShaped(g); got != want {
			t.Errorf("GTINShaped(%q) = %v, want %v", g, got, want)
		}
	}
}
