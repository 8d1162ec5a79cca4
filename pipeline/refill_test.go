package pipeline

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

// sink is a publisher that keeps what it is given.
type sink struct {
	mu   sync.Mutex
	msgs map[string][]*message.Message
}

func (s *sink) Publish(topic string, msgs ...*message.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.msgs == nil {
		s.msgs = map[string][]*message.Message{}
	}
	s.msgs[topic] = append(s.msgs[topic], msgs...)
	return nil
}
func (s *sink) Close() error { return nil }

// process stores o and takes it through stages as the pipeline's runner
// would, each stage's outcome committed with its order.
func process(t *testing.T, st *store.Store, stages []Stage, o *order.Order) {
	t.Helper()
	ctx := context.Background()
	js, _ := order.Marshal(o)
	if err := st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.InsertOrder(o, "", store.Pack(js), "test")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, s := range stages {
		want, commit, err := s.Prepare(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		err = st.Update(ctx, func(tx *store.Tx) error {
			out := want
			if commit != nil {
				if out, _, err = commit(tx); err != nil {
					return err
				}
			}
			o.Status = out.Status
			js, err := order.Marshal(o)
			if err != nil {
				return err
			}
			return tx.Advance(o.ID, out.Status, out.Reason, store.Pack(js))
		})
		if err != nil {
			t.Fatal(err)
		}
		if order.Final(o.Status) {
			return
		}
	}
}

// Stock that arrives goes to the key account first, then by tier, then
// to the oldest backorder; what an order gets is sent on to fulfilment and
// logistics, and an order whose backorders are filled ends routed.
func TestRefillByTierThenAge(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	if _, err := st.UpsertCatalog(ctx, []store.CatalogItem{{SKU: "S-1", Description: "cola", UOM: "EA", PackSize: decimal.NewFromInt(1), Category: "bev"}}); err != nil {
		t.Fatal(err)
	}
	stock := func(n int64) {
		if _, err := st.UpsertStock(ctx, []store.StockLevel{{Warehouse: "EAST", SKU: "S-1", OnHand: decimal.NewFromInt(n)}}); err != nil {
			t.Fatal(err)
		}
	}
	stock(10)
	var partners []store.Partner
	for _, p := range [][2]string{{"STD", "standard"}, {"GOLD", "gold"}, {"KEY", "key_account"}, {"STD2", "standard"}} {
		partners = append(partners, store.Partner{ID: p[0], Name: p[0], Tier: p[1], TokenSHA256: store.TokenSHA256(p[0])})
	}
	if _, err := st.UpsertPartners(ctx, partners); err != nil {
		t.Fatal(err)
	}
	stages := []Stage{&Stock{Store: st}, &Route{Store: st}}
	orders := map[string]*order.Order{}
	// In order of arrival: the standard account first, the key account last.
	for i, p := range []string{"STD", "GOLD", "STD2", "KEY"} {
		o := &order.Order{ID: fmt.Sprintf("ord_%d", i), Partner: p, PONumber: "PO-" + p, Status: order.StatusValidated,
			Lines: []order.Line{{LineNo: "1", SKU: "S-1", Quantity: decimal.NewFromInt(10), UOM: "EA"}}}
		process(t, st, stages, o)
		orders[p] = o
	}
	if orders["STD"].Status != order.StatusRouted {
		t.Fatalf("the first order took the stock: %s", orders["STD"].Status)
	}
	for _, p := range []string{"GOLD", "STD2", "KEY"} {
		if orders[p].Status != order.StatusBackordered {
			t.Fatalf("%s: %s", p, orders[p].Status)
		}
	}
	pub := &sink{}
	rf := &Refill{Store: st, Pub: pub, Policies: (*mappings.Profiles)(nil)}
	status := func(p string) string {
		row, err := st.Order(ctx, orders[p].ID)
		if err != nil {
			t.Fatal(err)
		}
		return row.Status
	}

	// 15 more arrive (on hand 25, 10 reserved): the key account's 10,
	// then 5 of gold's 10; the standard account waits.
	stock(25)
	if n, err := rf.Once(ctx); err != nil || n != 2 {
		t.Fatalf("Once = %d, %v", n, err)
	}
	if got := status("KEY") + " " + status("GOLD") + " " + status("STD2"); got != "routed backordered backordered" {
		t.Errorf("after 15 arrive: %s", got)
	}
	row, _ := st.Order(ctx, orders["GOLD"].ID)
	gold, _ := order.Decode(row.JSON)
	if len(gold.Backorders) != 1 || gold.Backorders[0].Quantity.String() != "5" || gold.Outcome("1").Outcome != order.OutcomeBackordered ||
		gold.Outcome("1").Short.String() != "5" ||
		!strings.Contains(gold.Outcome("1").Reason, "5 EA still backordered") {
		t.Errorf("gold after a part: backorders %v, outcome %+v", gold.Backorders, gold.Outcome("1"))
	}
	if f := pub.msgs["fulfilment.EAST"]; len(f) != 2 {
		t.Errorf("%d fulfilment messages, want 2", len(f))
	}
	if l := pub.msgs[TopicLogistics]; len(l) != 2 || !strings.Contains(string(l[0].Payload), `"order_id":"ord_3"`) {
		t.Errorf("logistics: %d, first %s", len(l), l[0].Payload)
	}
	// Nothing new: nothing happens.
	if n, err := rf.Once(ctx); err != nil || n != 0 {
		t.Errorf("Once again = %d, %v", n, err)
	}
	// 15 more: gold's last 5, then the standard account's 10.
	stock(40)
	if n, err := rf.Once(ctx); err != nil || n != 2 {
		t.Fatalf("Once = %d, %v", n, err)
	}
	if got := status("GOLD") + " " + status("STD2"); got != "routed routed" {
		t.Errorf("after 15 more: %s", got)
	}
	row, _ = st.Order(ctx, orders["GOLD"].ID)
	gold, _ = order.Decode(row.JSON)
	if len(gold.Backorders) != 0 || len(gold.Allocations) != 2 || gold.Outcome("1").Outcome != order.OutcomeAccepted || !gold.Outcome("1").Short.IsZero() {
		t.Errorf("gold at the end: %+v %+v %+v", gold.Allocations, gold.Backorders, gold.Outcome("1"))
	}
	if q, _ := st.BackorderQueue(ctx, nil); len(q) != 0 {
		t.Errorf("queue left: %+v", q)
	}
	inv, _ := st.Inventory(ctx, []string{"S-1"})
	if len(inv) != 1 || inv[0].Reserved.String() != "40" {
		t.Errorf("inventory %+v", inv)
	}
	ids := map[string]bool{}
	for _, ms := range pub.msgs {
		for _, m := range ms {
			if ids[m.UUID] {
				t.Errorf("message %s sent twice", m.UUID)
			}
			ids[m.UUID] = true
		}
	}
}

// A fill's messages are stored with it: published after the commit and
// forgotten, or, when the process died in between, published at the next
// start with the same UUIDs.
func TestRefillPendingMessages(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	msgs := []store.PendingMessage{
		{Topic: "fulfilment.EAST", UUID: "u-1", Metadata: map[string]string{"key": "ord_1"}, Payload: []byte(`{"a":1}`)},
		{Topic: TopicLogistics, UUID: "u-2", Metadata: map[string]string{"key": "ord_1"}, Payload: []byte(`{"b":2}`)},
	}
	if err := st.Update(ctx, func(tx *store.Tx) error { _, err := tx.AddPending(msgs); return err }); err != nil {
		t.Fatal(err)
	}
	pub := &sink{}
	rf := &Refill{Store: st, Pub: pub, Every: time.Hour}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- rf.Run(runCtx) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if p, _ := st.Pending(ctx); len(p) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("pending messages not published")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if f := pub.msgs["fulfilment.EAST"]; len(f) != 1 || f[0].UUID != "u-1" || f[0].Metadata.Get("key") != "ord_1" || string(f[0].Payload) != `{"a":1}` {
		t.Errorf("fulfilment: %v", f)
	}
	if l := pub.msgs[TopicLogistics]; len(l) != 1 || l[0].UUID != "u-2" {
		t.Errorf("logistics: %v", l)
	}
}

// A ship-complete order waits whole: stock for one of its lines, or for
// each line in a different warehouse, fills nothing; once one warehouse
// can ship it all, it ships all from there.
func TestRefillShipComplete(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	var items []store.CatalogItem
	for _, sku := range []string{"A", "B"} {
		items = append(items, store.CatalogItem{SKU: sku, Description: sku, UOM: "EA", PackSize: decimal.NewFromInt(1)})
	}
	if _, err := st.UpsertCatalog(ctx, items); err != nil {
		t.Fatal(err)
	}
	stock := func(wh, sku string, n int64) {
		t.Helper()
		if _, err := st.UpsertStock(ctx, []store.StockLevel{{Warehouse: wh, SKU: sku, OnHand: decimal.NewFromInt(n)}}); err != nil {
			t.Fatal(err)
		}
	}
	stock("EAST", "A", 0)
	stock("EAST", "B", 0)
	pols := policyMap{"SC": {Allocation: mappings.AllocationShipComplete}}
	stages := []Stage{&Stock{Store: st, Policies: pols}, &Route{Store: st}}
	o := &order.Order{ID: "ord_sc", Partner: "SC", PONumber: "PO-SC", Status: order.StatusValidated,
		Lines: []order.Line{{LineNo: "1", SKU: "A", Quantity: decimal.NewFromInt(5), UOM: "EA"}, {LineNo: "2", SKU: "B", Quantity: decimal.NewFromInt(5), UOM: "EA"}}}
	process(t, st, stages, o)
	if o.Status != order.StatusBackordered || len(o.Backorders) != 2 {
		t.Fatalf("first: %s %v", o.Status, o.Backorders)
	}
	pub := &sink{}
	rf := &Refill{Store: st, Pub: pub, Policies: pols}
	for _, step := range []struct {
		wh, sku string
		n       int64
		fills   int
	}{
		{"EAST", "A", 10, 0}, // A only: the order waits whole
		{"WEST", "B", 10, 0}, // B in another warehouse: still no one warehouse has it all
		{"EAST", "B", 5, 1},  // EAST has both: it ships all
	} {
		stock(step.wh, step.sku, step.n)
		if n, err := rf.Once(ctx); err != nil || n != step.fills {
			t.Fatalf("%s %s %d: Once = %d, %v", step.wh, step.sku, step.n, n, err)
		}
	}
	row, _ := st.Order(ctx, o.ID)
	got, _ := order.Decode(row.JSON)
	if row.Status != order.StatusRouted || len(got.Allocations) != 2 || got.Allocations[0].Warehouse != "EAST" || got.Allocations[1].Warehouse != "EAST" {
		t.Errorf("at the end: %s %+v", row.Status, got.Allocations)
	}
}
