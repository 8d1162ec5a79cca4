package sheet

import (
	"errors"
	"testing"
)

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
