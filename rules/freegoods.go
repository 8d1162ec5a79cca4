package rules

import (
	"github.com/shopspring/decimal"
)

// Buy and Get make a promotion "buy X get Y free": for every whole
// Buy.Quantity of the items its scope covers (skus, categories; summed over
// the order's lines, in the catalog's unit), the order gets Get.Quantity of
// Get.SKU free, as a line of its own priced at zero.
//
//	pricing:
//	  promotions:
//	    - {id: COLA-10-1, from: 2026-11-01, to: 2026-11-30, skus: [BEV-1001],
//	       buy: {quantity: 10}, get: {sku: BEV-1001, quantity: 1}}
type Buy struct {
	Quantity Quantity `yaml:"quantity"`
}

// Get is the free goods earned by each whole Buy.Quantity.
type Get struct {
	SKU      string   `yaml:"sku"`
	Quantity Quantity `yaml:"quantity"`
}

// BuyPromotions are the buy-X-get-Y promotions running on date for a
// partner of tier, in the file's order.
func (s *Set) BuyPromotions(date, partner, tier string) []*Promotion {
	if s == nil {
		return nil
	}
	var out []*Promotion
	for i := range s.Pricing.Promotions {
		p := &s.Pricing.Promotions[i]
		if p.Buy != nil && p.Get != nil && p.Running(date, partner, tier) {
			out = append(out, p)
		}
	}
	return out
}

// FreeQuantity is what a buy-X-get-Y promotion gives for bought units of
// what it covers: Get.Quantity for every whole Buy.Quantity, zero below it.
func (p *Promotion) FreeQuantity(bought decimal.Decimal) decimal.Decimal {
	if p.Buy == nil || p.Get == nil || !p.Buy.Quantity.IsPositive() {
		return decimal.Zero
	}
	times := bought.Div(p.Buy.Quantity.Decimal).Floor()
	if !times.IsPositive() {
		return decimal.Zero
	}
	return times.Mul(p.Get.Quantity.Decimal)
}

func validateFreeGoods(add func(path, format string, args ...any), p string, pr *Promotion) {
	switch {
	case pr.Buy == nil:
		add(p+".buy", "want what must be bought for the free goods, such as {quantity: 10}")
	case !pr.Buy.Quantity.IsPositive():
		add(p+".buy.quantity", "want the quantity to buy, above 0, got %s", pr.Buy.Quantity)
	}
	switch {
	case pr.Get == nil:
		add(p+".get", "want the free goods, such as {sku: BEV-1001, quantity: 1}")
	default:
		if !codeRE.MatchString(pr.Get.SKU) {
			add(p+".get.sku", "want the SKU given free (letters, digits, _ . -), got %q", pr.Get.SKU)
		}
		if !pr.Get.Quantity.IsPositive() {
			add(p+".get.quantity", "want the quantity given free, above 0, got %s", pr.Get.Quantity)
		} else if pr.Get.Quantity.Exponent() < -4 {
			add(p+".get.quantity", "want at most 4 decimal places (stock is kept to 4), got %s", pr.Get.Quantity)
		}
	}
	if pr.Currency != "" {
		add(p+".currency", "free goods have no amount: leave currency out, got %q", pr.Currency)
	}
}
