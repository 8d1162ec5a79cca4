package order

import (
	"strings"
	"sync"

	"github.com/shopspring/decimal"
)

// PlainDecimal parses a decimal written plainly, as EDI elements and
// spreadsheet cells store numbers: an optional sign, digits and at most one
// point ("-12", "3.50", ".5"), no exponent, no grouping. ok is false for
// anything else and for values past the canonical order's limits, which
// Decode would refuse.
//
// Values of up to 18 digits, nearly all of them, skip
// decimal.NewFromString and its text handling, and the commonest (up to
// four digits, up to three decimals) come from a table made once: a
// shopspring Decimal costs two allocations to make, and reading a large
// document makes hundreds of thousands of them.
func PlainDecimal[T string | []byte](v T) (d decimal.Decimal, ok bool) {
	b := v
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return slowPlainDecimal(string(v))
	}
	var n int64
	scale, digits, point := int32(0), 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			n = n*10 + int64(c-'0')
			digits++
			if point {
				scale++
			}
		case c == '.' && !point:
			point = true
		default:
			return decimal.Zero, false
		}
	}
	if digits == 0 {
		return decimal.Zero, false
	}
	if digits > 18 {
		return slowPlainDecimal(string(v))
	}
	if neg {
		n = -n
	}
	if n >= 0 && n < smallCoefficients && scale < smallScales {
		return smallDecimals()[scale][n], true
	}
	return decimal.New(n, -scale), true
}

// smallDecimals are the decimals of up to four digits with up to three
// decimal places: most quantities, prices and pack sizes are among them. A
// Decimal is immutable, so sharing them is safe. Made on first use: a
// process that never parses one does not hold them.
const smallCoefficients, smallScales = 10000, 4

var smallDecimals = sync.OnceValue(func() (t *[smallScales][]decimal.Decimal) {
	t = new([smallScales][]decimal.Decimal)
	for sc := range t {
		t[sc] = make([]decimal.Decimal, smallCoefficients)
		for n := range t[sc] {
			t[sc][n] = decimal.New(int64(n), -int32(sc))
		}
	}
	return t
})

func slowPlainDecimal(v string) (decimal.Decimal, bool) {
	if len(v) == 0 || len(v) > maxDecimalText || strings.ContainsAny(v, "eE") {
		return decimal.Zero, false
	}
	d, err := decimal.NewFromString(v)
	return d, err == nil && decimalInRange(d)
}
