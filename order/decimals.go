package order

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Limits on decimals. They are far beyond any real quantity or price; they
// exist because a decimal's cost grows with its text: big.Int parses a long
// digit string in quadratic time, and a short "1e-9999" prints as ten
// thousand characters. Every decimal the package accepts therefore prints
// back in a few dozen bytes.
const (
	// maxDecimalText is the longest decimal text accepted, without quotes.
	maxDecimalText = 64
	// maxDecimalDigits bounds the digits on either side of the point.
	maxDecimalDigits = 40
)

// parseDecimal reads a decimal exactly as the decoder does on the happy path
// (decimal.Decimal's UnmarshalJSON) and applies the limits above. raw is the
// JSON text: a string or a number.
func parseDecimal(raw []byte) (decimal.Decimal, string) {
	text := raw
	if len(text) >= 2 && text[0] == '"' && text[len(text)-1] == '"' {
		text = text[1 : len(text)-1]
	}
	if len(text) > maxDecimalText {
		return decimal.Decimal{}, fmt.Sprintf("decimal too long: at most %d characters, got %d", maxDecimalText, len(text))
	}
	var d decimal.Decimal
	if err := d.UnmarshalJSON(raw); err != nil {
		return d, fmt.Sprintf(`want a decimal such as "24" or "2.15", got %s`, describe(raw))
	}
	if !decimalInRange(d) {
		return d, fmt.Sprintf("decimal out of range: at most %d digits before and %d after the point, got %s", maxDecimalDigits, maxDecimalDigits, describe(raw))
	}
	return d, ""
}

func decimalInRange(d decimal.Decimal) bool {
	e := int(d.Exponent())
	if e < -maxDecimalDigits || e > maxDecimalDigits {
		return false
	}
	return d.NumDigits()+e <= maxDecimalDigits
}

func decPtrInRange(d *decimal.Decimal) bool { return d == nil || decimalInRange(*d) }

func decimalsInRange(o *Order) bool {
	for i := range o.Lines {
		l := &o.Lines[i]
		if !decimalInRange(l.Quantity) || (l.UnitPrice != nil && !decimalInRange(*l.UnitPrice)) {
			return false
		}
	}
	for _, a := range o.Allocations {
		if !decimalInRange(a.Quantity) {
			return false
		}
	}
	for _, b := range o.Backorders {
		if !decimalInRange(b.Quantity) {
			return false
		}
	}
	for _, oc := range o.Outcomes {
		if !decimalInRange(oc.Quantity) || !decimalInRange(oc.Short) || !decimalInRange(oc.PackSize) {
			return false
		}
	}
	if p := o.Pricing; p != nil {
		if !decimalInRange(p.Subtotal) || !decimalInRange(p.DiscountTotal) || !decimalInRange(p.Total) {
			return false
		}
		if !decPtrInRange(p.TaxTotal) || !decPtrInRange(p.TotalWithTax) {
			return false
		}
		for _, l := range p.Lines {
			if !decimalInRange(l.UnitPrice) || !decimalInRange(l.ListPrice) ||
				!decPtrInRange(l.TaxBase) || !decPtrInRange(l.TaxRate) || !decPtrInRange(l.Tax) {
				return false
			}
			for _, a := range l.Adjustments {
				if !decimalInRange(a.Amount) {
					return false
				}
			}
			if c := l.PriceCheck; c != nil && (!decimalInRange(c.POPrice) || !decimalInRange(c.OurPrice) || !decimalInRange(c.Difference)) {
				return false
			}
		}
	}
	return true
}
