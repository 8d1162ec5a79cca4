package order

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestDecisionFill(t *testing.T) {
	d := decimal.RequireFromString
	tests := []struct {
		name        string
		line        Line
		oc          *LineOutcome
		allocs      []Allocation // nil: no stock stage
		backs       []Backorder
		want, ships string
		back        string
		cut         bool
	}{
		{"no stock stage", Line{LineNo: "1", Quantity: d("10"), UOM: "EA"}, nil, nil, nil, "10", "10", "0", false},
		{"no stock stage, part backordered", Line{LineNo: "1", Quantity: d("10"), UOM: "EA"}, nil, nil,
			[]Backorder{{LineNo: "1", Quantity: d("4")}}, "10", "6", "4", false},
		{"all allocated, in two warehouses", Line{LineNo: "1", Quantity: d("10"), UOM: "EA"}, nil,
			[]Allocation{{LineNo: "1", Quantity: d("6")}, {LineNo: "1", Quantity: d("4")}}, nil, "10", "10", "0", false},
		{"allocated and backordered", Line{LineNo: "1", Quantity: d("10"), UOM: "EA"}, nil,
			[]Allocation{{LineNo: "1", Quantity: d("7")}}, []Backorder{{LineNo: "1", Quantity: d("3")}}, "10", "7", "3", false},
		{"cut", Line{LineNo: "1", Quantity: d("10"), UOM: "EA"}, nil,
			[]Allocation{{LineNo: "1", Quantity: d("7")}}, nil, "10", "7", "0", true},
		{"nothing of this line allocated", Line{LineNo: "1", Quantity: d("10"), UOM: "EA"}, nil,
			[]Allocation{{LineNo: "2", Quantity: d("7")}}, nil, "10", "0", "0", true},
		{"more backordered than wanted", Line{LineNo: "1", Quantity: d("10"), UOM: "EA"}, nil, nil,
			[]Backorder{{LineNo: "1", Quantity: d("12")}}, "10", "0", "12", false},
		{"taken in the catalog's unit", Line{LineNo: "1", Quantity: d("2"), UOM: "CA"},
			&LineOutcome{LineNo: "1", Quantity: d("48"), UOM: "EA", PackSize: d("24")},
			[]Allocation{{LineNo: "1", Quantity: d("24")}}, []Backorder{{LineNo: "1", Quantity: d("24")}}, "48", "24", "24", false},
		{"outcome in the line's unit", Line{LineNo: "1", Quantity: d("2"), UOM: "CA"},
			&LineOutcome{LineNo: "1", Quantity: d("5"), UOM: "CA"}, nil, nil, "2", "2", "0", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &Order{Lines: []Line{tt.line}, Allocations: tt.allocs, Backorders: tt.backs}
			f := o.Decision().Fill(&o.Lines[0], tt.oc, tt.line.UOM)
			if !f.Want.Equal(d(tt.want)) || !f.Ships.Equal(d(tt.ships)) || !f.Back.Equal(d(tt.back)) || f.Cut != tt.cut {
				t.Errorf("Fill = want %s ships %s back %s cut %v; want want %s ships %s back %s cut %v",
					f.Want, f.Ships, f.Back, f.Cut, tt.want, tt.ships, tt.back, tt.cut)
			}
		})
	}
}

func TestDecisionPriced(t *testing.T) {
	o := &Order{Pricing: &Pricing{Lines: []PricedLine{{LineNo: "1"}, {LineNo: "2", POPriceMismatch: true}}}}
	dec := o.Decision()
	if pl := dec.Priced("2"); pl == nil || !pl.POPriceMismatch || pl != &o.Pricing.Lines[1] {
		t.Errorf("Priced(2) = %+v, want the order's second priced line", pl)
	}
	if pl := dec.Priced("3"); pl != nil {
		t.Errorf("Priced(3) = %+v, want nil", pl)
	}
	if pl := (&Order{}).Decision().Priced("1"); pl != nil {
		t.Errorf("Priced without pricing = %+v, want nil", pl)
	}
}

func TestPlannedShipDate(t *testing.T) {
	tests := []struct {
		name string
		o    Order
		want string
	}{
		{"route", Order{Route: &Route{ShipDate: "2024-03-05"}, RequestedShipDate: "2024-03-09"}, "2024-03-05"},
		{"route without a date", Order{Route: &Route{}, RequestedShipDate: "2024-03-09"}, "2024-03-09"},
		{"not routed", Order{RequestedShipDate: "2024-03-09"}, "2024-03-09"},
		{"nothing known", Order{}, ""},
	}
	for _, tt := range tests {
		if got := tt.o.PlannedShipDate(); got != tt.want {
			t.Errorf("%s: PlannedShipDate() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestToCompactDate(t *testing.T) {
	if got, err := ToCompactDate("2024-02-29"); err != nil || got != "20240229" {
		t.Errorf("ToCompactDate(2024-02-29) = %q, %v; want 20240229", got, err)
	}
	for _, bad := range []string{"", "2024-02-30", "20240229", "2024-2-9"} {
		if got, err := ToCompactDate(bad); err == nil {
			t.Errorf("ToCompactDate(%q) = %q, want an error", bad, got)
		}
	}
}

func TestAnswerable(t *testing.T) {
	for _, s := range Statuses() {
		ok, rejected := Answerable(s)
		wantOK := s == StatusRouted || s == StatusBackordered || s == StatusAcknowledged || s == StatusApplied || s == StatusRejected
		if ok != wantOK || rejected != (s == StatusRejected) {
			t.Errorf("Answerable(%q) = %v, %v; want %v, %v", s, ok, rejected, wantOK, s == StatusRejected)
		}
	}
}
