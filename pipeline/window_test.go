package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
	"github.com/orderhub/orderhub/store"
)

// The turns a window gives: the top tier at once, each lower tier when
// the window has closed and every order above it is done; orders of one
// tier together.
func TestAllocWindowTurns(t *testing.T) {
	var w allocWindow
	ctx := context.Background()
	var mu sync.Mutex
	var got []string
	var wg sync.WaitGroup
	enter := func(name, tier string, hold time.Duration) {
		defer wg.Done()
		done, err := w.join(ctx, tier, 500*time.Millisecond) // wide: arrivals below land in it even on a loaded machine
		if err != nil {
			t.Error(err)
			return
		}
		mu.Lock()
		got = append(got, name)
		mu.Unlock()
		time.Sleep(hold) // the order's allocation
		done()
	}
	start := time.Now()
	// Arrival order: standard, gold, key account (last, within the window).
	for _, o := range []struct {
		name, tier string
		after      time.Duration
	}{{"std1", "standard", 0}, {"gold", "gold", 10 * time.Millisecond}, {"std2", "", 20 * time.Millisecond}, {"key", "key_account", 40 * time.Millisecond}} {
		wg.Add(1)
		time.Sleep(o.after - time.Since(start))
		go enter(o.name, o.tier, 20*time.Millisecond)
	}
	wg.Wait()
	if len(got) != 4 || got[0] != "key" || got[1] != "gold" || (got[2]+got[3] != "std1std2" && got[2]+got[3] != "std2std1") {
		t.Errorf("turns %v, want key, gold, then the standard ones", got)
	}
	// An order after the window is a new batch: it does not wait for the
	// old batch's lower tiers, only for its own window.
	t0 := time.Now()
	done, err := w.join(ctx, "standard", 30*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	done()
	if d := time.Since(t0); d < 30*time.Millisecond || d > time.Second {
		t.Errorf("alone in a window: waited %s", d)
	}
	// Off: no wait at all.
	t0 = time.Now()
	done, _ = w.join(ctx, "standard", 0)
	done()
	if d := time.Since(t0); d > 50*time.Millisecond {
		t.Errorf("window off: waited %s", d)
	}
	// A cancelled wait counts the order out, so nobody waits for it.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := w.join(cctx, "gold", time.Second); err == nil {
		t.Error("cancelled join went on")
	}
	// A standard order waits for the key account of its window to be
	// done, however long after the window that is.
	key, _ := w.join(ctx, "key_account", 200*time.Millisecond)
	time.AfterFunc(400*time.Millisecond, key)
	t0 = time.Now()
	done, _ = w.join(ctx, "standard", 200*time.Millisecond)
	done()
	if d := time.Since(t0); d < 390*time.Millisecond {
		t.Errorf("the standard order went after %s, before the key account was done", d)
	}
	// ... but not for ever: an order stuck above it is passed by after
	// maxWait.
	w.maxWait = 300 * time.Millisecond
	go w.join(ctx, "gold", 200*time.Millisecond) // never done
	time.Sleep(2 * time.Millisecond)
	t0 = time.Now()
	done, _ = w.join(ctx, "standard", 200*time.Millisecond)
	done()
	if d := time.Since(t0); d < 300*time.Millisecond || d > 5*time.Second {
		t.Errorf("behind a stuck order: waited %s", d)
	}
}

// Through the stage runner: a standard order and then a key account's
// order for the same last 10 units. Without a window the standard order,
// first, takes them (the key account's comes once it is done, so the test
// does not hang on timing); with a window, the key account's, 50 ms later
// and well inside the window, does.
func TestAllocationWindowByTier(t *testing.T) {
	for _, tt := range []struct {
		window string
		want   string // who gets the stock
	}{
		{"0", "STD"},
		{"1s", "KEY"},
	} {
		t.Run(tt.window, func(t *testing.T) {
			ctx := context.Background()
			st := testStore(t)
			if _, err := st.UpsertCatalog(ctx, []store.CatalogItem{{SKU: "S-1", Description: "cola", UOM: "EA", PackSize: decimal.NewFromInt(1)}}); err != nil {
				t.Fatal(err)
			}
			if _, err := st.UpsertStock(ctx, []store.StockLevel{{Warehouse: "EAST", SKU: "S-1", OnHand: decimal.NewFromInt(10)}}); err != nil {
				t.Fatal(err)
			}
			if _, err := st.UpsertPartners(ctx, []store.Partner{
				{ID: "STD", Name: "STD", Tier: "standard", TokenSHA256: store.TokenSHA256("STD")},
				{ID: "KEY", Name: "KEY", Tier: "key_account", TokenSHA256: store.TokenSHA256("KEY")}}); err != nil {
				t.Fatal(err)
			}
			rf := testRules(t, "allocation: {window: "+tt.window+"}\n")
			s := &Stock{Store: st, Rules: rf}
			r := &runner{notDone: notDone(s), stage: s, store: st, pub: &sink{}, log: slog.New(slog.DiscardHandler), stats: &StageStats{}, cache: newOrderCache()}
			var wg sync.WaitGroup
			for i, p := range []string{"STD", "KEY"} {
				o := &order.Order{ID: fmt.Sprintf("ord_%d", i), Partner: p, PONumber: "PO-" + p, Status: order.StatusValidated,
					Lines: []order.Line{{LineNo: "1", SKU: "S-1", Quantity: decimal.NewFromInt(10), UOM: "EA"}}}
				js, _ := order.Marshal(o)
				if err := st.Update(ctx, func(tx *store.Tx) error {
					_, err := tx.InsertOrder(o, "", store.Pack(js), "test")
					return err
				}); err != nil {
					t.Fatal(err)
				}
				msg := ordermsg.New(o, TopicAccepted, "", js, "")
				wg.Add(1)
				go func(m *message.Message) {
					defer wg.Done()
					if err := r.handle(m); err != nil {
						t.Error(err)
					}
				}(msg)
				if tt.window == "0" {
					wg.Wait()
				} else {
					time.Sleep(50 * time.Millisecond)
				}
			}
			wg.Wait()
			for i, p := range []string{"STD", "KEY"} {
				row, err := st.Order(ctx, fmt.Sprintf("ord_%d", i))
				if err != nil {
					t.Fatal(err)
				}
				o, err := order.Decode(row.JSON)
				if err != nil {
					t.Fatal(err)
				}
				if got := len(o.Allocations) > 0; got != (p == tt.want) {
					t.Errorf("%s (%s): allocations %v, backorders %v", p, row.Status, o.Allocations, o.Backorders)
				}
			}
		})
	}
}
