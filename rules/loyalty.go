package rules

import (
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// LoyaltyStep is one step of the loyalty scale: a partner of at least Years
// whole years (on the order date, counted from its since date in the
// partners file) gets PercentOff off list prices.
//
//	pricing:
//	  loyalty:
//	    - {years: 3, percent_off: 1%}
//	    - {years: 5, percent_off: 2%}
type LoyaltyStep struct {
	Years      int   `yaml:"years"`
	PercentOff Share `yaml:"percent_off"`
}

// Rule names the step in adjustments: pricing.loyalty.3y.
func (l *LoyaltyStep) Rule() string { return fmt.Sprintf("pricing.loyalty.%dy", l.Years) }

// Loyalty is the highest step of the scale a partner whose partnership
// began on since (YYYY-MM-DD) has reached on date, nil when none (no scale,
// no since date, or too few years).
func (s *Set) Loyalty(since, date string) *LoyaltyStep {
	if s == nil || len(s.Pricing.Loyalty) == 0 || since == "" {
		return nil
	}
	years := PartnerYears(since, date)
	var best *LoyaltyStep
	for i := range s.Pricing.Loyalty {
		st := &s.Pricing.Loyalty[i]
		if st.Years <= years && (best == nil || st.Years > best.Years) {
			best = st
		}
	}
	return best
}

// PartnerYears is the number of whole years from since to date (both
// YYYY-MM-DD): n once date has reached the n-th anniversary, since plus n
// years. A partnership that began on 29 February has its anniversary on 1
// March in other years (time.AddDate's normalisation). 0 for a date before
// since or a date that does not read.
func PartnerYears(since, date string) int {
	from, err1 := time.Parse(time.DateOnly, since)
	to, err2 := time.Parse(time.DateOnly, date)
	if err1 != nil || err2 != nil || to.Before(from) {
		return 0
	}
	n := to.Year() - from.Year()
	if from.AddDate(n, 0, 0).After(to) {
		n--
	}
	return n
}

func (s *Set) validateLoyalty(add func(path, format string, args ...any)) {
	seen := map[int]int{}
	for i, st := range s.Pricing.Loyalty {
		p := fmt.Sprintf("pricing.loyalty[%d]", i)
		if st.Years < 1 {
			add(p+".years", "want the whole years of partnership the step starts at (1 or more), got %d", st.Years)
		} else if j, dup := seen[st.Years]; dup {
			add(p+".years", "duplicate step: pricing.loyalty[%d] is for %d years too", j, st.Years)
		} else {
			seen[st.Years] = i
		}
		if !st.PercentOff.IsPositive() || !st.PercentOff.LessThan(decimal.NewFromInt(1)) {
			add(p+".percent_off", `want a share above 0 and below 100%%, such as "1%%", got %s`, st.PercentOff.String())
		}
	}
	// A longer partnership never gets less: a scale that says otherwise is
	// a typing mistake, not a policy.
	// Steps already refused above are left out of the comparison.
	steps := slices.DeleteFunc(slices.Clone(s.Pricing.Loyalty), func(st LoyaltyStep) bool {
		return st.Years < 1 || !st.PercentOff.IsPositive() || !st.PercentOff.LessThan(decimal.NewFromInt(1))
	})
	slices.SortStableFunc(steps, func(a, b LoyaltyStep) int { return a.Years - b.Years })
	for k := 1; k < len(steps); k++ {
		lo, hi := steps[k-1], steps[k]
		if hi.Years > lo.Years && hi.PercentOff.LessThan(lo.PercentOff.Decimal) {
			add(fmt.Sprintf("pricing.loyalty[%d].percent_off", seen[hi.Years]),
				"want at least the %d-year step's %s for %d years, got %s", lo.Years, pct(lo.PercentOff), hi.Years, pct(hi.PercentOff))
		}
	}
}

// pct writes a share as a percentage: 0.015 → 1.5%.
func pct(s Share) string { return s.Shift(2).String() + "%" }
