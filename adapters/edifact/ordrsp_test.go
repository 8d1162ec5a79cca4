package edifact

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
)

func odec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func odecp(s string) *decimal.Decimal {
	d := odec(s)
	return &d
}

// ordrspTestOrder is a three-line EANCOM order from a cash-and-carry
// retailer as the pipeline leaves it when everything ships from WH-EAST at
// the PO's prices: two GTIN lines counted in pieces and one weighed line
// without a GTIN.
func ordrspTestOrder() *order.Order {
	return &order.Order{
		ID: "ord_01JTEST0000000000000000002", Partner: "METRO", PONumber: "PO-77812",
		Purpose: order.PurposeOriginal, OrderType: order.TypeStandalone,
		OrderDate: "2026-11-20", Currency: "EUR", RequestedShipDate: "2026-11-25",
		Parties: []order.Party{
			{Role: order.RoleBuyer, ID: "4012345000009", IDQualifier: "9"},
			{Role: order.RoleSupplier, ID: "4098765000010", IDQualifier: "9"},
			{Role: order.RoleShipTo, ID: "4012345000023"},
		},
		Lines: []order.Line{
			{LineNo: "1", SKU: "SKU-1001", GTIN: "4000862141404", BuyerItem: "88001",
				ItemIDs:  order.ItemIDs{{Qualifier: "IN", ID: "88001"}, {Qualifier: "SA", ID: "SKU-1001"}, {Qualifier: "SRV", ID: "4000862141404"}},
				Quantity: odec("24"), UOM: "PCE", UnitPrice: odecp("2.15")},
			{LineNo: "2", SKU: "SKU-1002", GTIN: "4000862141411", Quantity: odec("10"), UOM: "PCE", UnitPrice: odecp("14.50")},
			{LineNo: "3", SKU: "SKU-1003", BuyerItem: "88003", Quantity: odec("2.5"), UOM: "KGM", UnitPrice: odecp("3.80")},
		},
		Source: &order.Source{Format: "edifact", Document: "ORDERS_1.edi", Interchange: "815", Transaction: "1",
			Syntax: "UNOC:3", ServiceChars: ":+.? '", MessageVersion: "D:96A:UN:EAN008", Sender: "14:4012345000009", Recipient: "ORDERHUB"},
		Status: order.StatusRouted,
		Allocations: []order.Allocation{
			{LineNo: "1", Warehouse: "WH-EAST", Quantity: odec("24")},
			{LineNo: "2", Warehouse: "WH-EAST", Quantity: odec("10")},
			{LineNo: "3", Warehouse: "WH-EAST", Quantity: odec("2.5")},
		},
		Pricing: &order.Pricing{Lines: []order.PricedLine{
			{LineNo: "1", UnitPrice: odec("2.15"), ListPrice: odec("2.15")},
			{LineNo: "2", UnitPrice: odec("14.50"), ListPrice: odec("14.50")},
			{LineNo: "3", UnitPrice: odec("3.80"), ListPrice: odec("4.00"),
				Adjustments: []order.Adjustment{{Kind: "tier", Rule: "key_account_5pct", Amount: odec("-0.20")}}},
		}, Subtotal: odec("190.00"), DiscountTotal: odec("0.50"), Total: odec("189.50")},
		Route: &order.Route{Warehouse: "WH-EAST", Topic: "fulfilment.WH-EAST", ShipDate: "2026-11-24"},
	}
}

var ordrspTestCases = []struct {
	name  string
	sep   Separators
	edit  func(o *order.Order)
	bgm   string   // BGM 1225
	lines []string // LIN to the next LIN, joined by spaces, unescaped
}{
	{"shipped", DefaultSeparators, func(*order.Order) {}, "29", []string{
		"LIN+1+5+4000862141404:EN PIA+1+SKU-1001:SA+88001:IN QTY+21:24",
		"LIN+2+5+4000862141411:EN PIA+1+SKU-1002:SA QTY+21:10",
		"LIN+3+5 PIA+5+SKU-1003:SA+88003:IN QTY+21:2.5:KGM",
	}},
	{"backordered", DefaultSeparators, func(o *order.Order) {
		o.Status = order.StatusBackordered
		o.Allocations = []order.Allocation{
			{LineNo: "1", Warehouse: "WH-EAST", Quantity: odec("19")},
			{LineNo: "3", Warehouse: "WH-WEST", Quantity: odec("2.5")},
		}
		o.Backorders = []order.Backorder{{LineNo: "1", Quantity: odec("5")}, {LineNo: "2", Quantity: odec("10")}}
	}, "4", []string{
		"LIN+1+3+4000862141404:EN PIA+1+SKU-1001:SA+88001:IN QTY+21:24 QTY+113:19 QTY+83:5",
		"LIN+2+3+4000862141411:EN PIA+1+SKU-1002:SA QTY+21:10 QTY+113:0 QTY+83:10",
		"LIN+3+5 PIA+5+SKU-1003:SA+88003:IN QTY+21:2.5:KGM",
	}},
	{"price_differs", DefaultSeparators, func(o *order.Order) {
		o.Pricing.Lines[0].UnitPrice = odec("2.05")
		o.Pricing.Lines[0].POPriceMismatch = true
	}, "4", []string{
		"LIN+1+3+4000862141404:EN PIA+1+SKU-1001:SA+88001:IN QTY+21:24 PRI+AAA:2.05",
		"LIN+2+5+4000862141411:EN PIA+1+SKU-1002:SA QTY+21:10",
		"LIN+3+5 PIA+5+SKU-1003:SA+88003:IN QTY+21:2.5:KGM",
	}},
	{"quantity_cut", DefaultSeparators, func(o *order.Order) {
		// 20 of 24 allocated and the rest neither allocated nor
		// backordered; line 2 not served at all; line 3 rounded.
		o.Allocations = []order.Allocation{{LineNo: "1", Warehouse: "WH-EAST", Quantity: odec("20")}, {LineNo: "3", Warehouse: "WH-EAST", Quantity: odec("3")}}
		o.Outcomes = []order.LineOutcome{{LineNo: "3", Outcome: order.OutcomeQuantityChanged, Quantity: odec("3"), UOM: "KGM", Reason: "rounded to whole kilograms"}}
	}, "4", []string{
		"LIN+1+3+4000862141404:EN PIA+1+SKU-1001:SA+88001:IN QTY+21:24 QTY+113:20",
		"LIN+2+7+4000862141411:EN PIA+1+SKU-1002:SA QTY+21:10",
		"LIN+3+3 PIA+5+SKU-1003:SA+88003:IN QTY+21:2.5:KGM QTY+113:3:KGM",
	}},
	{"rejected", DefaultSeparators, func(o *order.Order) {
		o.Status = order.StatusRejected
		o.Allocations, o.Pricing, o.Route = nil, nil, nil
		o.Problems = []order.Problem{{Path: "lines[2].sku", Message: `"SKU-1003" is not in the catalog`}}
	}, "27", []string{
		"LIN+1+7+4000862141404:EN PIA+1+SKU-1001:SA+88001:IN QTY+21:24",
		"LIN+2+7+4000862141411:EN PIA+1+SKU-1002:SA QTY+21:10",
		"LIN+3+7 PIA+5+SKU-1003:SA+88003:IN QTY+21:2.5:KGM",
	}},
	{"free_goods", DefaultSeparators, func(o *order.Order) {
		// Buy X get Y: two free for line 1, one shipped, one waiting.
		o.Status = order.StatusBackordered
		o.Lines = append(o.Lines, order.Line{LineNo: "1-F", SKU: "SKU-1001", GTIN: "4000862141404",
			Quantity: odec("2"), UOM: "PCE", Promotion: "COLA-10-1", FreeOf: []string{"1"}})
		o.Allocations = append(o.Allocations, order.Allocation{LineNo: "1-F", Warehouse: "WH-EAST", Quantity: odec("1")})
		o.Backorders = []order.Backorder{{LineNo: "1-F", Quantity: odec("1")}}
		o.Pricing.Lines = append(o.Pricing.Lines, order.PricedLine{LineNo: "1-F", UnitPrice: odec("0"), ListPrice: odec("2.15")})
	}, "4", []string{
		"LIN+1+5+4000862141404:EN PIA+1+SKU-1001:SA+88001:IN QTY+21:24",
		"LIN+2+5+4000862141411:EN PIA+1+SKU-1002:SA QTY+21:10",
		"LIN+3+5 PIA+5+SKU-1003:SA+88003:IN QTY+21:2.5:KGM",
		"LIN+4+1+4000862141404:EN PIA+1+SKU-1001:SA QTY+192:2 QTY+113:1 QTY+83:1",
	}},
	{"cancel", DefaultSeparators, func(o *order.Order) {
		o.Purpose, o.Status = order.PurposeCancel, order.StatusApplied
		o.Allocations, o.Pricing, o.Route = nil, nil, nil
		for _, l := range o.Lines {
			o.Outcomes = append(o.Outcomes, order.LineOutcome{LineNo: l.LineNo, Outcome: order.OutcomeDeleted, UOM: l.UOM})
		}
	}, "29", []string{
		"LIN+1+5+4000862141404:EN PIA+1+SKU-1001:SA+88001:IN QTY+21:24 QTY+113:0",
		"LIN+2+5+4000862141411:EN PIA+1+SKU-1002:SA QTY+21:10 QTY+113:0",
		"LIN+3+5 PIA+5+SKU-1003:SA+88003:IN QTY+21:2.5:KGM QTY+113:0:KGM",
	}},
	{"decimal_comma", Separators{Component: ':', Element: '+', Decimal: ',', Release: '?', Segment: '\''}, func(o *order.Order) {
		o.Status = order.StatusBackordered
		o.Allocations[2].Quantity = odec("1.75")
		o.Backorders = []order.Backorder{{LineNo: "3", Quantity: odec("0.75")}}
		o.Pricing.Lines[2].POPriceMismatch = true
	}, "4", []string{
		"LIN+1+5+4000862141404:EN PIA+1+SKU-1001:SA+88001:IN QTY+21:24",
		"LIN+2+5+4000862141411:EN PIA+1+SKU-1002:SA QTY+21:10",
		"LIN+3+3 PIA+5+SKU-1003:SA+88003:IN QTY+21:2,5:KGM QTY+113:1,75:KGM QTY+83:0,75:KGM PRI+AAA:3,8",
	}},
	{"una_release", Separators{Component: ':', Element: '+', Decimal: '.', Release: '!', Segment: '\''}, func(o *order.Order) {
		// A delivery party known by name only, whose name holds service
		// characters, and an item number with a component separator.
		o.Parties[2] = order.Party{Role: order.RoleShipTo, Name: "GROOT MARKT+CO! DEPOT 'NOORD'", Address: []string{"HAVENSTRAAT 1:3"},
			City: "ROTTERDAM", PostalCode: "3011 AA", Country: "NL"}
		o.Lines[1].SKU = "SKU:1002"
	}, "29", []string{
		"LIN+1+5+4000862141404:EN PIA+1+SKU-1001:SA+88001:IN QTY+21:24",
		"LIN+2+5+4000862141411:EN PIA+1+SKU:1002:SA QTY+21:10", // unescaped
		"LIN+3+5 PIA+5+SKU-1003:SA+88003:IN QTY+21:2.5:KGM",
	}},
}

func ordrspTestEnvelope() ReplyEnvelope {
	return ReplyEnvelope{Syntax: "UNOC", SyntaxVersion: "3", Sender: "ORDERHUB",
		Recipient: "4012345000009", RecipientQualifier: "14", Control: 42, Time: wtTime}
}

func writeORDRSPTestCase(t *testing.T, o *order.Order, sep Separators, opts ORDRSPOptions) []byte {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return wtTime }
	}
	var buf bytes.Buffer
	if err := WriteORDRSPInterchange(NewWriter(&buf, sep, WithLineBreak("\n")), ordrspTestEnvelope(), []*order.Order{o}, opts); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWriteORDRSPGolden(t *testing.T) {
	for _, tc := range ordrspTestCases {
		t.Run(tc.name, func(t *testing.T) {
			o := ordrspTestOrder()
			tc.edit(o)
			got := writeORDRSPTestCase(t, o, tc.sep, ORDRSPOptions{})
			checkAnswerGolden(t, "ordrsp", tc.name+".edi", got)

			// What the golden file must say, checked apart from it: the
			// lines in a form that does not depend on the separators.
			segs := wtSegments(t, got, tc.sep)
			wtCheckEnvelopes(t, segs)
			var lines []string
			lins := 0
			for _, s := range segs {
				text := joinSegment(s, DefaultSeparators)
				switch tag := s[0][0]; {
				case tag == "BGM":
					if s[3][0] != tc.bgm {
						t.Errorf("BGM %s, want 1225 %s", text, tc.bgm)
					}
				case tag == "LIN":
					lines = append(lines, text)
					lins++
				case tag == "UNS" || tag == "UNT":
					continue
				case tag == "CNT":
					if want := "CNT+2:" + itoa(lins); text != want {
						t.Errorf("%s, want %s", text, want)
					}
				case len(lines) > 0 && lins > 0 && (tag == "PIA" || tag == "QTY" || tag == "PRI"):
					lines[len(lines)-1] += " " + text
				}
			}
			if strings.Join(lines, "\n") != strings.Join(tc.lines, "\n") {
				t.Errorf("lines\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(tc.lines, "\n"))
			}
		})
	}
}

func TestWriteORDRSPHeader(t *testing.T) {
	o := ordrspTestOrder()
	var buf bytes.Buffer
	w := NewWriter(&buf, DefaultSeparators, WithLineBreak("\n"))
	if err := WriteORDRSP(w, o, ORDRSPOptions{Now: func() time.Time { return wtTime }, Number: func(*order.Order) string { return "42" }}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"BGM+231+42+29'",
		"DTM+137:20261120:102'",
		"DTM+11:20261124:102'", // the route's ship date
		"RFF+ON:PO-77812'",
		"DTM+171:20261120:102'",
		"NAD+BY+4012345000009::9'",
		"NAD+SU+4098765000010::9'",
		"NAD+DP+4012345000023::9'", // a GLN without an agency: 9
		"CUX+2:EUR:9'",
	}
	got := strings.Split(buf.String(), "\n")
	if len(got) < len(want) || strings.Join(got[:len(want)], "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant it to start with\n%s", buf.String(), strings.Join(want, "\n"))
	}
}

func TestWriteORDRSPOptions(t *testing.T) {
	tests := []struct {
		name string
		edit func(*order.Order)
		opts ORDRSPOptions
		want string // must be there
		not  string // must not be there
	}{
		{"requested ship date without a route's", func(o *order.Order) { o.Route = nil }, ORDRSPOptions{}, "DTM+11:20261125:102'", ""},
		{"no ship date known", func(o *order.Order) { o.Route, o.RequestedShipDate = nil, "" }, ORDRSPOptions{}, "RFF+ON:PO-77812'", "DTM+11"},
		{"ship date option", func(*order.Order) {}, ORDRSPOptions{ShipDate: func(*order.Order) string { return "2026-12-24" }}, "DTM+11:20261224:102'", ""},
		{"rejected: no ship date", func(o *order.Order) { o.Status = order.StatusRejected }, ORDRSPOptions{}, "BGM+231+PO-77812+27'", "DTM+11"},
		{"no order date", func(o *order.Order) { o.OrderDate = "" }, ORDRSPOptions{}, "RFF+ON:PO-77812'NAD+BY", "DTM+171"},
		{"no currency", func(o *order.Order) { o.Currency = "" }, ORDRSPOptions{}, "NAD+DP+4012345000023::9'LIN+1", "CUX"},
		{"D01B: GTINs as SRV", func(*order.Order) {}, ORDRSPOptions{Version: "D:01B:UN:EAN010"}, "LIN+1+5+4000862141404:SRV'", ":EN'"},
		{"D96A: a GTIN-12 as UP", func(o *order.Order) { o.Lines[0].GTIN = "012345678905" }, ORDRSPOptions{}, "LIN+1+5+012345678905:UP'", ""},
		{"GTIN from the item ids", func(o *order.Order) {
			o.Lines[1].GTIN, o.Lines[1].ItemIDs = "", order.ItemIDs{{Qualifier: "EN", ID: "4000862141411"}}
		}, ORDRSPOptions{}, "LIN+2+5+4000862141411:EN'", ""},
		{"line numbers of the order kept", func(o *order.Order) {
			o.Lines[0].LineNo, o.Lines[1].LineNo, o.Lines[2].LineNo = "10", "20", "x"
			o.Allocations, o.Pricing = nil, nil
		}, ORDRSPOptions{}, "LIN+10+5+4000862141404:EN'PIA+1+SKU-1001:SA+88001:IN'QTY+21:24'LIN+20+5+4000862141411:EN'PIA+1+SKU-1002:SA'QTY+21:10'LIN+21+5'", ""},
		{"name too long for one component", func(o *order.Order) {
			o.Parties[0] = order.Party{Role: order.RoleBuyer, Name: strings.Repeat("A", 35) + "BC"}
		}, ORDRSPOptions{}, "NAD+BY+++" + strings.Repeat("A", 35) + ":BC'", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ordrspTestOrder()
			tt.edit(o)
			if tt.opts.Now == nil {
				tt.opts.Now = func() time.Time { return wtTime }
			}
			var buf bytes.Buffer
			if err := WriteORDRSP(NewWriter(&buf, DefaultSeparators), o, tt.opts); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), tt.want) {
				t.Errorf("no %q in\n%s", tt.want, buf.String())
			}
			if tt.not != "" && strings.Contains(buf.String(), tt.not) {
				t.Errorf("%q in\n%s", tt.not, buf.String())
			}
		})
	}
}

// A line ordered in cases of an item sold in units is allocated and
// priced in units; the ORDRSP answers in the line's own unit, or in the
// catalog's, named (EA) so that it is not read as cases, when the
// quantities are no exact number of cases.
func TestWriteORDRSPConvertedUnits(t *testing.T) {
	tests := []struct {
		name, allocated, short string
		want                   []string
	}{
		{"all allocated", "240", "0", []string{"LIN+2+5+", "QTY+21:10:CS'"}},
		{"part backordered", "180", "60", []string{"LIN+2+3+", "QTY+113:7.5:CS'", "QTY+83:2.5:CS'"}},
		{"no exact number of cases", "230", "10", []string{"LIN+2+3+", "QTY+113:230:EA'", "QTY+83:10:EA'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ordrspTestOrder()
			o.Lines = o.Lines[1:2]
			o.Lines[0].UOM = "CS"
			o.Allocations = []order.Allocation{{LineNo: "2", Warehouse: "WH-EAST", Quantity: odec(tt.allocated)}}
			if s := odec(tt.short); s.IsPositive() {
				o.Backorders = []order.Backorder{{LineNo: "2", Quantity: s}}
				o.Status = order.StatusBackordered
			}
			o.Outcomes = []order.LineOutcome{{LineNo: "2", Outcome: order.OutcomeAccepted, Quantity: odec("240"), UOM: "EA", PackSize: odec("24")}}
			o.Pricing = &order.Pricing{Lines: []order.PricedLine{{LineNo: "2", UnitPrice: odec("0.5"), ListPrice: odec("0.5")}}}
			var buf bytes.Buffer
			if err := WriteORDRSP(NewWriter(&buf, DefaultSeparators), o, ORDRSPOptions{Now: func() time.Time { return wtTime }}); err != nil {
				t.Fatal(err)
			}
			for _, want := range tt.want {
				if !strings.Contains(buf.String(), want) {
					t.Errorf("no %q in\n%s", want, buf.String())
				}
			}
		})
	}
}

func TestWriteORDRSPRefuses(t *testing.T) {
	noRelease := DefaultSeparators
	noRelease.Release = 0
	tests := []struct {
		name string
		sep  Separators
		edit func(*order.Order)
		opts ORDRSPOptions
		msg  string
	}{
		{"not decided yet", DefaultSeparators, func(o *order.Order) { o.Status = order.StatusPriced }, ORDRSPOptions{}, `status "priced"`},
		{"no PO number", DefaultSeparators, func(o *order.Order) { o.PONumber = "" }, ORDRSPOptions{}, "RFF+ON"},
		{"bad order date", DefaultSeparators, func(o *order.Order) { o.OrderDate = "20261120" }, ORDRSPOptions{}, "order_date"},
		{"bad ship date", DefaultSeparators, func(o *order.Order) { o.Route.ShipDate = "24/11/2026" }, ORDRSPOptions{}, "ship date"},
		{"bad version", DefaultSeparators, func(*order.Order) {}, ORDRSPOptions{Version: "96A"}, "version:release:agency"},
		{"response number too long", DefaultSeparators, func(*order.Order) {}, ORDRSPOptions{Number: func(*order.Order) string { return strings.Repeat("9", 36) }}, "BGM 1004"},
		{"separator without release", noRelease, func(o *order.Order) { o.Lines[1].SKU = "SKU+1002" }, ORDRSPOptions{}, `line 2: PIA element 2 component 1 "SKU+1002": holds the data element separator`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ordrspTestOrder()
			tt.edit(o)
			tt.opts.Now = func() time.Time { return wtTime }
			var buf bytes.Buffer
			w := NewWriter(&buf, tt.sep)
			err := WriteORDRSPInterchange(w, ordrspTestEnvelope(), []*order.Order{o}, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got %v, want an error saying %q", err, tt.msg)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %q", buf.String())
			}
		})
	}
	o := ordrspTestOrder()
	o.Lines[1].SKU = "SKU+1002"
	err := WriteORDRSP(NewWriter(&bytes.Buffer{}, noRelease), o, ORDRSPOptions{})
	var ve *ValueError
	if !errors.As(err, &ve) || ve.Tag != "PIA" || ve.Element != 2 || !strings.Contains(err.Error(), "ORDRSP for PO PO-77812") {
		t.Errorf("errors.As: %v", err)
	}
}

func TestWriteORDRSPManyOrders(t *testing.T) {
	var orders []*order.Order
	for _, tc := range ordrspTestCases {
		o := ordrspTestOrder()
		tc.edit(o)
		orders = append(orders, o)
	}
	var buf bytes.Buffer
	if err := WriteORDRSPInterchange(NewWriter(&buf, DefaultSeparators), ordrspTestEnvelope(), orders, ORDRSPOptions{Now: func() time.Time { return wtTime }}); err != nil {
		t.Fatal(err)
	}
	segs := wtSegments(t, buf.Bytes(), DefaultSeparators)
	wtCheckEnvelopes(t, segs)
	var refs []string
	for _, s := range segs {
		if s[0][0] == "UNH" {
			refs = append(refs, s[1][0])
		}
	}
	if len(refs) != len(orders) || refs[0] != "1" || refs[len(refs)-1] != itoa(len(orders)) {
		t.Errorf("UNH references %v for %d orders", refs, len(orders))
	}
}

func TestUsesSRV(t *testing.T) {
	for v, want := range map[string]bool{"D:93A:UN": false, "D:96A:UN:EAN005": false, "D:99B:UN": false, "D:01A:UN": false,
		"D:01B:UN:EAN010": true, "D:10A:UN": true, "S:93A:UN": false} {
		h, err := ORDRSPHeader(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := usesSRV(&h); got != want {
			t.Errorf("%s: %v, want %v", v, got, want)
		}
	}
}
