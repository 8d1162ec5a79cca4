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
	if _, err := st.UpsertStock(ctx, []StockLevel{{Warehouse: "WH-1", SKU: "A", OnHand: dec(onHand)}, {Warehouse: "WH-1", SKU: "B", OnHand: dec(onHand)}}); err != nil {
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

func TestAvailable(t *testing.T) {
	for _, tt := range []struct {
		name                     string
		onHand, reserved, safety string
		want                     string
	}{
		{"nothing held", "10", "0", "0", "10"},
		{"reserved", "10", "3", "0", "7"},
		{"reserved and safety", "10", "3", "2", "5"},
		{"safety only", "10", "0", "4", "6"},
		{"fractions", "10.5", "0.25", "0.0001", "10.2499"},
		{"all held back", "10", "6", "4", "0"},
		{"safety above what is left", "10", "6", "5", "0"},
		{"count below reserved", "4", "6", "0", "0"},
		{"count below safety", "3", "0", "5", "0"},
	} {
		r := InventoryRow{OnHand: dec(tt.onHand), Reserved: dec(tt.reserved), Safety: dec(tt.safety)}
		if got := r.Available(); !got.Equal(dec(tt.want)) {
			t.Errorf("%s: Available(%s on hand, %s reserved, %s safety) = %s, want %s",
				tt.name, tt.onHand, tt.reserved, tt.safety, got, tt.want)
		}
	}
	// A row built without Safety (the zero Decimal) has none.
	if got := (InventoryRow{OnHand: dec("5"), Reserved: dec("2")}).Available(); !got.Equal(dec("3")) {
		t.Errorf("without safety: %s, want 3", got)
	}
}

// safetyStore has A and B in WH-1, 10 on hand each, A with safety stock.
func safetyStore(t *testing.T, safetyA string) *Store {
	t.Helper()
	st := openTestStore(t)
	ctx := context.Background()
	if _, err := st.UpsertCatalog(ctx, catalog("A", "B")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertStock(ctx, []StockLevel{
		{Warehouse: "WH-1", SKU: "A", OnHand: dec("10"), Safety: dec(safetyA), SetSafety: true},
		{Warehouse: "WH-1", SKU: "B", OnHand: dec("10")},
	}); err != nil {
		t.Fatal(err)
	}
	return st
}

// The guarded UPDATE never reserves into the safety stock, and refuses
// the whole order when one line would.
func TestReserveRespectsSafety(t *testing.T) {
	res := func(order, line, sku, q string) Reservation {
		return Reservation{OrderID: order, LineNo: line, Warehouse: "WH-1", SKU: sku, Quantity: dec(q)}
	}
	tests := []struct {
		name    string
		safety  string
		before  []Reservation // reserved first, must succeed
		reserve []Reservation
		wantErr bool
		// reserved after the attempt
		wantA, wantB string
	}{
		{"up to the safety stock", "3", nil, []Reservation{res("o1", "1", "A", "7")}, false, "7", "0"},
		{"one unit into it", "3", nil, []Reservation{res("o1", "1", "A", "8")}, true, "0", "0"},
		{"fractional unit into it", "3", nil, []Reservation{res("o1", "1", "A", "7.0001")}, true, "0", "0"},
		{"after another order", "3", []Reservation{res("o0", "1", "A", "5")},
			[]Reservation{res("o1", "1", "A", "3")}, true, "5", "0"},
		{"after another order, what is left", "3", []Reservation{res("o0", "1", "A", "5")},
			[]Reservation{res("o1", "1", "A", "2")}, false, "7", "0"},
		{"two lines of one SKU add up", "3", nil,
			[]Reservation{res("o1", "1", "A", "4"), res("o1", "2", "A", "4")}, true, "0", "0"},
		{"the other line is not reserved either", "3", nil,
			[]Reservation{res("o1", "1", "B", "10"), res("o1", "2", "A", "8")}, true, "0", "0"},
		{"safety stock is everything", "10", nil, []Reservation{res("o1", "1", "A", "1")}, true, "0", "0"},
		{"no safety stock", "0", nil, []Reservation{res("o1", "1", "A", "10")}, false, "10", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := safetyStore(t, tt.safety)
			ctx := context.Background()
			if len(tt.before) > 0 {
				if err := st.Update(ctx, func(tx *Tx) error { return tx.Reserve(tt.before) }); err != nil {
					t.Fatal(err)
				}
			}
			err := st.Update(ctx, func(tx *Tx) error { return tx.Reserve(tt.reserve) })
			if tt.wantErr != (err != nil) || (err != nil && !errors.Is(err, ErrStockMoved)) {
				t.Fatalf("err = %v, want ErrStockMoved: %v", err, tt.wantErr)
			}
			for sku, want := range map[string]string{"A": tt.wantA, "B": tt.wantB} {
				rows, err := st.InventoryOf(ctx, sku)
				if err != nil || len(rows) != 1 {
					t.Fatalf("InventoryOf(%s) = %v, %v", sku, rows, err)
				}
				if !rows[0].Reserved.Equal(dec(want)) {
					t.Errorf("%s reserved %s, want %s", sku, rows[0].Reserved, want)
				}
				// Never more promised than on hand less safety stock.
				if rows[0].Reserved.Add(rows[0].Safety).GreaterThan(rows[0].OnHand) {
					t.Errorf("%s: reserved %s + safety %s > on hand %s", sku, rows[0].Reserved, rows[0].Safety, rows[0].OnHand)
				}
			}
			if err != nil {
				var n int
				st.db.Read().QueryRow(`SELECT count(*) FROM reservations WHERE order_id = 'o1'`).Scan(&n)
				if n != 0 {
					t.Errorf("%d reservation rows kept for a refused order", n)
				}
			}
		})
	}
}

// Every read of inventory carries the safety stock, and Available agrees
// with what Reserve grants.
func TestInventoryReadsSafety(t *testing.T) {
	st := safetyStore(t, "2.5")
	ctx := context.Background()
	check := func(how string, rows []InventoryRow, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", how, err)
		}
		want := map[string][2]string{"A": {"2.5", "7.5"}, "B": {"0", "10"}}
		if len(rows) != len(want) {
			t.Fatalf("%s: %d rows, want %d", how, len(rows), len(want))
		}
		for _, r := range rows {
			w := want[r.SKU]
			if !r.Safety.Equal(dec(w[0])) || !r.Available().Equal(dec(w[1])) {
				t.Errorf("%s: %s safety %s available %s, want %s and %s", how, r.SKU, r.Safety, r.Available(), w[0], w[1])
			}
		}
	}
	rows, err := st.Inventory(ctx, []string{"A", "B"})
	check("Store.Inventory", rows, err)
	rows, err = st.Inventory(ctx, []string{"A", "B"}) // the prepared statement, again
	check("Store.Inventory again", rows, err)
	err = st.Update(ctx, func(tx *Tx) error {
		rows, err := tx.Inventory([]string{"A", "B"})
		check("Tx.Inventory", rows, err)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a, errA := st.InventoryOf(ctx, "A")
	b, errB := st.InventoryOf(ctx, "B")
	check("InventoryOf", append(a, b...), errors.Join(errA, errB))

	// Exactly what Available says can be reserved, and not a bit more.
	r := Reservation{OrderID: "o1", LineNo: "1", Warehouse: "WH-1", SKU: "A", Quantity: a[0].Available()}
	if err := st.Update(ctx, func(tx *Tx) error { return tx.Reserve([]Reservation{r}) }); err != nil {
		t.Fatalf("reserving Available(): %v", err)
	}
	r.OrderID, r.Quantity = "o2", dec("0.0001")
	if err := st.Update(ctx, func(tx *Tx) error { return tx.Reserve([]Reservation{r}) }); !errors.Is(err, ErrStockMoved) {
		t.Fatalf("reserving past Available(): %v, want ErrStockMoved", err)
	}
}
