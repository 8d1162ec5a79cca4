package store

import (
	"context"
	"testing"

	"github.com/orderhub/orderhub/order"
)

// A partner's open order value adds up the totals of its priced, held,
// routed, backordered and acknowledged orders in the currency asked,
// never another partner's, a refused order's, or the order being priced.
func TestOpenOrderValue(t *testing.T) {
	st := openTestStore(t)
	ctx := context.Background()
	orders := []struct {
		id, partner, status, total, currency string
	}{
		{"o1", "P", order.StatusPriced, "100.50", "USD"},
		{"o2", "P", order.StatusHeld, "200", "USD"},
		{"o3", "P", order.StatusRouted, "300", "USD"},
		{"o4", "P", order.StatusBackordered, "400", "USD"},
		{"o5", "P", order.StatusAcknowledged, "500", "USD"},
		{"o6", "P", order.StatusRejected, "600", "USD"},
		{"o7", "P", order.StatusCancelled, "700", "USD"},
		{"o8", "P", order.StatusDuplicate, "800", "USD"},
		{"o9", "P", order.StatusRouted, "900", "EUR"},
		{"o10", "Q", order.StatusRouted, "1000", "USD"},
		{"o11", "P", order.StatusReserved, "0", ""},
	}
	err := st.Update(ctx, func(tx *Tx) error {
		for _, o := range orders {
			if _, err := tx.InsertOrder(&order.Order{ID: o.id, Partner: o.partner, PONumber: o.id}, "", Pack([]byte(`{}`)), ""); err != nil {
				return err
			}
			if err := tx.Advance(o.id, o.status, "", Pack([]byte(`{}`))); err != nil {
				return err
			}
			if o.currency != "" {
				if err := tx.SetOrderTotal(o.id, dec(o.total), o.currency); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		partner, currency, except, want string
	}{
		{"P", "USD", "o11", "1500.5"},
		{"P", "USD", "o3", "1200.5"}, // a routed order priced again leaves itself out
		{"P", "EUR", "o11", "900"},
		{"Q", "USD", "o11", "1000"},
		{"R", "USD", "o11", "0"},
	}
	for _, tt := range tests {
		err := st.Update(ctx, func(tx *Tx) error {
			got, err := tx.OpenOrderValue(tt.partner, tt.currency, tt.except)
			if err != nil {
				return err
			}
			if !got.Equal(dec(tt.want)) {
				t.Errorf("OpenOrderValue(%s, %s, except %s) = %s, want %s", tt.partner, tt.currency, tt.except, got, tt.want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Whoever moves an order in or out of the open statuses, or prices
	// it again, the running value follows.
	err = st.Update(ctx, func(tx *Tx) error {
		if err := tx.Advance("o3", order.StatusCancelled, "", Pack([]byte(`{}`))); err != nil {
			return err
		}
		if err := tx.Advance("o6", order.StatusPriced, "", Pack([]byte(`{}`))); err != nil {
			return err
		}
		if err := tx.SetOrderTotal("o1", dec("0.50"), "USD"); err != nil {
			return err
		}
		if err := tx.SetOrderTotal("o2", dec("200"), "EUR"); err != nil {
			return err
		}
		if err := tx.Advance("o5", order.StatusAcknowledged, "", Pack([]byte(`{}`))); err != nil {
			return err // open to open: no change
		}
		for _, tt := range []struct{ currency, want string }{{"USD", "1500.5"}, {"EUR", "1100"}} {
			// 1500.5 - 300 (o3 cancelled) + 600 (o6 priced) - 100 (o1 cheaper) - 200 (o2 to EUR)
			got, err := tx.OpenOrderValue("P", tt.currency, "o11")
			if err != nil {
				return err
			}
			if !got.Equal(dec(tt.want)) {
				t.Errorf("after the changes: OpenOrderValue(P, %s) = %s, want %s", tt.currency, got, tt.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Releasing some lines of an order gives back their stock and takes them
// out of the backorder queue; the other lines keep theirs.
func TestReleaseLines(t *testing.T) {
	st := stockStore(t, "10")
	ctx := context.Background()
	err := st.Update(ctx, func(tx *Tx) error {
		if err := tx.Reserve([]Reservation{
			{OrderID: "o1", LineNo: "1", Warehouse: "WH-1", SKU: "A", Quantity: dec("4")},
			{OrderID: "o1", LineNo: "2", Warehouse: "WH-1", SKU: "B", Quantity: dec("3")},
		}); err != nil {
			return err
		}
		return tx.SetBackorders("o1", []Backorder{
			{OrderID: "o1", LineNo: "1", SKU: "A", Quantity: dec("2")},
			{OrderID: "o1", LineNo: "2", SKU: "B", Quantity: dec("5")},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(ctx, func(tx *Tx) error { return tx.ReleaseLines("o1", []string{"1"}) }); err != nil {
		t.Fatal(err)
	}
	for sku, want := range map[string]string{"A": "0", "B": "3"} {
		rows, _ := st.InventoryOf(ctx, sku)
		if !rows[0].Reserved.Equal(dec(want)) {
			t.Errorf("%s reserved %s, want %s", sku, rows[0].Reserved, want)
		}
	}
	q, err := st.BackorderQueue(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 || q[0].LineNo != "2" {
		t.Errorf("queue after releasing line 1: %+v, want line 2 only", q)
	}
}
