package sheet

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
)

// Decimal conventions of a column.
const (
	DecimalUnknown = 0   // decide from the data
	DecimalPoint   = '.' // 1,234.56
	DecimalComma   = ',' // 1.234,56
)

// decimalProfileHint is how a partner settles a column the values leave open.
const decimalProfileHint = "set decimal: comma or point in the partner's sheet profile"

// DecideDecimal looks at a column's values (as written, currency symbols and all) and
// says which separator is the decimal one. It is sure when some value settles it:
// "12,5" or "1.234,56" → comma; "12.5", "1,234.56" → point; several groups like
// "1.234.567" → comma (the dots are thousands). Values that settle nothing ("1.234",
// "1,234" — a thousands separator or three decimals? — or plain "12") leave it
// undecided: sep is DecimalUnknown. conflict is true when values disagree
// ("12,5" and "3.75" in one column).
//
// A value settles the question only when it reads as a number that way:
// "1.2.3" and "abc" settle nothing. Also settling: a single separator after
// a leading 0 or more than three digits ("0.125", "1234,567": a thousands
// separator never stands there), and one after a space or ' grouping
// ("1 234,567"). On a conflict sep is the separator more values settle,
// DecimalUnknown on a tie.
func DecideDecimal(values []string) (sep byte, conflict bool) {
	var v decimalVotes
	for _, s := range values {
		v.add(s)
	}
	return v.result()
}

// decimalVotes counts, value by value, what a column's values say about
// its decimal separator: DecideDecimal without holding the values.
type decimalVotes struct{ point, comma int }

func (v *decimalVotes) add(s string) {
	if strings.IndexAny(s, ".,") < 0 {
		return // "12", "€ 7": settles nothing, and is most values
	}
	n, ok := splitNumber(s)
	if !ok || strings.IndexAny(n.body, ".,") < 0 {
		return
	}
	if n.exp != "" {
		// One separator in a mantissa is the decimal one.
		if strings.Count(n.body, ".")+strings.Count(n.body, ",") == 1 {
			if strings.IndexByte(n.body, ',') >= 0 {
				v.comma++
			} else {
				v.point++
			}
		}
		return
	}
	dec, ambiguous := guessDecimal(n.body)
	if ambiguous {
		return
	}
	if _, _, ok := splitDigits(n.body, dec); !ok {
		return
	}
	if dec == ',' {
		v.comma++
	} else {
		v.point++
	}
}

func (v *decimalVotes) result() (sep byte, conflict bool) {
	switch {
	case v.comma > v.point:
		sep = DecimalComma
	case v.point > v.comma:
		sep = DecimalPoint
	}
	return sep, v.comma > 0 && v.point > 0
}

// ParseDecimal reads a number as a spreadsheet user writes it: optional sign (leading
// "-" or "+", trailing "-", or parentheses for negatives), currency symbols or ISO codes
// before or after ($ € £ ¥ ￥ USD EUR GBP CNY RMB ...), spaces and no-break spaces,
// thousands separators (the other of . and , from sep, also ' and spaces), and the
// decimal separator sep ('.' or ','). Never uses floats. Errors are *ValueError.
//
// With sep DecimalUnknown it accepts only values whose reading is certain:
// no separator; a separator that can only be decimal ("12,5", "12.50",
// "0.125", "1234,567"); groups that can only be thousands ("1.234.567");
// both . and , (the last one is decimal: "1.234,56"); or a space or '
// grouping with one . or , after it ("1 234,567"). One . or , followed by
// exactly three digits after one to three digits ("1.234", "12,500") is
// ambiguous, 1234 or 1.234, and an error whose Hint says the partner's
// sheet profile can set the separator.
//
// Scientific notation (1.5E+07, 1,5E-3), as xlsx files store numbers, is
// read as written, exponents of up to three digits.
// Also read: fullwidth digits and signs (１２．５), U+2212 minus, typographic
// apostrophes as thousands separators (1’234.50), thin and narrow no-break
// spaces. At most one sign and one currency. Thousands groups are checked:
// one to three digits, then groups of three, before the decimal separator
// only. A bare decimal separator at either end is taken: ".5", "12.".
// A sep other than '.', ',' and 0 is a programming error and a plain error.
func ParseDecimal(s string, sep byte) (decimal.Decimal, error) {
	want := "a number such as 12.5 or 1.234,5"
	switch sep {
	case DecimalPoint:
		want = "a number such as 12.5 or 1,234.5"
	case DecimalComma:
		want = "a number such as 12,5 or 1.234,5"
	case DecimalUnknown:
	default:
		return decimal.Decimal{}, fmt.Errorf("sheet: decimal separator must be '.', ',' or DecimalUnknown, got %q", sep)
	}
	if sep == DecimalPoint || strings.IndexByte(s, '.') < 0 {
		// A plain number ("12", "3.50" where the point is the decimal
		// one): what a workbook's number cells and most CSV cells hold.
		if d, ok := order.PlainDecimal(s); ok {
			return d, nil
		}
	}
	bad := &ValueError{Value: s, Want: want}
	n, ok := splitNumber(s)
	if !ok {
		return decimal.Decimal{}, bad
	}
	if n.exp != "" {
		return parseScientific(n, sep, bad)
	}
	dec := sep
	if dec == DecimalUnknown {
		var ambiguous bool
		dec, ambiguous = guessDecimal(n.body)
		if ambiguous {
			i := strings.IndexAny(n.body, ".,")
			return decimal.Decimal{}, &ValueError{
				Value: s,
				Want:  "a number whose decimal separator is clear",
				Hint: fmt.Sprintf("%q before three digits may be a thousands separator or the decimal one; %s",
					n.body[i], decimalProfileHint),
			}
		}
	}
	intDigits, fracDigits, ok := splitDigits(n.body, dec)
	if !ok {
		if sep != DecimalUnknown {
			other := byte(DecimalComma + DecimalPoint - sep)
			if _, _, ok := splitDigits(n.body, other); ok && strings.IndexByte(n.body, other) >= 0 {
				bad.Hint = fmt.Sprintf("it reads as a number with the decimal %s, but this column's decimal separator is the %s (from the partner's sheet profile or the column's other values)",
					sepName(other), sepName(sep))
			}
		}
		return decimal.Decimal{}, bad
	}
	var b strings.Builder
	b.Grow(len(intDigits) + len(fracDigits) + 3)
	if n.neg {
		b.WriteByte('-')
	}
	if intDigits == "" {
		b.WriteByte('0')
	}
	b.WriteString(intDigits)
	if fracDigits != "" {
		b.WriteByte('.')
		b.WriteString(fracDigits)
	}
	d, err := decimal.NewFromString(b.String())
	if err != nil {
		return decimal.Decimal{}, bad // splitDigits let through only digits; kept as a guard
	}
	return d, nil
}

// parseScientific reads 1.5E+07, as an xlsx file stores some numbers and
// Excel shows them in narrow cells. The mantissa has no thousands
// separators, so its one separator, if any, is the decimal one: with sep
// DecimalUnknown 1.234E+03 is 1234, not ambiguous.
func parseScientific(n number, sep byte, bad *ValueError) (decimal.Decimal, error) {
	m := n.body
	if i := strings.IndexAny(m, ".,"); i >= 0 {
		if sep != DecimalUnknown && m[i] != sep {
			return decimal.Decimal{}, bad
		}
		m = m[:i] + "." + m[i+1:]
	}
	if m == "." || strings.Count(m, ".") > 1 || strings.ContainsAny(m, "' ,") {
		return decimal.Decimal{}, bad
	}
	sign := ""
	if n.neg {
		sign = "-"
	}
	d, err := decimal.NewFromString(sign + m + "e" + n.exp)
	if err != nil {
		return decimal.Decimal{}, bad
	}
	return d, nil
}

func sepName(sep byte) string {
	if sep == DecimalComma {
		return "comma"
	}
	return "point"
}

// number is a numeric cell with its sign and currency taken off.
type number struct {
	neg  bool
	body string // digits, '.', ',', '\'' and ' ' only; not empty
	exp  string // the exponent of 1.5E+07 ("+07"); "" when none
}

// splitNumber takes sign, parentheses and currency off s, from either end
// and in any order ("-$12", "$-12", "(12 €)", "12.50 USD-"), and checks
// that the rest is made of digits and separators.
func splitNumber(s string) (number, bool) {
	t := foldNumber(s)
	var n number
	signs, currencies, opens, closes := 0, 0, 0, 0
	for {
		t = strings.TrimSpace(t)
		if t == "" {
			return n, false
		}
		switch {
		case t[0] == '-' || t[0] == '+':
			n.neg = t[0] == '-'
			signs++
			t = t[1:]
			continue
		case t[0] == '(':
			opens++
			t = t[1:]
			continue
		case t[len(t)-1] == ')':
			closes++
			t = t[:len(t)-1]
			continue
		case t[len(t)-1] == '-':
			n.neg = true
			signs++
			t = t[:len(t)-1]
			continue
		}
		if k := currencyPrefix(t); k > 0 {
			currencies++
			t = t[k:]
			continue
		}
		if k := currencySuffix(t); k > 0 {
			currencies++
			t = t[:len(t)-k]
			continue
		}
		break
	}
	if signs+opens > 1 || opens != closes || currencies > 1 {
		return n, false
	}
	if opens > 0 {
		n.neg = true
	}
	if i := strings.IndexAny(t, "eE"); i >= 0 {
		n.exp, t = t[i+1:], t[:i]
		digits := strings.TrimLeft(n.exp, "+-")
		if len(n.exp)-len(digits) > 1 || digits == "" || len(digits) > 3 || !allDigits(digits) || t == "" {
			return n, false
		}
	}
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case '0' <= c && c <= '9', c == '.', c == ',', c == '\'', c == ' ':
		default:
			return n, false
		}
	}
	n.body = t
	return n, true
}

// foldNumber maps the characters people type for digits, signs and
// separators onto ASCII, so the rest reads ASCII only.
func foldNumber(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case '０' <= r && r <= '９':
			return '0' + (r - '０')
		}
		switch r {
		case '\u00A0', '\u2007', '\u2009', '\u202F', '\t', '\u3000':
			return ' '
		case '\u2019', '\u00B4', '\u02BC':
			return '\''
		case '\u2212', '－':
			return '-'
		case '＋':
			return '+'
		case '．':
			return '.'
		case '，':
			return ','
		case '（':
			return '('
		case '）':
			return ')'
		}
		return r
	}, s)
}

// currencies are written before or after an amount. Letter codes match
// in any case: "12,50 eur" is as common as "12,50 EUR".
var currencies = []string{
	// Longest first where one begins another.
	"US$", "HK$", "NT$", "AU$", "CA$", "NZ$", "R$", "S$", "A$", "C$",
	"$", "€", "£", "¥", "￥", "₹", "₩", "₽", "₺", "₪", "₫", "฿", "元", "円", "zł", "Kč",
	"USD", "EUR", "GBP", "CNY", "RMB", "JPY", "CHF", "CAD", "AUD", "NZD", "HKD",
	"SGD", "TWD", "KRW", "INR", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON",
	"BGN", "TRY", "RUB", "MXN", "BRL", "ZAR", "AED", "SAR", "ILS", "THB", "MYR",
	"IDR", "PHP", "VND", "Fr.", "kr",
}

// currencyPrefix is the length of the currency t starts with, 0 when none.
func currencyPrefix(t string) int {
	for _, c := range currencies {
		if len(t) >= len(c) && strings.EqualFold(t[:len(c)], c) {
			return len(c)
		}
	}
	return 0
}

// currencySuffix is the length of the currency t ends with, 0 when none.
func currencySuffix(t string) int {
	for _, c := range currencies {
		if len(t) >= len(c) && strings.EqualFold(t[len(t)-len(c):], c) {
			return len(c)
		}
	}
	return 0
}

// guessDecimal says which of . and , is the decimal separator in body
// when nothing else tells; ambiguous when body could be read both ways
// (see ParseDecimal).
func guessDecimal(body string) (dec byte, ambiguous bool) {
	dots, commas := strings.Count(body, "."), strings.Count(body, ",")
	switch {
	case dots == 0 && commas == 0:
		return DecimalPoint, false
	case dots > 0 && commas > 0:
		return body[strings.LastIndexAny(body, ".,")], false
	}
	k, count := byte('.'), dots
	if commas > 0 {
		k, count = ',', commas
	}
	if count > 1 {
		return byte(DecimalComma + DecimalPoint - k), false
	}
	if strings.ContainsAny(body, "' ") {
		return k, false // already grouped otherwise: k can only be decimal
	}
	i := strings.IndexByte(body, k)
	before, after := body[:i], body[i+1:]
	if len(after) != 3 || before == "" || len(before) > 3 || before[0] == '0' {
		return k, false
	}
	return k, true
}

// splitDigits reads body with dec as the decimal separator and returns the
// digits before and after it, thousands separators dropped; ok is false
// when body is no number that way.
func splitDigits(body string, dec byte) (intDigits, fracDigits string, ok bool) {
	intPart, fracPart, hasDec := strings.Cut(body, string(dec))
	if hasDec && strings.IndexByte(fracPart, dec) >= 0 {
		return "", "", false
	}
	if !allDigits(fracPart) {
		return "", "", false
	}
	if intPart == "" && fracPart == "" {
		return "", "", false
	}
	if allDigits(intPart) {
		return intPart, fracPart, true
	}
	// Grouped: one kind of thousands separator, groups of three after a
	// first group of one to three that does not start with 0.
	var thou byte
	var b strings.Builder
	b.Grow(len(intPart))
	for g := 0; ; g++ {
		i := strings.IndexAny(intPart, ".,' ")
		group := intPart
		if i >= 0 {
			group = intPart[:i]
			if thou == 0 {
				thou = intPart[i]
			}
			if intPart[i] != thou {
				return "", "", false
			}
		}
		if !allDigits(group) || group == "" {
			return "", "", false
		}
		if g == 0 && (len(group) > 3 || group[0] == '0') || g > 0 && len(group) != 3 {
			return "", "", false
		}
		b.WriteString(group)
		if i < 0 {
			break
		}
		intPart = intPart[i+1:]
	}
	return b.String(), fracPart, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
