package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/shopspring/decimal"
)

func TestE4(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		err  bool
	}{
		{"0", 0, false}, {"120.5", 1205000, false}, {"0.0001", 1, false}, {"24.0000", 240000, false},
		{"0.00001", 0, true}, {"99999999999999999", 0, true},
	} {
		got, err := ToE4(decimal.RequireFromString(tt.in))
		if (err != nil) != tt.err || (!tt.err && got != tt.want) {
			t.Errorf("ToE4(%s) = %d, %v", tt.in, got, err)
		}
		if !tt.err && !FromE4(got).Equal(decimal.RequireFromString(tt.in)) {
			t.Errorf("FromE4(ToE4(%s)) = %s", tt.in, FromE4(got))
		}
	}
}

func stockStore(t *testing.T, onHand string) *Store {
	t.Helper()
	st := openTestStore(t)
	ctx := context.Background()
	if _, err := st.UpsertCatalog(ctx, catalog("A", "B")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertStock(ctx, []StockLevel{{"WH-1", "A", dec(onHand)}, {"WH-1", "B", dec(onHand)}}); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestReserveIsGuarded(t *testing.T) {
	st := stockStore(t, "10")
	ctx := context.Background()
	res := func(order, sku, q string) Reservation {
		return Reservation{OrderID: order, LineNo: "1", Warehouse: "WH-1", SKU: sku, Quantity: dec(q)}
	}
	if err := st.Update(ctx, func(tx *Tx) error { return tx.Reserve([]Reservation{res("o1", "A", "6")}) }); err != nil {
		t.Fatal(err)
	}
	// B is available but A is not: nothing of o2 may stay reserved.
	err := st.Update(ctx, func(tx *Tx) error {
		return tx.Reserve([]Reservation{res("o2", "B", "3"), {OrderID: "o2", LineNo: "2", Warehouse: "WH-1", SKU: "A", Quantity: dec("5")}})
	})
	if !errors.Is(err, ErrStockMoved) {
		t.Fatalf("err = %v, want ErrStockMoved", err)
	}
	for sku, want := range map[string]string{"A": "6", "B": "0"} {
		rows, _ := st.InventoryOf(ctx, sku)
		if !rows[0].Reserved.Equal(dec(want)) {
			t.Errorf("%s reserved %s, want %s", sku, rows[0].Reserved, want)
		}
	}
	if err := st.Update(ctx, func(tx *Tx) error { return tx.ReleaseReservations("o1") }); err != nil {
		t.Fatal(err)
	}
	rows, _ := st.InventoryOf(ctx, "A")
	if !rows[0].Reserved.IsZero() {
		t.Errorf("after release A reserved %s", rows[0].Reserved)
	}
}

// Many orders racing for the last units never get more than there is.
func TestReserveRace(t *testing.T) {
	st := stockStore(t, "100")
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := decimal.Zero
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q := decimal.NewFromInt(int64(1 + i%3))
			err := st.Update(ctx, func(tx *Tx) error {
				return tx.Reserve([]Reservation{{OrderID: fmt.Sprintf("o%d", i), LineNo: "1", Warehouse: "WH-1", SKU: "A", Quantity: q}})
			})
			if err == nil {
				mu.Lock()
				got = got.Add(q)
				mu.Unlock()
			} else if !errors.Is(err, ErrStockMoved) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	rows, _ := st.InventoryOf(ctx, "A")
	if !rows[0].Reserved.Equal(got) || got.GreaterThan(dec("100")) {
		t.Errorf("reserved %s, granted %s, on hand 100", rows[0].Reserved, got)
	}
	if got.LessThan(dec("98")) {
		t.Errorf("granted only %s of 100", got)
	}
}
