package pipeline

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/rules"
)

// tax puts the tax on a priced order when the rules have tax rates
// (pricing.tax); without any, the order carries no tax fields at all.
//
// Each priced line's rate is the one for its ship-to country (the line's
// own ship-to, else the order's) and its item's category, else the
// country's own; a line with neither says tax_rule "none" and pays none:
// a rate is never guessed. The tax base is the line's amount less its
// share of the order-level adjustments (a spend promotion lowers what is
// taxed, as it lowers what is paid), shared out in proportion to the
// lines' amounts, each share rounded so the shares add up to the
// adjustment exactly. Tax is the base times the rate, rounded per line to
// the currency's minor unit as the rules round (half_up or bankers); the
// order's tax_total is the sum of the lines' and total_with_tax is total
// plus tax_total. Free goods have a base of zero and pay no tax.
func (s *Price) tax(ctx context.Context, o *order.Order, pr *order.Pricing, rs *rules.Set, places int32) error {
	if !rs.Taxed() {
		return nil
	}
	amounts := make([]decimal.Decimal, len(pr.Lines))
	sum := decimal.Zero
	for i, pl := range pr.Lines {
		amounts[i] = rs.Round(pl.UnitPrice.Mul(o.InForce(o.Line(pl.LineNo))), places)
		sum = sum.Add(amounts[i])
	}
	// What the order-level adjustments took off (positive) or added.
	orderOff := sum.Sub(pr.Total)
	taxTotal := decimal.Zero
	cum, shared := decimal.Zero, decimal.Zero
	for i := range pr.Lines {
		pl := &pr.Lines[i]
		l := o.Line(pl.LineNo)
		base := amounts[i]
		if !orderOff.IsZero() && sum.IsPositive() {
			// Cumulative rounding: share i is round(off × amounts up to i
			// / sum) less the shares before it.
			cum = cum.Add(amounts[i])
			upTo := rs.Round(orderOff.Mul(cum).Div(sum), places)
			base = base.Sub(upTo.Sub(shared))
			shared = upTo
		}
		category := ""
		if l != nil {
			it, err := catalogItem(ctx, s.Store, l.SKU)
			if err != nil {
				return err
			}
			if it != nil {
				category = it.Category
			}
		}
		rate, rule := decimal.Zero, rules.NoTaxRule
		if r := rs.TaxFor(shipToCountry(o, l), category); r != nil {
			rate, rule = r.Rate.Decimal, r.Rule()
		}
		tax := rs.Round(base.Mul(rate), places)
		pl.TaxBase, pl.TaxRate, pl.Tax, pl.TaxRule = &base, &rate, &tax, rule
		taxTotal = taxTotal.Add(tax)
	}
	withTax := pr.Total.Add(taxTotal)
	pr.TaxTotal, pr.TotalWithTax = &taxTotal, &withTax
	return nil
}

// shipToCountry is where line l goes: its own ship-to party's country when
// it has one (a line shipped elsewhere than the order), else the order's.
func shipToCountry(o *order.Order, l *order.Line) string {
	if l != nil {
		for _, p := range l.Parties {
			if p.Role == order.RoleShipTo && p.Country != "" {
				return p.Country
			}
		}
	}
	if p := o.Party(order.RoleShipTo); p != nil {
		return p.Country
	}
	return ""
}
