package sheet

import (
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestParseDecimal(t *testing.T) {
	const bad = "error"
	tests := []struct {
		in   string
		sep  byte
		want string // a decimal, or bad
	}{
		// Point.
		{"12.5", '.', "12.5"},
		{"12", '.', "12"},
		{"0", '.', "0"},
		{"-0.00", '.', "0"},
		{"0.125", '.', "0.125"},
		{".5", '.', "0.5"},
		{"12.", '.', "12"},
		{"1,234", '.', "1234"},
		{"1,234.56", '.', "1234.56"},
		{"1,234,567.89", '.', "1234567.89"},
		{"1 234.56", '.', "1234.56"},
		{"1\u00a0234.56", '.', "1234.56"},
		{"1\u202f234\u202f567.5", '.', "1234567.5"},
		{"1\u2009234.5", '.', "1234.5"},
		{"1'234.56", '.', "1234.56"},
		{"1’234’567.50", '.', "1234567.5"},
		{"  12.5\t", '.', "12.5"},
		{"\u00a012.5\u00a0", '.', "12.5"},
		{"123456789012345678901234567890.123456789012345", '.', "123456789012345678901234567890.123456789012345"},
		{"0000012.5", '.', "12.5"},
		// Signs.
		{"-12.5", '.', "-12.5"},
		{"+12.5", '.', "12.5"},
		{"12.5-", '.', "-12.5"},
		{"(12.5)", '.', "-12.5"},
		{"( 12.5 )", '.', "-12.5"},
		{"−12.5", '.', "-12.5"},
		{"- 12.5", '.', "-12.5"},
		// Currencies, before and after, with and without space.
		{"$12.50", '.', "12.5"},
		{"-$12.50", '.', "-12.5"},
		{"$-12.50", '.', "-12.5"},
		{"($1,234.50)", '.', "-1234.5"},
		{"$(1,234.50)", '.', "-1234.5"},
		{"(1,234.50) $", '.', "-1234.5"},
		{"US$ 12.50", '.', "12.5"},
		{"USD 12.50", '.', "12.5"},
		{"12.50 USD", '.', "12.5"},
		{"12.50usd", '.', "12.5"},
		{"12.50 USD-", '.', "-12.5"},
		{"€12.50", '.', "12.5"},
		{"£0.99", '.', "0.99"},
		{"GBP 0.99", '.', "0.99"},
		{"¥1,200", '.', "1200"},
		{"￥1,200", '.', "1200"},
		{"1,200元", '.', "1200"},
		{"RMB 1,200.00", '.', "1200"},
		{"CNY1200", '.', "1200"},
		{"HK$ 88.8", '.', "88.8"},
		{"CHF 1'234.50", '.', "1234.5"},
		{"１２．５", '.', "12.5"},
		{"￥１，２００．５０", '.', "1200.5"},
		// Scientific, as xlsx stores numbers.
		{"1e5", '.', "100000"},
		{"1.5E+07", '.', "15000000"},
		{"1.5E+07", 0, "15000000"},
		{"1.234E+03", 0, "1234"},
		{"1.0000000000000001E-5", '.', "0.000010000000000000001"},
		{"-2.5e-3", '.', "-0.0025"},
		{"1,5E-3", ',', "0.0015"},
		{"1,5E-3", 0, "0.0015"},
		{"5E0", 0, "5"},
		{".5e1", '.', "5"},
		{"$1.5E+03", '.', "1500"},
		{"(1.5E+03)", '.', "-1500"},
		{"1E-999", '.', "1E-999"},
		// Comma.
		{"12,5", ',', "12.5"},
		{"12", ',', "12"},
		{",5", ',', "0.5"},
		{"1.234", ',', "1234"},
		{"1.234,56", ',', "1234.56"},
		{"1.234.567,89", ',', "1234567.89"},
		{"1 234,56", ',', "1234.56"},
		{"1\u00a0234,56 €", ',', "1234.56"},
		{"12,50 €", ',', "12.5"},
		{"12,50 EUR", ',', "12.5"},
		{"€ 1.234,50-", ',', "-1234.5"},
		{"-1.234,5", ',', "-1234.5"},
		{"(1.234,56 €)", ',', "-1234.56"},
		{"1'234,5", ',', "1234.5"},
		{"12 kr", ',', "12"},
		{"1.234,50 zł", ',', "1234.5"},
		// Unknown: certain readings.
		{"12", 0, "12"},
		{"-12", 0, "-12"},
		{"12,5", 0, "12.5"},
		{"12.5", 0, "12.5"},
		{"12.50", 0, "12.5"},
		{"12,5000", 0, "12.5"},
		{"0,125", 0, "0.125"},
		{"0.125", 0, "0.125"},
		{",125", 0, "0.125"},
		{".125", 0, "0.125"},
		{"1234,567", 0, "1234.567"},
		{"1234.567", 0, "1234.567"},
		{"1.234,56", 0, "1234.56"},
		{"1,234.56", 0, "1234.56"},
		{"1.234.567", 0, "1234567"},
		{"1,234,567", 0, "1234567"},
		{"1.234.567,891", 0, "1234567.891"},
		{"1 234,567", 0, "1234.567"},
		{"1 234.567", 0, "1234.567"},
		{"1'234.567", 0, "1234.567"},
		{"1'234", 0, "1234"},
		{"1 234", 0, "1234"},
		{"€ 12,50", 0, "12.5"},
		{"($12.5)", 0, "-12.5"},
		// Wrong everywhere.
		{"", '.', bad},
		{"   ", '.', bad},
		{"-", '.', bad},
		{".", '.', bad},
		{",", ',', bad},
		{"$", '.', bad},
		{"USD", '.', bad},
		{"12abc", '.', bad},
		{"12 abc", '.', bad},
		{"abc12", 0, bad},
		{"1e5x", '.', bad},
		{"1e", '.', bad},
		{"e5", '.', bad},
		{"E+05", '.', bad},
		{"1e5.5", '.', bad},
		{"1e+-5", '.', bad},
		{"1e1234", '.', bad},
		{"1,234E2", '.', bad},
		{"1.5E+07", ',', bad},
		{".E1", '.', bad},
		{"1.2.3E1", 0, bad},
		{"1 2E1", 0, bad},
		{"1e5e5", '.', bad},
		{"12 %", '.', bad},
		{"0x1F", '.', bad},
		{"--12", '.', bad},
		{"+-12", '.', bad},
		{"-12-", '.', bad},
		{"(-12)", '.', bad},
		{"-(12)", '.', bad},
		{"((12))", '.', bad},
		{"(12", '.', bad},
		{"12)", '.', bad},
		{"(12))", '.', bad},
		{"$12 €", '.', bad},
		{"12-34", '.', bad},
		{"1 2", '.', bad},
		{"12 , 5", ',', bad},
		{"12 ft", '.', bad},
		{"12 pcs", '.', bad},
		// Wrong grouping.
		{"1,23.4", '.', bad},
		{"1,2345.6", '.', bad},
		{"12,345,67.8", '.', bad},
		{"1234,567.8", '.', bad},
		{"0,123.5", '.', bad},
		{",123.5", '.', bad},
		{"1,,234.5", '.', bad},
		{"1,234 567.5", '.', bad},
		{"1.234.5", '.', bad},
		{"1,234.5.6", '.', bad},
		{"1.234,567.8", 0, bad},
		{"1.2.3", 0, bad},
		{"1,2,3", 0, bad},
		{"12.5", ',', bad},
		{"1.23", ',', bad},
		{"1,234.56", ',', bad},
		{"12,5", '.', bad},
		{"1.234,56", '.', bad},
		{"1 234,5", '.', bad},
		{"12.5,3", ',', bad},
		// Unknown and ambiguous.
		{"1.234", 0, bad},
		{"1,234", 0, bad},
		{"12,500", 0, bad},
		{"123.456", 0, bad},
		{"-1.234 €", 0, bad},
		{"(1,234)", 0, bad},
	}
	for _, tt := range tests {
		got, err := ParseDecimal(tt.in, tt.sep)
		if tt.want == bad {
			var ve *ValueError
			if !errors.As(err, &ve) {
				t.Errorf("ParseDecimal(%q, %q) = %s, %v; want a *ValueError", tt.in, tt.sep, got, err)
			} else if ve.Value != tt.in {
				t.Errorf("ParseDecimal(%q, %q): ValueError.Value = %q, want the input", tt.in, tt.sep, ve.Value)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseDecimal(%q, %q): %v", tt.in, tt.sep, err)
			continue
		}
		if want := decimal.RequireFromString(tt.want); !got.Equal(want) {
			t.Errorf("ParseDecimal(%q, %q) = %s, want %s", tt.in, tt.sep, got, want)
		}
	}
}

// TestParseDecimalKeepsDigits checks that trailing zeros keep their place:
// 12.50 is 1250×10⁻², as a price written with two decimals is.
func TestParseDecimalKeepsDigits(t *testing.T) {
	d, err := ParseDecimal("1.234,50 €", DecimalComma)
	if err != nil {
		t.Fatal(err)
	}
	if d.Exponent() != -2 || d.StringFixed(2) != "1234.50" {
		t.Errorf("got %s with exponent %d, want 1234.50 with exponent -2", d, d.Exponent())
	}
}

func TestParseDecimalErrors(t *testing.T) {
	tests := []struct {
		in   string
		sep  byte
		want string
	}{
		{"12abc", DecimalUnknown, `want a number such as 12.5 or 1.234,5, got "12abc"`},
		{"12abc", DecimalPoint, `want a number such as 12.5 or 1,234.5, got "12abc"`},
		{"12abc", DecimalComma, `want a number such as 12,5 or 1.234,5, got "12abc"`},
		{"1.234", DecimalUnknown, `want a number whose decimal separator is clear, got "1.234"; '.' before three digits may be a thousands separator or the decimal one; set decimal: comma or point in the partner's sheet profile`},
		{"€ 12,500", DecimalUnknown, `want a number whose decimal separator is clear, got "€ 12,500"; ',' before three digits may be a thousands separator or the decimal one; set decimal: comma or point in the partner's sheet profile`},
		{"12.5", DecimalComma, `want a number such as 12,5 or 1.234,5, got "12.5"; it reads as a number with the decimal point, but this column's decimal separator is the comma (from the partner's sheet profile or the column's other values)`},
		{"1.234,56", DecimalPoint, `want a number such as 12.5 or 1,234.5, got "1.234,56"; it reads as a number with the decimal comma, but this column's decimal separator is the point (from the partner's sheet profile or the column's other values)`},
		{"1.2.3", DecimalPoint, `want a number such as 12.5 or 1,234.5, got "1.2.3"`},
	}
	for _, tt := range tests {
		_, err := ParseDecimal(tt.in, tt.sep)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseDecimal(%q, %q) error:\n got %v\nwant %s", tt.in, tt.sep, err, tt.want)
		}
	}
	_, err := ParseDecimal("12", 'x')
	var ve *ValueError
	if err == nil || errors.As(err, &ve) || !strings.Contains(err.Error(), `got 'x'`) {
		t.Errorf("ParseDecimal with sep 'x': got %v, want a plain error naming 'x'", err)
	}
}

func TestDecideDecimal(t *testing.T) {
	tests := []struct {
		name     string
		values   []string
		sep      byte
		conflict bool
	}{
		{"none", nil, DecimalUnknown, false},
		{"comma decimal", []string{"12,5"}, DecimalComma, false},
		{"comma with thousands", []string{"1.234,56"}, DecimalComma, false},
		{"point decimal", []string{"12.5"}, DecimalPoint, false},
		{"point with thousands", []string{"1,234.56"}, DecimalPoint, false},
		{"dots in groups", []string{"1.234.567"}, DecimalComma, false},
		{"commas in groups", []string{"1,234,567"}, DecimalPoint, false},
		{"one dot and three digits", []string{"1.234"}, DecimalUnknown, false},
		{"one comma and three digits", []string{"1,234"}, DecimalUnknown, false},
		{"integers", []string{"12", "7", "-3"}, DecimalUnknown, false},
		{"ambiguous ones only", []string{"1.234", "5.678", "1,234"}, DecimalUnknown, false},
		{"one value settles the rest", []string{"1.234", "12", "12,5"}, DecimalComma, false},
		{"leading zero", []string{"0.125"}, DecimalPoint, false},
		{"long integer part", []string{"1234,567"}, DecimalComma, false},
		{"space grouping", []string{"1 234,567"}, DecimalComma, false},
		{"currencies and signs", []string{"€ 12,50", "€ 1.234,00-", "(3,5)"}, DecimalComma, false},
		{"dollars", []string{"($1,234.50)", "$12"}, DecimalPoint, false},
		{"not numbers", []string{"", "abc", "n/a", "1.2.3", "12,34,5"}, DecimalUnknown, false},
		{"scientific", []string{"1.234E+03", "1.234"}, DecimalPoint, false},
		{"scientific with comma", []string{"1,5E-3"}, DecimalComma, false},
		{"scientific without separator", []string{"1E5"}, DecimalUnknown, false},
		{"conflict tie", []string{"12,5", "3.75"}, DecimalUnknown, true},
		{"conflict comma majority", []string{"12,5", "3,75", "3.75"}, DecimalComma, true},
		{"conflict point majority", []string{"1,234.5", "3.75", "3,75"}, DecimalPoint, true},
		{"conflict in grouping", []string{"1.234.567", "1,234,567"}, DecimalUnknown, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sep, conflict := DecideDecimal(tt.values)
			if sep != tt.sep || conflict != tt.conflict {
				t.Errorf("DecideDecimal(%q) = %q, %v; want %q, %v", tt.values, sep, conflict, tt.sep, tt.conflict)
			}
			// Whatever it decides, the values it counted parse that way.
			if sep != DecimalUnknown && !conflict {
				for _, v := range tt.values {
					if _, err := ParseDecimal(v, DecimalUnknown); err != nil {
						continue
					}
					if _, err := ParseDecimal(v, sep); err != nil {
						t.Errorf("%q: decided %q but ParseDecimal says %v", v, sep, err)
					}
				}
			}
		})
	}
}
