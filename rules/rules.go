// Package rules holds the business rules that are data, not code: which
// warehouses serve which regions and in what order, the share of a SKU's
// stock kept for the higher tiers when it runs low, and the items that may
// not go to some places or partners. They are one YAML file (rules.yaml in
// the data directory, installed by `orderhub load rules FILE`), checked
// strictly (every problem as file:line: path: message) and read again when
// it changes, so a running orderhub follows it without a restart.
//
//	warehouses:
//	  WH-EAST:
//	    serves:
//	      - {country: US, regions: [NY, NJ, PA], priority: 1}
//	      - {country: US, priority: 5}
//	  WH-WEST:
//	    serves:
//	      - {country: US, regions: [CA, OR, WA], priority: 1}
//	      - {country: US, postal_prefixes: ["9"], priority: 2}
//	protections:
//	  - {sku: BEV-1001, for: key_account, share: 20%, below: 500}
//	  - {category: beverages, for: gold, share: 10%}
//	restrictions:
//	  - {category: alcohol, regions: [UT], reason: no alcohol to Utah}
//	  - {sku: BEV-1099, partners: [CORNERSHOP], reason: sold to key accounts only}
//
// The route stage asks them which carrier and service level each
// warehouse's shipment goes by (carriers: first match wins, see
// CarrierRule) and when it ships (a warehouse's cut-off time, time zone,
// closed weekdays and holidays, see ShipDate):
//
//	warehouses:
//	  WH-EAST:
//	    cut_off: "15:00"
//	    timezone: America/New_York
//	    closed: [sat, sun]
//	    holidays: [2026-11-26, 2026-12-25]
//	carriers:
//	  - {id: key-short, tiers: [key_account], short: true, carrier: UPS, service: priority}
//	  - {id: rush, within_days: 2, carrier: UPS, service: express}
//	  - {id: freight, min_weight_kg: 150, carrier: ODFL, service: ltl}
//	  - {id: ground, carrier: UPS, service: ground}
//
// The package decides nothing about orders as a whole: it answers the
// questions the pipeline's stages ask (which warehouses, in what order, for
// this ship-to; how much of this stock may this tier take; may this item go
// there), and is tested on its own.
package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/internal/strictyaml"
)

// Tiers, highest first: a rule for a tier covers the tiers above it.
var Tiers = []string{"key_account", "gold", "silver", "standard"}

// TierRank is a tier's place in Tiers, 0 the highest; an unknown tier ranks
// below standard.
func TierRank(tier string) int {
	if i := slices.Index(Tiers, tier); i >= 0 {
		return i
	}
	return len(Tiers)
}

// Set is one version of the rules.
type Set struct {
	Warehouses   map[string]*Warehouse `yaml:"warehouses"`
	Protections  []Protection          `yaml:"protections"`
	Restrictions []Restriction         `yaml:"restrictions"`
	Pricing      Pricing               `yaml:"pricing"`
	Allocation   Allocation            `yaml:"allocation"`
	// Carriers choose each shipment's carrier and service (carriers.go).
	Carriers []CarrierRule `yaml:"carriers"`
}

// Decode reads a rules file; name stands for it in messages.
func Decode(data []byte, name string) (*Set, error) {
	s := &Set{}
	if err := strictyaml.Decode(data, name, s, s.validate); err != nil {
		return nil, err
	}
	s.normalise()
	return s, nil
}

var (
	codeRE     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
)

func (s *Set) validate() error {
	var probs []*strictyaml.Problem
	add := func(path, format string, args ...any) {
		probs = append(probs, &strictyaml.Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	s.Allocation.validate(add)
	for code, w := range s.Warehouses {
		path := fmt.Sprintf("warehouses[%q]", code)
		if !codeRE.MatchString(code) {
			add(path, "want a warehouse code (letters, digits, _ . -), got %q", code)
		}
		if w == nil {
			continue
		}
		w.validateCalendar(path, add)
		for i, a := range w.Serves {
			p := fmt.Sprintf("%s.serves[%d]", path, i)
			if a.Country == "" {
				add(p+".country", "want the ISO country code of the place served (US, NL, …)")
			} else if len(a.Country) != 2 {
				add(p+".country", "want a two-letter ISO country code, got %q", a.Country)
			}
			if a.Priority < 1 {
				add(p+".priority", "want a priority of 1 or more (1 ships first), got %d", a.Priority)
			}
		}
	}
	for i, pr := range s.Protections {
		p := fmt.Sprintf("protections[%d]", i)
		itemScope(add, p, pr.SKU, pr.Category)
		if TierRank(pr.For) == len(Tiers) {
			add(p+".for", "want the lowest tier the share is kept for (%s), got %q", strings.Join(Tiers, ", "), pr.For)
		} else if TierRank(pr.For) == len(Tiers)-1 {
			add(p+".for", "%q is the lowest tier: a share kept for every tier keeps nothing from anyone", pr.For)
		}
		if !pr.Share.IsPositive() || pr.Share.GreaterThan(decimal.NewFromInt(1)) {
			add(p+".share", `want a share above 0 and at most 100%%, such as "20%%", got %s`, pr.Share.String())
		}
		if pr.Below.Decimal.IsNegative() {
			add(p+".below", "want a quantity of 0 or more, got %s", pr.Below)
		}
	}
	for i, r := range s.Restrictions {
		p := fmt.Sprintf("restrictions[%d]", i)
		itemScope(add, p, r.SKU, r.Category)
		if len(r.Countries) == 0 && len(r.Regions) == 0 && len(r.Partners) == 0 {
			add(p, "want countries, regions or partners the item may not go to")
		}
		for j, c := range r.Countries {
			if len(c) != 2 {
				add(fmt.Sprintf("%s.countries[%d]", p, j), "want a two-letter ISO country code, got %q", c)
			}
		}
		if strings.TrimSpace(r.Reason) == "" {
			add(p+".reason", "want the reason, which the partner is told")
		}
	}
	for tier, d := range s.Pricing.TierDiscounts {
		p := fmt.Sprintf("pricing.tier_discounts[%q]", tier)
		if TierRank(tier) == len(Tiers) {
			add(p, "want a tier (%s), got %q", strings.Join(Tiers, ", "), tier)
		}
		if !d.IsPositive() || !d.LessThan(decimal.NewFromInt(1)) {
			add(p, `want a discount above 0 and below 100%%, such as "3%%", got %s`, d.String())
		}
	}
	switch s.Pricing.Rounding {
	case "", RoundHalfUp, RoundBankers:
	default:
		add("pricing.rounding", "want %s or %s, got %q", RoundHalfUp, RoundBankers, s.Pricing.Rounding)
	}
	ids := map[string]bool{}
	for i, pr := range s.Pricing.Promotions {
		p := fmt.Sprintf("pricing.promotions[%d]", i)
		switch {
		case !codeRE.MatchString(pr.ID):
			add(p+".id", "want the promotion's id (letters, digits, _ . -), which its adjustments name, got %q", pr.ID)
		case ids[pr.ID]:
			add(p+".id", "duplicate promotion id %q", pr.ID)
		}
		ids[pr.ID] = true
		for _, d := range [][2]string{{"from", pr.From}, {"to", pr.To}} {
			if d[1] == "" {
				continue
			}
			if _, err := time.Parse("2006-01-02", d[1]); err != nil {
				add(p+"."+d[0], "want a date YYYY-MM-DD, got %q", d[1])
			}
		}
		if pr.From != "" && pr.To != "" && pr.To < pr.From {
			add(p+".to", "want a date on or after from %s, got %q", pr.From, pr.To)
		}
		for j, t := range pr.Tiers {
			if TierRank(t) == len(Tiers) {
				add(fmt.Sprintf("%s.tiers[%d]", p, j), "want a tier (%s), got %q", strings.Join(Tiers, ", "), t)
			}
		}
		kinds := 0
		if !pr.PercentOff.IsZero() {
			kinds++
			if !pr.PercentOff.IsPositive() || !pr.PercentOff.LessThan(decimal.NewFromInt(1)) {
				add(p+".percent_off", `want a share above 0 and below 100%%, got %s`, pr.PercentOff.String())
			}
		}
		if !pr.AmountOff.IsZero() {
			kinds++
			if !pr.AmountOff.IsPositive() {
				add(p+".amount_off", "want an amount above 0, got %s", pr.AmountOff)
			}
		}
		if pr.Spend != nil {
			kinds++
			if !pr.Spend.Over.IsPositive() || !pr.Spend.Save.IsPositive() || !pr.Spend.Save.LessThan(pr.Spend.Over.Decimal) {
				add(p+".spend", "want over and save above 0, save below over, got over %s save %s", pr.Spend.Over, pr.Spend.Save)
			}
			if len(pr.SKUs) > 0 || len(pr.Categories) > 0 {
				add(p, "a spend promotion is about the order's total: scope it by tiers or partners, not skus or categories")
			}
		}
		if pr.Buy != nil || pr.Get != nil {
			kinds++
			validateFreeGoods(add, p, &pr)
		}
		if kinds != 1 {
			add(p, "want one of percent_off, amount_off, spend or buy and get, got %d", kinds)
		}
		if (!pr.AmountOff.IsZero() || pr.Spend != nil) && !currencyRE.MatchString(pr.Currency) {
			add(p+".currency", "want the 3-letter currency its amounts are in, in capitals (USD), got %q", pr.Currency)
		}
	}
	s.validateLoyalty(add)
	s.validateTax(add)
	s.validateCarriers(add)
	if len(probs) > 0 {
		return &strictyaml.Error{Problems: probs}
	}
	return nil
}

func itemScope(add func(path, format string, args ...any), p, sku, category string) {
	switch {
	case sku == "" && category == "":
		add(p, "want the sku or the category it is about")
	case sku != "" && category != "":
		add(p, "want the sku or the category, not both")
	}
}

// normalise puts codes in the case orders carry them in.
func (s *Set) normalise() {
	for _, w := range s.Warehouses {
		if w == nil {
			continue
		}
		for i := range w.Serves {
			a := &w.Serves[i]
			a.Country = strings.ToUpper(a.Country)
			normaliseScope(nil, a.Regions, a.PostalPrefixes)
		}
	}
	for i := range s.Pricing.Tax {
		s.Pricing.Tax[i].Country = strings.ToUpper(s.Pricing.Tax[i].Country)
	}
	s.normaliseCarriers()
	for i := range s.Restrictions {
		r := &s.Restrictions[i]
		normaliseScope(r.Countries, r.Regions, nil)
	}
}
