package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// CarrierRule chooses the carrier and service level of a shipment (one
// warehouse's part of an order), the way a TMS routing guide does: the
// rules are read top to bottom and the first whose conditions all hold
// wins; a rule without conditions matches every shipment, so it belongs
// last, as the default. A shipment no rule matches goes without a carrier
// (the transport side chooses).
//
//	carriers:
//	  - {id: key-short, tiers: [key_account], short: true, carrier: UPS, service: priority}
//	  - {id: rush, within_days: 2, carrier: UPS, service: express}
//	  - {id: freight, min_weight_kg: 150, carrier: ODFL, service: ltl}
//	  - {id: west-local, warehouses: [WH-WEST], countries: [US], regions: [CA, OR, WA], carrier: ONTRAC, service: ground}
//	  - {id: ground, carrier: UPS, service: ground}
type CarrierRule struct {
	// ID names the rule on the shipment request (carrier_rule), so the
	// transport side can tell why a carrier was chosen.
	ID string `yaml:"id"`
	// Carrier is the carrier's name or SCAC ("UPS", "ODFL").
	Carrier string `yaml:"carrier"`
	// Service is the service level: ground, express, priority, ltl, …
	Service string `yaml:"service"`

	// The conditions; every one given must hold.

	// Countries, Regions and PostalPrefixes are about the ship-to.
	Countries      []string `yaml:"countries"`
	Regions        []string `yaml:"regions"`
	PostalPrefixes []string `yaml:"postal_prefixes"`
	// Warehouses are the shipping warehouses the rule is for.
	Warehouses []string `yaml:"warehouses"`
	// Tiers are the partner tiers the rule is for (each named, not "and
	// above": a key account is not a gold partner here).
	Tiers []string `yaml:"tiers"`
	// Short: true for orders that are short (a line backordered or cut
	// for want of stock), false for orders that are not.
	Short *bool `yaml:"short"`
	// MinWeightKG and MaxWeightKG bound the shipment's total weight, both
	// inclusive. A shipment whose weight is not known (an item without
	// weight_kg in the catalog) matches no weight condition.
	MinWeightKG *Quantity `yaml:"min_weight_kg"`
	MaxWeightKG *Quantity `yaml:"max_weight_kg"`
	// WithinDays holds when the order's requested delivery date is at
	// most this many days after the ship date (0: the day it ships, or
	// already late). An order without a requested delivery date is in no
	// hurry and matches no within_days rule.
	WithinDays *int `yaml:"within_days"`
}

// Shipment is what the carrier rules look at: one warehouse's part of an
// order.
type Shipment struct {
	Warehouse string
	To        Place
	// Tier is the partner's tier.
	Tier string
	// Short tells whether the order did not get all it asked for.
	Short bool
	// WeightKG is the shipment's total weight; nil when not known for
	// every line.
	WeightKG *decimal.Decimal
	// ShipDate and DeliverBy (the requested delivery date, "" when none)
	// are YYYY-MM-DD.
	ShipDate  string
	DeliverBy string
}

// CarrierFor is the first carrier rule matching sh, nil when none does.
func (s *Set) CarrierFor(sh Shipment) *CarrierRule {
	if s == nil {
		return nil
	}
	for i := range s.Carriers {
		if r := &s.Carriers[i]; r.matches(&sh) {
			return r
		}
	}
	return nil
}

func (r *CarrierRule) matches(sh *Shipment) bool {
	if len(r.Warehouses) > 0 && !slices.Contains(r.Warehouses, sh.Warehouse) {
		return false
	}
	if !inScope(sh.To, r.Countries, r.Regions, r.PostalPrefixes) {
		return false
	}
	if len(r.Tiers) > 0 && !slices.Contains(r.Tiers, sh.Tier) {
		return false
	}
	if r.Short != nil && *r.Short != sh.Short {
		return false
	}
	if r.MinWeightKG != nil && (sh.WeightKG == nil || sh.WeightKG.LessThan(r.MinWeightKG.Decimal)) {
		return false
	}
	if r.MaxWeightKG != nil && (sh.WeightKG == nil || sh.WeightKG.GreaterThan(r.MaxWeightKG.Decimal)) {
		return false
	}
	if r.WithinDays != nil {
		days, ok := daysBetween(sh.ShipDate, sh.DeliverBy)
		if !ok || days > *r.WithinDays {
			return false
		}
	}
	return true
}

// unconditional tells whether the rule matches every shipment.
func (r *CarrierRule) unconditional() bool {
	return len(r.Warehouses) == 0 && len(r.Countries) == 0 && len(r.Regions) == 0 && len(r.PostalPrefixes) == 0 &&
		len(r.Tiers) == 0 && r.Short == nil && r.MinWeightKG == nil && r.MaxWeightKG == nil && r.WithinDays == nil
}

// daysBetween is to − from in days, both YYYY-MM-DD; false when either is
// missing or not a date.
func daysBetween(from, to string) (int, bool) {
	f, err1 := time.Parse(dateLayout, from)
	t, err2 := time.Parse(dateLayout, to)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return int(t.Sub(f).Hours() / 24), true
}

const dateLayout = "2006-01-02"

var serviceRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_\-]{0,31}$`)

// validateCarriers checks the carrier rules, adding each problem at its
// path.
func (s *Set) validateCarriers(add func(path, format string, args ...any)) {
	ids := map[string]bool{}
	catchAll := ""
	for i, r := range s.Carriers {
		p := fmt.Sprintf("carriers[%d]", i)
		switch {
		case !codeRE.MatchString(r.ID):
			add(p+".id", "want the rule's id (letters, digits, _ . -), which shipment requests name, got %q", r.ID)
		case ids[r.ID]:
			add(p+".id", "duplicate carrier rule id %q", r.ID)
		}
		ids[r.ID] = true
		if strings.TrimSpace(r.Carrier) == "" {
			add(p+".carrier", "want the carrier's name or SCAC (UPS, ODFL, …)")
		}
		if !serviceRE.MatchString(r.Service) {
			add(p+".service", "want the service level, one word (ground, express, priority, ltl, …), got %q", r.Service)
		}
		for j, c := range r.Countries {
			if len(c) != 2 {
				add(fmt.Sprintf("%s.countries[%d]", p, j), "want a two-letter ISO country code, got %q", c)
			}
		}
		for j, rg := range r.Regions {
			if strings.TrimSpace(rg) == "" {
				add(fmt.Sprintf("%s.regions[%d]", p, j), "want a region code (OH, CA, …), got an empty one")
			}
		}
		for j, pre := range r.PostalPrefixes {
			if postal(pre) == "" {
				add(fmt.Sprintf("%s.postal_prefixes[%d]", p, j), "want the start of a postal code, got an empty one")
			}
		}
		for j, wh := range r.Warehouses {
			if !codeRE.MatchString(wh) {
				add(fmt.Sprintf("%s.warehouses[%d]", p, j), "want a warehouse code (letters, digits, _ . -), got %q", wh)
			}
		}
		for j, t := range r.Tiers {
			if TierRank(t) == len(Tiers) {
				add(fmt.Sprintf("%s.tiers[%d]", p, j), "want a tier (%s), got %q", strings.Join(Tiers, ", "), t)
			}
		}
		if r.MinWeightKG != nil && r.MinWeightKG.IsNegative() {
			add(p+".min_weight_kg", "want a weight in kg of 0 or more, got %s", r.MinWeightKG)
		}
		if r.MaxWeightKG != nil && !r.MaxWeightKG.IsPositive() {
			add(p+".max_weight_kg", "want a weight in kg above 0, got %s", r.MaxWeightKG)
		}
		if r.MinWeightKG != nil && r.MaxWeightKG != nil && r.MaxWeightKG.LessThan(r.MinWeightKG.Decimal) {
			add(p+".max_weight_kg", "want a weight at least min_weight_kg %s, got %s", r.MinWeightKG, r.MaxWeightKG)
		}
		if r.WithinDays != nil && (*r.WithinDays < 0 || *r.WithinDays > 366) {
			add(p+".within_days", "want a number of days from 0 to 366, got %d", *r.WithinDays)
		}
		// First match wins: a rule under one that matches everything is
		// never used, which is always a mistake in the file's order.
		if catchAll != "" {
			add(p, "never used: %s above it has no conditions and matches every shipment", catchAll)
		} else if r.unconditional() {
			catchAll = fmt.Sprintf("%s (%s)", p, r.ID)
		}
	}
}

// normaliseCarriers puts codes in the case orders carry them in.
func (s *Set) normaliseCarriers() {
	for i := range s.Carriers {
		r := &s.Carriers[i]
		r.Carrier = strings.TrimSpace(r.Carrier)
		normaliseScope(r.Countries, r.Regions, r.PostalPrefixes)
	}
}

// WeighsShipments tells whether any carrier rule looks at a shipment's
// weight, so the route stage weighs shipments before choosing only when
// it matters.
func (s *Set) WeighsShipments() bool {
	if s == nil {
		return false
	}
	for i := range s.Carriers {
		if s.Carriers[i].MinWeightKG != nil || s.Carriers[i].MaxWeightKG != nil {
			return true
		}
	}
	return false
}
