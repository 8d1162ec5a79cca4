package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/rules"
	"github.com/orderhub/orderhub/store"
)

// Free goods (buy X get Y, rules.yaml pricing.promotions with buy and get)
// are decided in the stock stage, because they need stock: a free line is
// added to the order and allocated like any line, and the price stage
// prices it at zero.
//
//   - What counts is what the partner will pay for: of the paid lines the
//     promotion covers (its skus and categories, on the order date, for the
//     partner's tier and id), the quantity allocated or backordered, in
//     the catalog's unit, summed over the lines. A line the checks refused,
//     or cut, counts for what is left of it; a line priced by a contract
//     counts for nothing (contract prices are net: no promotion).
//   - Every whole multiple of buy.quantity gives get.quantity of get.sku,
//     as one line per promotion, numbered after the first line that earned
//     it ("1-F", then "1-F2" if that is taken), with promotion and free_of
//     (the lines that earned it) on it.
//   - The free line is checked like any line (in the catalog, not
//     discontinued, not restricted for the ship-to), but neither the MOQ
//     nor the partner's case-pack policy applies: the quantity is ours. A
//     free line the checks refuse is on the order as rejected, with why.
//   - It is allocated after the paid lines, from what they left, under the
//     order's policy (split, ship complete, backorder or not, fill or
//     kill), from the warehouses the paid lines ship from first. So free
//     goods that are short wait or are cancelled as the order's policy
//     says, and never take stock from, or hold back, a paid line.
//   - Idempotent: the stage first drops the free lines an earlier run
//     added, and decides them again from the order as the partner sent it.

// FreeLine is a line of free goods a plan adds to the order, with its
// check.
type FreeLine struct {
	Line  order.Line
	Check LineCheck
}

// freeGoods is what the stock stage prepared to give an order its free
// goods; nil when no buy-X-get-Y promotion covers any of its lines.
type freeGoods struct {
	promos  []freePromo
	partner string
	place   rules.Place
	rules   *rules.Set
	policy  mappings.Policy
	// lineNos are the paid lines' numbers, which free lines must not take.
	lineNos []string
}

type freePromo struct {
	p     *rules.Promotion
	lines []string           // the paid lines it covers, in order
	item  *store.CatalogItem // the free item; nil when not in the catalog
}

// withoutFreeGoods drops the free lines an earlier run of the stage added.
func withoutFreeGoods(lines []order.Line) []order.Line {
	if !slices.ContainsFunc(lines, func(l order.Line) bool { return l.Free() }) {
		return lines
	}
	return slices.DeleteFunc(slices.Clone(lines), func(l order.Line) bool { return l.Free() })
}

// orderDate is the date the order's rules are taken on: its own, else
// today's (UTC).
func orderDate(o *order.Order, today func() time.Time) string {
	if o.OrderDate != "" {
		return o.OrderDate
	}
	if today == nil {
		today = time.Now
	}
	return today().UTC().Format(time.DateOnly)
}

// freeGoods finds the buy-X-get-Y promotions running for the order and the
// paid lines each covers (checks are o.Lines' checks, in order).
func (s *Stock) freeGoods(ctx context.Context, o *order.Order, checks []LineCheck, tier string, place rules.Place,
	rs *rules.Set, pol mappings.Policy) (*freeGoods, error) {
	date := orderDate(o, s.Today)
	promos := rs.BuyPromotions(date, o.Partner, tier)
	if len(promos) == 0 {
		return nil, nil // the common case: nothing more to look up
	}
	fg := &freeGoods{partner: o.Partner, place: place, rules: rs, policy: pol}
	for i := range o.Lines {
		fg.lineNos = append(fg.lineNos, o.Lines[i].LineNo)
	}
	contract := map[string]bool{} // by line number
	for i, c := range checks {
		if c.Rejected != "" {
			continue
		}
		_, err := s.Store.PriceFor(ctx, store.ContractList(o.Partner), c.Want.SKU, o.Currency, date, c.Want.Quantity)
		switch {
		case err == nil:
			contract[o.Lines[i].LineNo] = true
		case !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
	}
	for _, p := range promos {
		fp := freePromo{p: p}
		for i, c := range checks {
			if c.Rejected == "" && !contract[o.Lines[i].LineNo] && p.Covers(c.Want.SKU, c.Want.Category) {
				fp.lines = append(fp.lines, o.Lines[i].LineNo)
			}
		}
		if len(fp.lines) == 0 {
			continue
		}
		it, err := catalogItem(ctx, s.Store, p.Get.SKU)
		if err != nil {
			return nil, err
		}
		fp.item = it
		fg.promos = append(fg.promos, fp)
	}
	if len(fg.promos) == 0 {
		return nil, nil
	}
	return fg, nil
}

// skus adds the free items to the SKUs whose stock the order needs.
func (fg *freeGoods) skus(skus []string) []string {
	if fg == nil {
		return skus
	}
	for _, fp := range fg.promos {
		if !slices.Contains(skus, fp.p.Get.SKU) {
			skus = append(skus, fp.p.Get.SKU)
		}
	}
	return skus
}

// plan adds the free goods that paid's allocation earns, allocated from
// what it left: their lines (p.Free), reservations, allocations,
// backorders and shortfalls.
func (fg *freeGoods) plan(paid Plan, in AllocInput) Plan {
	if fg == nil {
		return paid
	}
	got := map[string]decimal.Decimal{} // paid quantity in force, by line
	for _, a := range paid.Allocations {
		got[a.LineNo] = got[a.LineNo].Add(a.Quantity)
	}
	for _, b := range paid.Backorders {
		got[b.LineNo] = got[b.LineNo].Add(b.Quantity)
	}
	taken := slices.Clone(fg.lineNos)
	var wants []Want
	for _, fp := range fg.promos {
		bought := decimal.Zero
		var earned []string
		for _, n := range fp.lines {
			if q := got[n]; q.IsPositive() {
				bought = bought.Add(q)
				earned = append(earned, n)
			}
		}
		q := fp.p.FreeQuantity(bought)
		if !q.IsPositive() {
			continue
		}
		l := order.Line{LineNo: freeLineNo(earned[0], taken), SKU: fp.p.Get.SKU, Quantity: q, UOM: "EA",
			Promotion: fp.p.ID, FreeOf: earned}
		taken = append(taken, l.LineNo)
		var item *store.CatalogItem
		if fp.item != nil {
			// The quantity is ours to give: the MOQ and the partner's
			// case-pack policy are about what it orders.
			it := *fp.item
			it.MOQ = decimal.Zero
			item = &it
			l.Description = it.Description
			if it.UOM != "" {
				l.UOM = it.UOM
			}
		}
		pol := fg.policy
		pol.CasePack = mappings.CasePackAllow
		c := CheckLine(&l, item, fg.partner, fg.place, fg.rules, pol)
		if c.Rejected != "" {
			c.Rejected = fmt.Sprintf("free goods of promotion %s: %s", fp.p.ID, c.Rejected)
		} else {
			wants = append(wants, c.Want)
		}
		paid.Free = append(paid.Free, FreeLine{Line: l, Check: c})
	}
	if len(wants) == 0 {
		return paid
	}
	free := Allocate(AllocInput{OrderID: in.OrderID, Wants: wants, Inventory: lessReserved(in.Inventory, paid.Reservations),
		Rank: usedFirst(in, paid), Tier: in.Tier, Rules: in.Rules, Policy: in.Policy})
	paid.Reservations = append(paid.Reservations, free.Reservations...)
	paid.Allocations = append(paid.Allocations, free.Allocations...)
	paid.Backorders = append(paid.Backorders, free.Backorders...)
	for n, sh := range free.Short {
		paid.Short[n] = sh
	}
	for sku, rule := range free.Protected {
		if _, ok := paid.Protected[sku]; !ok {
			paid.Protected[sku] = rule
		}
	}
	return paid
}

// freeLineNo numbers a free line after the first line that earned it: "1-F",
// or "1-F2", "1-F3" ... when that is taken.
func freeLineNo(after string, taken []string) string {
	n := after + "-F"
	for i := 2; slices.Contains(taken, n); i++ {
		n = after + "-F" + strconv.Itoa(i)
	}
	return n
}

// lessReserved is inv less what reservations take from it.
func lessReserved(inv []store.InventoryRow, res []store.Reservation) []store.InventoryRow {
	out := slices.Clone(inv)
	for _, r := range res {
		for i := range out {
			if out[i].Warehouse == r.Warehouse && out[i].SKU == r.SKU {
				out[i].Reserved = out[i].Reserved.Add(r.Quantity)
			}
		}
	}
	return out
}

// usedFirst ranks the warehouses for the free goods: those the paid lines
// ship from first (one shipment), then the others, each group in the
// order's own ranking.
func usedFirst(in AllocInput, paid Plan) []string {
	rank := in.Rank
	if rank == nil {
		rank = warehousesOf(in.Inventory)
		slices.Sort(rank)
	}
	used := func(wh string) bool {
		return slices.ContainsFunc(paid.Allocations, func(a order.Allocation) bool { return a.Warehouse == wh })
	}
	out := make([]string, 0, len(rank))
	for _, wh := range rank {
		if used(wh) {
			out = append(out, wh)
		}
	}
	for _, wh := range rank {
		if !used(wh) {
			out = append(out, wh)
		}
	}
	return out
}

// withFree is the order's lines and their checks with the plan's free
// lines after the paid ones.
func withFree(paid []order.Line, checks []LineCheck, p Plan) ([]order.Line, []LineCheck) {
	if len(p.Free) == 0 {
		return paid, checks
	}
	// New slices, never appended in place: paid is the partner's lines,
	// which the next plan (a retry in the writer) starts from again.
	lines := append(make([]order.Line, 0, len(paid)+len(p.Free)), paid...)
	cs := append(make([]LineCheck, 0, len(checks)+len(p.Free)), checks...)
	for _, f := range p.Free {
		lines = append(lines, f.Line)
		cs = append(cs, f.Check)
	}
	return lines, cs
}

// freeWants are the free lines' wants, for the backorder queue.
func freeWants(p Plan) []Want {
	var out []Want
	for _, f := range p.Free {
		if f.Check.Rejected == "" {
			out = append(out, f.Check.Want)
		}
	}
	return out
}

// priceFree prices a free line: zero, with the list price of its item (the
// base row, on the order date, in the order's currency; zero when the list
// has none) as what was given, and a promotion adjustment for all of it.
func (s *Price) priceFree(ctx context.Context, l *order.Line, list, currency, date string) (order.PricedLine, error) {
	pl := order.PricedLine{LineNo: l.LineNo}
	if list != "" {
		row, err := s.Store.PriceFor(ctx, list, l.SKU, currency, date, decimal.Zero)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return pl, err
		}
		if row != nil {
			pl.ListPrice, pl.PriceList = row.UnitPrice, list
		}
	}
	pl.Adjustments = []order.Adjustment{{Kind: "promotion", Rule: "pricing.promotions." + l.Promotion, Amount: pl.ListPrice.Neg()}}
	return pl, nil
}
