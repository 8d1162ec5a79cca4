package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

// Stock reserves stock for an order. The rule for now: ship from one
// warehouse when one has every line (the first by code among those that
// do); otherwise each line from the warehouse with the most of its SKU, the
// shortfall backordered.
//
// Two orders racing for the last units cannot both get them: a reservation
// is a guarded UPDATE (available >= quantity) inside the store's writer,
// which runs transactions one at a time.
type Stock struct {
	Store *store.Store
}

func (*Stock) Name() string            { return "stock" }
func (*Stock) Topic() string           { return TopicAccepted }
func (*Stock) Done(status string) bool { return doneAt(order.StatusReserved, status) }

// Prepare plans on a snapshot of the inventory read outside the store's
// writer; the commit reserves with guarded statements that fail rather than
// over-promise, and only when another order moved the stock meanwhile does
// it read the rows again and plan on what the transaction sees.
func (s *Stock) Prepare(ctx context.Context, o *order.Order) (Outcome, Commit, error) {
	skus := skusOf(o)
	snap, err := s.Store.Inventory(ctx, skus)
	if err != nil {
		return Outcome{}, nil, err
	}
	plan := Allocate(o, snap)
	o.Allocations, o.Backorders = plan.Allocations, plan.Backorders
	want := Outcome{Status: order.StatusReserved, Reason: plan.Summary(o)}
	commit := func(tx *store.Tx) (Outcome, bool, error) {
		err := tx.Reserve(plan.Reservations)
		if err == nil {
			o.Allocations, o.Backorders = plan.Allocations, plan.Backorders
			return want, false, nil
		}
		if !errors.Is(err, store.ErrStockMoved) {
			return Outcome{}, false, err
		}
		inv, err := tx.Inventory(skus)
		if err != nil {
			return Outcome{}, false, err
		}
		again := Allocate(o, inv)
		if err := tx.Reserve(again.Reservations); err != nil {
			return Outcome{}, false, err
		}
		o.Allocations, o.Backorders = again.Allocations, again.Backorders
		return Outcome{Status: order.StatusReserved, Reason: again.Summary(o)}, true, nil
	}
	return want, commit, nil
}

func (*Stock) Outputs(ctx context.Context, o *order.Order, js []byte, corr string) ([]Output, error) {
	return next(o, TopicReserved, js, corr), nil
}

func skusOf(o *order.Order) []string {
	skus := make([]string, 0, len(o.Lines))
	seen := map[string]bool{}
	for _, l := range o.Lines {
		if !seen[l.SKU] {
			seen[l.SKU] = true
			skus = append(skus, l.SKU)
		}
	}
	return skus
}

// Plan is an allocation decided for an order.
type Plan struct {
	Reservations []store.Reservation
	Allocations  []order.Allocation
	Backorders   []order.Backorder
}

// Allocate decides where each line ships from, given the stock of its SKUs.
// It is pure, so the rule is tested without a store.
func Allocate(o *order.Order, inv []store.InventoryRow) Plan {
	avail := map[string]map[string]decimal.Decimal{} // warehouse → sku → available
	var whs []string
	for _, r := range inv {
		if avail[r.Warehouse] == nil {
			avail[r.Warehouse] = map[string]decimal.Decimal{}
			whs = append(whs, r.Warehouse)
		}
		avail[r.Warehouse][r.SKU] = r.Available()
	}
	sort.Strings(whs)

	var p Plan
	take := func(l order.Line, wh string, q decimal.Decimal) {
		avail[wh][l.SKU] = avail[wh][l.SKU].Sub(q)
		p.Reservations = append(p.Reservations, store.Reservation{OrderID: o.ID, LineNo: l.LineNo, Warehouse: wh, SKU: l.SKU, Quantity: q})
		p.Allocations = append(p.Allocations, order.Allocation{LineNo: l.LineNo, Warehouse: wh, Quantity: q})
	}

	// One warehouse for everything, if any can: one shipment, one invoice.
	for _, wh := range whs {
		need := map[string]decimal.Decimal{}
		for _, l := range o.Lines {
			need[l.SKU] = need[l.SKU].Add(l.Quantity)
		}
		ok := true
		for sku, q := range need {
			if avail[wh][sku].LessThan(q) {
				ok = false
				break
			}
		}
		if ok {
			for _, l := range o.Lines {
				take(l, wh, l.Quantity)
			}
			return p
		}
	}

	for _, l := range o.Lines {
		best, bestQ := "", decimal.Zero
		for _, wh := range whs {
			if a := avail[wh][l.SKU]; a.GreaterThan(bestQ) {
				best, bestQ = wh, a
			}
		}
		q := decimal.Min(l.Quantity, bestQ)
		if q.IsPositive() {
			take(l, best, q)
		}
		if short := l.Quantity.Sub(q); short.IsPositive() {
			p.Backorders = append(p.Backorders, order.Backorder{LineNo: l.LineNo, Quantity: short})
		}
	}
	return p
}

// Summary says the plan in a line for the status history.
func (p Plan) Summary(o *order.Order) string {
	per := map[string]int{}
	var whs []string
	for _, a := range p.Allocations {
		if per[a.Warehouse] == 0 {
			whs = append(whs, a.Warehouse)
		}
		per[a.Warehouse]++
	}
	var parts []string
	for _, wh := range whs {
		parts = append(parts, fmt.Sprintf("%s: %d line(s)", wh, per[wh]))
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing in stock")
	}
	s := strings.Join(parts, ", ")
	if len(p.Backorders) > 0 {
		var short []string
		for _, b := range p.Backorders {
			uom := ""
			if l := o.Line(b.LineNo); l != nil {
				uom = " " + l.UOM
			}
			short = append(short, fmt.Sprintf("line %s %s%s", b.LineNo, b.Quantity, uom))
		}
		s += "; short: " + strings.Join(short, ", ")
	}
	return s
}
