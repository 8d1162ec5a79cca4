package mappings

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestToleranceAllows(t *testing.T) {
	tests := []struct {
		name      string
		tolerance string
		po, ours  string
		want      bool
	}{
		{"no tolerance, same price", "0", "1.98", "1.98", true},
		{"no tolerance, same price at another scale", "0", "1.980", "1.98", true},
		{"no tolerance, a cent off", "0", "1.97", "1.98", false},
		{"amount, inside below", "0.05", "1.94", "1.98", true},
		{"amount, exactly at the bound below", "0.05", "1.93", "1.98", true},
		{"amount, just outside below", "0.05", "1.9299", "1.98", false},
		{"amount, exactly at the bound above", "0.05", "2.03", "1.98", true},
		{"amount, outside above", "0.05", "2.04", "1.98", false},
		{"percent, inside", "2%", "19.65", "20.00", true},
		{"percent, exactly at the bound", "2%", "19.60", "20.00", true},
		{"percent, just outside", "2%", "19.59", "20.00", false},
		{"percent, above", "2%", "20.41", "20.00", false},
		{"percent of ours, not of the PO's", "10%", "1.00", "0.90", false},
		{"fractional percent", "0.5 %", "99.50", "100", true},
		{"fractional percent, outside", "0.5%", "99.49", "100", false},
		{"our price zero, percent", "5%", "0.01", "0", false},
		{"our price zero, amount", "0.01", "0.01", "0", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tol, err := ParseTolerance(tt.tolerance)
			if err != nil {
				t.Fatal(err)
			}
			po, ours := decimal.RequireFromString(tt.po), decimal.RequireFromString(tt.ours)
			if got := tol.Allows(po, ours); got != tt.want {
				t.Errorf("tolerance %s: Allows(po %s, ours %s) = %v, want %v", tt.tolerance, tt.po, tt.ours, got, tt.want)
			}
		})
	}
}

func TestParseTolerance(t *testing.T) {
	tests := []struct {
		in      string
		value   string
		percent bool
		err     string
	}{
		{"2%", "0.02", true, ""},
		{" 2.5 % ", "0.025", true, ""},
		{"0.05", "0.05", false, ""},
		{"0", "0", false, ""},
		{"100%", "1", true, ""},
		{"", "", false, `want a share such as "2%" or an amount such as "0.05", got ""`},
		{"%", "", false, `want a share such as "2%" or an amount such as "0.05", got "%"`},
		{"1e-2", "", false, `want a share such as "2%" or an amount such as "0.05", got "1e-2"`},
		{"-1%", "", false, `want a tolerance of 0 or more, got "-1%"`},
		{"101%", "", false, `want a share of at most 100%, got "101%"`},
	}
	for _, tt := range tests {
		got, err := ParseTolerance(tt.in)
		switch {
		case tt.err != "":
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseTolerance(%q) error %v, want %s", tt.in, err, tt.err)
			}
		case err != nil:
			t.Errorf("ParseTolerance(%q): %v", tt.in, err)
		case !got.Value.Equal(decimal.RequireFromString(tt.value)) || got.Percent != tt.percent:
			t.Errorf("ParseTolerance(%q) = %s percent %v, want %s percent %v", tt.in, got.Value, got.Percent, tt.value, tt.percent)
		}
	}
}
