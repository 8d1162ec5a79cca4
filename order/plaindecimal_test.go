package order

import (
	"strings"
	"testing"
)

func TestPlainDecimal(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string // "" when refused
	}{
		{"12", "12"}, {"-3.50", "-3.5"}, {"+7", "7"}, {".5", "0.5"}, {"5.", "5"}, {"0.001", "0.001"},
		{"9999.999", "9999.999"}, {"123456789012345678", "123456789012345678"},
		{"1234567890123456789012", "1234567890123456789012"},
		{"", ""}, {"-", ""}, {".", ""}, {"1.2.3", ""}, {"1,5", ""}, {"1e3", ""}, {" 1", ""}, {"12a", ""},
		{strings.Repeat("9", 41), ""},
		{"0." + strings.Repeat("0", 45) + "1", ""},
	} {
		d, ok := PlainDecimal(tt.in)
		got := ""
		if ok {
			got = d.String()
		}
		if got != tt.want {
			t.Errorf("PlainDecimal(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
		if d2, ok2 := PlainDecimal([]byte(tt.in)); ok2 != ok || (ok && !d2.Equal(d)) {
			t.Errorf("PlainDecimal([]byte(%q)) = %v, %v; the string form gave %v, %v", tt.in, d2, ok2, d, ok)
		}
	}
}

func BenchmarkPlainDecimal(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		PlainDecimal("12.99")
		PlainDecimal("144")
	}
}
