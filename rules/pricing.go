package rules

import (
	"slices"

	"github.com/shopspring/decimal"
)

// Pricing holds the price rules that are not prices: discounts by tier and
// how amounts are rounded.
type Pricing struct {
	// TierDiscounts take a share off list prices for partners of a
	// tier ("gold: 3%"). Contract prices, when there are any, are net:
	// no tier discount applies to them.
	TierDiscounts map[string]Share `yaml:"tier_discounts"`
	// Rounding of line amounts to the currency's minor unit:
	// "half_up" (default: half away from zero, 0.125 → 0.13) or
	// "bankers" (half to even, 0.125 → 0.12).
	Rounding string `yaml:"rounding"`
	// Promotions run for set dates.
	Promotions []Promotion `yaml:"promotions"`
	// Loyalty is the scale of discounts by whole years of partnership
	// (loyalty.go).
	Loyalty []LoyaltyStep `yaml:"loyalty"`
	// Tax is the tax rates by ship-to country and item category (tax.go).
	Tax []TaxRate `yaml:"tax"`
}

// Promotion is a price promotion: a share or an amount off a unit
// (line promotions), or an amount off an order whose total reaches a
// threshold (spend). It runs from From to To (dates, inclusive; empty:
// open) for the lines and partners its scope names: every scope given
// must match, and an empty scope matches all.
type Promotion struct {
	ID         string   `yaml:"id"`
	From       string   `yaml:"from"`
	To         string   `yaml:"to"`
	SKUs       []string `yaml:"skus"`
	Categories []string `yaml:"categories"`
	Tiers      []string `yaml:"tiers"`
	Partners   []string `yaml:"partners"`
	// PercentOff or AmountOff (per unit, in Currency), or Spend, or Buy
	// and Get (free goods, freegoods.go).
	PercentOff Share    `yaml:"percent_off"`
	AmountOff  Quantity `yaml:"amount_off"`
	Spend      *Spend   `yaml:"spend"`
	Buy        *Buy     `yaml:"buy"`
	Get        *Get     `yaml:"get"`
	Currency   string   `yaml:"currency"`
}

// Spend takes Save off an order whose total reaches Over.
type Spend struct {
	Over Quantity `yaml:"over"`
	Save Quantity `yaml:"save"`
}

// Running tells whether the promotion runs on date (YYYY-MM-DD) for a
// partner of tier.
func (p *Promotion) Running(date, partner, tier string) bool {
	if (p.From != "" && date < p.From) || (p.To != "" && date > p.To) {
		return false
	}
	if len(p.Tiers) > 0 && !slices.Contains(p.Tiers, tier) {
		return false
	}
	return len(p.Partners) == 0 || slices.Contains(p.Partners, partner)
}

// Covers tells whether a line promotion covers an item.
func (p *Promotion) Covers(sku, category string) bool {
	if len(p.SKUs) > 0 && !slices.Contains(p.SKUs, sku) {
		return false
	}
	return len(p.Categories) == 0 || slices.Contains(p.Categories, category)
}

// LinePromotions are the share and amount promotions running on date for
// a partner of tier, in the file's order.
func (s *Set) LinePromotions(date, partner, tier string) []*Promotion {
	if s == nil {
		return nil
	}
	var out []*Promotion
	for i := range s.Pricing.Promotions {
		p := &s.Pricing.Promotions[i]
		if p.Spend == nil && p.Buy == nil && p.Get == nil && p.Running(date, partner, tier) {
			out = append(out, p)
		}
	}
	return out
}

// SpendPromotions are the spend promotions running on date for a partner
// of tier.
func (s *Set) SpendPromotions(date, partner, tier string) []*Promotion {
	if s == nil {
		return nil
	}
	var out []*Promotion
	for i := range s.Pricing.Promotions {
		p := &s.Pricing.Promotions[i]
		if p.Spend != nil && p.Running(date, partner, tier) {
			out = append(out, p)
		}
	}
	return out
}

// Rounding modes.
const (
	RoundHalfUp  = "half_up"
	RoundBankers = "bankers"
)

// TierDiscount is the share off list prices for tier, zero when none.
func (s *Set) TierDiscount(tier string) decimal.Decimal {
	if s == nil {
		return decimal.Zero
	}
	return s.Pricing.TierDiscounts[tier].Decimal
}

// Round rounds an amount to places decimals as the rules say.
func (s *Set) Round(d decimal.Decimal, places int32) decimal.Decimal {
	if s != nil && s.Pricing.Rounding == RoundBankers {
		return d.RoundBank(places)
	}
	return d.Round(places)
}
