package pipeline

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/rules"
	"github.com/orderhub/orderhub/store"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func inv(wh, sku, onHand, reserved string) store.InventoryRow {
	return store.InventoryRow{Warehouse: wh, SKU: sku, OnHand: d(onHand), Reserved: d(reserved)}
}

// wants: "A 10, B 5" → line 1 A×10, line 2 B×5 (category "bev").
func wants(spec string) []Want {
	var out []Want
	for i, part := range strings.Split(spec, ",") {
		f := strings.Fields(part)
		out = append(out, Want{LineNo: fmt.Sprint(i + 1), SKU: f[0], Category: "bev", Quantity: d(f[1])})
	}
	return out
}

// rendered: "1@EAST:10 2@WEST:5 | back 1:6 | cut 2:3".
func rendered(p Plan) string {
	var parts []string
	for _, a := range p.Allocations {
		parts = append(parts, fmt.Sprintf("%s@%s:%s", a.LineNo, a.Warehouse, a.Quantity))
	}
	s := strings.Join(parts, " ")
	var back, cut []string
	for _, b := range p.Backorders {
		back = append(back, fmt.Sprintf("%s:%s", b.LineNo, b.Quantity))
	}
	for ln, sh := range p.Short {
		if !sh.Backordered {
			cut = append(cut, fmt.Sprintf("%s:%s", ln, sh.Quantity))
		}
	}
	sort.Strings(cut)
	if len(back) > 0 {
		s += " | back " + strings.Join(back, " ")
	}
	if len(cut) > 0 {
		s += " | cut " + strings.Join(cut, " ")
	}
	return strings.TrimSpace(s)
}

func TestAllocate(t *testing.T) {
	rs, err := rules.Decode([]byte(`
warehouses:
  EAST: {serves: [{country: US, regions: [NY], priority: 1}, {country: US, priority: 3}]}
  WEST: {serves: [{country: US, regions: [CA], priority: 1}, {country: US, priority: 2}]}
protections:
  - {sku: P, for: key_account, share: 50%, below: 100}
`), "rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	split := mappings.Policy{Allocation: mappings.AllocationAllowSplit, CasePack: mappings.CasePackReject}
	no := false
	noBack := split
	noBack.Backorder = &no
	complete := split
	complete.Allocation = mappings.AllocationShipComplete
	completeNoBack := complete
	completeNoBack.Backorder = &no
	fok := split
	fok.FillOrKill = true
	ny := rs.Rank(rules.Place{Country: "US", Region: "NY"}, []string{"EAST", "WEST"})
	ca := rs.Rank(rules.Place{Country: "US", Region: "CA"}, []string{"EAST", "WEST"})
	safety := inv("EAST", "A", "10", "0")
	safety.Safety = d("4")
	tests := []struct {
		name   string
		wants  string
		inv    []store.InventoryRow
		rank   []string
		tier   string
		policy mappings.Policy
		want   string
	}{
		{"one warehouse has everything: first by code without rules", "A 10, B 5",
			[]store.InventoryRow{inv("EAST", "A", "10", "0"), inv("EAST", "B", "5", "0"), inv("WEST", "A", "100", "0"), inv("WEST", "B", "100", "0")},
			nil, "standard", split, "1@EAST:10 2@EAST:5"},
		{"the nearest warehouse that has everything", "A 10, B 5",
			[]store.InventoryRow{inv("EAST", "A", "10", "0"), inv("EAST", "B", "5", "0"), inv("WEST", "A", "100", "0"), inv("WEST", "B", "100", "0")},
			ca, "standard", split, "1@WEST:10 2@WEST:5"},
		{"reserved stock is not available", "A 10",
			[]store.InventoryRow{inv("EAST", "A", "10", "1"), inv("WEST", "A", "20", "0")}, nil, "standard", split, "1@WEST:10"},
		{"safety stock is not available", "A 8",
			[]store.InventoryRow{safety, inv("WEST", "A", "20", "0")}, ny, "standard", split, "1@WEST:8"},
		{"split: on a tie of coverage the nearest goes first", "A 10, B 10, C 1",
			[]store.InventoryRow{inv("EAST", "A", "10", "0"), inv("EAST", "C", "1", "0"), inv("WEST", "B", "10", "0"), inv("WEST", "C", "1", "0")},
			ca, "standard", split, "2@WEST:10 3@WEST:1 1@EAST:10"},
		{"split: a tie goes to the nearest", "A 10, B 10",
			[]store.InventoryRow{inv("EAST", "A", "10", "0"), inv("WEST", "B", "10", "0")}, ca, "standard", split, "2@WEST:10 1@EAST:10"},
		{"split: one line over two warehouses", "A 15",
			[]store.InventoryRow{inv("EAST", "A", "10", "0"), inv("WEST", "A", "10", "0")}, ny, "standard", split, "1@EAST:10 1@WEST:5"},
		{"the shortfall is backordered", "A 10, B 3",
			[]store.InventoryRow{inv("EAST", "A", "4", "0"), inv("EAST", "B", "3", "0")}, nil, "standard", split, "1@EAST:4 2@EAST:3 | back 1:6"},
		{"without backorders the shortfall is cut", "A 10, B 3",
			[]store.InventoryRow{inv("EAST", "A", "4", "0"), inv("EAST", "B", "3", "0")}, nil, "standard", noBack, "1@EAST:4 2@EAST:3 | cut 1:6"},
		{"ship complete: nothing ships, all backordered", "A 10, B 10",
			[]store.InventoryRow{inv("EAST", "A", "10", "0"), inv("WEST", "B", "10", "0")}, nil, "standard", complete, "| back 1:10 2:10"},
		{"ship complete without backorders: all cancelled", "A 10, B 10",
			[]store.InventoryRow{inv("EAST", "A", "10", "0"), inv("WEST", "B", "10", "0")}, nil, "standard", completeNoBack, "| cut 1:10 2:10"},
		{"ship complete from the one warehouse that can", "A 10, B 10",
			[]store.InventoryRow{inv("EAST", "A", "10", "0"), inv("WEST", "A", "10", "0"), inv("WEST", "B", "10", "0")}, ny, "standard", complete, "1@WEST:10 2@WEST:10"},
		{"fill or kill: a line that cannot ship whole gets nothing", "A 10, B 2",
			[]store.InventoryRow{inv("EAST", "A", "6", "0"), inv("EAST", "B", "5", "0")}, nil, "standard", fok, "2@EAST:2 | cut 1:10"},
		{"fill or kill over two warehouses is whole", "A 10",
			[]store.InventoryRow{inv("EAST", "A", "6", "0"), inv("WEST", "A", "6", "0")}, ny, "standard", fok, "1@EAST:6 1@WEST:4"},
		{"protected share: a standard account gets half while stock is low", "P 40",
			[]store.InventoryRow{inv("EAST", "P", "60", "0")}, nil, "standard", split, "1@EAST:30 | back 1:10"},
		{"protected share: the key account gets it all", "P 40",
			[]store.InventoryRow{inv("EAST", "P", "60", "0")}, nil, "key_account", split, "1@EAST:40"},
		{"protected share: stock not low, no protection", "P 40",
			[]store.InventoryRow{inv("EAST", "P", "100", "0")}, nil, "standard", split, "1@EAST:40"},
		{"same SKU on two lines does not double-count stock", "A 6, A 6",
			[]store.InventoryRow{inv("EAST", "A", "10", "0")}, nil, "standard", split, "1@EAST:6 2@EAST:4 | back 2:2"},
		{"over-reserved stock counts as zero", "A 1",
			[]store.InventoryRow{inv("EAST", "A", "5", "9")}, nil, "standard", split, "| back 1:1"},
		{"no warehouse serves the place", "A 1",
			[]store.InventoryRow{inv("EAST", "A", "5", "0")}, []string{}, "standard", split, "| back 1:1"},
		{"fractional quantities", "A 2.5",
			[]store.InventoryRow{inv("EAST", "A", "1.25", "0")}, nil, "standard", split, "1@EAST:1.25 | back 1:1.25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Allocate(AllocInput{OrderID: "ord_T", Wants: wants(tt.wants), Inventory: tt.inv, Rank: tt.rank,
				Tier: tt.tier, Rules: rs, Policy: tt.policy})
			if got := rendered(p); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if len(p.Reservations) != len(p.Allocations) {
				t.Errorf("%d reservations for %d allocations", len(p.Reservations), len(p.Allocations))
			}
		})
	}
}

func TestCheckLine(t *testing.T) {
	rs, err := rules.Decode([]byte(`
restrictions:
  - {category: alcohol, countries: [US], regions: [UT], reason: no alcohol to Utah}
`), "rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	item := func(sku, uom, pack, moq, category, status string) *store.CatalogItem {
		return &store.CatalogItem{SKU: sku, UOM: uom, PackSize: d(pack), MOQ: d(moq), Category: category, Status: status}
	}
	ea12 := item("A", "EA", "12", "0", "bev", store.ItemActive)
	pol := func(casePack string) mappings.Policy {
		return mappings.Policy{Allocation: mappings.AllocationAllowSplit, CasePack: casePack}
	}
	utah := rules.Place{Country: "US", Region: "UT"}
	for _, tt := range []struct {
		name  string
		line  order.Line
		item  *store.CatalogItem
		place rules.Place
		pol   mappings.Policy
		want  string // "want 24 EA", "changed: …", "rejected: …"
	}{
		{"any quantity when the policy allows it", order.Line{SKU: "A", Quantity: d("20"), UOM: "EA"}, ea12, rules.Place{}, pol("allow"), "20 EA"},
		{"whole cases", order.Line{SKU: "A", Quantity: d("24"), UOM: "EA"}, ea12, rules.Place{}, pol("reject"), "24 EA"},
		{"cases converted", order.Line{SKU: "A", Quantity: d("2"), UOM: "CA"}, ea12, rules.Place{}, pol("reject"), "24 EA; 2 CA is 24 EA (a case holds 12)"},
		{"not a whole case: rejected", order.Line{SKU: "A", Quantity: d("20"), UOM: "EA"}, ea12, rules.Place{}, pol("reject"),
			"rejected: 20 EA is not a whole number of cases of 12 (12 or 24 would be)"},
		{"not a whole case: rounded up", order.Line{SKU: "A", Quantity: d("20"), UOM: "EA"}, ea12, rules.Place{}, pol("round_up"),
			"24 EA; 20 EA rounded up to 24, a whole number of cases of 12"},
		{"not a whole case: rounded down", order.Line{SKU: "A", Quantity: d("20"), UOM: "EA"}, ea12, rules.Place{}, pol("round_down"),
			"12 EA; 20 EA rounded down to 12, a whole number of cases of 12"},
		{"less than a case, rounded down: rejected", order.Line{SKU: "A", Quantity: d("5"), UOM: "EA"}, ea12, rules.Place{}, pol("round_down"),
			"rejected: 5 EA is less than one case of 12"},
		{"below the MOQ", order.Line{SKU: "B", Quantity: d("5"), UOM: "EA"}, item("B", "EA", "1", "10", "bev", ""), rules.Place{}, pol("reject"),
			"rejected: 5 EA is below the minimum order quantity of 10 EA"},
		{"sold in cases, ordered in units", order.Line{SKU: "C", Quantity: d("24"), UOM: "EA"}, item("C", "CA", "12", "0", "bev", ""), rules.Place{}, pol("reject"),
			"2 CA; 24 EA is 2 CA (a case holds 12)"},
		{"sold in cases, ordered in part of one", order.Line{SKU: "C", Quantity: d("6"), UOM: "EA"}, item("C", "CA", "12", "0", "bev", ""), rules.Place{}, pol("reject"),
			"rejected: ordered 6 EA but C is sold in cases of 12: 6 EA is not a whole number of cases"},
		{"another unit", order.Line{SKU: "B", Quantity: d("5"), UOM: "KG"}, item("B", "EA", "1", "0", "bev", ""), rules.Place{}, pol("reject"),
			"rejected: ordered in KG but B is sold in EA"},
		{"discontinued", order.Line{SKU: "D", Quantity: d("1")}, item("D", "EA", "1", "0", "bev", store.ItemDiscontinued), rules.Place{}, pol("reject"),
			"rejected: D is discontinued"},
		{"not in the catalog", order.Line{SKU: "X", Quantity: d("1")}, nil, rules.Place{}, pol("reject"), "rejected: X is not in the catalog"},
		{"no SKU", order.Line{BuyerItem: "88001", Quantity: d("1")}, nil, rules.Place{}, pol("reject"),
			"rejected: no catalog item matches buyer_item 88001: add it to the catalog or to the partner's crosswalk"},
		{"restricted", order.Line{SKU: "W", Quantity: d("1")}, item("W", "EA", "1", "0", "alcohol", ""), utah, pol("reject"),
			"rejected: W may not be shipped here: no alcohol to Utah"},
		{"restricted elsewhere only", order.Line{SKU: "W", Quantity: d("1")}, item("W", "EA", "1", "0", "alcohol", ""), rules.Place{Country: "US", Region: "NY"}, pol("reject"),
			"1 EA"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := CheckLine(&tt.line, tt.item, "SHOP", tt.place, rs, tt.pol)
			got := fmt.Sprintf("%s %s", c.Want.Quantity, c.UOM)
			if c.Changed != "" {
				got += "; " + c.Changed
			}
			if c.Rejected != "" {
				got = "rejected: " + c.Rejected
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
