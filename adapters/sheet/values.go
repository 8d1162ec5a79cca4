package sheet

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// ValueError is a cell value that is not what its column wants.
type ValueError struct {
	Value string // as found
	Want  string // e.g. "a number such as 12.5", "a date such as 2026-11-20"
	Hint  string // optional: how to fix, e.g. "set decimal: comma in the partner's sheet profile"
}

// Error reads like `want a date such as 2026-11-20, got "31/02/2026"; February 2026 has 28 days`.
func (e *ValueError) Error() string {
	s := "want " + e.Want + ", got " + strconv.Quote(e.Value)
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

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
	var point, comma int
	for _, v := range values {
		n, ok := splitNumber(v)
		if !ok || strings.IndexAny(n.body, ".,") < 0 {
			continue
		}
		if n.exp != "" {
			// One separator in a mantissa is the decimal one.
			if strings.Count(n.body, ".")+strings.Count(n.body, ",") == 1 {
				if strings.IndexByte(n.body, ',') >= 0 {
					comma++
				} else {
					point++
				}
			}
			continue
		}
		dec, ambiguous := guessDecimal(n.body)
		if ambiguous {
			continue
		}
		if _, _, ok := splitDigits(n.body, dec); !ok {
			continue
		}
		if dec == ',' {
			comma++
		} else {
			point++
		}
	}
	switch {
	case comma > point:
		sep = DecimalComma
	case point > comma:
		sep = DecimalPoint
	}
	return sep, comma > 0 && point > 0
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

// dateWant is what a date column wants.
const dateWant = "a date such as 2026-11-20"

// ParseDate reads a date cell written as text: ISO (2026-11-20, 2026/11/20,
// 20261120), and day/month forms with / . - separators and 2- or 4-digit years
// (20/11/2026, 20.11.26, 11/20/2026). dayFirst says how to read a/b/yyyy when both a
// and b are ≤ 12: true day first (Europe), false month first (US); when the
// values themselves settle it (a part > 12) they win and dayFirst is not needed.
// layouts are extra Go time layouts from the partner profile, tried first.
// Chinese forms "2026年11月20日" and month names in English, Dutch, German, French,
// Spanish ("20 Nov 2026", "20 november 2026", "20. November 2026", "20 nov. 2026",
// "20 de noviembre de 2026") are accepted. Returns ISO YYYY-MM-DD or a *ValueError
// (Want: "a date such as 2026-11-20").
//
// Also accepted: a time of day after the date, which is dropped
// ("2026-11-20 14:30:00", "20/11/2026 2:30 PM", "2026-11-20T14:30:00Z");
// month-first and year-first names ("Nov 20, 2026", "2026 Nov 20"); Excel's
// "20-Nov-26"; ordinals ("20th", "1er", "1º"); a leading weekday name
// ("Friday, 20 November 2026"); 2026年11月20号 and the Korean 년월일 form;
// fullwidth digits. Month names may be abbreviated to any prefix of three
// letters or more that names one month ("sept", "févr", "juil"), with or
// without accents. A two-digit year is read as Go's time package reads
// "06": 69–99 are 1969–1999, 00–68 are 2000–2068. Forms not listed, such as
// 6-digit 201126, are errors rather than guesses.
func ParseDate(s string, dayFirst bool, layouts []string) (string, error) {
	t := strings.TrimSpace(s)
	for _, layout := range layouts {
		if tm, err := time.Parse(layout, t); err == nil && tm.Year() >= 1 && tm.Year() <= 9999 {
			return tm.Format(time.DateOnly), nil
		}
	}
	y, m, d, hint, ok := parseDate(t, dayFirst)
	if !ok {
		return "", &ValueError{Value: s, Want: dateWant, Hint: hint}
	}
	if hint = checkDate(y, m, d); hint != "" {
		return "", &ValueError{Value: s, Want: dateWant, Hint: hint}
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d), nil
}

// AmbiguousDate tells whether s is an a/b/y date with both a and b ≤ 12 and a != b
// (so which is the day depends on the convention).
func AmbiguousDate(s string) bool {
	toks, ok := dateTokens(strings.TrimSpace(s))
	if !ok {
		return false
	}
	a, b, y, ok := numericDMY(toks)
	if !ok || len(a) > 2 || len(b) > 2 || len(y) != 2 && len(y) != 4 {
		return false
	}
	ai, bi := atoi(a), atoi(b)
	return ai >= 1 && ai <= 12 && bi >= 1 && bi <= 12 && ai != bi
}

// parseDate reads the fields of t; checkDate then says whether they make
// a day. hint says why t is no date when there is more to say than Want.
func parseDate(t string, dayFirst bool) (y, m, d int, hint string, ok bool) {
	if strings.ContainsAny(t, "年년") {
		return parseCJKDate(t)
	}
	toks, ok := dateTokens(t)
	if !ok {
		return 0, 0, 0, "", false
	}
	if len(toks) == 1 && toks[0].kind == tokNum && len(toks[0].text) == 8 {
		n := toks[0].text
		return atoi(n[:4]), atoi(n[4:6]), atoi(n[6:]), "", true
	}
	if a, b, c, ok := numericDMY(toks); ok {
		if len(a) == 4 {
			if len(b) > 2 || len(c) > 2 {
				return 0, 0, 0, "", false
			}
			return atoi(a), atoi(b), atoi(c), "", true
		}
		if len(a) > 2 || len(b) > 2 || len(c) != 2 && len(c) != 4 {
			return 0, 0, 0, "", false
		}
		ai, bi := atoi(a), atoi(b)
		y = year(c)
		switch {
		case ai > 12 && bi > 12:
			return 0, 0, 0, fmt.Sprintf("neither %d nor %d can be the month", ai, bi), false
		case ai > 12:
			return y, bi, ai, "", true
		case bi > 12 || !dayFirst:
			return y, ai, bi, "", true
		default:
			return y, bi, ai, "", true
		}
	}
	return namedDate(toks)
}

// checkDate says what is wrong with y-m-d as a day of the calendar, ""
// when nothing is.
func checkDate(y, m, d int) string {
	switch {
	case y < 1 || y > 9999:
		return fmt.Sprintf("year %d is out of range", y)
	case m < 1 || m > 12:
		return fmt.Sprintf("%d is not a month", m)
	}
	days := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if d < 1 || d > days {
		return fmt.Sprintf("%s %d has %d days", time.Month(m), y, days)
	}
	return ""
}

// year reads a 2- or 4-digit year; 2 digits as Go reads "06".
func year(s string) int {
	y := atoi(s)
	if len(s) == 2 {
		if y >= 69 {
			return 1900 + y
		}
		return 2000 + y
	}
	return y
}

// atoi reads a run of at most 9 ASCII digits, as dateTokens makes them.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// parseCJKDate reads 2026年11月20日 (also 号, and 년월일), spaces allowed.
func parseCJKDate(t string) (y, m, d int, hint string, ok bool) {
	t, ok = cutTime(foldNumber(t))
	if !ok {
		return 0, 0, 0, "", false
	}
	t = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, t)
	var parts [3]string
	for i, marks := range [3][]string{{"年", "년"}, {"月", "월"}, {"日", "일", "号", "號"}} {
		found := false
		for _, mark := range marks {
			if before, after, ok := strings.Cut(t, mark); ok {
				parts[i], t, found = before, after, true
				break
			}
		}
		if !found && i == 2 {
			parts[i], t, found = t, "", true // 2026年11月20
		}
		if !found {
			return 0, 0, 0, "", false
		}
	}
	if t != "" || len(parts[0]) != 4 || !allDigits(parts[0]) {
		return 0, 0, 0, "", false
	}
	for _, p := range parts[1:] {
		if p == "" || len(p) > 2 || !allDigits(p) {
			return 0, 0, 0, "", false
		}
	}
	return atoi(parts[0]), atoi(parts[1]), atoi(parts[2]), "", true
}

type tokKind uint8

const (
	tokNum  tokKind = iota // digits
	tokWord                // letters, lower case, accents off
	tokSep                 // one of / . - , or a space
)

type dateToken struct {
	kind tokKind
	text string
}

// dateTokens splits a date (its time of day cut off) into numbers, words
// and separators; ok is false on any other character, on a number of more
// than 8 digits or on more than 16 tokens: no date is that long.
func dateTokens(t string) (toks []dateToken, ok bool) {
	t, ok = cutTime(foldNumber(t))
	if !ok {
		return nil, false
	}
	for i := 0; i < len(t); {
		r, size := utf8.DecodeRuneInString(t[i:])
		switch {
		case '0' <= r && r <= '9':
			j := i
			for j < len(t) && '0' <= t[j] && t[j] <= '9' {
				j++
			}
			if j-i > 8 {
				return nil, false
			}
			toks = append(toks, dateToken{tokNum, t[i:j]})
			i = j
		case unicode.IsLetter(r):
			j := i
			for j < len(t) {
				r, size := utf8.DecodeRuneInString(t[j:])
				if !unicode.IsLetter(r) {
					break
				}
				j += size
			}
			toks = append(toks, dateToken{tokWord, foldAccents(t[i:j])})
			i = j
		case r == '/' || r == '.' || r == '-' || r == ',':
			toks = append(toks, dateToken{tokSep, t[i : i+1]})
			i++
		case r == ' ':
			toks = append(toks, dateToken{tokSep, " "})
			i += size
		default:
			return nil, false
		}
		if len(toks) > 16 {
			return nil, false
		}
	}
	return toks, len(toks) > 0
}

// numericDMY matches number sep number sep number with the same separator
// (/ . or -) twice, spaces allowed around them ("20. 11. 2026").
func numericDMY(toks []dateToken) (a, b, c string, ok bool) {
	var nums []string
	var seps []string
	pending := ""
	for _, tk := range toks {
		switch tk.kind {
		case tokWord:
			return "", "", "", false
		case tokNum:
			if len(nums) > 0 {
				if pending == "" {
					return "", "", "", false
				}
				seps = append(seps, pending)
			} else if pending != "" {
				return "", "", "", false
			}
			nums = append(nums, tk.text)
			pending = ""
		case tokSep:
			if tk.text == " " {
				continue
			}
			if pending != "" {
				return "", "", "", false
			}
			pending = tk.text
		}
	}
	if len(nums) != 3 || pending != "" || seps[0] != seps[1] || seps[0] == "," {
		return "", "", "", false
	}
	return nums[0], nums[1], nums[2], true
}

// namedDate reads a date with its month in words: day month year, month
// day year or year month day, with fillers, ordinals and a weekday about.
func namedDate(toks []dateToken) (y, m, d int, hint string, ok bool) {
	type item struct {
		num   string
		month int // 0 for a number
	}
	var items []item
	for i, tk := range toks {
		switch tk.kind {
		case tokSep:
			continue
		case tokNum:
			items = append(items, item{num: tk.text})
			continue
		}
		if dateFillers[tk.text] {
			continue
		}
		if weekdays[tk.text] && i == 0 {
			continue
		}
		mo := monthOf(tk.text)
		if mo == 0 {
			return 0, 0, 0, "", false
		}
		items = append(items, item{month: mo})
	}
	if len(items) != 3 {
		return 0, 0, 0, "", false
	}
	dayYear := func(day, yr string) (int, int, int, string, bool) {
		if len(day) > 2 || len(yr) != 2 && len(yr) != 4 {
			return 0, 0, 0, "", false
		}
		return year(yr), 0, atoi(day), "", true
	}
	switch a, b, c := items[0], items[1], items[2]; {
	case a.month == 0 && b.month != 0 && c.month == 0 && len(a.num) == 4:
		if len(c.num) > 2 {
			return 0, 0, 0, "", false
		}
		return atoi(a.num), b.month, atoi(c.num), "", true
	case a.month == 0 && b.month != 0 && c.month == 0:
		y, _, d, hint, ok = dayYear(a.num, c.num)
		return y, b.month, d, hint, ok
	case a.month != 0 && b.month == 0 && c.month == 0:
		y, _, d, hint, ok = dayYear(b.num, c.num)
		return y, a.month, d, hint, ok
	}
	return 0, 0, 0, "", false
}

// dateFillers are the words a written date has besides its parts:
// Spanish "de", English "of", ordinal endings (1st, 1er, 1e, 1º).
var dateFillers = map[string]bool{
	"de": true, "del": true, "of": true, "the": true, "le": true,
	"st": true, "nd": true, "rd": true, "th": true, "er": true, "e": true,
	"º": true, "ª": true,
}

// weekdays may open a date ("Friday, 20 November 2026"); whole names only,
// and English abbreviations, since Spanish "mar" (martes) is also March.
var weekdays = map[string]bool{
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true, "saturday": true, "sunday": true,
	"mon": true, "tue": true, "tues": true, "wed": true, "thu": true, "thur": true, "thurs": true, "fri": true, "sat": true, "sun": true,
	"maandag": true, "dinsdag": true, "woensdag": true, "donderdag": true, "vrijdag": true, "zaterdag": true, "zondag": true,
	"montag": true, "dienstag": true, "mittwoch": true, "donnerstag": true, "freitag": true, "samstag": true, "sonntag": true,
	"lundi": true, "mardi": true, "mercredi": true, "jeudi": true, "vendredi": true, "samedi": true, "dimanche": true,
	"lunes": true, "martes": true, "miercoles": true, "jueves": true, "viernes": true, "sabado": true, "domingo": true,
}

// monthNames are the months' full names in English, Dutch, German, French
// and Spanish, lower case and without accents; a word of three letters or
// more that begins only names of one month is that month.
var monthNames = [...][]string{
	1:  {"january", "januari", "januar", "janner", "janvier", "enero"},
	2:  {"february", "februari", "februar", "fevrier", "febrero"},
	3:  {"march", "maart", "marz", "maerz", "mars", "marzo"},
	4:  {"april", "avril", "abril"},
	5:  {"may", "mei", "mai", "mayo"},
	6:  {"june", "juni", "juin", "junio"},
	7:  {"july", "juli", "juillet", "julio"},
	8:  {"august", "augustus", "aout", "agosto"},
	9:  {"september", "septembre", "septiembre", "setiembre"},
	10: {"october", "oktober", "octobre", "octubre"},
	11: {"november", "novembre", "noviembre"},
	12: {"december", "dezember", "decembre", "diciembre"},
}

// monthAbbrevs are the abbreviations that are no prefix of a name.
var monthAbbrevs = map[string]int{"mrt": 3, "mrz": 3}

// monthOf is the month w names, 0 when none or more than one.
func monthOf(w string) int {
	if m, ok := monthAbbrevs[w]; ok {
		return m
	}
	if utf8.RuneCountInString(w) < 3 {
		return 0
	}
	found := 0
	for m, names := range monthNames {
		for _, name := range names {
			if strings.HasPrefix(name, w) {
				if found != 0 && found != m {
					return 0
				}
				found = m
			}
		}
	}
	return found
}

// foldAccents lowers w and takes the accents off the letters month names
// use, so "Février", "fevrier" and "FÉVR" meet.
func foldAccents(w string) string {
	return strings.Map(func(r rune) rune {
		switch r = unicode.ToLower(r); r {
		case 'á', 'à', 'â', 'ä':
			return 'a'
		case 'é', 'è', 'ê', 'ë':
			return 'e'
		case 'í', 'ì', 'î', 'ï':
			return 'i'
		case 'ó', 'ò', 'ô', 'ö':
			return 'o'
		case 'ú', 'ù', 'û', 'ü':
			return 'u'
		case 'ç':
			return 'c'
		case 'ñ':
			return 'n'
		}
		return r
	}, w)
}

// cutTime cuts a time of day off the end of t: after a space or a T, H:MM
// with optional :SS, fraction, AM/PM and zone (Z, +01:00, +0100). ok is
// false when there is a colon but no such time.
func cutTime(t string) (date string, ok bool) {
	colon := strings.IndexByte(t, ':')
	if colon < 0 {
		return t, true
	}
	h := colon
	for h > 0 && '0' <= t[h-1] && t[h-1] <= '9' {
		h--
	}
	if colon-h < 1 || colon-h > 2 || h < 2 || t[h-1] != ' ' && t[h-1] != 'T' {
		return "", false
	}
	if !validTime(t[h:]) {
		return "", false
	}
	return strings.TrimRight(t[:h-1], " "), true
}

// validTime tells whether s is a time of day as cutTime takes it.
func validTime(s string) bool {
	digits := func(n int) (int, bool) {
		if len(s) < n || !allDigits(s[:n]) {
			return 0, false
		}
		v := atoi(s[:n])
		s = s[n:]
		return v, true
	}
	hourLen := 1
	if len(s) > 1 && '0' <= s[1] && s[1] <= '9' {
		hourLen = 2
	}
	hour, _ := digits(hourLen)
	s = s[1:] // the colon
	minute, ok := digits(2)
	if !ok || hour > 23 || minute > 59 {
		return false
	}
	if strings.HasPrefix(s, ":") {
		s = s[1:]
		if sec, ok := digits(2); !ok || sec > 60 {
			return false
		}
		if strings.HasPrefix(s, ".") || strings.HasPrefix(s, ",") {
			s = s[1:]
			n := 0
			for n < len(s) && '0' <= s[n] && s[n] <= '9' {
				n++
			}
			if n == 0 {
				return false
			}
			s = s[n:]
		}
	}
	s = strings.TrimLeft(s, " ")
	if len(s) >= 2 && (strings.EqualFold(s[:2], "am") || strings.EqualFold(s[:2], "pm")) {
		if hour < 1 || hour > 12 {
			return false
		}
		s = strings.TrimLeft(s[2:], " ")
	}
	switch {
	case s == "" || s == "Z" || s == "z":
		return true
	case s[0] == '+' || s[0] == '-':
		s = s[1:]
		if _, ok := digits(2); !ok {
			return false
		}
		s = strings.TrimPrefix(s, ":")
		if s == "" {
			return true
		}
		_, ok := digits(2)
		return ok && s == ""
	}
	return false
}

// Excel's day 0 in each system. In the 1900 system serials from 61 on
// count from 1899-12-30, because Lotus 1-2-3, and Excel after it, holds
// 1900 a leap year: serial 60 is 1900-02-29, a day that never was, and
// serials 1 to 59 count from 1899-12-31.
var (
	excelEpoch1900 = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	excelEpoch1904 = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	lastISODay     = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
)

// ExcelSerialDate turns an Excel date serial (days, fraction = time of day, ignored) into
// ISO YYYY-MM-DD. date1904 selects the 1904 system (serial 0 = 1904-01-01); otherwise the
// 1900 system with Lotus's phantom 1900-02-29 (serial 60), so serial 1 = 1900-01-01,
// 59 = 1900-02-28, 61 = 1900-03-01, 45981 = 2025-11-20. Serials < 1 (or < 0 in 1904) or
// beyond 9999-12-31 are a *ValueError.
//
// Serial 60 itself is a *ValueError too: the day it stands for did not
// exist, and moving it to a neighbour would be a guess.
func ExcelSerialDate(serial float64, date1904 bool) (string, error) {
	epoch, first := excelEpoch1900, 1.0
	if date1904 {
		epoch, first = excelEpoch1904, 0
	}
	// Unix seconds: a time.Duration does not reach 8000 years.
	last := float64((lastISODay.Unix() - epoch.Unix()) / 86400)
	value := strconv.FormatFloat(serial, 'f', -1, 64)
	want := fmt.Sprintf("an Excel date serial from %.0f to %.0f", first, last)
	if date1904 {
		want += " (1904 date system)"
	}
	day := math.Floor(serial)
	if math.IsNaN(serial) || day < first || day > last {
		return "", &ValueError{Value: value, Want: want}
	}
	n := int(day)
	if !date1904 {
		switch {
		case n == 60:
			return "", &ValueError{Value: value, Want: want,
				Hint: "serial 60 is 1900-02-29, which Excel counts but the calendar does not have"}
		case n < 60:
			n++
		}
	}
	return epoch.AddDate(0, 0, n).Format(time.DateOnly), nil
}
