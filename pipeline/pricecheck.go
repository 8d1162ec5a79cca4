package pipeline

import (
	"fmt"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
)

// checkPOPrice compares line i's own unit price, when the PO gives one,
// with ours (pl) under the partner's price check, both per the line's own
// unit: a line ordered in cases of an item sold in units is priced per
// unit, and the case price is that times the pack size the stock stage
// converted it through. When the prices differ it records the comparison
// on pl (PriceCheck): within the tolerance it is no mismatch; outside it,
// flag and hold mark the line a mismatch (our price stands; a hold keeps
// the order back, see holds), and reject_line refuses the line: its
// outcome says why, its allocations and backorders come off the order
// (the commit gives back their stock), and checkPOPrice returns the
// problem, which rejects the order when no line is left.
func checkPOPrice(o *order.Order, i int, pl *order.PricedLine, pc mappings.PriceCheck) *order.Problem {
	l := &o.Lines[i]
	if l.UnitPrice == nil {
		return nil
	}
	oc := o.Outcome(l.LineNo)
	ours, ok := oc.PriceInLineUnit(pl.UnitPrice, l.UOM)
	if !ok {
		ours = pl.UnitPrice // units we cannot relate: compare as they are
	}
	po := *l.UnitPrice
	if po.Equal(ours) {
		return nil
	}
	unit := l.UOM
	if unit == "" && oc != nil {
		unit = oc.UOM
	}
	c := &order.PriceCheck{Rule: order.HoldPriceCheck, POPrice: po, OurPrice: ours, UOM: unit,
		Difference: po.Sub(ours), Tolerance: pc.Tolerance.String()}
	if pc.Tolerance.Allows(po, ours) {
		c.Result = order.PriceWithinTolerance
		pl.PriceCheck = c
		return nil
	}
	switch pc.OnMismatch {
	case mappings.MismatchRejectLine:
		why := fmt.Sprintf("refused for its price: %s, outside the tolerance %s (policy.price_check: reject_line)", describePrice(l, c), c.Tolerance)
		refuseLine(o, l.LineNo, why)
		return &order.Problem{Path: fmt.Sprintf("lines[%d].unit_price", i), Message: why}
	case mappings.MismatchHold:
		c.Result = order.PriceHeld
	default:
		c.Result = order.PriceFlagged
	}
	pl.PriceCheck, pl.POPriceMismatch = c, true
	// A line taken as ordered but at our price, not the PO's, says so in
	// its outcome: what the 855 (IP) and the status API report as a
	// price change. A line also short or cut keeps that outcome; its
	// price_check still tells the price.
	if oc != nil && oc.Outcome == order.OutcomeAccepted {
		oc.Outcome = order.OutcomePriceChanged
		why := fmt.Sprintf("priced at ours: %s (policy.price_check: %s)", describePrice(l, c), c.Result)
		if oc.Reason != "" {
			why = oc.Reason + "; " + why
		}
		oc.Reason = why
		oc.Rule = order.HoldPriceCheck
	}
	return nil
}

// describePrice says a price check for a person: "BEV-1001: PO 2.10 per
// CA, ours 1.98".
func describePrice(l *order.Line, c *order.PriceCheck) string {
	per := ""
	if c.UOM != "" {
		per = " per " + c.UOM
	}
	return fmt.Sprintf("%s: PO %s%s, ours %s", l.SKU, c.POPrice, per, c.OurPrice)
}

// refuseLine makes line lineNo rejected after allocation: its outcome
// rejected with why, nothing of it allocated or backordered.
func refuseLine(o *order.Order, lineNo, why string) {
	oc := o.Outcome(lineNo)
	if oc == nil {
		o.Outcomes = append(o.Outcomes, order.LineOutcome{LineNo: lineNo})
		oc = &o.Outcomes[len(o.Outcomes)-1]
	}
	oc.Outcome, oc.Quantity, oc.Short = order.OutcomeRejected, decimal.Zero, decimal.Zero
	oc.Reason, oc.Rule = why, order.HoldPriceCheck
	o.Allocations = slices.DeleteFunc(o.Allocations, func(a order.Allocation) bool { return a.LineNo == lineNo })
	o.Backorders = slices.DeleteFunc(o.Backorders, func(b order.Backorder) bool { return b.LineNo == lineNo })
}

// refusedForPrice lists the lines the price check refused, whose stock the
// commit gives back.
func refusedForPrice(o *order.Order) []string {
	var out []string
	for _, oc := range o.Outcomes {
		if oc.Outcome == order.OutcomeRejected && oc.Rule == order.HoldPriceCheck {
			out = append(out, oc.LineNo)
		}
	}
	return out
}

// priceHold is the hold for the lines whose PO price is outside the
// tolerance under on_mismatch: hold, naming each line and both prices;
// nil when there are none.
func priceHold(o *order.Order) *order.Hold {
	if o.Pricing == nil {
		return nil
	}
	reason, tolerance := "", ""
	for _, pl := range o.Pricing.Lines {
		c := pl.PriceCheck
		if c == nil || c.Result != order.PriceHeld {
			continue
		}
		l := o.Line(pl.LineNo)
		if reason != "" {
			reason += "; "
		}
		reason += "line " + pl.LineNo + " " + describePrice(l, c)
		tolerance = c.Tolerance
	}
	if reason == "" {
		return nil
	}
	return &order.Hold{Rule: order.HoldPriceCheck,
		Reason: fmt.Sprintf("PO prices outside the tolerance %s: %s", tolerance, reason)}
}
