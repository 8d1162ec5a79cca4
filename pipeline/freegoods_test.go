package pipeline

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/orderhub/orderhub/masterdata"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/rules"
)

// A stock stage run again on an order it already gave free goods (a
// retried message, or the order handed back from the in-process cache)
// decides them again from the partner's lines: still one free line, the
// same one.
func TestFreeGoodsIdempotent(t *testing.T) {
	ctx := context.Background()
	dir := "testdata/scenarios/buy_x_get_y"
	st := testStore(t)
	for _, kind := range []string{"catalog", "stock", "prices", "partners"} {
		if _, err := masterdata.Load(ctx, st, kind, filepath.Join(dir, kind+".csv")); err != nil {
			t.Fatal(err)
		}
	}
	rf, err := rules.Open(filepath.Join(dir, rules.FileName))
	if err != nil {
		t.Fatal(err)
	}
	stage := &Stock{Store: st, Rules: rf}
	o, err := order.Decode([]byte(`{"id":"ord_1","partner":"STDCO","po_number":"I-1","order_date":"2026-11-20","currency":"USD",` +
		`"lines":[{"line_no":"1","sku":"A-1","quantity":"25","uom":"EA"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var first []byte
	for run := range 3 {
		if _, _, err := stage.Prepare(ctx, o); err != nil {
			t.Fatal(err)
		}
		if len(o.Lines) != 2 || o.Lines[1].LineNo != "1-F" || o.Lines[1].Quantity.String() != "2" || len(o.Outcomes) != 2 {
			t.Fatalf("run %d: lines %+v, outcomes %+v; want line 1 and one free line 1-F of 2", run, o.Lines, o.Outcomes)
		}
		js, _ := order.Marshal(o)
		if run == 0 {
			first = js
		} else if string(js) != string(first) {
			t.Errorf("run %d differs:\n%s\nfirst:\n%s", run, js, first)
		}
		// The next run takes the order as the bus would carry it.
		if o, err = order.Decode(js); err != nil {
			t.Fatal(err)
		}
	}
}
