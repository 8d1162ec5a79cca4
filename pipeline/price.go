package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/rules"
	"github.com/orderhub/orderhub/store"
)

// Price prices each line from the partner's price list: the row valid on
// the order date (today when the order has none), in the order's currency,
// with the highest volume break the quantity reaches. A line the list does
// not price takes the PO's own unit price if it has one (and says so in its
// adjustments); a line priced by neither rejects the order, releasing its
// reservations. A partner's contract price valid on the order date (orderhub
// load contracts) beats the list and is net; otherwise its tier discount
// (rules.yaml pricing.tier_discounts) comes off the list price, then its
// loyalty discount (pricing.loyalty, loyalty.go), then the best line
// promotion. The PO's own price is never discounted. With tax rates in the
// rules, each line is taxed by its ship-to country and category (tax.go). Amounts are rounded
// to the currency's minor unit, per line, half away from zero unless the
// rules say bankers' rounding, and the totals are sums of rounded lines.
type Price struct {
	Store *store.Store
	// Rules hold the tier discounts and the rounding; nil: none, and
	// half away from zero.
	Rules *rules.File
	// Today is the clock for orders without a date; default time.Now.
	Today func() time.Time
	// Policies give each partner's price check (PO prices against ours,
	// see checkPOPrice); nil: the default, any difference flagged.
	Policies Policies
}

func (*Price) Name() string            { return "price" }
func (*Price) Topic() string           { return TopicReserved }
func (*Price) Done(status string) bool { return doneAt(order.StatusPriced, status) }

func (s *Price) Prepare(ctx context.Context, o *order.Order) (Outcome, Commit, error) {
	// Read once: its list, tier and since date price the order, its
	// credit limit settles it.
	p, err := partnerOf(ctx, s.Store, o.Partner)
	if err != nil {
		return Outcome{}, nil, err
	}
	if err := s.price(ctx, o, p, nil); err != nil {
		return Outcome{}, nil, err
	}
	if len(o.Problems) > 0 {
		o.Pricing = nil
		out := reject(o, "price", o.Problems)
		id := o.ID
		return out, func(tx *store.Tx) (Outcome, bool, error) {
			if err := tx.ReleaseReservations(id); err != nil {
				return out, false, err
			}
			return out, false, tx.SetBackorders(id, nil) // nothing of it waits any more
		}, nil
	}
	mismatch := 0
	for _, pl := range o.Pricing.Lines {
		if pl.POPriceMismatch {
			mismatch++
		}
	}
	reason := fmt.Sprintf("total %s %s", o.Pricing.Total, o.Currency)
	if mismatch > 0 {
		reason += fmt.Sprintf("; %d line(s) priced differently from the PO", mismatch)
	}
	return s.settle(o, p, reason)
}

// price works out o.Pricing, or o.Problems for lines it cannot price, for
// partner p (nil: not in the store), keeping the prices of the lines in
// keep as they are (a change re-prices only the lines it changed: see
// Changes).
func (s *Price) price(ctx context.Context, o *order.Order, p *store.Partner, keep map[string]order.PricedLine) error {
	o.Problems = nil
	list, tier, since := "", "", ""
	if p != nil {
		list, tier, since = p.PriceList, p.Tier, p.Since
	}
	rs := s.Rules.Current()
	tierOff := rs.TierDiscount(tier)
	date := orderDate(o, s.Today)
	pr := &order.Pricing{}
	currency := o.Currency
	promos := rs.LinePromotions(date, o.Partner, tier)
	loyalty := rs.Loyalty(since, date)
	pol := policyOf(s.Policies, o.Partner)
	var refused []order.Problem // lines the price check refused
	for i, l := range o.Lines {
		q := o.InForce(&l)
		if oc := o.Outcome(l.LineNo); oc != nil && (oc.Outcome == order.OutcomeRejected || oc.Outcome == order.OutcomeDeleted) {
			continue // refused by the stock stage, or deleted by a change: nothing to price
		}
		if pl, ok := keep[l.LineNo]; ok {
			pr.Lines = append(pr.Lines, pl)
			continue
		}
		if l.Free() { // buy X get Y: zero, whatever the list says
			pl, err := s.priceFree(ctx, &l, list, currency, date)
			if err != nil {
				return err
			}
			pr.Lines = append(pr.Lines, pl)
			continue
		}
		pl := order.PricedLine{LineNo: l.LineNo}
		var row *store.PriceRow
		if list != "" {
			r, err := s.Store.PriceFor(ctx, list, l.SKU, currency, date, q)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			row = r
		}
		// A contract price valid on the order date beats the list: it is
		// net (no tier discount), and the list price, when there is one,
		// stays as the reference its saving is measured from.
		contract, err := s.Store.PriceFor(ctx, store.ContractList(o.Partner), l.SKU, currency, date, q)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		switch {
		case contract != nil:
			if currency == "" {
				currency = contract.Currency
			}
			pl.UnitPrice, pl.ListPrice, pl.PriceList = contract.UnitPrice, contract.UnitPrice, contract.PriceList
			if row != nil && row.Currency == contract.Currency {
				pl.ListPrice = row.UnitPrice
			}
			from := contract.ValidFrom
			if from == "" {
				from = "open"
			}
			pl.Adjustments = append(pl.Adjustments, order.Adjustment{Kind: "contract",
				Rule: fmt.Sprintf("%s:%s:from_%s", contract.PriceList, l.SKU, from), Amount: contract.UnitPrice.Sub(pl.ListPrice)})
		case row != nil:
			if currency == "" {
				currency = row.Currency
			}
			pl.UnitPrice, pl.ListPrice, pl.PriceList = row.UnitPrice, row.UnitPrice, list
			if !row.MinQty.IsZero() {
				// The list price is the base row's (no break); the break
				// is what it takes off.
				amount := decimal.Zero
				if base, err := s.Store.PriceFor(ctx, list, l.SKU, row.Currency, date, decimal.Zero); err == nil {
					pl.ListPrice, amount = base.UnitPrice, row.UnitPrice.Sub(base.UnitPrice)
				}
				pl.Adjustments = append(pl.Adjustments, order.Adjustment{Kind: "volume_break",
					Rule: fmt.Sprintf("%s:%s:min_qty_%s", list, l.SKU, row.MinQty), Amount: amount})
			}
			if tierOff.IsPositive() {
				off := row.UnitPrice.Mul(tierOff)
				pl.UnitPrice = row.UnitPrice.Sub(off)
				pl.Adjustments = append(pl.Adjustments, order.Adjustment{Kind: "tier_discount",
					Rule: "pricing.tier_discounts." + tier, Amount: off.Neg()})
			}
			applyLoyalty(loyalty, &pl)
			if len(promos) > 0 {
				category := ""
				if it, err := s.Store.CatalogItem(ctx, l.SKU); err == nil {
					category = it.Category
				}
				if p, off := bestPromotion(promos, l.SKU, category, row.Currency, pl.UnitPrice); p != nil {
					pl.UnitPrice = pl.UnitPrice.Sub(off)
					pl.Adjustments = append(pl.Adjustments, order.Adjustment{Kind: "promotion",
						Rule: "pricing.promotions." + p.ID, Amount: off.Neg()})
				}
			}
		case l.UnitPrice != nil:
			pl.UnitPrice, pl.ListPrice = *l.UnitPrice, *l.UnitPrice
			pl.Adjustments = append(pl.Adjustments, order.Adjustment{Kind: "po_price", Rule: "no_list_price", Amount: decimal.Zero})
		default:
			where := "the partner has no price list"
			if list != "" {
				where = fmt.Sprintf("price list %s has none", list)
				if currency != "" {
					where += " in " + currency
				}
				where += " valid on " + date
				if !q.IsZero() {
					where += " for quantity " + q.String()
				}
			}
			o.Problems = append(o.Problems, order.Problem{Path: fmt.Sprintf("lines[%d].unit_price", i),
				Message: fmt.Sprintf("no price for %s: %s, and the order gives none", l.SKU, where)})
			continue
		}
		if p := checkPOPrice(o, i, &pl, pol.PriceCheck); p != nil {
			refused = append(refused, *p)
			continue
		}
		pr.Lines = append(pr.Lines, pl)
	}
	if len(pr.Lines) == 0 && len(refused) > 0 {
		o.Problems = append(o.Problems, refused...) // no line left
	}
	if o.Currency == "" {
		o.Currency = currency
	}
	places := minorUnits(o.Currency)
	for _, pl := range pr.Lines {
		q := o.InForce(o.Line(pl.LineNo))
		amount := rs.Round(pl.UnitPrice.Mul(q), places)
		listAmount := rs.Round(pl.ListPrice.Mul(q), places)
		pr.Subtotal = pr.Subtotal.Add(listAmount)
		pr.DiscountTotal = pr.DiscountTotal.Add(listAmount.Sub(amount))
		pr.Total = pr.Total.Add(amount)
	}
	// A spend promotion: the best one the order's total reaches, off the
	// order as a whole.
	var spend *rules.Promotion
	for _, p := range rs.SpendPromotions(date, o.Partner, tier) {
		if p.Currency == o.Currency && !pr.Total.LessThan(p.Spend.Over.Decimal) &&
			(spend == nil || p.Spend.Save.GreaterThan(spend.Spend.Save.Decimal)) {
			spend = p
		}
	}
	if spend != nil {
		save := spend.Spend.Save.Decimal
		pr.Adjustments = append(pr.Adjustments, order.Adjustment{Kind: "promotion", Rule: "pricing.promotions." + spend.ID, Amount: save.Neg()})
		pr.DiscountTotal = pr.DiscountTotal.Add(save)
		pr.Total = pr.Total.Sub(save)
	}
	pr.Subtotal = pr.Subtotal.Round(places)
	pr.DiscountTotal = pr.DiscountTotal.Round(places)
	pr.Total = pr.Total.Round(places)
	if err := s.tax(ctx, o, pr, rs, places); err != nil {
		return err
	}
	o.Pricing = pr
	return nil
}

func (s *Price) Outputs(ctx context.Context, o *order.Order, js []byte, corr string) ([]Output, error) {
	return next(o, TopicPriced, js, corr), nil
}

// minorUnits is the number of decimals a currency is invoiced in (ISO 4217).
func minorUnits(currency string) int32 {
	switch currency {
	case "JPY", "KRW", "CLP", "ISK", "VND", "XAF", "XOF", "UGX", "PYG":
		return 0
	case "BHD", "KWD", "JOD", "OMR", "TND", "IQD", "LYD":
		return 3
	}
	return 2
}

// bestPromotion is the line promotion that takes the most off unit for
// the customer (the first on a tie), and what it takes off: a share of
// the unit price, or an amount in the promotion's currency, never more
// than the price. Line promotions do not stack with each other; they do
// with the tier discount, which comes first.
func bestPromotion(promos []*rules.Promotion, sku, category, currency string, unit decimal.Decimal) (*rules.Promotion, decimal.Decimal) {
	var best *rules.Promotion
	bestOff := decimal.Zero
	for _, p := range promos {
		if !p.Covers(sku, category) {
			continue
		}
		off := decimal.Zero
		switch {
		case p.PercentOff.IsPositive():
			off = unit.Mul(p.PercentOff.Decimal)
		case p.AmountOff.IsPositive() && p.Currency == currency:
			off = decimal.Min(p.AmountOff.Decimal, unit)
		}
		if off.GreaterThan(bestOff) {
			best, bestOff = p, off
		}
	}
	return best, bestOff
}
