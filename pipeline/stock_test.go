package pipeline

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func inv(wh, sku, onHand, reserved string) store.InventoryRow {
	return store.InventoryRow{Warehouse: wh, SKU: sku, OnHand: d(onHand), Reserved: d(reserved)}
}

func TestAllocate(t *testing.T) {
	lines := func(specs ...string) *order.Order {
		o := &order.Order{ID: "ord_T"}
		for i := 0; i+1 < len(specs); i += 2 {
			o.Lines = append(o.Lines, order.Line{LineNo: string(rune('1' + i/2)), SKU: specs[i], Quantity: d(specs[i+1]), UOM: "EA"})
		}
		return o
	}
	type alloc struct{ line, wh, qty string }
	type back struct{ line, qty string }
	tests := []struct {
		name   string
		order  *order.Order
		inv    []store.InventoryRow
		allocs []alloc
		backs  []back
	}{
		{
			name:   "one warehouse has everything: first by code",
			order:  lines("A", "10", "B", "5"),
			inv:    []store.InventoryRow{inv("EAST", "A", "10", "0"), inv("EAST", "B", "5", "0"), inv("WEST", "A", "100", "0"), inv("WEST", "B", "100", "0")},
			allocs: []alloc{{"1", "EAST", "10"}, {"2", "EAST", "5"}},
		},
		{
			name:   "reserved stock is not available",
			order:  lines("A", "10"),
			inv:    []store.InventoryRow{inv("EAST", "A", "10", "1"), inv("WEST", "A", "20", "0")},
			allocs: []alloc{{"1", "WEST", "10"}},
		},
		{
			name:   "no single warehouse: each line from where most is",
			order:  lines("A", "10", "B", "10"),
			inv:    []store.InventoryRow{inv("EAST", "A", "10", "0"), inv("WEST", "B", "10", "0")},
			allocs: []alloc{{"1", "EAST", "10"}, {"2", "WEST", "10"}},
		},
		{
			name:   "shortfall is backordered",
			order:  lines("A", "10", "B", "3"),
			inv:    []store.InventoryRow{inv("EAST", "A", "4", "0"), inv("EAST", "B", "3", "0")},
			allocs: []alloc{{"1", "EAST", "4"}, {"2", "EAST", "3"}},
			backs:  []back{{"1", "6"}},
		},
		{
			name:  "nothing in stock anywhere",
			order: lines("A", "2"),
			inv:   nil,
			backs: []back{{"1", "2"}},
		},
		{
			name:   "same SKU on two lines does not double-count stock",
			order:  lines("A", "6", "A", "6"),
			inv:    []store.InventoryRow{inv("EAST", "A", "10", "0")},
			allocs: []alloc{{"1", "EAST", "6"}, {"2", "EAST", "4"}},
			backs:  []back{{"2", "2"}},
		},
		{
			name:  "over-reserved stock counts as zero",
			order: lines("A", "1"),
			inv:   []store.InventoryRow{inv("EAST", "A", "5", "9")},
			backs: []back{{"1", "1"}},
		},
		{
			name:   "fractional quantities",
			order:  lines("A", "2.5"),
			inv:    []store.InventoryRow{inv("EAST", "A", "1.25", "0")},
			allocs: []alloc{{"1", "EAST", "1.25"}},
			backs:  []back{{"1", "1.25"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Allocate(tt.order, tt.inv)
			if len(p.Allocations) != len(tt.allocs) {
				t.Fatalf("allocations = %+v, want %+v", p.Allocations, tt.allocs)
			}
			for i, a := range tt.allocs {
				got := p.Allocations[i]
				if got.LineNo != a.line || got.Warehouse != a.wh || !got.Quantity.Equal(d(a.qty)) {
					t.Errorf("allocation %d = %s %s %s, want %+v", i, got.LineNo, got.Warehouse, got.Quantity, a)
				}
			}
			if len(p.Backorders) != len(tt.backs) {
				t.Fatalf("backorders = %+v, want %+v", p.Backorders, tt.backs)
			}
			for i, b := range tt.backs {
				got := p.Backorders[i]
				if got.LineNo != b.line || !got.Quantity.Equal(d(b.qty)) {
					t.Errorf("backorder %d = %s %s, want %+v", i, got.LineNo, got.Quantity, b)
				}
			}
			if len(p.Reservations) != len(p.Allocations) {
				t.Errorf("%d reservations for %d allocations", len(p.Reservations), len(p.Allocations))
			}
		})
	}
}
