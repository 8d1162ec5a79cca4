package rules

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// TaxRate is a sales tax or VAT rate for goods shipped to a country,
// optionally only for one item category. The most specific rate wins: the
// country's rate for the line's category, else the country's own.
//
//	pricing:
//	  tax:
//	    - {country: NL, category: food, rate: 9%}
//	    - {country: NL, rate: 21%}
//	    - {country: US, rate: 0}
type TaxRate struct {
	Country  string `yaml:"country"`
	Category string `yaml:"category"`
	// Rate is required: "0" is a rate (zero-rated), no rate is a mistake.
	Rate *Share `yaml:"rate"`
}

// Rule names the rate in a priced line: pricing.tax.NL or
// pricing.tax.NL/food.
func (t *TaxRate) Rule() string {
	if t.Category == "" {
		return "pricing.tax." + t.Country
	}
	return "pricing.tax." + t.Country + "/" + t.Category
}

// NoTaxRule is the rule a priced line names when the rules have tax rates
// but none for its ship-to country (or the order has no ship-to country):
// no tax is charged, and the line says so rather than guessing a rate.
const NoTaxRule = "none"

// Taxed tells whether the rules have tax rates at all. Without any, pricing
// leaves tax out of the order altogether.
func (s *Set) Taxed() bool { return s != nil && len(s.Pricing.Tax) > 0 }

// TaxFor is the rate for an item of category shipped to country, nil when
// the rules have none.
func (s *Set) TaxFor(country, category string) *TaxRate {
	if s == nil || country == "" {
		return nil
	}
	country = strings.ToUpper(country)
	var general *TaxRate
	for i := range s.Pricing.Tax {
		t := &s.Pricing.Tax[i]
		if t.Country != country {
			continue
		}
		switch t.Category {
		case "":
			general = t
		case category:
			return t
		}
	}
	return general
}

func (s *Set) validateTax(add func(path, format string, args ...any)) {
	seen := map[string]int{}
	for i, t := range s.Pricing.Tax {
		p := fmt.Sprintf("pricing.tax[%d]", i)
		if len(t.Country) != 2 {
			add(p+".country", "want the two-letter ISO country code of the ship-to (NL, US, …), got %q", t.Country)
		}
		switch {
		case t.Rate == nil:
			add(p+".rate", `want the rate, such as "21%%" or 0 (zero-rated)`)
		case t.Rate.IsNegative() || !t.Rate.LessThan(decimal.NewFromInt(1)):
			add(p+".rate", `want a rate of 0 or more and below 100%%, such as "21%%", got %s`, t.Rate.String())
		}
		key := strings.ToUpper(t.Country) + "/" + t.Category
		if j, dup := seen[key]; dup {
			what := "the country"
			if t.Category != "" {
				what = "category " + t.Category
			}
			add(p, "duplicate rate: pricing.tax[%d] is for %s in %s too", j, what, strings.ToUpper(t.Country))
		} else {
			seen[key] = i
		}
	}
}
