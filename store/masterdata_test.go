package store

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/orderhub/orderhub/internal/sqlitedb"
	"github.com/shopspring/decimal"
)

func openTestStore(t *testing.T) *Store {
	t.Helper()
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// clock makes updated_at predictable: each call to tick moves it a second.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }
func (c *clock) tick()          { c.t = c.t.Add(time.Second) }

func withClock(st *Store) *clock {
	c := &clock{t: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)}
	st.now = c.now
	return c
}

func updatedAt(t *testing.T, st *Store, query string, args ...any) string {
	t.Helper()
	var s string
	if err := st.db.Read().QueryRow(query, args...).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func catalog(items ...string) []CatalogItem {
	var out []CatalogItem
	for _, sku := range items {
		out = append(out, CatalogItem{SKU: sku, UOM: "EA", PackSize: dec("1"), MOQ: dec("0")})
	}
	return out
}

func TestUpsertCatalogCounts(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	clk := withClock(st)
	items := catalog("A", "B", "C")
	w := dec("0.5")
	items[0].WeightKG = &w
	items[1].GTIN = "012345678905"

	steps := []struct {
		name   string
		change func([]CatalogItem)
		want   LoadResult
	}{
		{"insert", func([]CatalogItem) {}, LoadResult{Kind: KindCatalog, Rows: 3, Inserted: 3}},
		{"again", func([]CatalogItem) {}, LoadResult{Kind: KindCatalog, Rows: 3, Unchanged: 3}},
		// 0.50 is 0.5: stored canonical, so not a change.
		{"same decimal", func(it []CatalogItem) { w := dec("0.50"); it[0].WeightKG = &w }, LoadResult{Kind: KindCatalog, Rows: 3, Unchanged: 3}},
		{"change one", func(it []CatalogItem) { it[2].Description = "new" }, LoadResult{Kind: KindCatalog, Rows: 3, Updated: 1, Unchanged: 2}},
		{"clear weight", func(it []CatalogItem) { it[0].WeightKG = nil }, LoadResult{Kind: KindCatalog, Rows: 3, Updated: 1, Unchanged: 2}},
	}
	for _, s := range steps {
		clk.tick()
		before := map[string]string{}
		for _, sku := range []string{"A", "B", "C"} {
			var u string
			st.db.Read().QueryRow(`SELECT updated_at FROM catalog WHERE sku = ?`, sku).Scan(&u)
			before[sku] = u
		}
		s.change(items)
		got, err := st.UpsertCatalog(ctx, items)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got != s.want {
			t.Errorf("%s: %+v, want %+v", s.name, got, s.want)
		}
		changed := 0
		for sku, u := range before {
			if updatedAt(t, st, `SELECT updated_at FROM catalog WHERE sku = ?`, sku) != u {
				changed++
			}
		}
		if changed != s.want.Inserted+s.want.Updated {
			t.Errorf("%s: updated_at moved on %d rows, want %d", s.name, changed, s.want.Inserted+s.want.Updated)
		}
	}
	it, err := st.CatalogItem(ctx, "A")
	if err != nil || it.WeightKG != nil {
		t.Errorf("A = %+v, %v: want the weight cleared", it, err)
	}
}

func TestUpsertStockKeepsReserved(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	if _, err := st.UpsertCatalog(ctx, catalog("A")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertStock(ctx, []StockLevel{{"WH-1", "A", dec("10")}}); err != nil {
		t.Fatal(err)
	}
	err := st.db.Write(ctx, func(tx *sqlitedb.Tx) error {
		_, err := tx.Exec(`UPDATE inventory SET reserved_e4 = 40000 WHERE warehouse = 'WH-1' AND sku = 'A'`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.UpsertStock(ctx, []StockLevel{{"WH-1", "A", dec("25.0")}, {"WH-2", "A", dec("1")}})
	if err != nil {
		t.Fatal(err)
	}
	if want := (LoadResult{Kind: KindStock, Rows: 2, Inserted: 1, Updated: 1}); res != want {
		t.Errorf("got %+v, want %+v", res, want)
	}
	var onHand, reserved int64
	if err := st.db.Read().QueryRow(`SELECT on_hand_e4, reserved_e4 FROM inventory WHERE warehouse = 'WH-1' AND sku = 'A'`).Scan(&onHand, &reserved); err != nil {
		t.Fatal(err)
	}
	if onHand != 250000 || reserved != 40000 {
		t.Errorf("on_hand_e4 %d, reserved_e4 %d: want 250000, and 40000 kept", onHand, reserved)
	}
}

func TestUpsertRefusesUnknownReferences(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	if _, err := st.UpsertCatalog(ctx, catalog("A")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertPartners(ctx, []Partner{{ID: "P", Name: "P", Tier: TierGold, TokenSHA256: TokenSHA256("p-token-0123456789")}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		check func() error
		load  func() (LoadResult, error)
		want  RowErrors
	}{
		{"stock",
			func() error { return st.CheckStock(ctx, []StockLevel{{"W", "A", dec("1")}, {"W", "Z", dec("1")}}) },
			func() (LoadResult, error) {
				return st.UpsertStock(ctx, []StockLevel{{"W", "A", dec("1")}, {"W", "Z", dec("1")}})
			},
			RowErrors{{1, "sku", `"Z" is not in the catalog`}}},
		{"prices",
			func() error { return st.CheckPrices(ctx, []Price{{PriceList: "L", SKU: "Z", Currency: "USD"}}) },
			func() (LoadResult, error) {
				return st.UpsertPrices(ctx, []Price{{PriceList: "L", SKU: "Z", Currency: "USD"}})
			},
			RowErrors{{0, "sku", `"Z" is not in the catalog`}}},
		{"crosswalk",
			func() error {
				return st.CheckCrosswalk(ctx, []CrosswalkEntry{{"P", "buyer_item", "1", "A"}, {"Q", "upc", "2", "Z"}})
			},
			func() (LoadResult, error) {
				return st.UpsertCrosswalk(ctx, []CrosswalkEntry{{"P", "buyer_item", "1", "A"}, {"Q", "upc", "2", "Z"}})
			},
			RowErrors{
				{1, "partner", `"Q" is not a known partner`},
				{1, "kind", `want buyer_item or gtin, got "upc"`},
				{1, "sku", `"Z" is not in the catalog`},
			}},
		{"raw token",
			func() error { return st.CheckPartners(ctx, []Partner{{ID: "R", TokenSHA256: "not-a-hash"}}) },
			func() (LoadResult, error) {
				return st.UpsertPartners(ctx, []Partner{{ID: "R", TokenSHA256: "not-a-hash"}})
			},
			RowErrors{{0, "token", "want the lowercase hex SHA-256 of the token (see TokenSHA256)"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, err := range []error{tt.check(), func() error { _, err := tt.load(); return err }()} {
				var got RowErrors
				if !errors.As(err, &got) {
					t.Fatalf("call %d: err = %v, want RowErrors", i, err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("call %d: %v, want %v", i, got, tt.want)
				}
			}
			var n int
			st.db.Read().QueryRow(`SELECT (SELECT count(*) FROM inventory) + (SELECT count(*) FROM warehouses) +
				(SELECT count(*) FROM prices) + (SELECT count(*) FROM price_lists) + (SELECT count(*) FROM item_crosswalk) +
				(SELECT count(*) FROM partners)`).Scan(&n)
			if n != 1 {
				t.Errorf("%d rows written besides partner P", n-1)
			}
		})
	}
}

func TestPartnerTokens(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	a, b, c := TokenSHA256("token-a-0123456789"), TokenSHA256("token-b-0123456789"), TokenSHA256("token-c-0123456789")
	if _, err := st.UpsertPartners(ctx, []Partner{
		{ID: "A", Name: "A", Tier: TierGold, TokenSHA256: a},
		{ID: "B", Name: "B", Tier: TierSilver, TokenSHA256: b},
	}); err != nil {
		t.Fatal(err)
	}
	// A swap within one load passes the UNIQUE constraint.
	res, err := st.UpsertPartners(ctx, []Partner{
		{ID: "A", Name: "A", Tier: TierGold, TokenSHA256: b},
		{ID: "B", Name: "B", Tier: TierSilver, TokenSHA256: a},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := (LoadResult{Kind: KindPartners, Rows: 2, Updated: 2}); res != want {
		t.Errorf("swap: %+v", res)
	}
	if p, err := st.PartnerByToken(ctx, "token-a-0123456789"); err != nil || p.ID != "B" {
		t.Errorf("token a belongs to %+v, %v; want B", p, err)
	}
	// C may not take a token B keeps.
	_, err = st.UpsertPartners(ctx, []Partner{{ID: "C", Name: "C", Tier: TierStandard, TokenSHA256: a}})
	var rows RowErrors
	if !errors.As(err, &rows) || len(rows) != 1 || rows[0].Msg != `the same token is already used by partner "B"` {
		t.Errorf("taken token: %v", err)
	}
	// ... but may when B moves to another in the same load.
	if _, err := st.UpsertPartners(ctx, []Partner{
		{ID: "C", Name: "C", Tier: TierStandard, TokenSHA256: a},
		{ID: "B", Name: "B", Tier: TierSilver, TokenSHA256: c},
	}); err != nil {
		t.Errorf("hand-over: %v", err)
	}

	if _, err := st.PartnerByToken(ctx, "token-x-0123456789"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}
	if _, err := st.PartnerByToken(ctx, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("empty token: %v", err)
	}
	if _, err := st.Partner(ctx, "Z"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown partner: %v", err)
	}
	all, err := st.Partners(ctx)
	if err != nil || len(all) != 3 || all[0].ID != "A" || all[2].ID != "C" || all[2].TokenSHA256 != a {
		t.Errorf("Partners = %+v, %v", all, err)
	}
	if p, err := st.Partner(ctx, "B"); err != nil || p.TokenSHA256 != c || p.Tier != TierSilver {
		t.Errorf("Partner(B) = %+v, %v", p, err)
	}
}

func TestGTINLookups(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	items := catalog("UPC", "EAN8", "NONE")
	items[0].GTIN = "012345678905" // UPC-A
	items[1].GTIN = "96123454"     // EAN-8
	if _, err := st.UpsertCatalog(ctx, items); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ gtin, sku string }{
		{"012345678905", "UPC"}, {"0012345678905", "UPC"}, {"00012345678905", "UPC"},
		{"96123454", "EAN8"}, {"00000096123454", "EAN8"},
	} {
		if sku, err := st.SKUByGTIN(ctx, tc.gtin); err != nil || sku != tc.sku {
			t.Errorf("SKUByGTIN(%s) = %q, %v; want %s", tc.gtin, sku, err, tc.sku)
		}
	}
	for _, g := range []string{"", "4006381333931", "12345678905"} {
		if _, err := st.SKUByGTIN(ctx, g); !errors.Is(err, ErrNotFound) {
			t.Errorf("SKUByGTIN(%q): %v, want ErrNotFound", g, err)
		}
	}

	// Another SKU may not take the UPC's GTIN in another spelling ...
	other := catalog("OTHER")
	other[0].GTIN = "0012345678905"
	_, err := st.UpsertCatalog(ctx, other)
	var rows RowErrors
	if !errors.As(err, &rows) || rows[0].Msg != `0012345678905 already belongs to SKU "UPC"` {
		t.Errorf("taken GTIN: %v", err)
	}
	// ... unless the same load moves it away from the UPC item.
	moved := append(other, items[0])
	moved[1].GTIN = ""
	if _, err := st.UpsertCatalog(ctx, moved); err != nil {
		t.Errorf("moved GTIN: %v", err)
	}
	if sku, err := st.SKUByGTIN(ctx, "012345678905"); err != nil || sku != "OTHER" {
		t.Errorf("after the move: %q, %v", sku, err)
	}

	// Data written around the loader: refuse to guess.
	err = st.db.Write(ctx, func(tx *sqlitedb.Tx) error {
		_, err := tx.Exec(`UPDATE catalog SET gtin = '96123454' WHERE sku = 'NONE'`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if sku, err := st.SKUByGTIN(ctx, "96123454"); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("ambiguous GTIN: %q, %v", sku, err)
	}

	if _, err := st.UpsertPartners(ctx, []Partner{{ID: "P", Name: "P", Tier: TierGold, TokenSHA256: TokenSHA256("p-token-0123456789")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertCrosswalk(ctx, []CrosswalkEntry{{"P", CrosswalkGTIN, CanonicalGTIN("4006381333931"), "UPC"}}); err != nil {
		t.Fatal(err)
	}
	if sku, err := st.Crosswalk(ctx, "P", CrosswalkGTIN, "4006381333931"); err != nil || sku != "UPC" {
		t.Errorf("Crosswalk = %q, %v", sku, err)
	}
	if _, err := st.Crosswalk(ctx, "P", CrosswalkBuyerItem, "4006381333931"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Crosswalk of another kind: %v", err)
	}
	if _, err := st.CatalogItem(ctx, "NOPE"); !errors.Is(err, ErrNotFound) {
		t.Errorf("CatalogItem(NOPE): %v", err)
	}
}

func TestGTINForms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"012345678905", []string{"00012345678905", "0012345678905", "012345678905"}},
		{"96123454", []string{"00000096123454", "0000096123454", "000096123454", "96123454"}},
		{"10012345678902", []string{"10012345678902"}},
		{"ABC", []string{"ABC"}},
		{"12345", []string{"12345"}},
	}
	for _, tt := range tests {
		if got := gtinForms(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("gtinForms(%s) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if CanonicalGTIN("96123454") != "00000096123454" || CanonicalGTIN("x1") != "x1" {
		t.Error("CanonicalGTIN")
	}
}

func TestUpsertPricesKey(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	if _, err := st.UpsertCatalog(ctx, catalog("A")); err != nil {
		t.Fatal(err)
	}
	p := []Price{
		{PriceList: "L", SKU: "A", Currency: "USD", UnitPrice: dec("2.15"), MinQty: dec("0")},
		{PriceList: "L", SKU: "A", Currency: "USD", UnitPrice: dec("2.05"), MinQty: dec("100")},
		{PriceList: "L", SKU: "A", Currency: "USD", UnitPrice: dec("1.99"), MinQty: dec("0"), ValidFrom: "2026-11-01", ValidTo: "2026-11-30"},
	}
	if res, err := st.UpsertPrices(ctx, p); err != nil || res.Inserted != 3 {
		t.Fatalf("%+v, %v", res, err)
	}
	p[2].ValidTo = "2026-12-31"
	p[1].MinQty = dec("100.0") // same key
	res, err := st.UpsertPrices(ctx, p)
	if want := (LoadResult{Kind: KindPrices, Rows: 3, Updated: 1, Unchanged: 2}); err != nil || res != want {
		t.Errorf("%+v, %v; want %+v", res, err, want)
	}
	var up, to string
	if err := st.db.Read().QueryRow(`SELECT unit_price, valid_to FROM prices WHERE valid_from = '2026-11-01'`).Scan(&up, &to); err != nil {
		t.Fatal(err)
	}
	if up != "1.99" || to != "2026-12-31" {
		t.Errorf("promotion = %s until %s", up, to)
	}
}
