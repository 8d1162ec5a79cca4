package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
	"github.com/orderhub/orderhub/rules"
	"github.com/orderhub/orderhub/store"
)

// Stock checks an order's lines against the catalog and the rules, then
// reserves stock for what is left under the partner's policy (see Allocate),
// and says per line what became of it (order.LineOutcome). A line the
// checks refuse does not refuse the order; an order none of whose lines can
// go on is rejected with every reason.
//
// Two orders racing for the last units cannot both get them: a reservation
// is a guarded UPDATE (available >= quantity) inside the store's writer,
// which runs transactions one at a time.
//
// When a key account's order is short, a replenishment request goes to
// the replenishment topic: the SKU, the warehouse that should have had it,
// the quantity short and the order waiting.
type Stock struct {
	Store *store.Store
	// Rules are the warehouse, protection and restriction rules; nil:
	// none (every warehouse serves everywhere, nothing is protected or
	// restricted).
	Rules *rules.File
	// Policies give each partner's allocation policy; nil: the defaults.
	Policies Policies
	// Today is the clock for the promotions of orders without a date;
	// default time.Now.
	Today func() time.Time

	window allocWindow
}

// Policies answers what a partner's policy is (mappings.Profiles does).
type Policies interface {
	Policy(partner string) mappings.Policy
}

// Replenishment asks for stock a key account is waiting for.
type Replenishment struct {
	SKU       string          `json:"sku"`
	Warehouse string          `json:"warehouse"`
	Short     decimal.Decimal `json:"quantity_short"`
	UOM       string          `json:"uom,omitempty"`
	Orders    []string        `json:"orders"`
	Partner   string          `json:"partner"`
	Tier      string          `json:"tier"`
	PONumber  string          `json:"po_number"`
}

func (*Stock) Name() string            { return "stock" }
func (*Stock) Topic() string           { return TopicAccepted }
func (*Stock) Done(status string) bool { return doneAt(order.StatusReserved, status) }

// Prepare plans on a snapshot of the inventory read outside the store's
// writer; the commit reserves with guarded statements that fail rather than
// over-promise, and only when another order moved the stock meanwhile does
// it read the rows again and plan on what the transaction sees.
func (s *Stock) Prepare(ctx context.Context, o *order.Order) (Outcome, Commit, error) {
	return s.prepare(ctx, o, nil)
}

// prepare is Prepare for an order that takes over the reservations freed
// (a replacement: see Changes): the plan counts them as available, and the
// caller releases them in the transaction before the Commit runs.
func (s *Stock) prepare(ctx context.Context, o *order.Order, freed []store.Reservation) (Outcome, Commit, error) {
	rs := s.Rules.Current()
	pol := policyOf(s.Policies, o.Partner)
	tier, err := partnerTier(ctx, s.Store, o.Partner)
	if err != nil {
		return Outcome{}, nil, err
	}
	place := placeOf(o)
	o.Lines = withoutFreeGoods(o.Lines) // a second run decides them again
	paid := o.Lines
	checks := make([]LineCheck, len(o.Lines))
	var wants []Want
	var problems []order.Problem
	for i := range o.Lines {
		c, err := s.checkLine(ctx, &o.Lines[i], o.Partner, place, rs, pol)
		if err != nil {
			return Outcome{}, nil, err
		}
		checks[i] = c
		if c.Rejected != "" {
			problems = append(problems, order.Problem{Path: fmt.Sprintf("lines[%d]", i), Message: c.Rejected})
			continue
		}
		wants = append(wants, c.Want)
	}
	free, err := s.freeGoods(ctx, o, checks, tier, place, rs, pol)
	if err != nil {
		return Outcome{}, nil, err
	}
	o.Allocations, o.Backorders, o.Outcomes = nil, nil, nil
	if len(wants) == 0 {
		o.Outcomes = outcomes(o, checks, Plan{})
		return reject(o, "stock", problems), nil, nil
	}
	skus := free.skus(skusOf(wants))
	snap, err := s.Store.Inventory(ctx, skus)
	if err != nil {
		return Outcome{}, nil, err
	}
	snap = credit(snap, freed)
	plan := func(inv []store.InventoryRow) Plan {
		in := AllocInput{OrderID: o.ID, Wants: wants, Inventory: inv, Rank: rs.Rank(place, warehousesOf(inv)),
			Tier: tier, Rules: rs, Policy: pol}
		return free.plan(Allocate(in), in)
	}
	// settle puts a plan on the order: its allocations, backorders and
	// outcomes, or the rejection when nothing can go on.
	settle := func(p Plan) Outcome {
		lines, lineChecks := withFree(paid, checks, p)
		o.Lines, o.Allocations, o.Backorders = lines, p.Allocations, p.Backorders
		o.Outcomes = outcomes(o, lineChecks, p)
		if len(p.Allocations) == 0 && len(p.Backorders) == 0 {
			var probs []order.Problem
			for i, oc := range o.Outcomes {
				probs = append(probs, order.Problem{Path: fmt.Sprintf("lines[%d]", i), Message: oc.Reason})
			}
			return reject(o, "stock", probs)
		}
		return Outcome{Status: order.StatusReserved, Reason: p.Summary(o)}
	}
	// queue puts what the order waits for in the backorder queue, served
	// by tier then age when stock arrives (Refill).
	queue := func(tx *store.Tx, p Plan) error {
		if len(p.Backorders) == 0 {
			return nil // the common case: nothing to queue, no statement
		}
		rows := make([]store.Backorder, 0, len(p.Backorders))
		all := append(slices.Clip(wants), freeWants(p)...)
		for _, b := range p.Backorders {
			for _, w := range all {
				if w.LineNo == b.LineNo {
					rows = append(rows, store.Backorder{OrderID: o.ID, LineNo: b.LineNo, SKU: w.SKU, Quantity: b.Quantity,
						TierRank: rules.TierRank(tier), Since: time.Now()})
				}
			}
		}
		return tx.SetBackorders(o.ID, rows)
	}
	first := plan(snap)
	want := settle(first)
	commit := func(tx *store.Tx) (Outcome, bool, error) {
		err := tx.Reserve(first.Reservations)
		if err == nil {
			out := settle(first)
			return out, false, queue(tx, first)
		}
		if !errors.Is(err, store.ErrStockMoved) {
			return Outcome{}, false, err
		}
		inv, err := tx.Inventory(skus)
		if err != nil {
			return Outcome{}, false, err
		}
		again := plan(inv)
		if err := tx.Reserve(again.Reservations); err != nil {
			return Outcome{}, false, err
		}
		out := settle(again)
		return out, true, queue(tx, again)
	}
	return want, commit, nil
}

// outcomes says what became of each line: refused by its checks, shipping
// as ordered (or as converted or rounded), backordered, or cut.
func outcomes(o *order.Order, checks []LineCheck, p Plan) []order.LineOutcome {
	out := make([]order.LineOutcome, 0, len(checks))
	for i, c := range checks {
		lo := order.LineOutcome{LineNo: o.Lines[i].LineNo, UOM: c.UOM, Rule: c.Rule, PackSize: c.Pack}
		sh, short := p.Short[lo.LineNo]
		switch {
		case c.Rejected != "":
			lo.Outcome, lo.Reason = order.OutcomeRejected, c.Rejected
		case short && sh.Backordered:
			lo.Outcome, lo.Quantity = order.OutcomeBackordered, c.Want.Quantity
			lo.Reason = joinWhy(c.Changed, fmt.Sprintf("%s %s backordered: %s", sh.Quantity, c.UOM, sh.Reason))
		case short && p.Allocated(lo.LineNo).IsZero():
			lo.Outcome = order.OutcomeRejected
			lo.Reason = joinWhy(c.Changed, "cancelled: "+sh.Reason)
		case short:
			lo.Outcome, lo.Quantity = order.OutcomeQuantityChanged, p.Allocated(lo.LineNo)
			lo.Reason = joinWhy(c.Changed, fmt.Sprintf("cut to %s %s, the rest cancelled: %s", lo.Quantity, c.UOM, sh.Reason))
		case c.Rule == "case_pack":
			lo.Outcome, lo.Quantity, lo.Reason = order.OutcomeQuantityChanged, c.Want.Quantity, c.Changed
		default:
			lo.Outcome, lo.Quantity, lo.Reason = order.OutcomeAccepted, c.Want.Quantity, c.Changed
		}
		if short {
			lo.Short = sh.Quantity
			if lo.Rule == "" {
				lo.Rule = sh.Rule
			}
		}
		out = append(out, lo)
	}
	return out
}

func (s *Stock) Outputs(ctx context.Context, o *order.Order, js []byte, corr string) ([]Output, error) {
	outs := next(o, TopicReserved, js, corr)
	reqs, err := s.replenishments(ctx, o)
	if err != nil {
		return nil, err
	}
	for _, r := range reqs {
		b, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		// One request per order and SKU: the same order short again (a
		// redelivery) asks once.
		m := message.NewMessage("replenish/"+o.ID+"/"+r.SKU+"/"+r.Warehouse, b)
		m.Metadata.Set(ordermsg.Key, r.SKU)
		m.Metadata.Set(ordermsg.Partner, o.Partner)
		m.Metadata.Set(ordermsg.ContentType, "application/json")
		if corr != "" {
			m.Metadata.Set(ordermsg.CorrelationID, corr)
		}
		outs = append(outs, Output{Topic: TopicReplenishment, Msg: m})
	}
	return outs, nil
}

// replenishments are the requests for stock a key account's order waits
// for: one per line short (its outcome's Short), to the nearest warehouse
// serving the ship-to. They are read off the order, so a redelivered order
// asks again with the same message ids.
func (s *Stock) replenishments(ctx context.Context, o *order.Order) ([]Replenishment, error) {
	var short []order.LineOutcome
	for _, oc := range o.Outcomes {
		if oc.Short.IsPositive() {
			short = append(short, oc)
		}
	}
	if len(short) == 0 {
		return nil, nil
	}
	p, err := s.Store.Partner(ctx, o.Partner)
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.Tier != rules.Tiers[0]) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var skus []string
	for _, oc := range short {
		if l := o.Line(oc.LineNo); l != nil && !slices.Contains(skus, l.SKU) {
			skus = append(skus, l.SKU)
		}
	}
	inv, err := s.Store.Inventory(ctx, skus)
	if err != nil {
		return nil, err
	}
	wh := ""
	if rank := s.Rules.Current().Rank(placeOf(o), warehousesOf(inv)); len(rank) > 0 {
		wh = rank[0]
	}
	reqs := make([]Replenishment, 0, len(short))
	for _, oc := range short {
		reqs = append(reqs, Replenishment{SKU: o.Line(oc.LineNo).SKU, Warehouse: wh, Short: oc.Short, UOM: oc.UOM,
			Orders: []string{o.ID}, Partner: o.Partner, Tier: p.Tier, PONumber: o.PONumber})
	}
	return reqs, nil
}

// placeOf is where the order ships to: its ship-to party's country,
// region and postal code.
func placeOf(o *order.Order) rules.Place {
	p := o.Party(order.RoleShipTo)
	if p == nil {
		return rules.Place{}
	}
	return rules.Place{Country: p.Country, Region: p.Region, PostalCode: p.PostalCode}
}

func warehousesOf(inv []store.InventoryRow) []string {
	var out []string
	for _, r := range inv {
		if !slices.Contains(out, r.Warehouse) {
			out = append(out, r.Warehouse)
		}
	}
	return out
}

func skusOf(wants []Want) []string {
	skus := make([]string, 0, len(wants))
	for _, w := range wants {
		if !slices.Contains(skus, w.SKU) {
			skus = append(skus, w.SKU)
		}
	}
	return skus
}

// Turn holds an order until its turn in the allocation window (rules.yaml
// allocation.window): within a window, orders are allocated by tier, then
// arrival.
func (s *Stock) Turn(ctx context.Context, o *order.Order) (func(), error) {
	span := s.Rules.Current().AllocationWindow()
	if span <= 0 {
		return func() {}, nil
	}
	tier, err := partnerTier(ctx, s.Store, o.Partner)
	if err != nil {
		return nil, err
	}
	return s.window.join(ctx, tier, span)
}
