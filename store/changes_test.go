package store

import (
	"context"
	"errors"
	"testing"

	"github.com/orderhub/orderhub/order"
)

func TestReduceReservation(t *testing.T) {
	st := stockStore(t, "10")
	ctx := context.Background()
	if err := st.Update(ctx, func(tx *Tx) error {
		return tx.Reserve([]Reservation{{OrderID: "o1", LineNo: "1", Warehouse: "WH-1", SKU: "A", Quantity: dec("6")}})
	}); err != nil {
		t.Fatal(err)
	}
	reserved := func() string {
		rows, _ := st.InventoryOf(ctx, "A")
		return rows[0].Reserved.String()
	}
	for _, tt := range []struct {
		by, wantHeld, wantReserved string
		err                        bool
	}{
		{"2", "4", "4", false},
		{"5", "4", "4", true}, // more than held: nothing changes
		{"4", "", "0", false}, // all of it: the reservation goes
		{"1", "", "0", true},  // nothing left to reduce
	} {
		err := st.Update(ctx, func(tx *Tx) error { return tx.ReduceReservation("o1", "1", "WH-1", dec(tt.by)) })
		if tt.err != errors.Is(err, ErrStockMoved) {
			t.Fatalf("reduce by %s: err = %v", tt.by, err)
		}
		res, _ := st.Reservations(ctx, "o1")
		held := ""
		if len(res) > 0 {
			held = res[0].Quantity.String()
		}
		if held != tt.wantHeld || reserved() != tt.wantReserved {
			t.Errorf("after reducing by %s: held %q reserved %s, want %q and %s", tt.by, held, reserved(), tt.wantHeld, tt.wantReserved)
		}
	}
}

func TestMarkShipped(t *testing.T) {
	st := stockStore(t, "14")
	ctx := context.Background()
	add := func(id, status string) {
		o := &order.Order{ID: id, Partner: "P", PONumber: "PO-" + id, Lines: []order.Line{{LineNo: "1", SKU: "A", Quantity: dec("4")}}}
		js, _ := order.Marshal(o)
		if err := st.Update(ctx, func(tx *Tx) error {
			if _, err := tx.InsertOrder(o, "", Pack(js), "test"); err != nil {
				return err
			}
			if err := tx.Advance(id, status, "test", Pack(js)); err != nil {
				return err
			}
			return tx.Reserve([]Reservation{{OrderID: id, LineNo: "1", Warehouse: "WH-1", SKU: "A", Quantity: dec("4")}})
		}); err != nil {
			t.Fatal(err)
		}
	}
	add("o1", order.StatusRouted)
	add("o2", order.StatusBackordered)
	add("o3", order.StatusPriced)

	row, err := st.MarkShipped(ctx, "o1", "shipped by test")
	if err != nil {
		t.Fatal(err)
	}
	o, _ := order.Decode(row.JSON)
	if row.Status != order.StatusShipped || o.Status != order.StatusShipped {
		t.Errorf("status %s, JSON status %s", row.Status, o.Status)
	}
	inv, _ := st.InventoryOf(ctx, "A")
	// o1's 4 left the stock; o2's and o3's 8 stay reserved.
	if !inv[0].OnHand.Equal(dec("10")) || !inv[0].Reserved.Equal(dec("8")) {
		t.Errorf("on hand %s reserved %s, want 10 and 8", inv[0].OnHand, inv[0].Reserved)
	}
	if res, _ := st.Reservations(ctx, "o1"); len(res) != 0 {
		t.Errorf("o1 still holds %v", res)
	}
	// Again: nothing more leaves the stock.
	if _, err := st.MarkShipped(ctx, "o1", "again"); err != nil {
		t.Fatal(err)
	}
	if inv, _ := st.InventoryOf(ctx, "A"); !inv[0].OnHand.Equal(dec("10")) {
		t.Errorf("shipped twice: on hand %s", inv[0].OnHand)
	}
	for _, id := range []string{"o2", "o3"} {
		var ns *NotShippableError
		if _, err := st.MarkShipped(ctx, id, "test"); !errors.As(err, &ns) {
			t.Errorf("%s: err = %v, want NotShippableError", id, err)
		}
	}
	if _, err := st.MarkShipped(ctx, "nope", "test"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown order: err = %v", err)
	}
}
