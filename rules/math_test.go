package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// The loyalty scale, tax rates and buy-X-get-Y promotions: every problem
// of a bad file at its line, file by file.
func TestDecodeBadPricing(t *testing.T) {
	for _, tt := range []struct {
		file string
		want []string
	}{
		{"bad_loyalty.yaml", []string{
			`bad_loyalty.yaml:3: pricing.loyalty[0].years: want the whole years of partnership the step starts at (1 or more), got 0`,
			`bad_loyalty.yaml:5: pricing.loyalty[2].years: duplicate step: pricing.loyalty[1] is for 3 years too`,
			`bad_loyalty.yaml:5: pricing.loyalty[2].percent_off: want a share above 0 and below 100%, such as "1%", got 1.2`,
			`bad_loyalty.yaml:6: pricing.loyalty[3].percent_off: want at least the 3-year step's 2% for 5 years, got 1.5%`,
			`bad_loyalty.yaml:7: pricing.loyalty[4].years: want an integer, got "2.5"`,
			`bad_loyalty.yaml:8: pricing.loyalty[5].percent_off: want a share above 0 and below 100%, such as "1%", got 0`,
		}},
		{"bad_tax.yaml", []string{
			`bad_tax.yaml:3: pricing.tax[0].country: want the two-letter ISO country code of the ship-to (NL, US, …), got "NLD"`,
			`bad_tax.yaml:4: pricing.tax[1].rate: want the rate, such as "21%" or 0 (zero-rated)`,
			`bad_tax.yaml:5: pricing.tax[2].rate: want a rate of 0 or more and below 100%, such as "21%", got 1`,
			`bad_tax.yaml:6: pricing.tax[3]: duplicate rate: pricing.tax[2] is for the country in NL too`,
			`bad_tax.yaml:7: pricing.tax[4].rate: want a rate of 0 or more and below 100%, such as "21%", got -0.07`,
			`bad_tax.yaml:8: pricing.tax[5].rate: want a share such as "20%" or 0.2, got "lots"`,
			`bad_tax.yaml:9: pricing.tax[6].country: want the two-letter ISO country code of the ship-to (NL, US, …), got ""`,
		}},
		{"bad_freegoods.yaml", []string{
			`bad_freegoods.yaml:3: pricing.promotions[0].buy.quantity: want the quantity to buy, above 0, got 0`,
			`bad_freegoods.yaml:4: pricing.promotions[1].get: want the free goods, such as {sku: BEV-1001, quantity: 1}`,
			`bad_freegoods.yaml:5: pricing.promotions[2].buy: want what must be bought for the free goods, such as {quantity: 10}`,
			`bad_freegoods.yaml:5: pricing.promotions[2].get.sku: want the SKU given free (letters, digits, _ . -), got "A 1"`,
			`bad_freegoods.yaml:5: pricing.promotions[2].get.quantity: want the quantity given free, above 0, got -1`,
			`bad_freegoods.yaml:6: pricing.promotions[3].get.quantity: want at most 4 decimal places (stock is kept to 4), got 0.00001`,
			`bad_freegoods.yaml:6: pricing.promotions[3].currency: free goods have no amount: leave currency out, got "USD"`,
			`bad_freegoods.yaml:7: pricing.promotions[4]: want one of percent_off, amount_off, spend or buy and get, got 2`,
			`bad_freegoods.yaml:8: pricing.promotions[5].buy.quantity: want a quantity such as 500, got "ten"`,
			`bad_freegoods.yaml:8: pricing.promotions[5].get.colour: unknown key`,
		}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Decode(data, tt.file)
			if err == nil {
				t.Fatal("no error")
			}
			got := strings.Split(err.Error(), "\n")
			for _, want := range tt.want {
				found := false
				for _, g := range got {
					found = found || strings.Contains(g, want)
				}
				if !found {
					t.Errorf("missing %q in:\n%v", want, err)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("%d problems, want %d:\n%v", len(got), len(tt.want), err)
			}
		})
	}
}

func TestPartnerYears(t *testing.T) {
	for _, tt := range []struct {
		since, date string
		want        int
	}{
		{"2023-11-20", "2026-11-19", 2}, // 2 years 364 days
		{"2023-11-20", "2026-11-20", 3}, // the third anniversary
		{"2023-11-20", "2023-11-20", 0},
		{"2023-11-20", "2023-11-19", 0}, // not yet a partner
		{"2024-02-29", "2025-02-28", 0}, // a leap-day start: anniversary on 1 March
		{"2024-02-29", "2025-03-01", 1},
		{"2024-02-29", "2028-02-29", 4},
		{"2020-12-31", "2026-01-01", 5},
		{"", "2026-01-01", 0},
		{"2020-01-01", "soon", 0},
	} {
		if got := PartnerYears(tt.since, tt.date); got != tt.want {
			t.Errorf("PartnerYears(%s, %s) = %d, want %d", tt.since, tt.date, got, tt.want)
		}
	}
}

func TestLoyalty(t *testing.T) {
	s := load(t, "good_math.yaml")
	for _, tt := range []struct {
		since, date string
		want        string // rule, "" for none
	}{
		{"2023-11-20", "2026-11-19", ""},
		{"2023-11-20", "2026-11-20", "pricing.loyalty.3y 0.01"},
		{"2021-11-20", "2026-11-20", "pricing.loyalty.5y 0.02"},
		{"2010-01-01", "2026-11-20", "pricing.loyalty.10y 0.02"},
		{"", "2026-11-20", ""},
	} {
		got := ""
		if st := s.Loyalty(tt.since, tt.date); st != nil {
			got = st.Rule() + " " + st.PercentOff.String()
		}
		if got != tt.want {
			t.Errorf("Loyalty(%s, %s) = %q, want %q", tt.since, tt.date, got, tt.want)
		}
	}
	var none *Set
	if none.Loyalty("2000-01-01", "2026-01-01") != nil {
		t.Error("no rules gave a loyalty step")
	}
}

func TestTaxFor(t *testing.T) {
	s := load(t, "good_math.yaml")
	for _, tt := range []struct {
		country, category string
		want              string
	}{
		{"NL", "food", "pricing.tax.NL/food 0.09"},
		{"nl", "drinks", "pricing.tax.NL 0.21"},
		{"NL", "", "pricing.tax.NL 0.21"},
		{"US", "food", "pricing.tax.US 0"},
		{"DE", "food", ""},
		{"", "food", ""},
	} {
		got := ""
		if r := s.TaxFor(tt.country, tt.category); r != nil {
			got = r.Rule() + " " + r.Rate.String()
		}
		if got != tt.want {
			t.Errorf("TaxFor(%s, %s) = %q, want %q", tt.country, tt.category, got, tt.want)
		}
	}
	if !s.Taxed() || load(t, "good.yaml").Taxed() {
		t.Error("Taxed: want true with rates, false without")
	}
}

func TestBuyPromotions(t *testing.T) {
	s := load(t, "good_math.yaml")
	ids := func(ps []*Promotion) string {
		var out []string
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return strings.Join(out, " ")
	}
	if got := ids(s.BuyPromotions("2026-11-20", "X", "gold")); got != "COLA-10-1 CASE-FREE" {
		t.Errorf("gold on 20 November: %s", got)
	}
	if got := ids(s.BuyPromotions("2026-12-01", "X", "standard")); got != "" {
		t.Errorf("standard on 1 December: %s", got)
	}
	// Free goods are not line promotions: the price stage never takes
	// them for a share or an amount off.
	if got := ids(s.LinePromotions("2026-11-20", "X", "gold")); got != "TEN" {
		t.Errorf("line promotions: %s", got)
	}
	d := decimal.RequireFromString
	cola, water := s.Pricing.Promotions[0], s.Pricing.Promotions[1]
	for _, tt := range []struct {
		p      *Promotion
		bought string
		want   string
	}{
		{&cola, "9", "0"},
		{&cola, "10", "1"},
		{&cola, "19.5", "1"},
		{&cola, "20", "2"},
		{&water, "96", "5"},
		{&water, "47", "0"},
	} {
		if got := tt.p.FreeQuantity(d(tt.bought)); got.String() != tt.want {
			t.Errorf("%s.FreeQuantity(%s) = %s, want %s", tt.p.ID, tt.bought, got, tt.want)
		}
	}
}
