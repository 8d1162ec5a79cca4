package pipeline

import (
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/rules"
)

// applyLoyalty takes the loyalty step's share off a line priced from the
// list, after its tier discount and before its promotion, so the
// discounts compound (list × (1 − tier) × (1 − loyalty) × (1 − promotion))
// rather than add up. Contract prices are net and the PO's own price is
// never discounted, so neither comes here. step nil: no loyalty discount.
func applyLoyalty(step *rules.LoyaltyStep, pl *order.PricedLine) {
	if step == nil {
		return
	}
	off := pl.UnitPrice.Mul(step.PercentOff.Decimal)
	pl.UnitPrice = pl.UnitPrice.Sub(off)
	pl.Adjustments = append(pl.Adjustments, order.Adjustment{Kind: "loyalty", Rule: step.Rule(), Amount: off.Neg()})
}
