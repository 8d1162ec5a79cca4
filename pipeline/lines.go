package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/rules"
	"github.com/orderhub/orderhub/store"
)

// LineCheck is what checking one line against the catalog and the rules
// gave: the quantity to allocate in the catalog's unit, or why the line is
// refused; and, when the quantity in force differs from the one ordered
// (a unit converted, a case pack rounded), the outcome that says so.
type LineCheck struct {
	Want     Want
	Rejected string // why the line is refused; "" when it goes on
	Rule     string
	// Changed says why the quantity in force is not the one ordered, ""
	// when it is.
	Changed string
	UOM     string // the unit Want.Quantity is in
	// Pack is the pack size the ordered unit was converted through (CA
	// ↔ the catalog's unit), zero when it was not.
	Pack decimal.Decimal
}

// CheckLine checks line l of an order from partner to place against its
// catalog item (nil: not in the catalog), the rules and the partner's
// policy, in this order: the item is known and sold, may go there, comes in
// the unit ordered or one convertible through the pack size, reaches the
// minimum order quantity, and is a whole number of case packs (rejected,
// or rounded as the policy says).
func CheckLine(l *order.Line, item *store.CatalogItem, partner string, place rules.Place, rs *rules.Set, pol mappings.Policy) LineCheck {
	c := LineCheck{Want: Want{LineNo: l.LineNo, SKU: l.SKU, Quantity: l.Quantity}, UOM: l.UOM}
	switch {
	case l.SKU == "":
		c.Rejected = "no catalog item matches " + describeItem(*l) + ": add it to the catalog or to the partner's crosswalk"
		return c
	case item == nil:
		c.Rejected = fmt.Sprintf("%s is not in the catalog", l.SKU)
		return c
	case item.Status == store.ItemDiscontinued:
		c.Rejected = fmt.Sprintf("%s is discontinued", l.SKU)
		return c
	}
	c.Want.Category = item.Category
	if why := rs.Restricted(item.SKU, item.Category, partner, place); why != "" {
		c.Rejected = fmt.Sprintf("%s may not be shipped here: %s", l.SKU, why)
		c.Rule = "restrictions"
		return c
	}
	unit := item.UOM
	if unit == "" {
		unit = "EA"
	}
	pack := item.PackSize
	if !pack.IsPositive() {
		pack = decimal.NewFromInt(1)
	}
	q := l.Quantity
	switch {
	case l.UOM == "" || l.UOM == unit:
	case l.UOM == "CA" && unit != "CA":
		// Cases of the item's pack size, in its unit.
		q, c.Pack = q.Mul(pack), pack
		c.Changed = fmt.Sprintf("%s CA is %s %s (a case holds %s)", l.Quantity, q, unit, pack)
	case unit == "CA" && l.UOM != "CA":
		cases := q.Div(pack)
		if !cases.IsInteger() {
			c.Rejected = fmt.Sprintf("ordered %s %s but %s is sold in cases of %s: %s %s is not a whole number of cases", l.Quantity, l.UOM, l.SKU, pack, l.Quantity, l.UOM)
			return c
		}
		q, c.Pack = cases, pack
		c.Changed = fmt.Sprintf("%s %s is %s CA (a case holds %s)", l.Quantity, l.UOM, q, pack)
	default:
		c.Rejected = fmt.Sprintf("ordered in %s but %s is sold in %s", l.UOM, l.SKU, unit)
		return c
	}
	c.UOM = unit
	if item.MOQ.IsPositive() && q.LessThan(item.MOQ) {
		c.Rejected = fmt.Sprintf("%s %s is below the minimum order quantity of %s %s", q, unit, item.MOQ, unit)
		c.Rule = "moq"
		return c
	}
	wholeCases := pol.CasePack != "" && pol.CasePack != mappings.CasePackAllow
	if wholeCases && unit != "CA" && pack.GreaterThan(decimal.NewFromInt(1)) && !q.Mod(pack).IsZero() {
		down := q.Div(pack).Floor().Mul(pack)
		up := down.Add(pack)
		switch pol.CasePack {
		case mappings.CasePackRoundUp:
			c.Changed = joinWhy(c.Changed, fmt.Sprintf("%s %s rounded up to %s, a whole number of cases of %s", q, unit, up, pack))
			q = up
		case mappings.CasePackRoundDown:
			if !down.IsPositive() {
				c.Rejected = fmt.Sprintf("%s %s is less than one case of %s", q, unit, pack)
				c.Rule = "case_pack"
				return c
			}
			c.Changed = joinWhy(c.Changed, fmt.Sprintf("%s %s rounded down to %s, a whole number of cases of %s", q, unit, down, pack))
			q = down
		default: // reject
			c.Rejected = fmt.Sprintf("%s %s is not a whole number of cases of %s (%s or %s would be)", q, unit, pack, down, up)
			c.Rule = "case_pack"
			return c
		}
		c.Rule = "case_pack"
	}
	c.Want.Quantity = q
	return c
}

// checkLine is CheckLine for line l with its catalog item read from the
// store.
func (s *Stock) checkLine(ctx context.Context, l *order.Line, partner string, place rules.Place, rs *rules.Set, pol mappings.Policy) (LineCheck, error) {
	item, err := catalogItem(ctx, s.Store, l.SKU)
	if err != nil {
		return LineCheck{}, err
	}
	return CheckLine(l, item, partner, place, rs, pol), nil
}

// catalogItem is sku's catalog item, nil (and no error) when sku is empty
// or not in the catalog.
func catalogItem(ctx context.Context, st *store.Store, sku string) (*store.CatalogItem, error) {
	if sku == "" {
		return nil, nil
	}
	it, err := st.CatalogItem(ctx, sku)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return it, err
}

func joinWhy(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
