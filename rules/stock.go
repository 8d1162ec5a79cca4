package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
	"gopkg.in/yaml.v3"

	"github.com/orderhub/orderhub/internal/strictyaml"
)

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
