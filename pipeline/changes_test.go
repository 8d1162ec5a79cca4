package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/orderhub/orderhub/masterdata"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
	"github.com/orderhub/orderhub/store"
)

// changesStore is a store with the changes scenario's master data and
// order ord_A (PO P-1: 25 water and 10 iced tea from WH-EAST) routed.
func changesStore(t *testing.T) (*store.Store, *Changes) {
	t.Helper()
	ctx := context.Background()
	st := testStore(t)
	for _, kind := range []string{"catalog", "stock", "prices", "partners"} {
		if _, err := masterdata.Load(ctx, st, kind, filepath.Join("testdata/scenarios/changes", kind+".csv")); err != nil {
			t.Fatal(err)
		}
	}
	stock, price := &Stock{Store: st}, &Price{Store: st}
	o := &order.Order{ID: "ord_A", Partner: "SHOP", PONumber: "P-1", Purpose: order.PurposeOriginal, Currency: "USD", Status: order.StatusValidated,
		Lines: []order.Line{{LineNo: "1", SKU: "A-1", Quantity: d("25"), UOM: "EA"}, {LineNo: "2", SKU: "B-1", Quantity: d("10"), UOM: "EA"}}}
	process(t, st, []Stage{&Dedupe{}, stock, price, &Route{Store: st}}, o)
	if o.Status != order.StatusRouted {
		t.Fatalf("ord_A %s", o.Status)
	}
	return st, &Changes{Store: st, Stock: stock, Price: price}
}

// deliver inserts doc (validated, as dedupe leaves it) and hands its
// message to the changes stage's runner as the bus would.
func deliver(t *testing.T, st *store.Store, run *runner, doc *order.Order) error {
	t.Helper()
	doc.Status = order.StatusValidated
	js, _ := order.Marshal(doc)
	if err := st.Update(context.Background(), func(tx *store.Tx) error {
		_, err := tx.InsertOrder(doc, "", store.Pack(js), "test")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return run.handle(message.NewMessage(ordermsg.UUID(doc.ID, TopicChanges, ""), js))
}

func changesRunner(st *store.Store, s *Changes, pub message.Publisher) *runner {
	return &runner{notDone: notDone(s), stage: s, store: st, pub: pub, log: slog.New(slog.DiscardHandler), stats: &StageStats{}, cache: newOrderCache()}
}

// A cancel delivered twice cancels once: the second delivery releases
// nothing more, records nothing more, and publishes the same messages
// under the same ids.
func TestCancelRedelivered(t *testing.T) {
	st, s := changesStore(t)
	ctx := context.Background()
	pub := &sink{}
	run := changesRunner(st, s, pub)
	doc := &order.Order{ID: "ord_C", Partner: "SHOP", PONumber: "P-1", Purpose: order.PurposeCancel, Lines: []order.Line{}}
	if err := deliver(t, st, run, doc); err != nil {
		t.Fatal(err)
	}
	reserved := func() string {
		inv, _ := st.InventoryOf(ctx, "A-1")
		return inv[0].Reserved.String()
	}
	if r := reserved(); r != "0" {
		t.Fatalf("after the cancel A-1 reserved %s", r)
	}
	// Another order takes the water the cancel gave back.
	other := &order.Order{ID: "ord_B", Partner: "SHOP", PONumber: "P-2", Purpose: order.PurposeOriginal, Currency: "USD", Status: order.StatusValidated,
		Lines: []order.Line{{LineNo: "1", SKU: "A-1", Quantity: d("30"), UOM: "EA"}}}
	process(t, st, []Stage{&Stock{Store: st}}, other)
	events, _ := st.Events(ctx, "ord_A")
	first := map[string][]string{}
	for topic, msgs := range pub.msgs {
		for _, m := range msgs {
			first[topic] = append(first[topic], m.UUID)
		}
	}
	pub.msgs = nil
	js, _ := st.Order(ctx, "ord_C")
	if err := run.handle(message.NewMessage(ordermsg.UUID("ord_C", TopicChanges, ""), js.JSON)); err != nil {
		t.Fatal(err)
	}
	if r := reserved(); r != "30" {
		t.Errorf("after the redelivery A-1 reserved %s, want ord_B's 30", r)
	}
	if again, _ := st.Events(ctx, "ord_A"); len(again) != len(events) {
		t.Errorf("ord_A history grew from %d to %d events", len(events), len(again))
	}
	for _, topic := range []string{"fulfilment.WH-EAST", TopicLogistics} {
		if len(first[topic]) != 1 || len(pub.msgs[topic]) != 1 || pub.msgs[topic][0].UUID != first[topic][0] {
			t.Errorf("%s: first %v, again %v", topic, first[topic], pub.msgs[topic])
		}
		if m := pub.msgs[topic]; len(m) == 1 && m[0].Metadata.Get(ordermsg.Schema) != SchemaCancellationV1 {
			t.Errorf("%s: schema %q", topic, m[0].Metadata.Get(ordermsg.Schema))
		}
	}
}

// A change for an order the pipeline has not decided yet waits (the error
// is not permanent, so the message is retried); a cancel stops it.
func TestChangeWaitsCancelStops(t *testing.T) {
	st, s := changesStore(t)
	ctx := context.Background()
	run := changesRunner(st, s, &sink{})
	pending := &order.Order{ID: "ord_P", Partner: "SHOP", PONumber: "P-3", Purpose: order.PurposeOriginal, Currency: "USD", Status: order.StatusValidated,
		Lines: []order.Line{{LineNo: "1", SKU: "A-1", Quantity: d("5"), UOM: "EA"}}}
	process(t, st, []Stage{&Stock{Store: st}}, pending) // reserved, not yet priced
	chg := &order.Order{ID: "ord_X", Partner: "SHOP", PONumber: "P-3", Purpose: order.PurposeChange,
		Lines: []order.Line{{LineNo: "1", SKU: "A-1", Quantity: d("6"), UOM: "EA", Change: "quantity_increase"}}}
	err := deliver(t, st, run, chg)
	if !errors.Is(err, errNotYet) || IsPermanent(err) {
		t.Fatalf("change of a reserved order: %v, want a retryable errNotYet", err)
	}
	cancel := &order.Order{ID: "ord_Y", Partner: "SHOP", PONumber: "P-3", Purpose: order.PurposeCancel, Lines: []order.Line{}}
	if err := deliver(t, st, run, cancel); err != nil {
		t.Fatal(err)
	}
	row, _ := st.Order(ctx, "ord_P")
	if row.Status != order.StatusCancelled {
		t.Errorf("ord_P %s, want cancelled", row.Status)
	}
	if res, _ := st.Reservations(ctx, "ord_P"); len(res) != 0 {
		t.Errorf("ord_P still holds %v", res)
	}
	// The price stage, taking ord_P up now, leaves it cancelled.
	price := &runner{notDone: notDone(&Price{}), stage: &Price{Store: st}, store: st, pub: &sink{}, log: slog.New(slog.DiscardHandler), stats: &StageStats{}, cache: newOrderCache()}
	js, _ := order.Marshal(pending)
	if err := price.handle(message.NewMessage("p", js)); err != nil {
		t.Fatal(err)
	}
	if row, _ := st.Order(ctx, "ord_P"); row.Status != order.StatusCancelled {
		t.Errorf("after price ord_P %s, want cancelled", row.Status)
	}
}
