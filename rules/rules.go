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
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"gopkg.in/yaml.v3"

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

// Warehouse is what the rules say about one warehouse.
type Warehouse struct {
	// Serves lists the places it ships to, each with its priority there
	// (1 first). A warehouse without entries serves everywhere, after
	// those that name the place.
	Serves []Area `yaml:"serves"`
	// Its shipping calendar (calendar.go): the time of day from which
	// orders ship the next working day ("15:00", in Timezone, an IANA
	// zone, default UTC), the weekdays it is closed and its holidays
	// (YYYY-MM-DD). None given: it ships every day, no cut-off.
	CutOff   string   `yaml:"cut_off"`
	Timezone string   `yaml:"timezone"`
	Closed   []string `yaml:"closed"`
	Holidays []string `yaml:"holidays"`
	cal      *calendar
}

// Area is a place a warehouse serves: a country, optionally narrowed to
// regions (states, provinces) or postal-code prefixes.
type Area struct {
	Country        string   `yaml:"country"`
	Regions        []string `yaml:"regions"`
	PostalPrefixes []string `yaml:"postal_prefixes"`
	Priority       int      `yaml:"priority"`
}

// Protection keeps a share of a SKU's stock (or a category's SKUs') for
// the tier named and those above it, while a warehouse's available stock
// is below a threshold: "keep 20% for key accounts when fewer than 500
// are left".
type Protection struct {
	SKU      string `yaml:"sku"`
	Category string `yaml:"category"`
	// For is the lowest tier the protected share is kept for.
	For string `yaml:"for"`
	// Share is the part kept: "20%" or 0.2.
	Share Share `yaml:"share"`
	// Below: the protection applies while available stock is below this;
	// zero or absent, always.
	Below Quantity `yaml:"below"`
}

// Quantity is a decimal quantity in the rules file.
type Quantity struct{ decimal.Decimal }

// UnmarshalYAML reads a number (12, 12.5, "12.5").
func (q *Quantity) UnmarshalYAML(n *yaml.Node) error {
	d, err := decimal.NewFromString(strings.TrimSpace(n.Value))
	if n.Kind != yaml.ScalarNode || err != nil {
		return fmt.Errorf("want a quantity such as 500, got %s", strictyaml.Describe(n))
	}
	q.Decimal = d
	return nil
}

// Share is a fraction of stock, written "20%" or 0.2.
type Share struct{ decimal.Decimal }

// UnmarshalYAML reads "20%", "12.5 %" or 0.2.
func (s *Share) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf(`want a share such as "20%%" or 0.2, got %s`, strictyaml.Describe(n))
	}
	b := n.Value
	t := strings.TrimSpace(b)
	pct := strings.HasSuffix(t, "%")
	t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
	d, err := decimal.NewFromString(t)
	if err != nil {
		return fmt.Errorf(`want a share such as "20%%" or 0.2, got %q`, b)
	}
	if pct {
		d = d.Shift(-2)
	}
	s.Decimal = d
	return nil
}

// Restriction forbids an item (a SKU, or every SKU of a category) to some
// places or partners. Every scope given must match: countries and regions
// and partners.
type Restriction struct {
	SKU       string   `yaml:"sku"`
	Category  string   `yaml:"category"`
	Countries []string `yaml:"countries"`
	Regions   []string `yaml:"regions"`
	Partners  []string `yaml:"partners"`
	Reason    string   `yaml:"reason"`
}

// Place is where an order ships to, as far as the rules care.
type Place struct{ Country, Region, PostalCode string }

// Known tells whether anything of the place is known.
func (p Place) Known() bool { return p.Country != "" || p.Region != "" || p.PostalCode != "" }

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

// normaliseScope puts a rule's countries and regions in capitals and its
// postal-code prefixes in capitals without spaces, as inScope compares them.
func normaliseScope(countries, regions, postalPrefixes []string) {
	for j := range countries {
		countries[j] = strings.ToUpper(countries[j])
	}
	for j := range regions {
		regions[j] = region(regions[j])
	}
	for j := range postalPrefixes {
		postalPrefixes[j] = postal(postalPrefixes[j])
	}
}

// inScope tells whether place is in the countries, regions and postal-code
// prefixes a rule names (normalised: see normaliseScope); each that is
// empty holds every place. Warehouses' areas, restrictions and carrier
// rules are scoped this way.
func inScope(place Place, countries, regions, postalPrefixes []string) bool {
	if len(countries) > 0 && !slices.Contains(countries, strings.ToUpper(place.Country)) {
		return false
	}
	if len(regions) > 0 && !slices.Contains(regions, region(place.Region)) {
		return false
	}
	if len(postalPrefixes) > 0 {
		pc := postal(place.PostalCode)
		if !slices.ContainsFunc(postalPrefixes, func(pre string) bool { return strings.HasPrefix(pc, pre) }) {
			return false
		}
	}
	return true
}

func region(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

func postal(s string) string { return strings.ToUpper(strings.ReplaceAll(s, " ", "")) }

// Rank orders the warehouses (the codes that hold stock) for shipping to
// place: by their priority there, then code. A warehouse the rules give
// areas to, none of which is the place, does not serve it and is left out;
// one the rules say nothing about serves everywhere, after the others. For
// a place nothing is known of, every warehouse serves, by code.
func (s *Set) Rank(place Place, codes []string) []string {
	type ranked struct {
		code string
		prio int
	}
	const anywhere = 1 << 30
	var rs []ranked
	for _, c := range codes {
		w := s.warehouse(c)
		if w == nil || len(w.Serves) == 0 || !place.Known() {
			rs = append(rs, ranked{c, anywhere})
			continue
		}
		best := -1
		for _, a := range w.Serves {
			if a.covers(place) && (best < 0 || a.Priority < best) {
				best = a.Priority
			}
		}
		if best >= 0 {
			rs = append(rs, ranked{c, best})
		}
	}
	slices.SortStableFunc(rs, func(a, b ranked) int {
		if a.prio != b.prio {
			return a.prio - b.prio
		}
		return strings.Compare(a.code, b.code)
	})
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.code
	}
	return out
}

func (s *Set) warehouse(code string) *Warehouse {
	if s == nil {
		return nil
	}
	return s.Warehouses[code]
}

func (a Area) covers(p Place) bool {
	return strings.EqualFold(a.Country, p.Country) && inScope(p, nil, a.Regions, a.PostalPrefixes)
}

// Usable is how much of available (one warehouse's stock of a SKU) an
// order from tier may take: all of it, less the shares protected for
// higher tiers while stock is low. Whole units are kept back (the kept
// share is rounded up), so a protected share is never a fraction of a
// case. rule names the protection that held stock back, "" when none.
func (s *Set) Usable(sku, category, tier string, available decimal.Decimal) (usable decimal.Decimal, rule string) {
	usable = available
	if s == nil || !available.IsPositive() {
		return usable, ""
	}
	rank := TierRank(tier)
	for i, p := range s.Protections {
		if (p.SKU != "" && p.SKU != sku) || (p.Category != "" && p.Category != category) {
			continue
		}
		if rank <= TierRank(p.For) {
			continue // the share is kept for this tier
		}
		if p.Below.Decimal.IsPositive() && !available.LessThan(p.Below.Decimal) {
			continue // stock is not low
		}
		kept := available.Mul(p.Share.Decimal).Ceil()
		if u := available.Sub(kept); u.LessThan(usable) {
			usable, rule = decimal.Max(u, decimal.Zero), p.name(i)
		}
	}
	return usable, rule
}

func (p Protection) name(i int) string {
	what := "sku " + p.SKU
	if p.Category != "" {
		what = "category " + p.Category
	}
	return fmt.Sprintf("protections[%d] (%s kept for %s and above while below %s)", i, what, p.For, p.Below)
}

// Restricted says why an item may not go to place for partner, "" when it
// may.
func (s *Set) Restricted(sku, category, partner string, place Place) string {
	if s == nil {
		return ""
	}
	for _, r := range s.Restrictions {
		if (r.SKU != "" && r.SKU != sku) || (r.Category != "" && r.Category != category) {
			continue
		}
		if !inScope(place, r.Countries, r.Regions, nil) {
			continue
		}
		if len(r.Partners) > 0 && !slices.Contains(r.Partners, partner) {
			continue
		}
		return r.Reason
	}
	return ""
}

// File is the rules file of a data directory, read again when it changes.
// A missing file is an empty rule set; a file that no longer reads keeps
// the last good rules in force (and says why in Problem).
type File struct {
	path string

	mu      sync.RWMutex
	set     *Set
	stamp   string
	checked time.Time
	problem error
}

// FileName is the rules file's name in the data directory.
const FileName = "rules.yaml"

// Open reads the rules file at path (which may not exist yet).
func Open(path string) (*File, error) {
	f := &File{path: path, set: &Set{}}
	err := f.reload(true)
	return f, err
}

// refreshEvery is how often Current looks at the file for a change.
const refreshEvery = time.Second

// Current is the rules in force.
func (f *File) Current() *Set {
	if f == nil {
		return nil
	}
	f.mu.RLock()
	fresh := time.Since(f.checked) < refreshEvery
	set := f.set
	f.mu.RUnlock()
	if !fresh {
		f.reload(false)
		f.mu.RLock()
		set = f.set
		f.mu.RUnlock()
	}
	return set
}

// Problem is why the file on disk is not the rules in force, nil when it is.
func (f *File) Problem() error {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.problem
}

func (f *File) reload(force bool) error {
	st, err := os.Stat(f.path)
	stamp := ""
	if err == nil {
		stamp = fmt.Sprintf("%d/%d", st.ModTime().UnixNano(), st.Size())
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	f.mu.Lock()
	f.checked = time.Now()
	same := !force && stamp == f.stamp
	f.mu.Unlock()
	if same {
		return nil
	}
	set := &Set{}
	var problem error
	if stamp != "" {
		data, err := os.ReadFile(f.path)
		if err == nil {
			set, err = Decode(data, f.path)
		}
		problem = err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stamp = stamp
	f.problem = problem
	if problem == nil {
		f.set = set
	}
	return problem
}

// Install checks the rules file at src and, when it reads, makes it the
// rules of the data directory dir: written beside, synced, renamed, so a
// running orderhub reads the old rules or the new, never half of them.
func Install(src, dir string) (*Set, error) {
	data, err := os.ReadFile(src)
	if err != nil {
		return nil, err
	}
	set, err := Decode(data, src)
	if err != nil {
		return nil, err
	}
	dest := filepath.Join(dir, FileName)
	tmp := dest + ".tmp"
	w, err := os.Create(tmp)
	if err != nil {
		return nil, err
	}
	_, werr := w.Write(data)
	serr := w.Sync()
	cerr := w.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	if err := os.Rename(tmp, dest); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	return set, nil
}
