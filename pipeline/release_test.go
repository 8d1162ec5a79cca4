package pipeline

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

// A held order is released to the route stage's topic, or rejected with
// its stock given back; an order that is not held, or unknown, is left
// alone.
func TestRelease(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	if _, err := st.UpsertCatalog(ctx, []store.CatalogItem{{SKU: "S-1", Description: "cola", UOM: "EA", PackSize: decimal.NewFromInt(1), Category: "bev"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertStock(ctx, []store.StockLevel{{Warehouse: "EAST", SKU: "S-1", OnHand: decimal.NewFromInt(100)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertPartners(ctx, []store.Partner{{ID: "P", Name: "P", Tier: "standard", TokenSHA256: store.TokenSHA256("P"),
		CreditLimit: decimal.NewFromInt(10), CreditCurrency: "USD", SetCredit: true}}); err != nil {
		t.Fatal(err)
	}
	price := decimal.RequireFromString("1.50")
	stages := []Stage{&Stock{Store: st}, &Price{Store: st}}
	held := func(id string) *order.Order {
		// 12 at 1.50 is 18.00, over the limit of 10.00: held.
		o := &order.Order{ID: id, Partner: "P", PONumber: "PO-" + id, Currency: "USD", Status: order.StatusValidated,
			Lines: []order.Line{{LineNo: "1", SKU: "S-1", Quantity: decimal.NewFromInt(12), UOM: "EA", UnitPrice: &price}}}
		process(t, st, stages, o)
		if o.Status != order.StatusHeld || len(o.Holds) != 1 || o.Holds[0].Rule != order.HoldCreditLimit {
			t.Fatalf("%s: %s %+v, want held by the credit limit", id, o.Status, o.Holds)
		}
		return o
	}
	reserved := func() string {
		rows, err := st.InventoryOf(ctx, "S-1")
		if err != nil {
			t.Fatal(err)
		}
		return rows[0].Reserved.String()
	}
	a, b := held("ord_a"), held("ord_b")
	if got := reserved(); got != "24" {
		t.Fatalf("reserved %s, want 24: a held order keeps its stock", got)
	}

	pub := &sink{}
	o, err := Release(ctx, st, pub, ReleaseRequest{ID: a.ID, By: "CLI", Note: "paid in advance"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != order.StatusPriced {
		t.Errorf("released: %s", o.Status)
	}
	msgs := pub.msgs[TopicPriced]
	if len(msgs) != 1 || msgs[0].Metadata.Get("key") != a.ID {
		t.Fatalf("published on %s: %v", TopicPriced, msgs)
	}
	if pending, _ := st.Pending(ctx); len(pending) != 0 {
		t.Errorf("%d message(s) left pending after publishing", len(pending))
	}
	// The route stage takes the message as any priced order.
	routed, err := order.Decode(msgs[0].Payload)
	if err != nil {
		t.Fatal(err)
	}
	if want, _, err := (&Route{Store: st}).Prepare(ctx, routed); err != nil || want.Status != order.StatusRouted {
		t.Errorf("route after release: %+v, %v", want, err)
	}
	ev, _ := st.Events(ctx, a.ID)
	if last := ev[len(ev)-1]; last.Status != order.StatusPriced || last.Reason != "released by CLI: paid in advance" {
		t.Errorf("last event %+v", last)
	}

	if _, err := Release(ctx, st, pub, ReleaseRequest{ID: a.ID, By: "CLI"}); !errors.Is(err, store.ErrNotHeld) || !strings.Contains(err.Error(), "is priced") {
		t.Errorf("releasing a priced order: %v, want ErrNotHeld", err)
	}
	if _, err := Release(ctx, st, pub, ReleaseRequest{ID: "ord_none", By: "CLI"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("releasing an unknown order: %v, want ErrNotFound", err)
	}

	o, err = Release(ctx, st, pub, ReleaseRequest{ID: b.ID, By: "API", Reject: true})
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != order.StatusCancelled {
		t.Errorf("rejected: %s", o.Status)
	}
	if got := reserved(); got != "12" {
		t.Errorf("reserved %s after the rejection, want 12 (only the released order's)", got)
	}
	if len(pub.msgs[TopicPriced]) != 1 {
		t.Errorf("a rejected order was published")
	}
}
