package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/orderhub/orderhub/internal/sqlitedb"
	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/masterdata"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/rules"
	"github.com/orderhub/orderhub/store"
)

var updateScenarios = flag.Bool("update", false, "rewrite the scenarios' want.golden")

// TestScenarios runs each directory under testdata/scenarios: master data
// (*.csv, loaded by kind: catalog, stock, prices, partners, contracts), rules.yaml,
// partner profiles (profiles/*.yaml) and orders.ndjson, whose orders go one
// after the other through the stock, price and route stages against one
// store, as the pipeline would take them. want.golden is what each order
// became: status, line outcomes, allocations, backorders, price, and every
// message it sent (fulfilment, logistics, replenishment).
func TestScenarios(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/scenarios/*")
	if len(dirs) == 0 {
		t.Fatal("no scenarios")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			got := runScenario(t, dir)
			golden := filepath.Join(dir, "want.golden")
			if *updateScenarios {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", golden, got, want)
			}
		})
	}
}

func runScenario(t *testing.T, dir string) string {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "store.db"), sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, kind := range []string{"catalog", "stock", "prices", "partners", "contracts"} {
		path := filepath.Join(dir, kind+".csv")
		if _, err := os.Stat(path); err != nil {
			continue
		}
		if _, err := masterdata.Load(ctx, st, kind, path); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	rf, err := rules.Open(filepath.Join(dir, rules.FileName))
	if err != nil {
		t.Fatal(err)
	}
	profiles, err := mappings.LoadProfiles(filepath.Join(dir, "profiles"))
	if err != nil {
		t.Fatal(err)
	}
	today := func() time.Time { return time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC) }
	stages := []Stage{&Stock{Store: st, Rules: rf, Policies: profiles}, &Price{Store: st, Today: today, Rules: rf, Policies: profiles}, &Route{Store: st}}

	f, err := os.Open(filepath.Join(dir, "orders.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		o, err := order.Decode(line)
		if err != nil {
			t.Fatalf("orders.ndjson: %v", err)
		}
		n++
		o.ID = fmt.Sprintf("ord_%02d", n)
		o.Status = order.StatusValidated
		// Stored, and moved along as the stages decide, so that what
		// reads earlier orders (a partner's open order value) sees them.
		advance := func(status, reason string) {
			t.Helper()
			js, err := order.Marshal(o)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Update(ctx, func(tx *store.Tx) error {
				if _, err := tx.InsertOrder(o, "", store.Pack(js), "scenario"); err != nil {
					return err
				}
				return tx.Advance(o.ID, status, reason, store.Pack(js))
			}); err != nil {
				t.Fatal(err)
			}
		}
		advance(o.Status, "")
		var sent []Output
		reason := ""
		for _, s := range stages {
			want, commit, err := s.Prepare(ctx, o)
			if err != nil {
				t.Fatalf("%s %s: %v", o.PONumber, s.Name(), err)
			}
			out := want
			if commit != nil {
				if err := st.Update(ctx, func(tx *store.Tx) error { out, _, err = commit(tx); return err }); err != nil {
					t.Fatalf("%s %s: %v", o.PONumber, s.Name(), err)
				}
			}
			o.Status, reason = out.Status, out.Reason
			advance(o.Status, reason)
			if o.Status == order.StatusRejected || o.Status == order.StatusHeld {
				break // a held order goes no further until released
			}
			js, err := order.Marshal(o)
			if err != nil {
				t.Fatal(err)
			}
			outs, err := s.Outputs(ctx, o, js, "")
			if err != nil {
				t.Fatal(err)
			}
			sent = append(sent, outs...)
		}
		writeScenarioOrder(&b, o, reason, sent)
	}
	return b.String()
}

func writeScenarioOrder(b *strings.Builder, o *order.Order, reason string, sent []Output) {
	fmt.Fprintf(b, "== %s %s: %s (%s)\n", o.Partner, o.PONumber, o.Status, reason)
	for _, l := range o.Lines {
		fmt.Fprintf(b, "line %s %s %s %s", l.LineNo, l.SKU, l.Quantity, l.UOM)
		if oc := o.Outcome(l.LineNo); oc != nil {
			fmt.Fprintf(b, ": %s %s %s", oc.Outcome, oc.Quantity, oc.UOM)
			if oc.Reason != "" {
				fmt.Fprintf(b, " — %s", oc.Reason)
			}
		}
		b.WriteString("\n")
	}
	for _, a := range o.Allocations {
		fmt.Fprintf(b, "  allocated line %s: %s from %s\n", a.LineNo, a.Quantity, a.Warehouse)
	}
	for _, bo := range o.Backorders {
		fmt.Fprintf(b, "  backordered line %s: %s\n", bo.LineNo, bo.Quantity)
	}
	for _, p := range o.Problems {
		fmt.Fprintf(b, "  problem %s: %s\n", p.Path, p.Message)
	}
	if pr := o.Pricing; pr != nil {
		for _, pl := range pr.Lines {
			fmt.Fprintf(b, "  price line %s: %s (list %s", pl.LineNo, pl.UnitPrice, pl.ListPrice)
			for _, a := range pl.Adjustments {
				fmt.Fprintf(b, "; %s %s %s", a.Kind, a.Rule, a.Amount)
			}
			b.WriteString(")")
			if pl.POPriceMismatch {
				b.WriteString(" PO price mismatch")
			}
			if c := pl.PriceCheck; c != nil {
				fmt.Fprintf(b, " [%s: PO %s, ours %s per %s, difference %s, tolerance %s: %s]",
					c.Rule, c.POPrice, c.OurPrice, c.UOM, c.Difference, c.Tolerance, c.Result)
			}
			b.WriteString("\n")
		}
		for _, a := range pr.Adjustments {
			fmt.Fprintf(b, "  order adjustment: %s %s %s\n", a.Kind, a.Rule, a.Amount)
		}
		fmt.Fprintf(b, "  priced: subtotal %s, discount %s, total %s %s\n", pr.Subtotal, pr.DiscountTotal, pr.Total, o.Currency)
	}
	for _, h := range o.Holds {
		fmt.Fprintf(b, "  held by %s: %s\n", h.Rule, h.Reason)
	}
	var msgs []string
	for _, out := range sent {
		if strings.HasPrefix(out.Topic, "orders.") {
			continue // the pipeline's own topics
		}
		var v any
		body := out.Msg.Payload
		if json.Unmarshal(body, &v) == nil && out.Topic != TopicLogistics && out.Topic != TopicReplenishment {
			body = []byte(fmt.Sprintf("order with %d allocation(s)", len(o.Allocations)))
		}
		msgs = append(msgs, fmt.Sprintf("  -> %s: %s", out.Topic, compact(body)))
	}
	sort.Strings(msgs)
	for _, m := range msgs {
		b.WriteString(m + "\n")
	}
}

func compact(b []byte) string {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return string(b)
	}
	return buf.String()
}
