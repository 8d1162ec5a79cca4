package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func load(t *testing.T, name string) *Set {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Decode(data, name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Every problem of a bad file, each at its line.
func TestDecodeBad(t *testing.T) {
	data, _ := os.ReadFile("testdata/bad.yaml")
	_, err := Decode(data, "bad.yaml")
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`bad.yaml:3: warehouses["WH EAST"]: want a warehouse code`,
		`bad.yaml:4: warehouses["WH EAST"].serves[0].country: want a two-letter ISO country code, got "USA"`,
		`bad.yaml:4: warehouses["WH EAST"].serves[0].priority: want a priority of 1 or more`,
		`bad.yaml:5: warehouses["WH EAST"].serves[1].colour: unknown key`,
		`bad.yaml:5: warehouses["WH EAST"].serves[1].country: want the ISO country code`,
		`bad.yaml:7: protections[0]: want the sku or the category, not both`,
		`bad.yaml:8: protections[1].for: "standard" is the lowest tier`,
		`bad.yaml:8: protections[1].share: want a share above 0 and at most 100%`,
		`bad.yaml:9: protections[2].for: want the lowest tier`,
		`bad.yaml:9: protections[2].share: want a share such as "20%" or 0.2, got "lots"`,
		`bad.yaml:9: protections[2].below: want a quantity of 0 or more, got -1`,
		`bad.yaml:11: restrictions[0]: want countries, regions or partners`,
		`bad.yaml:11: restrictions[0].reason: want the reason`,
		`bad.yaml:13: pricing.tier_discounts["platinum"]: want a tier`,
		`bad.yaml:13: pricing.tier_discounts["gold"]: want a discount above 0 and below 100%`,
		`bad.yaml:14: pricing.rounding: want half_up or bankers, got "up"`,
		`bad.yaml:16: pricing.promotions[0].id: want the promotion's id`,
		`bad.yaml:16: pricing.promotions[0].from: want a date YYYY-MM-DD, got "2026-13-01"`,
		`bad.yaml:16: pricing.promotions[0]: want one of percent_off, amount_off, spend or buy and get, got 2`,
		`bad.yaml:17: pricing.promotions[1].to: want a date on or after from 2026-11-02`,
		`bad.yaml:17: pricing.promotions[1].spend: want over and save above 0, save below over`,
		`bad.yaml:17: pricing.promotions[1]: a spend promotion is about the order's total`,
		`bad.yaml:17: pricing.promotions[1].currency: want the 3-letter currency`,
		`bad.yaml:18: pricing.promotions[2].id: duplicate promotion id "P2"`,
		`bad.yaml:18: pricing.promotions[2].tiers[0]: want a tier`,
		`bad.yaml:18: pricing.promotions[2].percent_off: want a share above 0 and below 100%`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

func TestRank(t *testing.T) {
	s := load(t, "good.yaml")
	all := []string{"WH-EAST", "WH-NL", "WH-OTHER", "WH-WEST"}
	for _, tt := range []struct {
		place Place
		want  string
	}{
		{Place{Country: "US", Region: "NY"}, "WH-EAST WH-OTHER"},
		{Place{Country: "US", Region: "ca"}, "WH-WEST WH-EAST WH-OTHER"},
		{Place{Country: "US", Region: "TX", PostalCode: "94105"}, "WH-WEST WH-EAST WH-OTHER"},
		{Place{Country: "US", Region: "TX", PostalCode: "75001"}, "WH-EAST WH-OTHER"},
		{Place{Country: "NL", PostalCode: "1012 AB"}, "WH-NL WH-OTHER"},
		{Place{Country: "FR"}, "WH-OTHER"},
		{Place{}, "WH-EAST WH-NL WH-OTHER WH-WEST"},
	} {
		if got := strings.Join(s.Rank(tt.place, all), " "); got != tt.want {
			t.Errorf("Rank(%+v) = %s, want %s", tt.place, got, tt.want)
		}
	}
	var none *Set
	if got := strings.Join(none.Rank(Place{Country: "US"}, all), " "); got != strings.Join(all, " ") {
		t.Errorf("no rules: %s", got)
	}
}

func TestUsable(t *testing.T) {
	s := load(t, "good.yaml")
	d := decimal.RequireFromString
	for _, tt := range []struct {
		sku, category, tier, avail string
		want                       string
		rule                       bool
	}{
		{"BEV-1001", "", "key_account", "100", "100", false},     // kept for it
		{"BEV-1001", "", "gold", "100", "80", true},              // 20 kept back
		{"BEV-1001", "", "standard", "499", "399", true},         // 99.8 → 100 kept
		{"BEV-1001", "", "standard", "500", "500", false},        // not low
		{"BEV-2002", "beverages", "gold", "50", "50", false},     // kept for gold and above
		{"BEV-2002", "beverages", "silver", "50", "45", true},    // 10% of the category
		{"BEV-1001", "beverages", "standard", "100", "80", true}, // both apply: the larger share holds
		{"SNK-1", "snacks", "standard", "100", "100", false},     // no rule
		{"BEV-1001", "", "standard", "0", "0", false},            // nothing to keep
		{"BEV-1001", "", "standard", "1", "0", true},             // a whole unit kept
	} {
		got, rule := s.Usable(tt.sku, tt.category, tt.tier, d(tt.avail))
		if got.String() != tt.want || (rule != "") != tt.rule {
			t.Errorf("Usable(%s, %s, %s, %s) = %s, %q; want %s, rule %v", tt.sku, tt.category, tt.tier, tt.avail, got, rule, tt.want, tt.rule)
		}
	}
}

func TestRestricted(t *testing.T) {
	s := load(t, "good.yaml")
	for _, tt := range []struct {
		sku, category, partner string
		place                  Place
		want                   string
	}{
		{"WINE-1", "alcohol", "SHOP", Place{Country: "US", Region: "UT"}, "no alcohol to Utah"},
		{"WINE-1", "alcohol", "SHOP", Place{Country: "US", Region: "NY"}, ""},
		{"WINE-1", "alcohol", "SHOP", Place{Country: "CA", Region: "UT"}, ""},
		{"BEV-1099", "beverages", "CORNERSHOP", Place{Country: "US"}, "sold to key accounts only"},
		{"BEV-1099", "beverages", "BIGRETAIL", Place{Country: "US"}, ""},
	} {
		if got := s.Restricted(tt.sku, tt.category, tt.partner, tt.place); got != tt.want {
			t.Errorf("Restricted(%s, %s) = %q, want %q", tt.sku, tt.partner, got, tt.want)
		}
	}
}

// The file is read again when it changes; a bad new version keeps the
// last good rules in force and says why.
func TestFileReload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	f, err := Open(path)
	if err != nil || len(f.Current().Protections) != 0 {
		t.Fatalf("no file: %v", err)
	}
	if _, err := Install("testdata/good.yaml", dir); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.checked = time.Time{}
	f.mu.Unlock()
	if n := len(f.Current().Protections); n != 2 {
		t.Fatalf("after install: %d protections", n)
	}
	if _, err := Install("testdata/bad.yaml", dir); err == nil {
		t.Fatal("a bad file installed")
	}
	os.WriteFile(path, []byte("protections: [{sku: X}]\n"), 0o644)
	os.Chtimes(path, time.Now().Add(time.Hour), time.Now().Add(time.Hour))
	f.mu.Lock()
	f.checked = time.Time{}
	f.mu.Unlock()
	if n := len(f.Current().Protections); n != 2 || f.Problem() == nil {
		t.Errorf("a bad file on disk: %d protections, problem %v", n, f.Problem())
	}
}

func TestPricingRules(t *testing.T) {
	s := load(t, "good.yaml")
	d := decimal.RequireFromString
	if got := s.TierDiscount("gold"); got.String() != "0.025" {
		t.Errorf("gold discount %s", got)
	}
	if got := s.TierDiscount("standard"); !got.IsZero() {
		t.Errorf("standard discount %s", got)
	}
	if got := s.Round(d("0.125"), 2); got.String() != "0.12" {
		t.Errorf("bankers 0.125 → %s", got)
	}
	var none *Set
	if got := none.Round(d("0.125"), 2); got.String() != "0.13" {
		t.Errorf("half up 0.125 → %s", got)
	}
}
