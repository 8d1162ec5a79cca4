package masterdata

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/orderhub/orderhub/store"
	"github.com/shopspring/decimal"
)

// Plain decimal notation only: no exponents, thousands separators or
// currency signs, which decimal.NewFromString would partly accept and a
// spreadsheet user would not mean.
var (
	decimalRE = regexp.MustCompile(`^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$`)
	// Ids end up in topic names (fulfilment.<warehouse>) and file names,
	// so they keep to characters every one of those accepts.
	idRE       = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
	uomRE      = regexp.MustCompile(`^[A-Z0-9]{1,3}$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
)

// maxDecimalLen bounds a decimal cell: nothing we sell needs more, and a
// huge digit string would only cost memory.
const maxDecimalLen = 40

// minTokenLen is the shortest bearer token accepted; shorter ones can be
// guessed.
const minTokenLen = 16

var (
	decOne  = decimal.NewFromInt(1)
	decZero = decimal.Zero
)

// sign says which decimals a column accepts.
type sign int

const (
	nonNegative sign = iota // >= 0
	positive                // > 0
)

func (s sign) String() string {
	if s == positive {
		return "> 0"
	}
	return ">= 0"
}

// required returns the cell of col, recording a problem when it is empty.
func (r *row) required(col string) (string, bool) {
	v := r.get(col)
	if v == "" {
		r.fail(col, "required; the cell is empty")
		return "", false
	}
	return v, true
}

// sku is our item number: 1-64 characters.
func (r *row) sku(col string) string {
	v, ok := r.required(col)
	if !ok {
		return ""
	}
	if n := utf8.RuneCountInString(v); n > 64 {
		r.fail(col, "want at most 64 characters, got %d", n)
		return ""
	}
	return v
}

// id is a partner, warehouse or price list code.
func (r *row) id(col string) string {
	v, ok := r.required(col)
	if !ok {
		return ""
	}
	return r.idValue(col, v)
}

// optionalID is an id that may be left empty.
func (r *row) optionalID(col string) string {
	if v := r.get(col); v != "" {
		return r.idValue(col, v)
	}
	return ""
}

func (r *row) idValue(col, v string) string {
	if !idRE.MatchString(v) {
		r.fail(col, "want 1-64 characters of A-Z a-z 0-9 _ . -, got %q", clip(v))
		return ""
	}
	return v
}

// decimal parses col; an empty cell takes def, or is a problem when def is
// nil.
func (r *row) decimal(col string, s sign, def *decimal.Decimal) decimal.Decimal {
	v := r.get(col)
	if v == "" {
		if def != nil {
			return *def
		}
		r.fail(col, "required; want a decimal %s", s)
		return decimal.Zero
	}
	d, ok := parseDecimal(v)
	if !ok || d.IsNegative() || (s == positive && d.IsZero()) {
		r.fail(col, "want a decimal %s, got %q", s, clip(v))
		return decimal.Zero
	}
	return d
}

// quantity is a stock quantity: a decimal >= 0 that the inventory table can
// hold (at most 4 decimal places, see store.ToE4).
func (r *row) quantity(col string, def *decimal.Decimal) decimal.Decimal {
	q := r.decimal(col, nonNegative, def)
	if _, err := store.ToE4(q); err != nil {
		r.fail(col, "%v, got %q", err, clip(r.get(col)))
		return decimal.Zero
	}
	return q
}

func parseDecimal(v string) (decimal.Decimal, bool) {
	if len(v) > maxDecimalLen || !decimalRE.MatchString(v) {
		return decimal.Zero, false
	}
	d, err := decimal.NewFromString(v)
	return d, err == nil
}

// gtin is empty or a GTIN-8/12/13/14 with a valid GS1 check digit.
func (r *row) gtin(col string) string {
	v := r.get(col)
	if v == "" {
		return ""
	}
	return r.gtinValue(col, v)
}

func (r *row) gtinValue(col, v string) string {
	if msg := checkGTIN(v); msg != "" {
		r.fail(col, "%s", msg)
		return ""
	}
	return v
}

// checkGTIN returns what is wrong with g, or "".
func checkGTIN(g string) string {
	digits := strings.Trim(g, "0123456789") == ""
	switch len(g) {
	case 8, 12, 13, 14:
	default:
		digits = false
	}
	if !digits {
		return "want a GTIN of 8, 12, 13 or 14 digits, got " + quote(g)
	}
	if want := gs1CheckDigit(g[:len(g)-1]); g[len(g)-1] != want {
		return "bad check digit in " + quote(g) + ": want " + string(want)
	}
	return ""
}

// gs1CheckDigit computes the GS1 mod-10 check digit: weights 3 and 1
// alternate from the rightmost data digit.
func gs1CheckDigit(data string) byte {
	sum := 0
	for i := 0; i < len(data); i++ {
		d := int(data[len(data)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// uom is a unit of measure code (EA, CS, PK, KG ...), EA when empty.
func (r *row) uom(col string) string {
	v := r.get(col)
	if v == "" {
		return "EA"
	}
	if !uomRE.MatchString(v) {
		r.fail(col, "want 1-3 capital letters or digits such as EA or CS, got %q", clip(v))
		return ""
	}
	return v
}

// currency is an ISO 4217 code.
func (r *row) currency(col string) string {
	v, ok := r.required(col)
	if !ok {
		return ""
	}
	if !currencyRE.MatchString(v) {
		r.fail(col, "want a 3-letter currency code in capitals such as USD, got %q", clip(v))
		return ""
	}
	return v
}

// money is empty or an amount >= 0 and its currency: "25000 USD". An
// amount without its currency is refused: a limit is only meaningful in
// the currency orders are totalled in.
func (r *row) money(col string) (decimal.Decimal, string) {
	v := r.get(col)
	if v == "" {
		return decimal.Zero, ""
	}
	amount, cur, _ := strings.Cut(v, " ")
	cur = strings.TrimSpace(cur)
	d, ok := parseDecimal(amount)
	if !ok || d.IsNegative() || !currencyRE.MatchString(cur) {
		r.fail(col, "want an amount >= 0 and a 3-letter currency code such as 25000 USD, got %q", clip(v))
		return decimal.Zero, ""
	}
	return d, cur
}

// date is empty or YYYY-MM-DD.
func (r *row) date(col string) string {
	v := r.get(col)
	if v == "" {
		return ""
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil || len(v) != len(time.DateOnly) {
		r.fail(col, "want a date YYYY-MM-DD, got %q", clip(v))
		return ""
	}
	return v
}

// oneOf is a required cell holding one of values exactly.
func (r *row) oneOf(col string, values ...string) string {
	v, ok := r.required(col)
	if !ok {
		return ""
	}
	for _, w := range values {
		if v == w {
			return v
		}
	}
	r.fail(col, "want one of %s, got %q", strings.Join(values, ", "), clip(v))
	return ""
}

// oneOfOr is a cell holding one of values exactly, or def when empty.
func (r *row) oneOfOr(col, def string, values ...string) string {
	if r.get(col) == "" {
		return def
	}
	return r.oneOf(col, values...)
}

// token is a partner's bearer token; only its hash is returned. The token
// never appears in a message.
func (r *row) token(col string) string {
	v, ok := r.required(col)
	if !ok {
		return ""
	}
	if n := utf8.RuneCountInString(v); n < minTokenLen {
		r.fail(col, "want at least %d characters, got %d", minTokenLen, n)
		return ""
	}
	// It travels in an Authorization header.
	for i := 0; i < len(v); i++ {
		if v[i] <= ' ' || v[i] > '~' {
			r.fail(col, "want printable ASCII without spaces (it is sent in an HTTP header)")
			return ""
		}
	}
	return store.TokenSHA256(v)
}

// text is a free-text cell (description, category, name).
func (r *row) text(col string) string { return r.get(col) }

func quote(s string) string { return strconv.Quote(clip(s)) }
