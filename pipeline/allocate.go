package pipeline

import (
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/rules"
	"github.com/orderhub/orderhub/store"
)

// Want is a line to allocate: what the line checks left of it, in the
// catalog's unit.
type Want struct {
	LineNo   string
	SKU      string
	Category string
	Quantity decimal.Decimal
}

// AllocInput is everything an allocation depends on. Allocate is pure, so
// each rule is tested without a store.
type AllocInput struct {
	OrderID   string
	Wants     []Want
	Inventory []store.InventoryRow
	// Rank is the warehouses that serve the order's ship-to, nearest
	// first (rules.Set.Rank); nil: every warehouse holding stock, by code.
	Rank   []string
	Tier   string
	Rules  *rules.Set
	Policy mappings.Policy
}

// Plan is an allocation decided for an order.
type Plan struct {
	Reservations []store.Reservation
	Allocations  []order.Allocation
	Backorders   []order.Backorder
	// Short are the lines that got less than they wanted, with why: the
	// stock stage turns them into outcomes (backordered, cut, killed).
	Short map[string]Shortfall
	// Protected names the protections that held stock back from this
	// order, by SKU.
	Protected map[string]string
	// Complete is false when ship_complete found no warehouse for the
	// whole order.
	Complete bool
	// Free are the lines of free goods the plan adds to the order (buy X
	// get Y, freegoods.go), allocated after the paid lines.
	Free []FreeLine
}

// Shortfall is what a line did not get.
type Shortfall struct {
	Quantity    decimal.Decimal // not allocated
	Backordered bool            // waits for stock; else cancelled
	Reason      string
	// Rule names the kind of rule that held stock back ("protections"),
	// "" when the stock simply was not there.
	Rule string
}

// Allocated is the quantity allocated to line lineNo, over warehouses.
func (p Plan) Allocated(lineNo string) decimal.Decimal {
	sum := decimal.Zero
	for _, a := range p.Allocations {
		if a.LineNo == lineNo {
			sum = sum.Add(a.Quantity)
		}
	}
	return sum
}

// Allocate decides where each wanted line ships from under the partner's
// policy:
//
//   - The stock a warehouse can promise is on hand less reserved less
//     safety stock, less the shares the rules protect for tiers above the
//     order's while stock is low (rules.Set.Usable).
//   - ship_complete: the nearest warehouse that can ship every line whole;
//     if none can, nothing is allocated and every line is backordered (or,
//     without backorders, cancelled).
//   - allow_split: the nearest warehouse that can ship everything; else as
//     few warehouses as can ship the most, each time the one that covers
//     the most of what is left (nearest on a tie). What no warehouse has is
//     backordered, or cancelled without backorders.
//   - fill_or_kill: a line that cannot ship whole now gets nothing and is
//     cancelled; it is never backordered.
func Allocate(in AllocInput) Plan {
	p := Plan{Short: map[string]Shortfall{}, Protected: map[string]string{}, Complete: true}
	category := map[string]string{}
	for _, w := range in.Wants {
		category[w.SKU] = w.Category
	}
	// usable[wh][sku]
	usable := map[string]map[string]decimal.Decimal{}
	var held []string
	for _, r := range in.Inventory {
		if usable[r.Warehouse] == nil {
			usable[r.Warehouse] = map[string]decimal.Decimal{}
			held = append(held, r.Warehouse)
		}
		u, rule := in.Rules.Usable(r.SKU, category[r.SKU], in.Tier, r.Available())
		usable[r.Warehouse][r.SKU] = u
		if rule != "" {
			p.Protected[r.SKU] = rule
		}
	}
	rank := in.Rank
	if rank == nil {
		rank = slices.Clone(held)
		slices.Sort(rank)
	}
	take := func(w Want, wh string, q decimal.Decimal) {
		usable[wh][w.SKU] = usable[wh][w.SKU].Sub(q)
		p.Reservations = append(p.Reservations, store.Reservation{OrderID: in.OrderID, LineNo: w.LineNo, Warehouse: wh, SKU: w.SKU, Quantity: q})
		p.Allocations = append(p.Allocations, order.Allocation{LineNo: w.LineNo, Warehouse: wh, Quantity: q})
	}
	need := map[string]decimal.Decimal{} // by SKU, over the order's lines
	for _, w := range in.Wants {
		need[w.SKU] = need[w.SKU].Add(w.Quantity)
	}
	canShipAll := func(wh string) bool {
		for sku, q := range need {
			if usable[wh][sku].LessThan(q) {
				return false
			}
		}
		return true
	}
	backorder := in.Policy.AllowBackorder()
	short := func(w Want, q decimal.Decimal, why string) {
		p.Short[w.LineNo] = Shortfall{Quantity: q, Backordered: backorder, Reason: why}
		if backorder {
			p.Backorders = append(p.Backorders, order.Backorder{LineNo: w.LineNo, Quantity: q})
		}
	}

	// One warehouse for everything, if any can: one shipment, one invoice.
	for _, wh := range rank {
		if canShipAll(wh) {
			for _, w := range in.Wants {
				take(w, wh, w.Quantity)
			}
			return p
		}
	}
	if in.Policy.Allocation == mappings.AllocationShipComplete {
		p.Complete = false
		why := "no warehouse can ship the order complete (the partner's policy is ship_complete)"
		if len(rank) == 0 {
			why = "no warehouse serves the ship-to"
		}
		for _, w := range in.Wants {
			short(w, w.Quantity, why)
		}
		return p
	}

	// Fewest warehouses: each round, the warehouse covering the most of
	// what is still wanted.
	left := map[string]decimal.Decimal{}
	for _, w := range in.Wants {
		left[w.LineNo] = w.Quantity
	}
	if in.Policy.FillOrKill {
		// A line that no amount of splitting fills is cancelled before
		// it takes stock another line could use.
		total := map[string]decimal.Decimal{}
		for _, wh := range rank {
			for sku, q := range usable[wh] {
				total[sku] = total[sku].Add(q)
			}
		}
		for _, w := range in.Wants {
			if total[w.SKU].LessThan(w.Quantity) {
				left[w.LineNo] = decimal.Zero
				short(w, w.Quantity, fmt.Sprintf("fill or kill: %s available of %s wanted", total[w.SKU], w.Quantity))
				continue
			}
			total[w.SKU] = total[w.SKU].Sub(w.Quantity)
		}
	}
	used := map[string]bool{}
	for {
		best, bestCover := "", decimal.Zero
		for _, wh := range rank {
			if used[wh] {
				continue
			}
			cover := decimal.Zero
			avail := map[string]decimal.Decimal{}
			for _, w := range in.Wants {
				a, ok := avail[w.SKU]
				if !ok {
					a = usable[wh][w.SKU]
				}
				q := decimal.Min(left[w.LineNo], a)
				if q.IsPositive() {
					cover = cover.Add(q)
					avail[w.SKU] = a.Sub(q)
				}
			}
			if cover.GreaterThan(bestCover) {
				best, bestCover = wh, cover
			}
		}
		if best == "" {
			break
		}
		used[best] = true
		for _, w := range in.Wants {
			q := decimal.Min(left[w.LineNo], usable[best][w.SKU])
			if q.IsPositive() {
				take(w, best, q)
				left[w.LineNo] = left[w.LineNo].Sub(q)
			}
		}
	}
	for _, w := range in.Wants {
		if q := left[w.LineNo]; q.IsPositive() {
			why := "out of stock"
			if got := w.Quantity.Sub(q); got.IsPositive() {
				why = fmt.Sprintf("only %s in stock", got)
			}
			rule := p.Protected[w.SKU]
			if len(rank) == 0 {
				why, rule = "no warehouse serves the ship-to", ""
			} else if rule != "" {
				why += "; stock kept for higher tiers by " + rule
			}
			short(w, q, why)
			if rule != "" {
				sh := p.Short[w.LineNo]
				sh.Rule = "protections"
				p.Short[w.LineNo] = sh
			}
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
		parts = append(parts, "nothing allocated")
	}
	s := strings.Join(parts, ", ")
	if len(p.Backorders) > 0 {
		var short []string
		for _, b := range p.Backorders {
			uom := ""
			if l := o.Line(b.LineNo); l != nil && l.UOM != "" {
				uom = " " + l.UOM
			}
			short = append(short, fmt.Sprintf("line %s %s%s", b.LineNo, b.Quantity, uom))
		}
		s += "; short: " + strings.Join(short, ", ")
	}
	return s
}
