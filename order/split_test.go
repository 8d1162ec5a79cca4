package order

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// splitSummary says of each order its ship-to, its references and its
// lines with their quantities.
func splitSummary(os []*Order) []string {
	var out []string
	for _, o := range os {
		var b strings.Builder
		if st := o.Party(RoleShipTo); st != nil {
			fmt.Fprintf(&b, "ST %s/%s/%s;", st.ID, st.IDQualifier, st.Name)
		}
		for _, r := range o.References {
			fmt.Fprintf(&b, " %s=%s;", r.Qualifier, r.Value)
		}
		for _, l := range o.Lines {
			fmt.Fprintf(&b, " %s×%s", l.LineNo, l.Quantity)
		}
		out = append(out, b.String())
	}
	return out
}

func TestSplits(t *testing.T) {
	type add struct {
		id, qual string
		line     int
		q        string
	}
	dc := []Party{{Role: RoleBuyer, ID: "B"}, {Role: RoleShipTo, ID: "DC1", IDQualifier: "92"}}
	tests := []struct {
		name    string
		parties []Party
		adds    []add
		qual    string // SetQualifier's, when not ""
		want    []string
		sums    []string // each line's sum over the places, "-" when none has it
	}{
		{"no places", dc, nil, "", []string{"ST DC1/92/; 1×10 2×5 3×3"}, []string{"-", "-", "-"}},
		{"every line to places", dc,
			[]add{{"S1", "92", 0, "4"}, {"S2", "92", 0, "6"}, {"S2", "92", 1, "2"}, {"S1", "9", 2, "1"}, {"S1", "", 2, "2"}}, "",
			[]string{"ST S1/92/; DC=DC1; 1×4 3×3", "ST S2/92/; DC=DC1; 1×6 2×2"}, []string{"10", "2", "3"}},
		{"lines no place has stay first", dc,
			[]add{{"S1", "UL", 1, "5"}}, "",
			[]string{"ST DC1/92/; 1×10 3×3", "ST S1/UL/; DC=DC1; 2×5"}, []string{"-", "5", "-"}},
		{"no ship-to: the place is added", []Party{{Role: RoleBuyer, ID: "B"}},
			[]add{{"S1", "", 0, "10"}, {"S1", "", 1, "5"}, {"S1", "", 2, "3"}}, "",
			[]string{"ST S1//; 1×10 2×5 3×3"}, []string{"10", "5", "3"}},
		{"a ship-to by name", []Party{{Role: RoleShipTo, Name: "North DC"}},
			[]add{{"S1", "", 0, "10"}, {"S1", "", 1, "5"}, {"S1", "", 2, "3"}}, "",
			[]string{"ST S1//; DC=North DC; 1×10 2×5 3×3"}, []string{"10", "5", "3"}},
		{"a ship-to by nothing gives no reference", []Party{{Role: RoleShipTo, City: "Lyon"}},
			[]add{{"S1", "", 0, "10"}, {"S1", "", 1, "5"}, {"S1", "", 2, "3"}}, "",
			[]string{"ST S1//; 1×10 2×5 3×3"}, []string{"10", "5", "3"}},
		{"one qualifier for all", dc,
			[]add{{"S1", "92", 0, "10"}, {"S2", "", 1, "5"}, {"S2", "", 2, "3"}}, "UL",
			[]string{"ST S1/UL/; DC=DC1; 1×10", "ST S2/UL/; DC=DC1; 2×5 3×3"}, []string{"10", "5", "3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &Order{PONumber: "PO1", Parties: tt.parties, Lines: []Line{
				{LineNo: "1", Quantity: decimal.NewFromInt(10)},
				{LineNo: "2", Quantity: decimal.NewFromInt(5)},
				{LineNo: "3", Quantity: decimal.NewFromInt(3)},
			}}
			before := splitSummary([]*Order{o})
			var s Splits
			for _, a := range tt.adds {
				s.Add(a.id, a.qual, a.line, decimal.RequireFromString(a.q))
			}
			if tt.qual != "" {
				s.SetQualifier(tt.qual)
			}
			for i, want := range tt.sums {
				sum, ok := s.Line(i)
				got := "-"
				if ok {
					got = sum.String()
				}
				if got != want {
					t.Errorf("Line(%d) = %s, want %s", i, got, want)
				}
			}
			out := s.Split(o)
			if got := splitSummary(out); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Split:\n got %q\nwant %q", got, tt.want)
			}
			for _, c := range out {
				if c.PONumber != "PO1" {
					t.Errorf("PO number %q, want PO1", c.PONumber)
				}
			}
			if after := splitSummary([]*Order{o}); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("Split changed its order: %q, was %q", after, before)
			}
		})
	}
}
