package mappings

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"gopkg.in/yaml.v3"

	"github.com/orderhub/orderhub/internal/strictyaml"
)

// PriceCheck is how the unit prices on a partner's PO are checked against
// ours, in the partner's profile:
//
//	policy:
//	  price_check: {tolerance: "2%", on_mismatch: hold}
type PriceCheck struct {
	// Tolerance is how far the PO's unit price may be from ours and
	// still count as agreeing: a share of our price ("2%") or an amount
	// per the line's unit in the order's currency ("0.05"). Default 0:
	// any difference is a mismatch.
	Tolerance Tolerance `yaml:"tolerance"`
	// OnMismatch is what a price outside the tolerance does: "flag"
	// (default: our price stands and the answer says so, 855 IP), "hold"
	// the order for review (status held, released by orderhub release or
	// the API), or "reject_line" (the line is refused, the rest goes on).
	OnMismatch string `yaml:"on_mismatch"`
}

// PriceCheck.OnMismatch values.
const (
	MismatchFlag       = "flag"
	MismatchHold       = "hold"
	MismatchRejectLine = "reject_line"
)

var onMismatch = []string{MismatchFlag, MismatchHold, MismatchRejectLine}

func (c *PriceCheck) validate(add func(path, format string, args ...any)) {
	checkOneOf(add, "policy.price_check.on_mismatch", c.OnMismatch, onMismatch)
}

// Tolerance is a price tolerance: an amount, or a share of our price when
// Percent. The zero value allows no difference.
type Tolerance struct {
	// Value is the amount, or the share as a fraction (2% is 0.02).
	Value   decimal.Decimal
	Percent bool
	// Text is the tolerance as written, for explanations.
	Text string
}

// ParseTolerance reads "2%", "2.5 %", "0.05" or "0".
func ParseTolerance(s string) (Tolerance, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	num := strings.TrimSpace(strings.TrimSuffix(t, "%"))
	d, err := decimal.NewFromString(num)
	if err != nil || num == "" || strings.ContainsAny(num, "eE") {
		return Tolerance{}, fmt.Errorf(`want a share such as "2%%" or an amount such as "0.05", got %q`, s)
	}
	if d.IsNegative() {
		return Tolerance{}, fmt.Errorf("want a tolerance of 0 or more, got %q", s)
	}
	if pct {
		if d.GreaterThan(decimal.NewFromInt(100)) {
			return Tolerance{}, fmt.Errorf("want a share of at most 100%%, got %q", s)
		}
		d = d.Shift(-2)
	}
	return Tolerance{Value: d, Percent: pct, Text: t}, nil
}

// UnmarshalYAML reads a tolerance written as a string or a number.
func (t *Tolerance) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf(`want a share such as "2%%" or an amount such as "0.05", got %s`, strictyaml.Describe(n))
	}
	v, err := ParseTolerance(n.Value)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// String is the tolerance as written, "0" for none.
func (t Tolerance) String() string {
	if t.Text == "" {
		return "0"
	}
	return t.Text
}

// Allows tells whether a PO's unit price agrees with ours within the
// tolerance: |po − ours| ≤ the amount, or ≤ the share of ours. Both are
// per the same unit. The bound is inclusive: a price exactly at the
// tolerance agrees. A PO price above ours is measured the same way as
// one below it.
func (t Tolerance) Allows(po, ours decimal.Decimal) bool {
	diff := po.Sub(ours).Abs()
	if diff.IsZero() {
		return true
	}
	limit := t.Value
	if t.Percent {
		limit = ours.Abs().Mul(t.Value)
	}
	return diff.LessThanOrEqual(limit)
}
