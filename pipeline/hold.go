package pipeline

import (
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

// settle decides what becomes of a priced order of partner p (nil: not in
// the store): priced, or held for review when a line's PO price is outside
// the partner's tolerance under on_mismatch: hold, or when the order would
// take the partner's open order value over its credit limit. The commit gives back the stock of lines
// the price check refused, records the order's total (which the open order
// value adds up) and checks the credit limit inside the store's writer, so
// that two orders racing cannot both squeeze under it.
func (s *Price) settle(o *order.Order, p *store.Partner, reason string) (Outcome, Commit, error) {
	var base []order.Hold
	if h := priceHold(o); h != nil {
		base = append(base, *h)
	}
	var limited *store.Partner
	if p != nil && p.HasCreditLimit() {
		limited = p
	}
	o.Holds = base
	want := heldOrPriced(o, reason)
	id, partner, currency, total := o.ID, o.Partner, o.Currency, o.Pricing.Total
	refused := refusedForPrice(o)
	commit := func(tx *store.Tx) (Outcome, bool, error) {
		if err := tx.ReleaseLines(id, refused); err != nil {
			return Outcome{}, false, err
		}
		if err := tx.SetOrderTotal(id, total, currency); err != nil {
			return Outcome{}, false, err
		}
		// Set afresh on every run: a retried transaction must not hold
		// the order twice over.
		o.Holds = slices.Clone(base)
		if limited == nil {
			return want, false, nil
		}
		h, err := creditHold(tx, limited, id, partner, currency, total)
		if err != nil || h == nil {
			return want, false, err
		}
		o.Holds = append(o.Holds, *h)
		return heldOrPriced(o, reason), true, nil
	}
	return want, commit, nil
}

// heldOrPriced is the outcome for an order with its holds (o.Holds) set.
func heldOrPriced(o *order.Order, reason string) Outcome {
	if len(o.Holds) == 0 {
		return Outcome{Status: order.StatusPriced, Reason: reason}
	}
	why := make([]string, len(o.Holds))
	for i, h := range o.Holds {
		why[i] = h.Reason
	}
	return Outcome{Status: order.StatusHeld, Reason: reason + "; held for review: " + strings.Join(why, "; ")}
}

// creditHold is the hold for an order that would take its partner's open
// order value (OpenOrderValue: priced, held, routed, backordered and
// acknowledged orders) over the credit limit, or that is in a currency the
// limit is not in (there is no rate to compare them); nil when it fits.
func creditHold(tx *store.Tx, p *store.Partner, id, partner, currency string, total decimal.Decimal) (*order.Hold, error) {
	limit := fmt.Sprintf("%s %s", p.CreditLimit, p.CreditCurrency)
	if currency != p.CreditCurrency {
		in := currency
		if in == "" {
			in = "no currency"
		}
		return &order.Hold{Rule: order.HoldCreditLimit,
			Reason: fmt.Sprintf("credit limit %s, but this order's total %s is in %s: no rate to compare them", limit, total.StringFixed(minorUnits(currency)), in)}, nil
	}
	open, err := tx.OpenOrderValue(partner, currency, id)
	if err != nil {
		return nil, err
	}
	after := open.Add(total)
	if !after.GreaterThan(p.CreditLimit) {
		return nil, nil
	}
	return &order.Hold{Rule: order.HoldCreditLimit,
		Reason: fmt.Sprintf("credit limit %s: open orders %s and this order's %s come to %s %s",
			limit, open.StringFixed(minorUnits(currency)), total.StringFixed(minorUnits(currency)), after.StringFixed(minorUnits(currency)), currency)}, nil
}
