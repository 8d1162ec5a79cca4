package store

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
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
	if _, err := st.UpsertStock(ctx, []StockLevel{{Warehouse: "WH-1", SKU: "A", OnHand: dec("10")}}); err != nil {
		t.Fatal(err)
	}
	err := st.db.Write(ctx, func(tx *sqlitedb.Tx) error {
		_, err := tx.Exec(`UPDATE inventory SET reserved_e4 = 40000 WHERE warehouse = 'WH-1' AND sku = 'A'`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.UpsertStock(ctx, []StockLevel{{Warehouse: "WH-1", SKU: "A", OnHand: dec("25.0")}, {Warehouse: "WH-2", SKU: "A", OnHand: dec("1")}})
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
			func() error {
				return st.CheckStock(ctx, []StockLevel{{Warehouse: "W", SKU: "A", OnHand: dec("1")}, {Warehouse: "W", SKU: "Z", OnHand: dec("1")}})
			},
			func() (LoadResult, error) {
				return st.UpsertStock(ctx, []StockLevel{{Warehouse: "W", SKU: "A", OnHand: dec("1")}, {Warehouse: "W", SKU: "Z", OnHand: dec("1")}})
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

// A level with SetSafety sets the safety stock; one without keeps what is
// stored (a stock file without the safety_stock column).
func TestUpsertStockSafety(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	clk := withClock(st)
	if _, err := st.UpsertCatalog(ctx, catalog("A")); err != nil {
		t.Fatal(err)
	}
	level := func(onHand, safety string) StockLevel {
		l := StockLevel{Warehouse: "WH-1", SKU: "A", OnHand: dec(onHand)}
		if safety != "" {
			l.Safety, l.SetSafety = dec(safety), true
		}
		return l
	}
	steps := []struct {
		name           string
		level          StockLevel
		want           LoadResult
		onHand, safety int64 // stored after the step
	}{
		{"new row without safety", level("10", ""), LoadResult{Inserted: 1}, 100000, 0},
		{"safety set", level("10", "2"), LoadResult{Updated: 1}, 100000, 20000},
		{"same again", level("10", "2.000"), LoadResult{Unchanged: 1}, 100000, 20000},
		{"without the column: kept", level("10", ""), LoadResult{Unchanged: 1}, 100000, 20000},
		{"on hand changes, safety kept", level("12", ""), LoadResult{Updated: 1}, 120000, 20000},
		{"fractional safety", level("12", "0.5"), LoadResult{Updated: 1}, 120000, 5000},
		{"safety cleared", level("12", "0"), LoadResult{Updated: 1}, 120000, 0},
		{"safety above on hand is allowed", level("12", "20"), LoadResult{Updated: 1}, 120000, 200000},
	}
	for _, s := range steps {
		clk.tick()
		before := updatedAt(t, st, `SELECT coalesce(max(updated_at), '') FROM inventory`)
		got, err := st.UpsertStock(ctx, []StockLevel{s.level})
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		s.want.Kind, s.want.Rows = KindStock, 1
		if got != s.want {
			t.Errorf("%s: %+v, want %+v", s.name, got, s.want)
		}
		var onHand, safety int64
		if err := st.db.Read().QueryRow(`SELECT on_hand_e4, safety_e4 FROM inventory WHERE sku = 'A'`).Scan(&onHand, &safety); err != nil {
			t.Fatal(err)
		}
		if onHand != s.onHand || safety != s.safety {
			t.Errorf("%s: on_hand_e4 %d safety_e4 %d, want %d and %d", s.name, onHand, safety, s.onHand, s.safety)
		}
		after := updatedAt(t, st, `SELECT max(updated_at) FROM inventory`)
		if moved := after != before; moved != (s.want.Unchanged == 0) {
			t.Errorf("%s: updated_at moved %v", s.name, moved)
		}
	}

	for _, tc := range []struct {
		name  string
		level StockLevel
		want  RowErrors
	}{
		{"negative safety", level("12", "-1"), RowErrors{{0, "safety_stock", "want a decimal >= 0, got -1"}}},
		// Not set: a negative value is not looked at.
		{"negative but not set", StockLevel{Warehouse: "WH-1", SKU: "A", OnHand: dec("12"), Safety: dec("-1")}, nil},
	} {
		err := st.CheckStock(ctx, []StockLevel{tc.level})
		_, uerr := st.UpsertStock(ctx, []StockLevel{tc.level})
		for i, err := range []error{err, uerr} {
			var got RowErrors
			if errors.As(err, &got) != (tc.want != nil) || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s, call %d: %v, want %v", tc.name, i, err, tc.want)
			}
		}
	}
	if _, err := st.UpsertStock(ctx, []StockLevel{level("12", "0.00001")}); !errors.Is(err, ErrQuantityScale) {
		t.Errorf("safety finer than 0.0001: %v, want ErrQuantityScale", err)
	}
}

// A catalog item's status is loaded, kept when not given, read back through
// every read path and the cache, and refused when unknown.
func TestCatalogStatus(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	items := catalog("A", "B")
	steps := []struct {
		name     string
		statusA  string // given for A; B is always given ""
		want     LoadResult
		stored   string // A's status afterwards
		storedB  string
		wantRows RowErrors
	}{
		{"new, none given", "", LoadResult{Inserted: 2}, ItemActive, ItemActive, nil},
		{"discontinued", ItemDiscontinued, LoadResult{Updated: 1, Unchanged: 1}, ItemDiscontinued, ItemActive, nil},
		{"same again", ItemDiscontinued, LoadResult{Unchanged: 2}, ItemDiscontinued, ItemActive, nil},
		{"not given: kept", "", LoadResult{Unchanged: 2}, ItemDiscontinued, ItemActive, nil},
		{"active again", ItemActive, LoadResult{Updated: 1, Unchanged: 1}, ItemActive, ItemActive, nil},
		{"unknown", "retired", LoadResult{}, ItemActive, ItemActive,
			RowErrors{{0, "status", `want active or discontinued, got "retired"`}}},
		{"capitalised", "Discontinued", LoadResult{}, ItemActive, ItemActive,
			RowErrors{{0, "status", `want active or discontinued, got "Discontinued"`}}},
	}
	for _, s := range steps {
		items[0].Status = s.statusA
		got, err := st.UpsertCatalog(ctx, items)
		if s.wantRows != nil {
			var rows RowErrors
			if !errors.As(err, &rows) || !reflect.DeepEqual(rows, s.wantRows) {
				t.Errorf("%s: %v, want %v", s.name, err, s.wantRows)
			}
			if cerr := st.CheckCatalog(ctx, items); !errors.As(cerr, &rows) || !reflect.DeepEqual(rows, s.wantRows) {
				t.Errorf("%s: CheckCatalog %v, want %v", s.name, cerr, s.wantRows)
			}
		} else {
			s.want.Kind, s.want.Rows = KindCatalog, 2
			if err != nil || got != s.want {
				t.Errorf("%s: %+v, %v; want %+v", s.name, got, err, s.want)
			}
		}
		// Through the cache (invalidated by the load) ...
		for sku, want := range map[string]string{"A": s.stored, "B": s.storedB} {
			if it, err := st.CatalogItem(ctx, sku); err != nil || it.Status != want {
				t.Errorf("%s: CatalogItem(%s) = %+v, %v; want status %s", s.name, sku, it, err, want)
			}
		}
		// ... and the list.
		all, err := st.CatalogSKUs(ctx)
		if err != nil || len(all) != 2 || all[0].Status != s.stored || all[1].Status != s.storedB {
			t.Errorf("%s: CatalogSKUs = %+v, %v", s.name, all, err)
		}
	}
}

// Migration 0006 applies to a database holding catalog and stock from
// before it: existing items become active, existing stock has no safety
// stock, and the columns refuse what the code never writes.
func TestMigrationCatalogStatusSafety(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	before := fstest.MapFS{}
	names, _ := fs.Glob(sub, "*.sql")
	for _, n := range names {
		if n >= "0006" {
			continue
		}
		b, _ := fs.ReadFile(sub, n)
		before[n] = &fstest.MapFile{Data: b}
	}
	if len(before) != 5 || len(names) < 6 {
		t.Fatalf("migrations %v", names)
	}
	db, err := sqlitedb.Open(path, sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, before); err != nil {
		t.Fatal(err)
	}
	err = db.Write(ctx, func(tx *sqlitedb.Tx) error {
		for _, q := range []string{
			`INSERT INTO catalog (sku, updated_at) VALUES ('OLD', 'x')`,
			`INSERT INTO warehouses (code, updated_at) VALUES ('WH-1', 'x')`,
			`INSERT INTO inventory (sku, warehouse, on_hand_e4, reserved_e4, updated_at) VALUES ('OLD', 'WH-1', 50000, 10000, 'x')`,
		} {
			if _, err := tx.Exec(q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	st, err := Open(ctx, path, sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if it, err := st.CatalogItem(ctx, "OLD"); err != nil || it.Status != ItemActive {
		t.Errorf("old item: %+v, %v; want active", it, err)
	}
	rows, err := st.InventoryOf(ctx, "OLD")
	if err != nil || len(rows) != 1 || !rows[0].Safety.IsZero() || !rows[0].Available().Equal(dec("4")) {
		t.Errorf("old stock: %+v, %v; want no safety stock, 4 available", rows, err)
	}
	for _, q := range []string{
		`UPDATE catalog SET status = 'retired' WHERE sku = 'OLD'`,
		`UPDATE inventory SET safety_e4 = -1 WHERE sku = 'OLD'`,
	} {
		err := st.db.Write(ctx, func(tx *sqlitedb.Tx) error { _, err := tx.Exec(q); return err })
		if err == nil || !strings.Contains(err.Error(), "CHECK constraint failed") {
			t.Errorf("%s: %v, want a CHECK constraint failure", q, err)
		}
	}
}
