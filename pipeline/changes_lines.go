package pipeline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/rules"
	"github.com/orderhub/orderhub/store"
)

// Line change words (order.Line.Change, X12 860 POC02).
const (
	changeAdd      = "add"
	changeDelete   = "delete"
	changeLine     = "change"
	changeIncrease = "quantity_increase"
	changeDecrease = "quantity_decrease"
	changePrice    = "price_change"
	changeReplace  = "replace"
	changeCancel   = "cancel"
)

// lineChange is one line of the live order a change touches.
type lineChange struct {
	lineNo string
	kind   string
	doc    int // index in the document's lines; -1 for a line a restatement left out
	line   order.Line
	check  LineCheck
	// hold is what the line holds per warehouse after the change, held
	// what it held before; back is what waits after.
	held, hold []holding
	back       decimal.Decimal
	unit       string
	// unchanged: the document asks for what the order has.
	unchanged bool
}

func (s *Changes) change(ctx context.Context, doc *order.Order, lv *live) (Outcome, Commit, error) {
	rs := s.Stock.Rules.Current()
	pol := policyOf(s.Stock.Policies, doc.Partner)
	partner, err := partnerOf(ctx, s.Store, doc.Partner)
	if err != nil {
		return Outcome{}, nil, err
	}
	tier := tierOf(partner)
	o := lv.o.Clone() // the live order after the change
	place := placeOf(o)
	by := ref(doc)

	// Which lines change, and into what; refusals per document line.
	refused := map[int]string{}
	var changes []*lineChange
	restate := !slices.ContainsFunc(doc.Lines, func(l order.Line) bool { return l.Change != "" })
	seen := map[string]bool{}
	for i := range doc.Lines {
		dl := &doc.Lines[i]
		seen[dl.LineNo] = true
		cur := o.Line(dl.LineNo)
		active := cur != nil
		if oc := o.Outcome(dl.LineNo); oc != nil && oc.Outcome == order.OutcomeDeleted {
			active = false
		}
		kind := dl.Change
		switch kind {
		case "", changeLine, changeReplace:
			kind = changeLine
			if !active {
				kind = changeAdd
			}
		case changeAdd, changeDelete, changeIncrease, changeDecrease, changePrice:
		default:
			refused[i] = fmt.Sprintf("change code %s is not one orderhub applies (AI add, DI delete, QI/QD quantity, CA or RZ change, PC price)", strings.TrimPrefix(kind, "code:"))
			continue
		}
		switch {
		case kind == changeAdd && active:
			refused[i] = fmt.Sprintf("line %s is on order %s already: send its new quantity as a change", dl.LineNo, o.ID)
			continue
		case kind != changeAdd && !active:
			refused[i] = fmt.Sprintf("order %s has no line %s to change", o.ID, dl.LineNo)
			continue
		case kind != changeAdd && dl.SKU != "" && cur.SKU != "" && dl.SKU != cur.SKU:
			refused[i] = fmt.Sprintf("line %s of order %s is %s, not %s", dl.LineNo, o.ID, cur.SKU, dl.SKU)
			continue
		}
		lc := &lineChange{lineNo: dl.LineNo, kind: kind, doc: i}
		switch kind {
		case changeAdd:
			lc.line = *dl
			lc.line.Change = ""
		case changeDelete:
			lc.line = *cur
		default:
			lc.line = *cur
			if kind != changePrice {
				lc.line.Quantity = dl.Quantity
				if dl.UOM != "" {
					lc.line.UOM = dl.UOM
				}
			}
			if dl.UnitPrice != nil {
				p := *dl.UnitPrice
				lc.line.UnitPrice = &p
			}
			sameUnit := lc.line.UOM == cur.UOM
			switch {
			case kind == changeIncrease && sameUnit && !lc.line.Quantity.GreaterThan(cur.Quantity):
				refused[i] = fmt.Sprintf("QI asks for more, but %s %s is not above the %s on order %s (the quantity sent is the line's new quantity)", lc.line.Quantity, lc.line.UOM, cur.Quantity, o.ID)
				continue
			case kind == changeDecrease && sameUnit && !lc.line.Quantity.LessThan(cur.Quantity):
				refused[i] = fmt.Sprintf("QD asks for less, but %s %s is not below the %s on order %s (the quantity sent is the line's new quantity)", lc.line.Quantity, lc.line.UOM, cur.Quantity, o.ID)
				continue
			}
			lc.unchanged = sameUnit && lc.line.Quantity.Equal(cur.Quantity) && samePrice(lc.line.UnitPrice, cur.UnitPrice)
		}
		changes = append(changes, lc)
	}
	if restate {
		// A restatement lists every line the order keeps.
		for _, l := range o.Lines {
			if oc := o.Outcome(l.LineNo); seen[l.LineNo] || (oc != nil && oc.Outcome == order.OutcomeDeleted) {
				continue
			}
			changes = append(changes, &lineChange{lineNo: l.LineNo, kind: changeDelete, doc: -1, line: l})
		}
	}

	// Each line checked again, and what it holds now.
	held := holdings(o)
	for _, lc := range changes {
		for _, h := range held {
			if h.line == lc.lineNo {
				lc.held = append(lc.held, h)
			}
		}
		for _, b := range o.Backorders {
			if b.LineNo == lc.lineNo {
				lc.back = lc.back.Add(b.Quantity)
			}
		}
		lc.unit = unitOf(o, lc.lineNo)
		if lc.kind == changeDelete || lc.kind == changePrice || lc.unchanged {
			continue
		}
		if lc.check, err = s.Stock.checkLine(ctx, &lc.line, o.Partner, place, rs, pol); err != nil {
			return Outcome{}, nil, err
		}
		if lc.check.Rejected != "" && lc.doc >= 0 {
			refused[lc.doc] = lc.check.Rejected
		}
		lc.unit = lc.check.UOM
	}
	changes = slices.DeleteFunc(changes, func(lc *lineChange) bool { return lc.doc >= 0 && refused[lc.doc] != "" })
	var problems []order.Problem
	for i, dl := range doc.Lines {
		if why := refused[i]; why != "" {
			problems = append(problems, order.Problem{Path: fmt.Sprintf("lines[%d]", i), Message: fmt.Sprintf("line %s: %s", dl.LineNo, why)})
		}
	}
	if !slices.ContainsFunc(changes, func(lc *lineChange) bool { return !lc.unchanged }) {
		if len(problems) > 0 {
			return reject(doc, "changes", problems), nil, nil
		}
		doc.Applied = &order.Applied{OrderID: o.ID}
		return Outcome{Status: order.StatusApplied, Reason: fmt.Sprintf("order %s: nothing to change", o.ID)}, nil, nil
	}

	// Less: the backorder first, then the warehouses, the last one first.
	// More: allocated like a new line, on the stock the decreases free.
	var wants []Want
	var freed []store.Reservation
	for _, lc := range changes {
		lc.hold = slices.Clone(lc.held)
		if lc.kind == changePrice || lc.unchanged {
			continue
		}
		have := lc.back
		for _, h := range lc.held {
			have = have.Add(h.q)
		}
		want := decimal.Zero
		if lc.kind != changeDelete {
			want = lc.check.Want.Quantity
		}
		switch {
		case want.GreaterThan(have):
			w := lc.check.Want
			w.Quantity = want.Sub(have)
			wants = append(wants, w)
		case want.LessThan(have):
			cut := have.Sub(want)
			take := decimal.Min(cut, lc.back)
			lc.back, cut = lc.back.Sub(take), cut.Sub(take)
			for i := len(lc.hold) - 1; i >= 0 && cut.IsPositive(); i-- {
				take := decimal.Min(cut, lc.hold[i].q)
				lc.hold[i].q, cut = lc.hold[i].q.Sub(take), cut.Sub(take)
				freed = append(freed, store.Reservation{OrderID: o.ID, LineNo: lc.lineNo, Warehouse: lc.hold[i].wh, SKU: lc.line.SKU, Quantity: take})
			}
		}
	}
	var plan Plan
	if len(wants) > 0 {
		inv, err := s.Store.Inventory(ctx, skusOf(wants))
		if err != nil {
			return Outcome{}, nil, err
		}
		inv = credit(inv, freed)
		rank := rs.Rank(place, warehousesOf(inv))
		if pol.Allocation == mappings.AllocationShipComplete {
			// The order ships from where it ships: more of it from
			// there, or it waits.
			if whs := warehouses(o); len(whs) > 0 {
				rank = slices.DeleteFunc(rank, func(wh string) bool { return !slices.Contains(whs, wh) })
			}
		}
		plan = Allocate(AllocInput{OrderID: o.ID, Wants: wants, Inventory: inv, Rank: rank, Tier: tier, Rules: rs, Policy: pol})
	}
	for _, a := range plan.Allocations {
		for _, lc := range changes {
			if lc.lineNo != a.LineNo {
				continue
			}
			if i := slices.IndexFunc(lc.hold, func(h holding) bool { return h.wh == a.Warehouse }); i >= 0 {
				lc.hold[i].q = lc.hold[i].q.Add(a.Quantity)
			} else {
				lc.hold = append(lc.hold, holding{a.LineNo, a.Warehouse, a.Quantity})
			}
		}
	}
	for _, b := range plan.Backorders {
		for _, lc := range changes {
			if lc.lineNo == b.LineNo {
				lc.back = lc.back.Add(b.Quantity)
			}
		}
	}

	// The order after: lines, outcomes, allocations, backorders.
	changed := map[string]*lineChange{}
	for _, lc := range changes {
		changed[lc.lineNo] = lc
		if l := o.Line(lc.lineNo); l != nil {
			*l = lc.line // a line deleted before comes back in its place
		} else {
			o.Lines = append(o.Lines, lc.line)
		}
		if lc.kind == changePrice || lc.unchanged {
			continue
		}
		oc := lineOutcome(lc, plan, by)
		if cur := o.Outcome(lc.lineNo); cur != nil {
			*cur = oc
		} else {
			o.Outcomes = append(o.Outcomes, oc)
		}
	}
	var allocs []order.Allocation
	for _, a := range o.Allocations {
		if lc := changed[a.LineNo]; lc == nil || lc.kind == changePrice || lc.unchanged {
			allocs = append(allocs, a)
		}
	}
	var backs []order.Backorder
	for _, b := range o.Backorders {
		if lc := changed[b.LineNo]; lc == nil || lc.kind == changePrice || lc.unchanged {
			backs = append(backs, b)
		}
	}
	var deltas []order.Delta
	var summary []string
	for _, lc := range changes {
		if lc.kind == changePrice || lc.unchanged {
			if lc.kind == changePrice {
				summary = append(summary, fmt.Sprintf("line %s PO price %s", lc.lineNo, priceText(lc.line.UnitPrice)))
			}
			continue
		}
		for _, h := range lc.hold {
			if h.q.IsPositive() {
				allocs = append(allocs, order.Allocation{LineNo: lc.lineNo, Warehouse: h.wh, Quantity: h.q})
			}
		}
		if lc.back.IsPositive() {
			backs = append(backs, order.Backorder{LineNo: lc.lineNo, Quantity: lc.back})
		}
		var moved []string
		for _, wh := range holdingWarehouses(lc.held, lc.hold) {
			before, after := heldIn(lc.held, wh), heldIn(lc.hold, wh)
			if before.Equal(after) {
				continue
			}
			kind := lc.kind
			if kind == changeLine {
				kind = changeIncrease
				if after.LessThan(before) {
					kind = changeDecrease
				}
			}
			deltas = append(deltas, order.Delta{Warehouse: wh, LineNo: lc.lineNo, SKU: lc.line.SKU, Change: kind,
				OldQuantity: before, NewQuantity: after, UOM: lc.unit})
			moved = append(moved, fmt.Sprintf("%s %s → %s", wh, before, after))
		}
		s := fmt.Sprintf("line %s %s", lc.lineNo, lc.kind)
		if lc.kind != changeDelete {
			s += fmt.Sprintf(" to %s %s", lc.line.Quantity, lc.line.UOM)
		}
		if len(moved) > 0 {
			s += " (" + strings.Join(moved, ", ") + ")"
		}
		if lc.back.IsPositive() {
			s += fmt.Sprintf(", %s %s backordered", lc.back, lc.unit)
		}
		summary = append(summary, s)
	}
	o.Allocations, o.Backorders = allocs, backs

	// Priced again: the lines it changed, the totals; the others keep
	// their prices.
	if o.Pricing != nil || len(changes) > 0 {
		keep := map[string]order.PricedLine{}
		if o.Pricing != nil {
			for _, pl := range o.Pricing.Lines {
				if lc := changed[pl.LineNo]; lc == nil || lc.unchanged {
					keep[pl.LineNo] = pl
				}
			}
		}
		if err := s.Price.price(ctx, o, partner, keep); err != nil {
			return Outcome{}, nil, err
		}
		if len(o.Problems) > 0 {
			// A line the change adds or changes that has no price
			// refuses the change, as it would refuse an original.
			var unpriced []order.Problem
			for _, p := range o.Problems {
				unpriced = append(unpriced, order.Problem{Message: p.Message})
			}
			return reject(doc, "changes", unpriced), nil, nil
		}
	}

	// The document: what became of each of its lines.
	doc.Applied = &order.Applied{OrderID: o.ID, Deltas: deltas}
	doc.Allocations, doc.Backorders, doc.Outcomes = nil, nil, nil
	for i, dl := range doc.Lines {
		if why := refused[i]; why != "" {
			doc.Outcomes = append(doc.Outcomes, order.LineOutcome{LineNo: dl.LineNo, Outcome: order.OutcomeRejected, UOM: dl.UOM, Reason: why})
			continue
		}
		if oc := o.Outcome(dl.LineNo); oc != nil {
			doc.Outcomes = append(doc.Outcomes, *oc)
		}
		for _, a := range o.Allocations {
			if a.LineNo == dl.LineNo {
				doc.Allocations = append(doc.Allocations, a)
			}
		}
		for _, b := range o.Backorders {
			if b.LineNo == dl.LineNo {
				doc.Backorders = append(doc.Backorders, b)
			}
		}
	}
	doc.Pricing, doc.Currency = o.Pricing, o.Currency
	doc.Problems = problems
	status := order.StatusRouted
	if len(o.Backorders) > 0 {
		status = order.StatusBackordered
	}
	o.Status = status
	js, err := order.Marshal(o)
	if err != nil {
		return Outcome{}, nil, err
	}
	packed := store.Pack(js)
	text := strings.Join(summary, "; ")
	if len(summary) == 0 {
		text = "quantities as before"
	}
	if len(problems) > 0 {
		text += fmt.Sprintf("; %d line(s) refused", len(problems))
	}
	out := Outcome{Status: order.StatusApplied, Reason: fmt.Sprintf("changed order %s: %s", o.ID, text)}
	why := fmt.Sprintf("changed by %s: %s", by, strings.Join(summary, "; "))
	var queue []store.Backorder
	for _, b := range o.Backorders {
		queue = append(queue, store.Backorder{OrderID: o.ID, LineNo: b.LineNo, SKU: skuOf(o, b.LineNo), Quantity: b.Quantity,
			TierRank: rules.TierRank(tier), Since: time.Now()})
	}
	return out, func(tx *store.Tx) (Outcome, bool, error) {
		if err := verify(tx, lv); err != nil {
			return Outcome{}, false, err
		}
		for _, f := range freed {
			if err := tx.ReduceReservation(f.OrderID, f.LineNo, f.Warehouse, f.Quantity); err != nil {
				return Outcome{}, false, err
			}
		}
		// Stock taken meanwhile: nothing is kept, and the retry plans
		// on the stock as it is then.
		if err := tx.Reserve(plan.Reservations); err != nil {
			return Outcome{}, false, err
		}
		if err := tx.SetBackorders(o.ID, queue); err != nil {
			return Outcome{}, false, err
		}
		return out, false, tx.Advance(o.ID, status, why, packed)
	}, nil
}

// lineOutcome says what became of a changed line.
func lineOutcome(lc *lineChange, plan Plan, by string) order.LineOutcome {
	oc := order.LineOutcome{LineNo: lc.lineNo, UOM: lc.unit, Rule: lc.check.Rule}
	if lc.kind == changeDelete {
		oc.Outcome, oc.Reason, oc.Rule = order.OutcomeDeleted, "deleted by "+by, "change"
		return oc
	}
	want := lc.check.Want.Quantity
	got := decimal.Zero
	for _, h := range lc.hold {
		got = got.Add(h.q)
	}
	why := joinWhy(lc.check.Changed, fmt.Sprintf("%s to %s %s by %s", lc.kind, lc.line.Quantity, lc.line.UOM, by))
	sh, short := plan.Short[lc.lineNo]
	switch {
	case lc.back.IsPositive():
		oc.Outcome, oc.Quantity, oc.Short = order.OutcomeBackordered, want, lc.back
		oc.Reason = joinWhy(why, fmt.Sprintf("%s %s backordered", lc.back, lc.unit))
	case got.LessThan(want) && got.IsZero():
		oc.Outcome, oc.Short = order.OutcomeRejected, want
		oc.Reason = joinWhy(why, "cancelled: "+sh.Reason)
	case got.LessThan(want):
		oc.Outcome, oc.Quantity, oc.Short = order.OutcomeQuantityChanged, got, want.Sub(got)
		oc.Reason = joinWhy(why, fmt.Sprintf("cut to %s %s, the rest cancelled: %s", got, lc.unit, sh.Reason))
	default:
		oc.Outcome, oc.Quantity, oc.Reason = order.OutcomeAccepted, want, why
		if lc.check.Rule == "case_pack" {
			oc.Outcome = order.OutcomeQuantityChanged
		}
	}
	if short && oc.Rule == "" {
		oc.Rule = sh.Rule
	}
	return oc
}

func holdingWarehouses(a, b []holding) []string {
	return warehouseCodes(slices.Concat(a, b), func(h holding) string { return h.wh })
}

func heldIn(hs []holding, wh string) decimal.Decimal {
	sum := decimal.Zero
	for _, h := range hs {
		if h.wh == wh {
			sum = sum.Add(h.q)
		}
	}
	return sum
}

func samePrice(a, b *decimal.Decimal) bool {
	if a == nil || b == nil {
		return a == nil
	}
	return a.Equal(*b)
}

func priceText(p *decimal.Decimal) string {
	if p == nil {
		return "none"
	}
	return p.String()
}

type holding struct {
	line, wh string
	q        decimal.Decimal
}

// holdings sums o's allocations per line and warehouse (a backorder fill
// adds a second allocation to a line), in the order they first appear.
func holdings(o *order.Order) []holding {
	var out []holding
	for _, a := range o.Allocations {
		i := slices.IndexFunc(out, func(h holding) bool { return h.line == a.LineNo && h.wh == a.Warehouse })
		if i < 0 {
			out = append(out, holding{a.LineNo, a.Warehouse, a.Quantity})
		} else {
			out[i].q = out[i].q.Add(a.Quantity)
		}
	}
	return out
}

func skuOf(o *order.Order, lineNo string) string {
	if l := o.Line(lineNo); l != nil {
		return l.SKU
	}
	return ""
}

// unitOf is the unit line lineNo is allocated in: its outcome's (the
// catalog's), else as ordered.
func unitOf(o *order.Order, lineNo string) string {
	if oc := o.Outcome(lineNo); oc != nil && oc.UOM != "" {
		return oc.UOM
	}
	if l := o.Line(lineNo); l != nil {
		return l.UOM
	}
	return ""
}
