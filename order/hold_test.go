package order

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestInLineUnit(t *testing.T) {
	d := decimal.RequireFromString
	tests := []struct {
		name      string
		oc        *LineOutcome
		q, price  string
		lineUOM   string
		wantQ     string
		wantQOK   bool
		wantPrice string
		wantPOK   bool
	}{
		{"no outcome", nil, "5", "2.15", "CA", "5", true, "2.15", true},
		{"same unit", &LineOutcome{UOM: "EA"}, "5", "2.15", "EA", "5", true, "2.15", true},
		{"cases ordered, units sold", &LineOutcome{UOM: "EA", PackSize: d("24")}, "48", "0.5", "CA", "2", true, "12", true},
		{"cut to a part of a case", &LineOutcome{UOM: "EA", PackSize: d("24")}, "30", "0.5", "CA", "1.25", true, "12", true},
		{"no exact number of cases", &LineOutcome{UOM: "EA", PackSize: d("24")}, "40", "0.5", "CA", "", false, "12", true},
		{"units ordered, cases sold", &LineOutcome{UOM: "CA", PackSize: d("12")}, "3", "10", "EA", "36", true, "0.833333", true},
		{"no pack size", &LineOutcome{UOM: "EA"}, "48", "0.5", "CA", "48", false, "0.5", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, ok := tt.oc.InLineUnit(d(tt.q), tt.lineUOM)
			if ok != tt.wantQOK || (ok && !q.Equal(d(tt.wantQ))) {
				t.Errorf("InLineUnit(%s) = %s, %v; want %s, %v", tt.q, q, ok, tt.wantQ, tt.wantQOK)
			}
			p, ok := tt.oc.PriceInLineUnit(d(tt.price), tt.lineUOM)
			if ok != tt.wantPOK || !p.Equal(d(tt.wantPrice)) {
				t.Errorf("PriceInLineUnit(%s) = %s, %v; want %s, %v", tt.price, p, ok, tt.wantPrice, tt.wantPOK)
			}
		})
	}
}
