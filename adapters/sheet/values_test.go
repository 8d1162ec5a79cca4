package sheet

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestValueErrorText(t *testing.T) {
	e := &ValueError{Value: "12abc", Want: "a number such as 12.5"}
	if got, want := e.Error(), `want a number such as 12.5, got "12abc"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e.Hint = "set decimal: comma in the partner's sheet profile"
	if got, want := e.Error(), `want a number such as 12.5, got "12abc"; set decimal: comma in the partner's sheet profile`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e = &ValueError{Value: "a\"b\n", Want: "x"}
	if got, want := e.Error(), `want x, got "a\"b\n"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

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

func TestParseDate(t *testing.T) {
	const bad = "error"
	tests := []struct {
		in       string
		dayFirst bool
		want     string // ISO, or bad
	}{
		// ISO and compact.
		{"2026-11-20", true, "2026-11-20"},
		{"2026/11/20", false, "2026-11-20"},
		{"2026.11.20", true, "2026-11-20"},
		{"2026-1-5", true, "2026-01-05"},
		{"20261120", true, "2026-11-20"},
		{" 2026-11-20 ", true, "2026-11-20"},
		{"2024-02-29", true, "2024-02-29"},
		{"2000-02-29", true, "2000-02-29"},
		{"0001-01-01", true, "0001-01-01"},
		{"9999-12-31", true, "9999-12-31"},
		// Times of day dropped.
		{"2026-11-20 14:30", true, "2026-11-20"},
		{"2026-11-20 14:30:59", true, "2026-11-20"},
		{"2026-11-20 00:00:00.000", true, "2026-11-20"},
		{"2026-11-20T14:30:00Z", true, "2026-11-20"},
		{"2026-11-20T14:30:00.123+01:00", true, "2026-11-20"},
		{"2026-11-20T14:30:00-0500", true, "2026-11-20"},
		{"20/11/2026 2:30 PM", true, "2026-11-20"},
		{"11/20/2026 12:00 am", false, "2026-11-20"},
		{"20.11.2026 23:59", true, "2026-11-20"},
		// Day and month.
		{"20/11/2026", true, "2026-11-20"},
		{"20/11/2026", false, "2026-11-20"},
		{"11/20/2026", true, "2026-11-20"},
		{"11/20/2026", false, "2026-11-20"},
		{"20.11.26", true, "2026-11-20"},
		{"20-11-2026", true, "2026-11-20"},
		{"20. 11. 2026", true, "2026-11-20"},
		{"05/06/2026", true, "2026-06-05"},
		{"05/06/2026", false, "2026-05-06"},
		{"5/6/26", true, "2026-06-05"},
		{"5/6/26", false, "2026-05-06"},
		{"06/06/2026", false, "2026-06-06"},
		{"1.2.68", true, "2068-02-01"},
		{"1.2.69", true, "1969-02-01"},
		{"31/12/99", true, "1999-12-31"},
		{"29/02/2024", true, "2024-02-29"},
		// Chinese and Korean.
		{"2026年11月20日", true, "2026-11-20"},
		{"2026年1月5日", true, "2026-01-05"},
		{"２０２６年１１月２０日", true, "2026-11-20"},
		{"2026 年 11 月 20 日", true, "2026-11-20"},
		{"2026年11月20号", true, "2026-11-20"},
		{"2026年11月20", true, "2026-11-20"},
		{"2026年11月20日 10:00", true, "2026-11-20"},
		{"2026년 11월 20일", true, "2026-11-20"},
		// Month names.
		{"20 Nov 2026", false, "2026-11-20"},
		{"20 november 2026", true, "2026-11-20"},
		{"20. November 2026", true, "2026-11-20"},
		{"20 nov. 2026", true, "2026-11-20"},
		{"20 de noviembre de 2026", true, "2026-11-20"},
		{"20 novembre 2026", true, "2026-11-20"},
		{"20-Nov-26", true, "2026-11-20"},
		{"20-NOV-2026", true, "2026-11-20"},
		{"20NOV2026", true, "2026-11-20"},
		{"Nov 20, 2026", false, "2026-11-20"},
		{"November 20th, 2026", true, "2026-11-20"},
		{"20th of November 2026", true, "2026-11-20"},
		{"Friday, 20 November 2026", true, "2026-11-20"},
		{"Fri, Nov 20, 2026", true, "2026-11-20"},
		{"vendredi 20 novembre 2026", true, "2026-11-20"},
		{"2026 Nov 20", true, "2026-11-20"},
		{"2026-Nov-20", true, "2026-11-20"},
		{"20 Nov 2026 10:00", true, "2026-11-20"},
		{"1er janvier 2026", true, "2026-01-01"},
		{"le 1er janvier 2026", true, "2026-01-01"},
		{"1e januari 2026", true, "2026-01-01"},
		{"1º de enero de 2026", true, "2026-01-01"},
		{"1 Jänner 2026", true, "2026-01-01"},
		{"1 janv. 2026", true, "2026-01-01"},
		{"1 ene 2026", true, "2026-01-01"},
		{"1 février 2026", true, "2026-02-01"},
		{"1 fevrier 2026", true, "2026-02-01"},
		{"1 févr. 2026", true, "2026-02-01"},
		{"1 FÉVR 2026", true, "2026-02-01"},
		{"1 Februar 2026", true, "2026-02-01"},
		{"1 februari 2026", true, "2026-02-01"},
		{"20 mars 2026", true, "2026-03-20"},
		{"20 Mar 2026", true, "2026-03-20"},
		{"20. März 2026", true, "2026-03-20"},
		{"20. Maerz 2026", true, "2026-03-20"},
		{"20 Mrz 2026", true, "2026-03-20"},
		{"20 mrt 2026", true, "2026-03-20"},
		{"20 maart 2026", true, "2026-03-20"},
		{"20 marzo 2026", true, "2026-03-20"},
		{"3 avr. 2026", true, "2026-04-03"},
		{"3 abril 2026", true, "2026-04-03"},
		{"15 mei 2026", true, "2026-05-15"},
		{"15 Mai 2026", true, "2026-05-15"},
		{"15 mayo 2026", true, "2026-05-15"},
		{"15 May 2026", true, "2026-05-15"},
		{"3 juin 2026", true, "2026-06-03"},
		{"3 Juni 2026", true, "2026-06-03"},
		{"3 juil. 2026", true, "2026-07-03"},
		{"3 julio 2026", true, "2026-07-03"},
		{"3 août 2026", true, "2026-08-03"},
		{"3 agosto 2026", true, "2026-08-03"},
		{"3 augustus 2026", true, "2026-08-03"},
		{"20 sept 2026", true, "2026-09-20"},
		{"20 Sept. 2026", true, "2026-09-20"},
		{"20 setiembre 2026", true, "2026-09-20"},
		{"20 okt 2026", true, "2026-10-20"},
		{"20 octobre 2026", true, "2026-10-20"},
		{"20 octubre 2026", true, "2026-10-20"},
		{"20 dic 2026", true, "2026-12-20"},
		{"20 Dez. 2026", true, "2026-12-20"},
		{"20 déc. 2026", true, "2026-12-20"},
		{"20 décembre 2026", true, "2026-12-20"},
		{"20 diciembre 2026", true, "2026-12-20"},
		// Not dates.
		{"", true, bad},
		{"abc", true, bad},
		{"12.5", true, bad},
		{"2026", true, bad},
		{"2026-11", true, bad},
		{"2026-13-01", true, bad},
		{"2026-11-31", true, bad},
		{"2026-00-10", true, bad},
		{"2026-11-00", true, bad},
		{"0000-01-01", true, bad},
		{"20261320", true, bad},
		{"201126", true, bad},
		{"123456789", true, bad},
		{"31/02/2026", true, bad},
		{"29.02.2026", true, bad},
		{"13/14/2026", true, bad},
		{"20/11/202", true, bad},
		{"20/11/2026/1", true, bad},
		{"20/11-2026", true, bad},
		{"20,11,2026", true, bad},
		{"20 11 2026", true, bad},
		{"200/11/2026", true, bad},
		{"20/111/2026", true, bad},
		{"-20/11/2026", true, bad},
		{"2026-011-20", true, bad},
		{"20 Nov", true, bad},
		{"Nov 2026", true, bad},
		{"20 ju 2026", true, bad},
		{"20 jui 2026", true, bad},
		{"20 Nov 2026 Nov", true, bad},
		{"20 Nov 26 1", true, bad},
		{"20 Nov 202", true, bad},
		{"2026 20 Nov", true, bad},
		{"20 Foo 2026", true, bad},
		{"Date: 2026-11-20", true, bad},
		{"2026-11-20 25:00", true, bad},
		{"2026-11-20 14:30 abc", true, bad},
		{"2026-11-20 14:3", true, bad},
		{"2026-11-20 13:00 PM", true, bad},
		{"2026-11-20T", true, bad},
		{"2026年13月20日", true, bad},
		{"26年11月20日", true, bad},
		{"2026年11月", true, bad},
		{"2026年11月20日x", true, bad},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, tt.dayFirst, nil)
		if tt.want == bad {
			var ve *ValueError
			if !errors.As(err, &ve) || ve.Value != tt.in || ve.Want != "a date such as 2026-11-20" {
				t.Errorf("ParseDate(%q, %v) = %q, %v; want a *ValueError for it", tt.in, tt.dayFirst, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDate(%q, %v) = %q, %v; want %q", tt.in, tt.dayFirst, got, err, tt.want)
		}
	}
}

func TestParseDateLayouts(t *testing.T) {
	tests := []struct {
		in      string
		layouts []string
		want    string // "" for an error
	}{
		{"Nov 20 '26", []string{"Jan 2 '06"}, "2026-11-20"},
		// The profile's layout comes before dayFirst and the built-in forms.
		{"01/02/2026", []string{"02/01/2006"}, "2026-02-01"},
		{"2026-11-20", []string{"02/01/2006"}, "2026-11-20"},
		// A layout that does not match leaves the value to the built-in forms.
		{"20261120", []string{"20060201"}, "2026-11-20"},
		{"2026-W47-5", []string{"nothing that matches"}, ""},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, false, tt.layouts)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseDate(%q, %q) = %q, want an error", tt.in, tt.layouts, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDate(%q, %q) = %q, %v; want %q", tt.in, tt.layouts, got, err, tt.want)
		}
	}
}

func TestParseDateErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"31/02/2026", `want a date such as 2026-11-20, got "31/02/2026"; February 2026 has 28 days`},
		{"2026-11-31", `want a date such as 2026-11-20, got "2026-11-31"; November 2026 has 30 days`},
		{"2026-13-01", `want a date such as 2026-11-20, got "2026-13-01"; 13 is not a month`},
		{"13/14/2026", `want a date such as 2026-11-20, got "13/14/2026"; neither 13 nor 14 can be the month`},
		{"0000-01-01", `want a date such as 2026-11-20, got "0000-01-01"; year 0 is out of range`},
		{"soon", `want a date such as 2026-11-20, got "soon"`},
	}
	for _, tt := range tests {
		_, err := ParseDate(tt.in, true, nil)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseDate(%q) error:\n got %v\nwant %s", tt.in, err, tt.want)
		}
	}
}

func TestAmbiguousDate(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"05/06/2026", true},
		{"5/6/26", true},
		{"05.06.2026", true},
		{"05-06-2026", true},
		{"05.06.2026 10:00", true},
		{" 12/1/2026 ", true},
		{"06/06/2026", false},
		{"13/06/2026", false},
		{"06/13/2026", false},
		{"00/05/2026", false},
		{"05/00/2026", false},
		{"2026-05-06", false},
		{"2026/05/06", false},
		{"20260506", false},
		{"5 Jun 2026", false},
		{"05/06/202", false},
		{"05/06", false},
		{"05/06-2026", false},
		{"005/06/2026", false},
		{"05/06/2026x", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := AmbiguousDate(tt.in); got != tt.want {
			t.Errorf("AmbiguousDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestExcelSerialDate(t *testing.T) {
	const bad = "error"
	tests := []struct {
		serial   float64
		date1904 bool
		want     string
	}{
		{1, false, "1900-01-01"},
		{1.99, false, "1900-01-01"},
		{2, false, "1900-01-02"},
		{31, false, "1900-01-31"},
		{59, false, "1900-02-28"},
		{59.5, false, "1900-02-28"},
		{60, false, bad},
		{60.25, false, bad},
		{61, false, "1900-03-01"},
		{366, false, "1900-12-31"},
		{367, false, "1901-01-01"},
		{1461, false, "1903-12-31"},
		{1462, false, "1904-01-01"},
		{25569, false, "1970-01-01"},
		{36526, false, "2000-01-01"},
		{45981, false, "2025-11-20"},
		{45981.75, false, "2025-11-20"},
		{46346, false, "2026-11-20"},
		{2958465, false, "9999-12-31"},
		{2958465.999, false, "9999-12-31"},
		{2958466, false, bad},
		{0, false, bad},
		{0.5, false, bad},
		{0.999, false, bad},
		{-1, false, bad},
		{1e300, false, bad},
		{math.NaN(), false, bad},
		{math.Inf(1), false, bad},
		{math.Inf(-1), false, bad},
		{0, true, "1904-01-01"},
		{0.5, true, "1904-01-01"},
		{1, true, "1904-01-02"},
		{59, true, "1904-02-29"},
		{60, true, "1904-03-01"},
		{44519, true, "2025-11-20"},
		{44884, true, "2026-11-20"},
		{2957003, true, "9999-12-31"},
		{2957004, true, bad},
		{-0.5, true, bad},
		{-1, true, bad},
		{math.NaN(), true, bad},
	}
	for _, tt := range tests {
		got, err := ExcelSerialDate(tt.serial, tt.date1904)
		if tt.want == bad {
			var ve *ValueError
			if !errors.As(err, &ve) {
				t.Errorf("ExcelSerialDate(%v, %v) = %q, %v; want a *ValueError", tt.serial, tt.date1904, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ExcelSerialDate(%v, %v) = %q, %v; want %q", tt.serial, tt.date1904, got, err, tt.want)
		}
	}
	// The two systems are 1462 days apart from 1904-01-01 on.
	for _, s := range []float64{1462, 20000, 45981, 2958465} {
		a, err1 := ExcelSerialDate(s, false)
		b, err2 := ExcelSerialDate(s-1462, true)
		if err1 != nil || err2 != nil || a != b {
			t.Errorf("serial %v: 1900 system %q (%v), 1904 system %q (%v)", s, a, err1, b, err2)
		}
	}
}

func TestExcelSerialDateErrors(t *testing.T) {
	tests := []struct {
		serial   float64
		date1904 bool
		want     string
	}{
		{0, false, `want an Excel date serial from 1 to 2958465, got "0"`},
		{2958466.5, false, `want an Excel date serial from 1 to 2958465, got "2958466.5"`},
		{60, false, `want an Excel date serial from 1 to 2958465, got "60"; serial 60 is 1900-02-29, which Excel counts but the calendar does not have`},
		{-1, true, `want an Excel date serial from 0 to 2957003 (1904 date system), got "-1"`},
		{math.NaN(), false, `want an Excel date serial from 1 to 2958465, got "NaN"`},
	}
	for _, tt := range tests {
		_, err := ExcelSerialDate(tt.serial, tt.date1904)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ExcelSerialDate(%v, %v) error:\n got %v\nwant %s", tt.serial, tt.date1904, err, tt.want)
		}
	}
}
