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

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/masterdata"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
	"github.com/orderhub/orderhub/rules"
	"github.com/orderhub/orderhub/store"
)

var updateScenarios = flag.Bool("update", false, "rewrite the scenarios' want.golden")

// TestScenarios runs each directory under testdata/scenarios: master data
// (*.csv, loaded by kind: catalog, stock, prices, partners, contracts), rules.yaml,
// partner profiles (profiles/*.yaml) and orders.ndjson, whose orders go one
// after the other through the dedupe, changes, stock, price and route
// stages against one store, as the pipeline would take them (each stage
// only while the order has not gone past it, as the runner does). A line
// "!ship PO" marks the live order of that PO shipped (orderhub shipped),
// "!load KIND FILE" loads master data between two orders, and "!refill"
// serves the backorder queue as serve does when stock arrives (Refill),
// writing each fill's messages in the order they were sent.
// want.golden is what each order became: status, line outcomes,
// allocations, backorders, price, route, and every message it sent (fulfilment,
// logistics, replenishment, cancellations and changes); after a cancel,
// change or replace, what the order it applied to became.
//
// The clock stands at Monday 2026-11-23 09:00 UTC; a line "# clock:
// RFC3339-time" in orders.ndjson sets it for the orders after it (the
// route stage's cut-offs, the price stage's today).
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
	st := testStore(t)
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
	clock := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	stock := &Stock{Store: st, Rules: rf, Policies: profiles}
	price := &Price{Store: st, Today: now, Rules: rf, Policies: profiles}
	stages := []Stage{&Dedupe{Policies: profiles}, &Changes{Store: st, Stock: stock, Price: price}, stock, price, &Route{Store: st, Rules: rf, Now: now}}

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
		if at, ok := bytes.CutPrefix(line, []byte("# clock:")); ok {
			if clock, err = time.Parse(time.RFC3339, string(bytes.TrimSpace(at))); err != nil {
				t.Fatalf("orders.ndjson: %v", err)
			}
			fmt.Fprintf(&b, "# clock: %s\n", clock.Format(time.RFC3339))
			continue
		}
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		if po, ok := bytes.CutPrefix(line, []byte("!ship ")); ok {
			shipScenarioPO(t, st, &b, string(po))
			continue
		}
		if bytes.Equal(line, []byte("!refill")) {
			refillScenario(t, &Refill{Store: st, Rules: rf, Policies: profiles, Now: now}, &b)
			continue
		}
		if load, ok := bytes.CutPrefix(line, []byte("!load ")); ok {
			kind, file, _ := strings.Cut(string(load), " ")
			if _, err := masterdata.Load(ctx, st, kind, filepath.Join(dir, file)); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			fmt.Fprintf(&b, "== loaded %s %s\n", kind, file)
			continue
		}
		o, err := order.Decode(line)
		if err != nil {
			t.Fatalf("orders.ndjson: %v", err)
		}
		n++
		o.ID = fmt.Sprintf("ord_%02d", n)
		Tidy(o)
		o.Status = order.StatusValidated
		js, err := order.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Update(ctx, func(tx *store.Tx) error {
			if _, err := tx.InsertOrder(o, "", store.Pack(js), "scenario"); err != nil {
				return err
			}
			return tx.Advance(o.ID, o.Status, "scenario", store.Pack(js))
		}); err != nil {
			t.Fatal(err)
		}
		var sent []Output
		reason := ""
		for _, s := range stages {
			if s.Done(o.Status) {
				continue
			}
			want, commit, err := s.Prepare(ctx, o)
			if err != nil {
				t.Fatalf("%s %s: %v", o.PONumber, s.Name(), err)
			}
			out := want
			if err := st.Update(ctx, func(tx *store.Tx) error {
				if commit != nil {
					if out, _, err = commit(tx); err != nil {
						return err
					}
				}
				if out.Keep {
					return nil
				}
				o.Status = out.Status
				js, err := order.Marshal(o)
				if err != nil {
					return err
				}
				return tx.Advance(o.ID, out.Status, out.Reason, store.Pack(js))
			}); err != nil {
				t.Fatalf("%s %s: %v", o.PONumber, s.Name(), err)
			}
			if out.Keep {
				continue
			}
			o.Status, reason = out.Status, out.Reason
			if o.Status == order.StatusRejected || o.Status == order.StatusDuplicate || o.Status == order.StatusHeld {
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
		if o.Applied != nil {
			writeScenarioLive(t, st, &b, o.Applied.OrderID)
		}
	}
	return b.String()
}

// refillScenario serves the backorder queue once and writes what each
// fill sent, in the order sent: the order the queue is served in (tier,
// then age) is what the scenario shows.
func refillScenario(t *testing.T, rf *Refill, b *strings.Builder) {
	t.Helper()
	pub := &inOrder{}
	rf.Pub = pub
	n, err := rf.Once(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(b, "== refill: %d order(s) got stock\n", n)
	for _, m := range pub.sent {
		text := compact(m.msg.Payload)
		if strings.HasPrefix(m.topic, FulfilmentPrefix) {
			if fo, err := order.Decode(m.msg.Payload); err == nil {
				var parts []string
				for _, a := range fo.Allocations {
					parts = append(parts, fmt.Sprintf("line %s %s", a.LineNo, a.Quantity))
				}
				text = fmt.Sprintf("%s %s PO %s: %s", fo.ID, fo.Partner, fo.PONumber, strings.Join(parts, ", "))
			}
		}
		fmt.Fprintf(b, "  -> %s: %s\n", m.topic, text)
	}
}

// inOrder is a publisher that keeps what it is given in the order given.
type inOrder struct {
	sent []struct {
		topic string
		msg   *message.Message
	}
}

func (p *inOrder) Publish(topic string, msgs ...*message.Message) error {
	for _, m := range msgs {
		p.sent = append(p.sent, struct {
			topic string
			msg   *message.Message
		}{topic, m})
	}
	return nil
}
func (p *inOrder) Close() error { return nil }

// shipScenarioPO marks the routed order of a PO shipped.
func shipScenarioPO(t *testing.T, st *store.Store, b *strings.Builder, po string) {
	ctx := context.Background()
	rows, err := st.OrdersByPO(ctx, "", po)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Status == order.StatusRouted {
			if _, err := st.MarkShipped(ctx, r.ID, "shipped (scenario)"); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(b, "== shipped %s %s\n", po, r.ID)
			return
		}
	}
	t.Fatalf("!ship %s: no routed order", po)
}

// writeScenarioLive writes what a cancel, change or replace left of the
// order it applied to.
func writeScenarioLive(t *testing.T, st *store.Store, b *strings.Builder, id string) {
	row, err := st.Order(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := st.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	o, err := order.Decode(row.JSON)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(b, "  -- %s now %s (%s)\n", id, row.Status, ev[len(ev)-1].Reason)
	for _, l := range o.Lines {
		fmt.Fprintf(b, "  -- line %s %s %s %s", l.LineNo, l.SKU, l.Quantity, l.UOM)
		if oc := o.Outcome(l.LineNo); oc != nil {
			fmt.Fprintf(b, ": %s %s %s", oc.Outcome, oc.Quantity, oc.UOM)
		}
		b.WriteString("\n")
	}
	for _, a := range o.Allocations {
		fmt.Fprintf(b, "  -- allocated line %s: %s from %s\n", a.LineNo, a.Quantity, a.Warehouse)
	}
	for _, bo := range o.Backorders {
		fmt.Fprintf(b, "  -- backordered line %s: %s\n", bo.LineNo, bo.Quantity)
	}
	if pr := o.Pricing; pr != nil && o.Status != order.StatusCancelled {
		for _, pl := range pr.Lines {
			fmt.Fprintf(b, "  -- price line %s: %s\n", pl.LineNo, pl.UnitPrice)
		}
		fmt.Fprintf(b, "  -- priced: subtotal %s, discount %s, total %s %s\n", pr.Subtotal, pr.DiscountTotal, pr.Total, o.Currency)
	}
	res, err := st.Reservations(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		fmt.Fprintf(b, "  -- holds line %s: %s %s in %s\n", r.LineNo, r.Quantity, r.SKU, r.Warehouse)
	}
	q, err := st.BackorderQueue(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range q {
		if r.OrderID == id {
			fmt.Fprintf(b, "  -- queued line %s: %s %s\n", r.LineNo, r.Quantity, r.SKU)
		}
	}
}

func writeScenarioOrder(b *strings.Builder, o *order.Order, reason string, sent []Output) {
	fmt.Fprintf(b, "== %s %s: %s (%s)\n", o.Partner, o.PONumber, o.Status, reason)
	if o.Purpose != order.PurposeOriginal {
		fmt.Fprintf(b, "%s %s\n", o.ID, o.Purpose)
	}
	for _, l := range o.Lines {
		fmt.Fprintf(b, "line %s %s %s %s", l.LineNo, l.SKU, l.Quantity, l.UOM)
		if l.Free() {
			fmt.Fprintf(b, " (free: %s for lines %s)", l.Promotion, strings.Join(l.FreeOf, ","))
		}
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
			if pl.TaxRule != "" {
				fmt.Fprintf(b, " tax %s %s of %s = %s", pl.TaxRule, pl.TaxRate, pl.TaxBase, pl.Tax)
			}
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
		if pr.TaxTotal != nil {
			fmt.Fprintf(b, "  tax: %s, total with tax %s %s\n", pr.TaxTotal, pr.TotalWithTax, o.Currency)
		}
	}
	routes := o.Routes
	if len(routes) == 0 && o.Route != nil {
		routes = []order.Route{*o.Route}
	}
	for _, r := range routes {
		primary := ""
		if len(routes) > 1 && o.Route != nil && o.Route.Warehouse == r.Warehouse {
			primary = " (primary)"
		}
		fmt.Fprintf(b, "  route%s: %s\n", primary, routeText(&r))
	}
	for _, h := range o.Holds {
		fmt.Fprintf(b, "  held by %s: %s\n", h.Rule, h.Reason)
	}
	var msgs []string
	for _, out := range sent {
		if strings.HasPrefix(out.Topic, "orders.") {
			continue // the pipeline's own topics
		}
		body := out.Msg.Payload
		schema := out.Msg.Metadata.Get(ordermsg.Schema)
		if strings.HasPrefix(out.Topic, FulfilmentPrefix) && schema != SchemaChangeV1 && schema != SchemaCancellationV1 {
			// The warehouse's own order: its allocations and route.
			fo, err := order.Decode(body)
			if err != nil {
				body = []byte(err.Error())
			} else {
				text := fmt.Sprintf("order with %d allocation(s)", len(fo.Allocations))
				if fo.Route != nil {
					text += ", route " + routeText(fo.Route)
				}
				body = []byte(text)
			}
		}
		msgs = append(msgs, fmt.Sprintf("  -> %s: %s", out.Topic, compact(body)))
	}
	sort.Strings(msgs)
	for _, m := range msgs {
		b.WriteString(m + "\n")
	}
}

func routeText(r *order.Route) string {
	s := r.Warehouse + " ships " + r.ShipDate
	if r.Carrier == "" {
		return s + ", no carrier rule matched"
	}
	return fmt.Sprintf("%s by %s %s (carrier rule %s)", s, r.Carrier, r.Service, r.CarrierRule)
}

func compact(b []byte) string {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return string(b)
	}
	return buf.String()
}
