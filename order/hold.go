package order

import "github.com/shopspring/decimal"

// Hold is one reason a priced order was kept back for review.
type Hold struct {
	// Rule names what held it: "policy.price_check" (the partner's
	// price check) or "credit_limit" (the partner's credit limit).
	Rule string `json:"rule"`
	// Reason says it for a person, with the figures: the lines and
	// prices, or the limit, the open value and this order's total.
	Reason string `json:"reason"`
}

// Hold rules.
const (
	HoldPriceCheck  = "policy.price_check"
	HoldCreditLimit = "credit_limit"
)

// Results of a price check (PriceCheck.Result).
const (
	// PriceWithinTolerance: the PO's price differs from ours by no more
	// than the partner's tolerance; ours stands and it is no mismatch.
	PriceWithinTolerance = "within_tolerance"
	// PriceFlagged: outside the tolerance, ours stands and the answer
	// says so (855 IP).
	PriceFlagged = "flagged"
	// PriceHeld: outside the tolerance, the order is held for review.
	PriceHeld = "held"
)

// PriceCheck is the comparison of a line's PO price with ours, both per
// the line's own unit (UOM), in the order's currency.
type PriceCheck struct {
	Rule     string          `json:"rule"`
	POPrice  decimal.Decimal `json:"po_price"`
	OurPrice decimal.Decimal `json:"our_price"`
	UOM      string          `json:"uom,omitempty"`
	// Difference is the PO's price less ours.
	Difference decimal.Decimal `json:"difference"`
	// Tolerance is the partner's, as written ("2%", "0.05", "0").
	Tolerance string `json:"tolerance"`
	Result    string `json:"result"`
}

// InLineUnit converts q, in the outcome's UOM, to the line's own unit:
// through the pack size when the line was converted (2 CA of a 24-pack
// sold in EA was allocated as 48 EA: 48 EA is 2 CA). ok is false when it
// cannot say: no pack size known for units that differ, or a quantity
// that is no exact number of the line's unit (40 EA of a 24-pack).
func (oc *LineOutcome) InLineUnit(q decimal.Decimal, lineUOM string) (decimal.Decimal, bool) {
	switch {
	case oc == nil || oc.UOM == "" || lineUOM == "" || oc.UOM == lineUOM:
		return q, true
	case !oc.PackSize.IsPositive():
		return q, false
	case oc.UOM == "CA":
		return q.Mul(oc.PackSize), true // cases sold, units ordered
	default: // units sold, cases ordered
		c := q.Div(oc.PackSize)
		return c, c.Mul(oc.PackSize).Equal(q)
	}
}

// PriceInLineUnit converts a unit price per the outcome's UOM to one per
// the line's own unit: a can at 0.50 is a case of 24 at 12.00. A case
// price divided into units is kept to 6 decimals. ok is false when it
// cannot say.
func (oc *LineOutcome) PriceInLineUnit(p decimal.Decimal, lineUOM string) (decimal.Decimal, bool) {
	switch {
	case oc == nil || oc.UOM == "" || lineUOM == "" || oc.UOM == lineUOM:
		return p, true
	case !oc.PackSize.IsPositive():
		return p, false
	case oc.UOM == "CA":
		return p.DivRound(oc.PackSize, 6), true
	default:
		return p.Mul(oc.PackSize), true
	}
}
