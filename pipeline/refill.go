package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
	"github.com/orderhub/orderhub/rules"
	"github.com/orderhub/orderhub/store"
)

// Refill serves the backorder queue when stock arrives (orderhub load
// stock, here or in another process): key accounts first, then gold,
// silver and standard, and within a tier the oldest backorder first. What
// a backordered order gets is reserved, added to its allocations, and sent
// on like a routed order's: to fulfilment.<warehouse> (the order with the
// lines and allocations just filled) and a shipment request to logistics.
// An order whose backorders are all filled ends routed. A fill's shipments
// are routed as the route stage routes an order's: a ship date from the
// warehouse's cut-off and calendar at the time of the fill, and a carrier
// by the carrier rules.
type Refill struct {
	Store    *store.Store
	Pub      message.Publisher
	Rules    *rules.File
	Policies Policies
	Log      *slog.Logger
	// Every is how often the master data version is looked at; default 1s.
	Every time.Duration
	// Now is the clock fills' ship dates are worked out from; default
	// time.Now.
	Now func() time.Time
}

// Run serves the queue whenever master data changes, until ctx ends.
func (r *Refill) Run(ctx context.Context) error {
	every := r.Every
	if every <= 0 {
		every = time.Second
	}
	if err := r.publishPending(ctx); err != nil {
		r.log().Error("fills left unpublished by the last run", "error", err)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	last := int64(-1)
	for {
		if v, err := r.Store.MasterVersion(ctx); err == nil && v != last {
			if _, err := r.Once(ctx); err != nil {
				r.log().Error("backorders not refilled", "error", err)
			} else {
				last = v
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// publishPending publishes the messages of fills a crash left committed but
// unsent. The bus keeps one copy of a UUID it has.
func (r *Refill) publishPending(ctx context.Context) error {
	pending, err := r.Store.Pending(ctx)
	if err != nil || len(pending) == 0 {
		return err
	}
	seqs := make([]int64, 0, len(pending))
	for _, p := range pending {
		m := message.NewMessage(p.UUID, p.Payload)
		for k, v := range p.Metadata {
			m.Metadata.Set(k, v)
		}
		if err := r.Pub.Publish(p.Topic, m); err != nil {
			return fmt.Errorf("publish %s: %w", p.Topic, err)
		}
		seqs = append(seqs, p.Seq)
	}
	r.log().Info("published fills left unsent", "messages", len(seqs))
	return r.Store.DonePending(ctx, seqs)
}

func (r *Refill) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.New(slog.DiscardHandler)
}

// errSkipFill leaves an order for the next round: it moved on, or the stock
// it was planned on moved.
var errSkipFill = errors.New("skip")

// Once serves the queue as it stands: it returns how many orders got
// something.
func (r *Refill) Once(ctx context.Context) (int, error) {
	q, err := r.Store.BackorderQueue(ctx, nil)
	if err != nil || len(q) == 0 {
		return 0, err
	}
	var ids []string
	byOrder := map[string][]store.Backorder{}
	for _, b := range q {
		if byOrder[b.OrderID] == nil {
			ids = append(ids, b.OrderID)
		}
		byOrder[b.OrderID] = append(byOrder[b.OrderID], b)
	}
	filled := 0
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return filled, err
		}
		ok, err := r.fill(ctx, id, byOrder[id])
		if err != nil {
			return filled, fmt.Errorf("refill %s: %w", id, err)
		}
		if ok {
			filled++
		}
	}
	return filled, nil
}

// fill gives order id what the stock now allows of its backordered lines.
func (r *Refill) fill(ctx context.Context, id string, rows []store.Backorder) (bool, error) {
	row, err := r.Store.Order(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, r.Store.Update(ctx, func(tx *store.Tx) error { return tx.SetBackorders(id, nil) })
	}
	if err != nil {
		return false, err
	}
	if row.Status != order.StatusBackordered {
		return false, nil // still in the pipeline, or cancelled: not now
	}
	o, err := order.Decode(row.JSON)
	if err != nil {
		return false, err
	}
	rs := r.Rules.Current()
	pol := policyOf(r.Policies, o.Partner)
	pol.FillOrKill = false // a fill-or-kill line was never queued
	tier, _ := partnerTier(ctx, r.Store, o.Partner)
	wants := make([]Want, 0, len(rows))
	skus := make([]string, 0, len(rows))
	for _, b := range rows {
		w := Want{LineNo: b.LineNo, SKU: b.SKU, Quantity: b.Quantity}
		if it, err := r.Store.CatalogItem(ctx, b.SKU); err == nil {
			w.Category = it.Category
		}
		wants = append(wants, w)
		skus = append(skus, b.SKU)
	}
	inv, err := r.Store.Inventory(ctx, skus)
	if err != nil {
		return false, err
	}
	place := placeOf(o)
	plan := Allocate(AllocInput{OrderID: id, Wants: wants, Inventory: inv, Rank: rs.Rank(place, warehousesOf(inv)),
		Tier: tier, Rules: rs, Policy: pol})
	if len(plan.Allocations) == 0 {
		return false, nil
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	planner, err := newRoutePlanner(ctx, r.Store, r.Rules, now(), o.Partner)
	if err != nil {
		return false, err
	}
	var msgs []Output
	var seqs []int64
	err = r.Store.Update(ctx, func(tx *store.Tx) error {
		msgs = nil
		st, err := tx.OrderStatus(id)
		if err != nil || st != order.StatusBackordered {
			return errSkipFill
		}
		// A change applied since the order was read (Changes) moved its
		// lines: the next round plans on the order as it is.
		if js, err := tx.OrderJSON(id); err != nil || !bytes.Equal(js, row.JSON) {
			return errSkipFill
		}
		if err := tx.Reserve(plan.Reservations); errors.Is(err, store.ErrStockMoved) {
			return errSkipFill
		} else if err != nil {
			return err
		}
		tag := fmt.Sprintf("fill-%d", len(o.Allocations))
		filledView := *o
		filledView.Allocations = plan.Allocations
		filledView.Backorders = nil
		o.Allocations = append(o.Allocations, plan.Allocations...)
		left := map[string]decimal.Decimal{}
		for _, b := range plan.Backorders {
			left[b.LineNo] = b.Quantity
		}
		var queue []store.Backorder
		var backs []order.Backorder
		for _, b := range o.Backorders {
			q, waiting := left[b.LineNo]
			if !inRows(rows, b.LineNo) {
				q, waiting = b.Quantity, true // not part of this fill
			}
			if waiting && q.IsPositive() {
				backs = append(backs, order.Backorder{LineNo: b.LineNo, Quantity: q})
			}
		}
		o.Backorders = backs
		for _, b := range rows {
			if q, ok := left[b.LineNo]; ok && q.IsPositive() {
				b.Quantity = q
				queue = append(queue, b)
			}
		}
		for i := range o.Outcomes {
			oc := &o.Outcomes[i]
			if oc.Outcome != order.OutcomeBackordered || !inRows(rows, oc.LineNo) {
				continue
			}
			if q, ok := left[oc.LineNo]; ok && q.IsPositive() {
				oc.Short = q
				oc.Reason = fmt.Sprintf("%s %s still backordered; the rest filled from stock that arrived", q, oc.UOM)
			} else {
				oc.Outcome, oc.Short, oc.Reason = order.OutcomeAccepted, decimal.Zero, "backorder filled from stock that arrived"
			}
		}
		// The fill's shipments, routed now by the rules in force; an order
		// that had nothing to ship before takes the fill's route as its own.
		filledView.Outcomes = o.Outcomes
		if err := planner.plan(ctx, r.Store, &filledView); err != nil {
			return err
		}
		if o.Route == nil {
			o.Route, o.Routes = filledView.Route, filledView.Routes
		}
		status := order.StatusRouted
		if len(o.Backorders) > 0 {
			status = order.StatusBackordered
		}
		o.Status = status
		js, err := order.Marshal(o)
		if err != nil {
			return err
		}
		reason := "backorder filled: " + plan.Summary(&filledView)
		if err := tx.Advance(id, status, reason, store.Pack(js)); err != nil {
			return err
		}
		if err := tx.SetBackorders(id, queue); err != nil {
			return err
		}
		for _, wh := range warehouses(&filledView) {
			b, err := order.Marshal(forWarehouse(&filledView, wh))
			if err != nil {
				return err
			}
			msgs = append(msgs, toWarehouse(o, wh, tag, ordermsg.SchemaOrderV1, b, row.DocumentID))
			out, err := shipmentOutput(ctx, r.Store, &filledView, wh, tag, row.DocumentID)
			if err != nil {
				return err
			}
			msgs = append(msgs, out)
		}
		// Written with the fill, so a crash before they are published
		// does not lose them: Run publishes what is left at start.
		pending := make([]store.PendingMessage, len(msgs))
		for i, out := range msgs {
			pending[i] = store.PendingMessage{Topic: out.Topic, UUID: out.Msg.UUID, Metadata: out.Msg.Metadata, Payload: out.Msg.Payload}
		}
		seqs, err = tx.AddPending(pending)
		return err
	})
	if errors.Is(err, errSkipFill) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, out := range msgs {
		if err := r.Pub.Publish(out.Topic, out.Msg); err != nil {
			return true, fmt.Errorf("publish %s: %w", out.Topic, err)
		}
	}
	if err := r.Store.DonePending(ctx, seqs); err != nil {
		return true, err
	}
	var lines []string
	for _, a := range plan.Allocations {
		lines = append(lines, fmt.Sprintf("line %s %s from %s", a.LineNo, a.Quantity, a.Warehouse))
	}
	r.log().Info("backorder filled", "order", id, "partner", o.Partner, "tier", tier, "po", o.PONumber, "filled", strings.Join(lines, ", "))
	return true, nil
}

func inRows(rows []store.Backorder, lineNo string) bool {
	for _, b := range rows {
		if b.LineNo == lineNo {
			return true
		}
	}
	return false
}
