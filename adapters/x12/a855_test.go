package x12

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func decp(s string) *decimal.Decimal {
	d := dec(s)
	return &d
}

// po855TestOrder is a three-line order from BIGRETAIL as the pipeline
// leaves it when everything ships from WH-EAST at the PO's prices.
func po855TestOrder() *order.Order {
	return &order.Order{
		ID: "ord_01JTEST0000000000000000001", Partner: "BIGRETAIL", PONumber: "4500012345",
		Purpose: order.PurposeOriginal, OrderType: order.TypeStandalone,
		OrderDate: "2026-11-20", Currency: "USD", RequestedShipDate: "2026-11-25",
		Lines: []order.Line{
			{LineNo: "1", SKU: "SKU-1001", GTIN: "012345678905", BuyerItem: "88001",
				ItemIDs:     order.ItemIDs{{Qualifier: "IN", ID: "88001"}, {Qualifier: "UP", ID: "012345678905"}, {Qualifier: "VN", ID: "SKU-1001"}},
				Description: "COLA CLASSIC 12OZ CAN", Quantity: dec("24"), UOM: "EA", UnitPrice: decp("2.15")},
			{LineNo: "2", SKU: "SKU-1002", GTIN: "0012345678912", Quantity: dec("10"), UOM: "CA", UnitPrice: decp("14.50")},
			{LineNo: "3", SKU: "SKU-1003", BuyerItem: "88003", Quantity: dec("2.5"), UOM: "LB"},
		},
		Source: &order.Source{Format: "x12", Document: "PO_20261120.edi", Interchange: "000000101", Group: "101", Transaction: "0001"},
		Status: order.StatusRouted,
		Allocations: []order.Allocation{
			{LineNo: "1", Warehouse: "WH-EAST", Quantity: dec("24")},
			{LineNo: "2", Warehouse: "WH-EAST", Quantity: dec("10")},
			{LineNo: "3", Warehouse: "WH-EAST", Quantity: dec("2.5")},
		},
		Pricing: &order.Pricing{Lines: []order.PricedLine{
			{LineNo: "1", UnitPrice: dec("2.15"), ListPrice: dec("2.15")},
			{LineNo: "2", UnitPrice: dec("14.50"), ListPrice: dec("14.50")},
			{LineNo: "3", UnitPrice: dec("3.80"), ListPrice: dec("4.00"),
				Adjustments: []order.Adjustment{{Kind: "tier", Rule: "key_account_5pct", Amount: dec("-0.20")}}},
		}, Subtotal: dec("180.00"), DiscountTotal: dec("0.50"), Total: dec("179.50")},
		Route: &order.Route{Warehouse: "WH-EAST", Topic: "fulfilment.WH-EAST"},
	}
}

var po855TestCases = []struct {
	name string
	edit func(o *order.Order)
	bak  string   // BAK02
	acks []string // every ACK, in order
}{
	{"accepted", func(*order.Order) {}, "AD", []string{
		"ACK*IA*24*EA*068*20261125", "ACK*IA*10*CA*068*20261125", "ACK*IA*2.5*LB*068*20261125"}},
	{"backordered", func(o *order.Order) {
		o.Status = order.StatusBackordered
		o.Allocations = []order.Allocation{
			{LineNo: "1", Warehouse: "WH-EAST", Quantity: dec("19")},
			{LineNo: "3", Warehouse: "WH-WEST", Quantity: dec("2.5")},
		}
		o.Backorders = []order.Backorder{{LineNo: "1", Quantity: dec("5")}, {LineNo: "2", Quantity: dec("10")}}
	}, "AC", []string{
		"ACK*IA*19*EA*068*20261125", "ACK*IB*5*EA", "ACK*IB*10*CA", "ACK*IA*2.5*LB*068*20261125"}},
	{"price_mismatch", func(o *order.Order) {
		o.Pricing.Lines[0].UnitPrice = dec("2.05")
		o.Pricing.Lines[0].Adjustments = []order.Adjustment{{Kind: "tier", Rule: "key_account_5pct", Amount: dec("-0.10")}}
		o.Pricing.Lines[0].POPriceMismatch = true
	}, "AC", []string{
		"ACK*IP*24*EA*068*20261125", "ACK*IA*10*CA*068*20261125", "ACK*IA*2.5*LB*068*20261125"}},
	{"quantity_cut", func(o *order.Order) {
		// 20 of 24 allocated, the rest neither allocated nor backordered
		// (fill or kill); line 2 not served at all.
		o.Allocations = []order.Allocation{
			{LineNo: "1", Warehouse: "WH-EAST", Quantity: dec("20")},
			{LineNo: "3", Warehouse: "WH-EAST", Quantity: dec("2.5")},
		}
		o.Parties = []order.Party{{Role: order.RoleShipTo, ID: "0012", IDQualifier: "92", Name: "STORE 12"}}
	}, "AC", []string{
		"ACK*IQ*20*EA*068*20261125", "ACK*IR*10*CA", "ACK*IA*2.5*LB*068*20261125"}},
	{"free_goods", func(o *order.Order) {
		// Buy X get Y: two cans free for line 1, one shipped, one
		// waiting for stock.
		o.Status = order.StatusBackordered
		o.Lines = append(o.Lines, order.Line{LineNo: "1-F", SKU: "SKU-1001", Description: "COLA CLASSIC 12OZ CAN",
			Quantity: dec("2"), UOM: "EA", Promotion: "COLA-10-1", FreeOf: []string{"1"}})
		o.Allocations = append(o.Allocations, order.Allocation{LineNo: "1-F", Warehouse: "WH-EAST", Quantity: dec("1")})
		o.Backorders = []order.Backorder{{LineNo: "1-F", Quantity: dec("1")}}
		o.Pricing.Lines = append(o.Pricing.Lines, order.PricedLine{LineNo: "1-F", UnitPrice: dec("0"), ListPrice: dec("2.15"),
			Adjustments: []order.Adjustment{{Kind: "promotion", Rule: "pricing.promotions.COLA-10-1", Amount: dec("-2.15")}}})
	}, "AC", []string{
		"ACK*IA*24*EA*068*20261125", "ACK*IA*10*CA*068*20261125", "ACK*IA*2.5*LB*068*20261125",
		"ACK*IA*1*EA*068*20261125", "ACK*IB*1*EA"}},
	{"rejected", func(o *order.Order) {
		o.Status = order.StatusRejected
		o.Allocations, o.Pricing, o.Route = nil, nil, nil
		o.Problems = []order.Problem{{Path: "lines[2].sku", Message: `"SKU-1003" is not in the catalog`}}
	}, "RJ", []string{"ACK*IR*24*EA", "ACK*IR*10*CA", "ACK*IR*2.5*LB"}},
}

func write855TestCase(t *testing.T, o *order.Order, opts PO855Options) []byte {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return writeTestTime }
	}
	var buf bytes.Buffer
	env := testEnvelope()
	env.FunctionalID = ""
	if err := Write855Interchange(NewWriter(&buf, stdDelims, WithLineBreak("\n")), env, []*order.Order{o}, opts); err != nil {
		t.Fatal(err)
	}
	wtCheckEnvelopes(t, wtSegments(t, buf.Bytes()))
	return buf.Bytes()
}

func TestWrite855Golden(t *testing.T) {
	for _, tc := range po855TestCases {
		t.Run(tc.name, func(t *testing.T) {
			o := po855TestOrder()
			tc.edit(o)
			got := write855TestCase(t, o, PO855Options{})
			checkWriteGolden(t, "855_"+tc.name+".x12", got)

			// What the golden file must say, checked apart from it.
			var acks []string
			var bak, gs []string
			for _, s := range wtSegments(t, got) {
				switch s[0] {
				case "ACK":
					acks = append(acks, strings.Join(s, "*"))
				case "BAK":
					bak = s
				case "GS":
					gs = s
				}
			}
			if gs[1] != "PR" {
				t.Errorf("GS01 %s, want PR", gs[1])
			}
			if strings.Join(bak, "*") != "BAK*00*"+tc.bak+"*4500012345*20261120*****20261120" {
				t.Errorf("BAK %v, want BAK02 %s", bak, tc.bak)
			}
			if strings.Join(acks, "\n") != strings.Join(tc.acks, "\n") {
				t.Errorf("ACKs\n%s\nwant\n%s", strings.Join(acks, "\n"), strings.Join(tc.acks, "\n"))
			}
		})
	}
}

func TestWrite855Lines(t *testing.T) {
	o := po855TestOrder()
	o.Pricing.Lines[0].UnitPrice = dec("2.05")
	o.Pricing.Lines[0].POPriceMismatch = true
	var buf bytes.Buffer
	w := NewWriter(&buf, stdDelims, WithLineBreak("\n"))
	if err := Write855(w, o, PO855Options{Now: func() time.Time { return writeTestTime }}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"BAK*00*AC*4500012345*20261120*****20261120~",
		"CUR*SE*USD~",
		// The PO's own qualifiers come back, buyer's first; PO104 is our price.
		"PO1*1*24*EA*2.05**IN*88001*VN*SKU-1001*UP*012345678905~",
		"ACK*IP*24*EA*068*20261125~",
		// GTIN-13 with no qualifier from the PO goes out as EN, the SKU as VN.
		"PO1*2*10*CA*14.5**VN*SKU-1002*EN*0012345678912~",
		"ACK*IA*10*CA*068*20261125~",
		"PO1*3*2.5*LB*3.8**BP*88003*VN*SKU-1003~",
		"ACK*IA*2.5*LB*068*20261125~",
		"CTT*3*36.5~",
	}
	if got := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if w.Count() != len(want) {
		t.Errorf("Count %d, want %d", w.Count(), len(want))
	}
}

func TestWrite855Options(t *testing.T) {
	now := func() time.Time { return writeTestTime } // 2026-11-20
	tests := []struct {
		name string
		edit func(*order.Order)
		opts PO855Options
		want string // a segment that must be there
	}{
		{"ship date from requested_ship_date", func(*order.Order) {}, PO855Options{}, "ACK*IA*24*EA*068*20261125~"},
		{"two days after today", func(o *order.Order) { o.RequestedShipDate, o.OrderDate = "", "2026-11-01" }, PO855Options{}, "ACK*IA*24*EA*068*20261122~"},
		{"two days after a future order date", func(o *order.Order) { o.RequestedShipDate, o.OrderDate = "", "2026-12-01" }, PO855Options{}, "ACK*IA*24*EA*068*20261203~"},
		{"no order date: BAK04 today", func(o *order.Order) { o.OrderDate = "" }, PO855Options{}, "BAK*00*AD*4500012345*20261120*****20261120~"},
		{"ship date option", func(*order.Order) {}, PO855Options{ShipDate: func(*order.Order) string { return "2026-12-24" }}, "ACK*IA*24*EA*068*20261224~"},
		{"unknown ship date", func(*order.Order) {}, PO855Options{ShipDate: func(*order.Order) string { return "" }}, "ACK*IA*24*EA~"},
		{"reject with detail", func(o *order.Order) { o.Status = order.StatusRejected }, PO855Options{RejectCode: "RD"}, "BAK*00*RD*"},
		{"no currency", func(o *order.Order) { o.Currency = "" }, PO855Options{}, "BAK*00*AD*4500012345*20261120*****20261120~PO1*"},
		{"no unit", func(o *order.Order) { o.Lines[0].UOM = "" }, PO855Options{}, "ACK*IA*24*EA*"},
		{"no price anywhere", func(o *order.Order) {
			o.Status, o.Pricing = order.StatusRejected, nil
			o.Lines[2].UnitPrice = nil
		}, PO855Options{}, "PO1*3*2.5*LB***BP*88003*VN*SKU-1003~"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := po855TestOrder()
			tt.edit(o)
			if tt.opts.Now == nil {
				tt.opts.Now = now
			}
			var buf bytes.Buffer
			if err := Write855(NewWriter(&buf, stdDelims), o, tt.opts); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), tt.want) {
				t.Errorf("no %q in\n%s", tt.want, buf.String())
			}
		})
	}
}

func TestWrite855Refuses(t *testing.T) {
	tests := []struct {
		name string
		edit func(*order.Order)
		msg  string
	}{
		{"not decided yet", func(o *order.Order) { o.Status = order.StatusPriced }, `status "priced"`},
		{"no PO number", func(o *order.Order) { o.PONumber = "" }, "BAK03"},
		{"bad order date", func(o *order.Order) { o.OrderDate = "20261120" }, "order_date"},
		{"bad ship date", func(o *order.Order) { o.RequestedShipDate = "11/25/2026" }, "ship date"},
		{"delimiter in an item id", func(o *order.Order) { o.Lines[1].SKU = "SKU*1002" }, `line 2: PO107 "SKU*1002": holds the element separator`},
		{"delimiter in the PO number", func(o *order.Order) { o.PONumber = "45~1" }, "BAK03"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := po855TestOrder()
			tt.edit(o)
			var buf bytes.Buffer
			w := NewWriter(&buf, stdDelims)
			err := Write855Interchange(w, testEnvelope(), []*order.Order{o}, PO855Options{Now: func() time.Time { return writeTestTime }})
			if err == nil || !strings.Contains(err.Error(), tt.msg) || !strings.Contains(err.Error(), "855 for PO ") {
				t.Errorf("got %v, want an error naming the PO and saying %q", err, tt.msg)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %q", buf.String())
			}
		})
	}
	o := po855TestOrder()
	o.Lines[0].ItemIDs.Set("VN", "A>B")
	err := Write855(NewWriter(&bytes.Buffer{}, stdDelims), o, PO855Options{})
	var ve *ValueError
	if !errors.As(err, &ve) || ve.Tag != "PO1" || ve.Element != 9 {
		t.Errorf("errors.As: %v", err)
	}
}

func TestWrite855ManyOrders(t *testing.T) {
	var orders []*order.Order
	for _, tc := range po855TestCases {
		o := po855TestOrder()
		tc.edit(o)
		orders = append(orders, o)
	}
	var buf bytes.Buffer
	env := testEnvelope()
	env.FunctionalID = ""
	if err := Write855Interchange(NewWriter(&buf, stdDelims), env, orders, PO855Options{Now: func() time.Time { return writeTestTime }}); err != nil {
		t.Fatal(err)
	}
	segs := wtSegments(t, buf.Bytes())
	wtCheckEnvelopes(t, segs)
	var sts []string
	for _, s := range segs {
		if s[0] == "ST" {
			sts = append(sts, s[2])
		}
	}
	var want []string
	for i := range po855TestCases {
		want = append(want, fmt.Sprintf("%04d", i+1))
	}
	if strings.Join(sts, ",") != strings.Join(want, ",") {
		t.Errorf("ST02s %v, want %v", sts, want)
	}
}

// The stock stage's outcomes come back per line: a line refused by its
// checks is IR, a line rounded to whole cases IQ with the quantity in force.
func TestWrite855Outcomes(t *testing.T) {
	o := po855TestOrder()
	o.Outcomes = []order.LineOutcome{
		{LineNo: "1", Outcome: order.OutcomeQuantityChanged, Quantity: dec("36"), UOM: "EA", Reason: "24 EA rounded up to 36"},
		{LineNo: "2", Outcome: order.OutcomeRejected, UOM: "CA", Reason: "discontinued"},
		{LineNo: "3", Outcome: order.OutcomeAccepted, Quantity: dec("2.5"), UOM: "LB"},
	}
	var buf bytes.Buffer
	w := NewWriter(&buf, stdDelims, WithLineBreak("\n"))
	if err := Write855(w, o, PO855Options{Now: func() time.Time { return writeTestTime }}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"BAK*00*AC*", "ACK*IQ*36*EA*068*20261125~", "ACK*IR*10*CA~", "ACK*IA*2.5*LB*068*20261125~"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("no %q in\n%s", want, buf.String())
		}
	}
}

// A line ordered in cases of an item sold in units is allocated,
// backordered and priced in units; the 855 answers it in the line's own
// unit (PO103): quantities and PO104 per case. A quantity that is no
// exact number of cases is answered in the catalog's unit, which ACK03
// names.
func TestWrite855ConvertedUnits(t *testing.T) {
	tests := []struct {
		name             string
		allocated, short string
		outcome          string
		want             []string
	}{
		{"all allocated", "240", "0", order.OutcomeAccepted,
			[]string{"BAK*00*AD*", "PO1*2*10*CA*12**", "ACK*IA*10*CA*068*20261125~"}},
		{"part backordered", "180", "60", order.OutcomeBackordered,
			[]string{"BAK*00*AC*", "PO1*2*10*CA*12**", "ACK*IA*7.5*CA*068*20261125~", "ACK*IB*2.5*CA~"}},
		{"no exact number of cases", "230", "10", order.OutcomeBackordered,
			[]string{"BAK*00*AC*", "ACK*IA*230*EA*068*20261125~", "ACK*IB*10*EA~"}},
		{"cut", "120", "0", order.OutcomeQuantityChanged,
			[]string{"BAK*00*AC*", "ACK*IQ*5*CA*068*20261125~"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := po855TestOrder()
			o.Lines = o.Lines[1:2] // 10 CA of SKU-1002, a 24-pack sold in EA
			o.Allocations = []order.Allocation{{LineNo: "2", Warehouse: "WH-EAST", Quantity: dec(tt.allocated)}}
			o.Backorders = nil
			oc := order.LineOutcome{LineNo: "2", Outcome: tt.outcome, Quantity: dec("240"), UOM: "EA", PackSize: dec("24")}
			if tt.outcome == order.OutcomeQuantityChanged {
				oc.Quantity = dec(tt.allocated)
			}
			if s := dec(tt.short); s.IsPositive() {
				o.Backorders = []order.Backorder{{LineNo: "2", Quantity: s}}
				o.Status = order.StatusBackordered
			}
			o.Outcomes = []order.LineOutcome{oc}
			o.Pricing = &order.Pricing{Lines: []order.PricedLine{{LineNo: "2", UnitPrice: dec("0.5"), ListPrice: dec("0.5")}}}
			var buf bytes.Buffer
			w := NewWriter(&buf, stdDelims, WithLineBreak("\n"))
			if err := Write855(w, o, PO855Options{Now: func() time.Time { return writeTestTime }}); err != nil {
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

// A cancel or change is answered with BAK01 echoing its purpose: a cancel
// applied with AT and every line deleted (ID), a change with its lines as
// they now stand, a refused one with RJ.
func TestWrite855ChangesAndCancels(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(o *order.Order)
		bak  string // BAK01*BAK02
		acks []string
	}{
		{"cancel_applied", func(o *order.Order) {
			o.Purpose, o.Status = order.PurposeCancel, order.StatusApplied
			o.Allocations, o.Pricing, o.Route = nil, nil, nil
			for _, l := range o.Lines {
				o.Outcomes = append(o.Outcomes, order.LineOutcome{LineNo: l.LineNo, Outcome: order.OutcomeDeleted, UOM: l.UOM})
			}
		}, "01*AT", []string{"ACK*ID*24*EA", "ACK*ID*10*CA", "ACK*ID*2.5*LB"}},
		{"cancel_rejected", func(o *order.Order) {
			o.Purpose, o.Status = order.PurposeCancel, order.StatusRejected
			o.Allocations, o.Pricing, o.Route = nil, nil, nil
			o.Problems = []order.Problem{{Path: "po_number", Message: "order ord_1 (PO 4500012345) has shipped: it can no longer be cancelled"}}
		}, "01*RJ", []string{"ACK*IR*24*EA", "ACK*IR*10*CA", "ACK*IR*2.5*LB"}},
		{"change_applied", func(o *order.Order) {
			// Line 1 up to 30 (6 more backordered), line 2 deleted, line
			// 3 as it was.
			o.Purpose, o.Status = order.PurposeChange, order.StatusApplied
			o.Lines[0].Quantity, o.Lines[0].Change = dec("30"), "quantity_increase"
			o.Lines[1].Quantity, o.Lines[1].Change = dec("0"), "delete"
			o.Lines[2].Change = "change"
			o.Allocations = []order.Allocation{{LineNo: "1", Warehouse: "WH-EAST", Quantity: dec("24")}, {LineNo: "3", Warehouse: "WH-EAST", Quantity: dec("2.5")}}
			o.Backorders = []order.Backorder{{LineNo: "1", Quantity: dec("6")}}
			o.Outcomes = []order.LineOutcome{
				{LineNo: "1", Outcome: order.OutcomeBackordered, Quantity: dec("30"), UOM: "EA", Short: dec("6")},
				{LineNo: "2", Outcome: order.OutcomeDeleted, UOM: "CA"},
				{LineNo: "3", Outcome: order.OutcomeAccepted, Quantity: dec("2.5"), UOM: "LB"},
			}
		}, "04*AC", []string{"ACK*IA*24*EA*068*20261125", "ACK*IB*6*EA", "ACK*ID*0*CA", "ACK*IA*2.5*LB*068*20261125"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := po855TestOrder()
			tc.edit(o)
			got := write855TestCase(t, o, PO855Options{})
			checkWriteGolden(t, "855_"+tc.name+".x12", got)
			var acks []string
			for _, s := range wtSegments(t, got) {
				switch s[0] {
				case "ACK":
					acks = append(acks, strings.Join(s, "*"))
				case "BAK":
					if b := s[1] + "*" + s[2]; b != tc.bak {
						t.Errorf("BAK01*BAK02 %s, want %s", b, tc.bak)
					}
				}
			}
			if strings.Join(acks, "\n") != strings.Join(tc.acks, "\n") {
				t.Errorf("ACKs\n%s\nwant\n%s", strings.Join(acks, "\n"), strings.Join(tc.acks, "\n"))
			}
		})
	}
}

// The ACK's scheduled ship date is the route's (the warehouse's cut-off
// and calendar) when the order has one, else the requested ship date.
func TestWrite855ShipDateFromRoute(t *testing.T) {
	for _, tt := range []struct {
		route *order.Route
		want  string
	}{
		{nil, "*068*20261125~"},
		{&order.Route{Warehouse: "WH-EAST", ShipDate: "2026-11-27"}, "*068*20261127~"},
	} {
		o := po855TestOrder()
		o.Route = tt.route
		var buf bytes.Buffer
		w := NewWriter(&buf, stdDelims, WithLineBreak("\n"))
		if err := Write855(w, o, PO855Options{Now: func() time.Time { return writeTestTime }}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), tt.want) {
			t.Errorf("route %+v: no %q in\n%s", tt.route, tt.want, buf.String())
		}
	}
}
