package masterdata

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhub/orderhub/internal/sqlitedb"
	"github.com/orderhub/orderhub/store"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// loadFile loads testdata/file naming it by its base name in messages, as
// the examples in the package doc do.
func loadFile(t *testing.T, st *store.Store, kind, file string) (store.LoadResult, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return LoadReader(context.Background(), st, kind, file, f)
}

func mustLoad(t *testing.T, st *store.Store, kind, file string) store.LoadResult {
	t.Helper()
	res, err := loadFile(t, st, kind, file)
	if err != nil {
		t.Fatalf("load %s %s: %v", kind, file, err)
	}
	return res
}

// seeded is a store holding the good catalog and partners, which stock,
// prices and crosswalk files refer to.
func seeded(t *testing.T) *store.Store {
	st := openStore(t)
	mustLoad(t, st, "catalog", "catalog_good.csv")
	mustLoad(t, st, "partners", "partners_good.csv")
	return st
}

// snapshot is every master data row, updated_at included, so a test can
// tell that a refused load changed nothing at all.
func snapshot(t *testing.T, st *store.Store) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT sku, gtin, description, uom, pack_size, moq, category, weight_kg, status, volume_m3, updated_at FROM catalog ORDER BY sku`,
		`SELECT id, name, tier, price_list, token_sha256, updated_at FROM partners ORDER BY id`,
		`SELECT code, name, updated_at FROM warehouses ORDER BY code`,
		`SELECT warehouse, sku, on_hand_e4, reserved_e4, safety_e4, updated_at FROM inventory ORDER BY warehouse, sku`,
		`SELECT id, updated_at FROM price_lists ORDER BY id`,
		`SELECT price_list, sku, currency, unit_price, min_qty, valid_from, valid_to, updated_at FROM prices ORDER BY 1, 2, 3, 5, 6`,
		`SELECT partner, kind, value, sku, updated_at FROM item_crosswalk ORDER BY 1, 2, 3`,
	} {
		rows, err := st.DB().Read().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]string, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			b.WriteString(strings.Join(vals, "|") + "\n")
		}
		rows.Close()
		b.WriteString("--\n")
	}
	return b.String()
}

func count(t *testing.T, st *store.Store, table string) int {
	t.Helper()
	var n int
	if err := st.DB().Read().QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLoadGood(t *testing.T) {
	tests := []struct {
		kind, file string
		seed       bool
		want       store.LoadResult
		table      string
	}{
		{"catalog", "catalog_good.csv", false, store.LoadResult{Kind: "catalog", Rows: 4, Inserted: 4}, "catalog"},
		{"catalog", "catalog_bom_crlf.csv", false, store.LoadResult{Kind: "catalog", Rows: 4, Inserted: 4}, "catalog"},
		{"catalog", "catalog_shuffled.csv", false, store.LoadResult{Kind: "catalog", Rows: 4, Inserted: 4}, "catalog"},
		{"catalog", "catalog_status.csv", false, store.LoadResult{Kind: "catalog", Rows: 4, Inserted: 4}, "catalog"},
		{"partners", "partners_good.csv", false, store.LoadResult{Kind: "partners", Rows: 3, Inserted: 3}, "partners"},
		{"stock", "stock_good.csv", true, store.LoadResult{Kind: "stock", Rows: 4, Inserted: 4}, "inventory"},
		{"stock", "stock_safety.csv", true, store.LoadResult{Kind: "stock", Rows: 4, Inserted: 4}, "inventory"},
		{"prices", "prices_good.csv", true, store.LoadResult{Kind: "prices", Rows: 4, Inserted: 4}, "prices"},
		{"crosswalk", "crosswalk_good.csv", true, store.LoadResult{Kind: "crosswalk", Rows: 4, Inserted: 4}, "item_crosswalk"},
		{"contracts", "contracts_good.csv", true, store.LoadResult{Kind: "contracts", Rows: 3, Inserted: 3}, "prices"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			st := openStore(t)
			if tt.seed {
				st = seeded(t)
			}
			got := mustLoad(t, st, tt.kind, tt.file)
			if got != tt.want {
				t.Errorf("first load = %+v, want %+v", got, tt.want)
			}
			if n := count(t, st, tt.table); n != tt.want.Rows {
				t.Errorf("%s has %d rows, want %d", tt.table, n, tt.want.Rows)
			}
			before := snapshot(t, st)
			again := mustLoad(t, st, tt.kind, tt.file)
			want := store.LoadResult{Kind: tt.kind, Rows: tt.want.Rows, Unchanged: tt.want.Rows}
			if again != want {
				t.Errorf("second load = %+v, want %+v", again, want)
			}
			if after := snapshot(t, st); after != before {
				t.Errorf("second load changed the store:\n%s\nwas\n%s", after, before)
			}
		})
	}
}

// The BOM/CRLF and the shuffled, re-cased, padded copies say the same as
// the plain file, so loading them over it changes nothing.
func TestLoadEquivalentSpellings(t *testing.T) {
	for _, file := range []string{"catalog_bom_crlf.csv", "catalog_shuffled.csv"} {
		t.Run(file, func(t *testing.T) {
			st := openStore(t)
			mustLoad(t, st, "catalog", "catalog_good.csv")
			got := mustLoad(t, st, "catalog", file)
			if want := (store.LoadResult{Kind: "catalog", Rows: 4, Unchanged: 4}); got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestLoadStoredValues(t *testing.T) {
	st := seeded(t)
	ctx := context.Background()
	it, err := st.CatalogItem(ctx, "SKU-1004")
	if err != nil {
		t.Fatal(err)
	}
	if it.PackSize.String() != "10.5" || it.MOQ.String() != "5" || it.WeightKG == nil || it.WeightKG.String() != "0.01" || it.UOM != "PK" {
		t.Errorf("SKU-1004 = %+v (weight %v): want canonical decimals 10.5, 5, 0.01", it, it.WeightKG)
	}
	it, err = st.CatalogItem(ctx, "SKU-1003")
	if err != nil {
		t.Fatal(err)
	}
	if it.UOM != "EA" || it.PackSize.String() != "1" || it.MOQ.String() != "0" || it.WeightKG != nil || it.GTIN != "" {
		t.Errorf("SKU-1003 defaults = %+v (weight %v), want EA, 1, 0, no weight, no gtin", it, it.WeightKG)
	}
	if it, _ := st.CatalogItem(ctx, "SKU-1002"); it.Description != "TISSUE, 2-PLY" {
		t.Errorf("quoted description = %q", it.Description)
	}

	p, err := st.PartnerByToken(ctx, "euromart-secret-token-0003")
	if err != nil || p.ID != "EUROMART" || p.Name != "Euromart, GmbH" || p.Tier != "gold" || p.PriceList != "LIST-B" {
		t.Fatalf("PartnerByToken = %+v, %v", p, err)
	}
	if p.TokenSHA256 != store.TokenSHA256("euromart-secret-token-0003") {
		t.Errorf("token_sha256 = %s", p.TokenSHA256)
	}
	var raw int
	st.DB().Read().QueryRow(`SELECT count(*) FROM partners WHERE token_sha256 LIKE '%secret%'`).Scan(&raw)
	if raw != 0 {
		t.Error("a raw token was stored")
	}

	mustLoad(t, st, "stock", "stock_good.csv")
	var onHand, reserved int64
	st.DB().Read().QueryRow(`SELECT on_hand_e4, reserved_e4 FROM inventory WHERE warehouse = 'WH-WEST' AND sku = 'SKU-1001'`).Scan(&onHand, &reserved)
	if onHand != 1205000 || reserved != 0 {
		t.Errorf("WH-WEST SKU-1001: on_hand_e4 %d reserved_e4 %d, want 1205000 (120.5) and 0", onHand, reserved)
	}
	if n := count(t, st, "warehouses"); n != 2 {
		t.Errorf("%d warehouses, want 2", n)
	}

	mustLoad(t, st, "prices", "prices_good.csv")
	if n := count(t, st, "price_lists"); n != 2 {
		t.Errorf("%d price lists, want 2", n)
	}
	var up, mq string
	st.DB().Read().QueryRow(`SELECT unit_price, min_qty FROM prices WHERE price_list = 'LIST-B'`).Scan(&up, &mq)
	if up != "18" || mq != "0" {
		t.Errorf("LIST-B price = %s min %s, want 18 and 0", up, mq)
	}

	mustLoad(t, st, "crosswalk", "crosswalk_good.csv")
	// Loaded as UPC-A, asked for as EAN-13 and GTIN-14.
	for _, g := range []string{"036000291452", "0036000291452", "00036000291452"} {
		if sku, err := st.Crosswalk(ctx, "BIGRETAIL", "gtin", g); err != nil || sku != "SKU-1002" {
			t.Errorf("Crosswalk(BIGRETAIL, gtin, %s) = %q, %v", g, sku, err)
		}
	}
}

func TestLoadChangedValue(t *testing.T) {
	st := openStore(t)
	mustLoad(t, st, "catalog", "catalog_good.csv")
	before := snapshot(t, st)
	good, err := os.ReadFile(filepath.Join("testdata", "catalog_good.csv"))
	if err != nil {
		t.Fatal(err)
	}
	changed := bytes.Replace(good, []byte("BOLT M8,PK,10.50"), []byte("BOLT M8,PK,12"), 1)
	got, err := LoadReader(context.Background(), st, "catalog", "catalog.csv", bytes.NewReader(changed))
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.LoadResult{Kind: "catalog", Rows: 4, Updated: 1, Unchanged: 3}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	// Only the changed row's line differs, updated_at included.
	bl, al := strings.Split(before, "\n"), strings.Split(snapshot(t, st), "\n")
	var diff []string
	for i := range bl {
		if bl[i] != al[i] {
			diff = append(diff, al[i])
		}
	}
	if len(diff) != 1 || !strings.HasPrefix(diff[0], "SKU-1004|") || !strings.Contains(diff[0], "|12|") {
		t.Errorf("changed rows = %q, want only SKU-1004 with pack_size 12", diff)
	}
}

func TestLoadErrors(t *testing.T) {
	const catalogCols = "expected sku,gtin,description,uom,pack_size,moq,category (optional: weight_kg,status,volume_m3)"
	tests := []struct {
		kind, file string
		want       []string
	}{
		{"catalog", "catalog_extra_column.csv", []string{
			`catalog_extra_column.csv:1: column "colour": unknown column; ` + catalogCols,
		}},
		{"catalog", "catalog_missing_column.csv", []string{
			`catalog_missing_column.csv:1: column "gtin": missing; ` + catalogCols,
		}},
		{"catalog", "catalog_duplicate_column.csv", []string{
			`catalog_duplicate_column.csv:1: column "sku": duplicate column (columns 1 and 8)`,
		}},
		{"catalog", "catalog_empty_header_name.csv", []string{
			`catalog_empty_header_name.csv:1: column 8: empty name; ` + catalogCols,
		}},
		{"catalog", "catalog_empty.csv", []string{
			`catalog_empty.csv: empty file; want a header row: sku,gtin,description,uom,pack_size,moq,category (optional: weight_kg,status,volume_m3)`,
		}},
		{"catalog", "catalog_semicolon.csv", []string{
			`catalog_semicolon.csv:1: the header has one column "sku;gtin;description;uom;pack_size;moq;c…": the file looks like it is not comma-separated; want comma-separated columns sku,gtin,description,uom,pack_size,moq,category (optional: weight_kg,status,volume_m3)`,
		}},
		{"catalog", "catalog_bad_rows.csv", []string{
			`catalog_bad_rows.csv:2: gtin: bad check digit in "012345678906": want 5`,
			`catalog_bad_rows.csv:3: gtin: want a GTIN of 8, 12, 13 or 14 digits, got "12345"`,
			`catalog_bad_rows.csv:4: uom: want 1-3 capital letters or digits such as EA or CS, got "ea"`,
			`catalog_bad_rows.csv:5: pack_size: want a decimal > 0, got "0"`,
			`catalog_bad_rows.csv:6: moq: want a decimal >= 0, got "-1"`,
			`catalog_bad_rows.csv:7: sku: required; the cell is empty`,
			`catalog_bad_rows.csv:8: sku: required; the cell is empty`,
			`catalog_bad_rows.csv:9: pack_size: want a decimal > 0, got "1e3"`,
			`catalog_bad_rows.csv:10: pack_size: want a decimal > 0, got "1,000"`,
			`catalog_bad_rows.csv:11: weight_kg: want a decimal >= 0, got "heavy"`,
			`catalog_bad_rows.csv:12: sku: want at most 64 characters, got 65`,
			`catalog_bad_rows.csv:13: want 8 fields as in the header, got 7`,
			`catalog_bad_rows.csv:14: uom: want 1-3 capital letters or digits such as EA or CS, got "EACH"`,
			`catalog_bad_rows.csv:15: description: contains a control character (U+000A)`,
		}},
		{"catalog", "catalog_dup.csv", []string{
			`catalog_dup.csv:4: sku: duplicate sku "SKU-1"; first on line 2`,
			`catalog_dup.csv:5: gtin: duplicate GTIN 0000096123454 (a GTIN names one item); first on line 2`,
		}},
		{"catalog", "catalog_bad_quote.csv", []string{
			`catalog_bad_quote.csv:3: malformed CSV (at character 12): bare " in non-quoted-field; reading stopped here`,
		}},
		{"catalog", "catalog_gtin_taken.csv", []string{
			`catalog_gtin_taken.csv:2: gtin: 0012345678905 already belongs to SKU "SKU-1001"`,
		}},
		{"catalog", "catalog_bad_status.csv", []string{
			`catalog_bad_status.csv:2: status: want one of active, discontinued, got "retired"`,
			`catalog_bad_status.csv:3: status: want one of active, discontinued, got "Discontinued"`,
			`catalog_bad_status.csv:4: status: want one of active, discontinued, got "ACTIVE"`,
			`catalog_bad_status.csv:7: status: want one of active, discontinued, got "active discontinued"`,
		}},
		{"stock", "stock_bad_safety.csv", []string{
			`stock_bad_safety.csv:2: safety_stock: want a decimal >= 0, got "-1"`,
			`stock_bad_safety.csv:3: safety_stock: want at most 4 decimal places and less than 10^14, got "0.00001"`,
			`stock_bad_safety.csv:4: safety_stock: want a decimal >= 0, got "lots"`,
			`stock_bad_safety.csv:5: safety_stock: want a decimal >= 0, got "1e3"`,
			`stock_bad_safety.csv:6: safety_stock: want at most 4 decimal places and less than 10^14, got "99999999999999999"`,
		}},
		{"stock", "stock_bad.csv", []string{
			`stock_bad.csv:3: warehouse: want 1-64 characters of A-Z a-z 0-9 _ . -, got "WH EAST"`,
			`stock_bad.csv:4: sku: "SKU-404" is not in the catalog`,
			`stock_bad.csv:5: on_hand: required; want a decimal >= 0`,
			`stock_bad.csv:6: sku: duplicate warehouse "WH-EAST" and sku "SKU-1001"; first on line 2`,
			`stock_bad.csv:7: on_hand: want a decimal >= 0, got "-5"`,
		}},
		{"contracts", "contracts_bad.csv", []string{
			`contracts_bad.csv:2: partner: want 1-64 characters of A-Z a-z 0-9 _ . -, got "BIG RETAIL"`,
			`contracts_bad.csv:3: sku: "SKU-404" is not in the catalog`,
			`contracts_bad.csv:4: valid_to: want a date on or after valid_from 2026-06-01, got "2026-05-01"`,
			`contracts_bad.csv:5: unit_price: required; want a decimal >= 0`,
			`contracts_bad.csv:7: sku: duplicate partner "BIGRETAIL", sku "SKU-1001", currency USD, min_qty 0, valid_from ""; first on line 6`,
		}},
		{"prices", "prices_bad.csv", []string{
			`prices_bad.csv:2: currency: want a 3-letter currency code in capitals such as USD, got "usd"`,
			`prices_bad.csv:3: unit_price: required; want a decimal >= 0`,
			`prices_bad.csv:4: valid_from: want a date YYYY-MM-DD, got "2026-02-30"`,
			`prices_bad.csv:5: valid_to: want a date on or after valid_from 2026-06-01, got "2026-05-01"`,
			`prices_bad.csv:7: sku: duplicate price_list "LIST-A", sku "SKU-1001", currency USD, min_qty 10, valid_from ""; first on line 6`,
			`prices_bad.csv:8: sku: "SKU-404" is not in the catalog`,
			`prices_bad.csv:9: price_list: want 1-64 characters of A-Z a-z 0-9 _ . -, got "LIST A"`,
			`prices_bad.csv:10: valid_from: want a date YYYY-MM-DD, got "26-01-01"`,
		}},
		{"partners", "partners_bad.csv", []string{
			`partners_bad.csv:2: tier: want one of key_account, gold, silver, standard, got "Gold"`,
			`partners_bad.csv:3: token: want at least 16 characters, got 5`,
			`partners_bad.csv:4: token: duplicate token (each partner needs its own); first on line 2`,
			`partners_bad.csv:5: partner: want 1-64 characters of A-Z a-z 0-9 _ . -, got "ACME 4"`,
			`partners_bad.csv:6: name: required; the cell is empty`,
			`partners_bad.csv:7: partner: duplicate partner "ACME3"; first on line 4`,
			`partners_bad.csv:8: token: want printable ASCII without spaces (it is sent in an HTTP header)`,
			`partners_bad.csv:9: token: the same token is already used by partner "BIGRETAIL"`,
		}},
		{"partners", "partners_bad_since.csv", []string{
			`partners_bad_since.csv:2: since: want a date YYYY-MM-DD, got "15.03.2021"`,
			`partners_bad_since.csv:3: since: want a date YYYY-MM-DD, got "2021-02-30"`,
		}},
		{"partners", "partners_bad_credit.csv", []string{
			`partners_bad_credit.csv:2: credit_limit: want an amount >= 0 and a 3-letter currency code such as 25000 USD, got "25000"`,
			`partners_bad_credit.csv:3: credit_limit: want an amount >= 0 and a 3-letter currency code such as 25000 USD, got "-5 USD"`,
			`partners_bad_credit.csv:4: credit_limit: want an amount >= 0 and a 3-letter currency code such as 25000 USD, got "25000 usd"`,
			`partners_bad_credit.csv:5: credit_limit: want an amount >= 0 and a 3-letter currency code such as 25000 USD, got "25,000 USD"`,
		}},
		{"crosswalk", "crosswalk_bad.csv", []string{
			`crosswalk_bad.csv:3: partner: "NOBODY" is not a known partner`,
			`crosswalk_bad.csv:4: kind: want one of buyer_item, gtin, got "upc"`,
			`crosswalk_bad.csv:5: value: bad check digit in "012345678906": want 5`,
			`crosswalk_bad.csv:6: sku: "SKU-404" is not in the catalog`,
			`crosswalk_bad.csv:7: value: duplicate partner "BIGRETAIL", kind buyer_item, value "88001"; first on line 2`,
			`crosswalk_bad.csv:9: value: duplicate partner "BIGRETAIL", kind gtin, value "00036000291452"; first on line 8`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			st := seeded(t)
			before := snapshot(t, st)
			res, err := loadFile(t, st, tt.kind, tt.file)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v (%T), want *FileError", err, err)
			}
			var got []string
			for _, p := range fe.Problems {
				got = append(got, p.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if fe.File != tt.file || fe.More != 0 {
				t.Errorf("File = %q, More = %d", fe.File, fe.More)
			}
			if res.Inserted+res.Updated+res.Unchanged != 0 {
				t.Errorf("result of a refused load = %+v", res)
			}
			if after := snapshot(t, st); after != before {
				t.Errorf("a refused load changed the store:\n%s\nwas\n%s", after, before)
			}
			// Callers can pick out problems with errors.As.
			var first *Error
			if !errors.As(err, &first) || first != fe.Problems[0] {
				t.Errorf("errors.As(*Error) = %v", first)
			}
			if !strings.HasPrefix(err.Error(), fmt.Sprintf("%s: %d problem", tt.file, len(tt.want))) {
				t.Errorf("Error() starts %q", strings.SplitN(err.Error(), "\n", 2)[0])
			}
		})
	}
}

// The optional status and safety_stock columns: set by a file that has
// them (an empty cell is active, or no safety stock), kept by one that
// does not, and read back by the store.
func TestLoadStatusAndSafety(t *testing.T) {
	ctx := context.Background()
	st := seeded(t)
	steps := []struct {
		name, kind, file string
		body             string // instead of file, when set
		want             store.LoadResult
		status           map[string]string // catalog status by SKU afterwards
		safety           map[string]string // safety stock by warehouse/SKU afterwards
	}{
		{name: "catalog without the column", kind: "catalog", file: "catalog_good.csv",
			want:   store.LoadResult{Kind: "catalog", Rows: 4, Unchanged: 4},
			status: map[string]string{"SKU-1001": "active", "SKU-1002": "active", "SKU-1003": "active", "SKU-1004": "active"}},
		{name: "catalog with it", kind: "catalog", file: "catalog_status.csv",
			want:   store.LoadResult{Kind: "catalog", Rows: 4, Updated: 2, Unchanged: 2},
			status: map[string]string{"SKU-1001": "active", "SKU-1002": "active", "SKU-1003": "discontinued", "SKU-1004": "discontinued"}},
		{name: "catalog without the column keeps it", kind: "catalog", file: "catalog_good.csv",
			want:   store.LoadResult{Kind: "catalog", Rows: 4, Unchanged: 4},
			status: map[string]string{"SKU-1001": "active", "SKU-1002": "active", "SKU-1003": "discontinued", "SKU-1004": "discontinued"}},
		{name: "catalog: empty cell is active", kind: "catalog",
			body:   "sku,description,gtin,uom,pack_size,moq,category,status\nSKU-1003,GENERIC WIDGET,,,,,hardware,\n",
			want:   store.LoadResult{Kind: "catalog", Rows: 1, Updated: 1},
			status: map[string]string{"SKU-1003": "active", "SKU-1004": "discontinued"}},
		{name: "stock without the column", kind: "stock", file: "stock_good.csv",
			want:   store.LoadResult{Kind: "stock", Rows: 4, Inserted: 4},
			safety: map[string]string{"WH-EAST/SKU-1001": "0", "WH-WEST/SKU-1001": "0"}},
		{name: "stock with it", kind: "stock", file: "stock_safety.csv",
			want:   store.LoadResult{Kind: "stock", Rows: 4, Updated: 3, Unchanged: 1},
			safety: map[string]string{"WH-EAST/SKU-1001": "50", "WH-EAST/SKU-1002": "0", "WH-WEST/SKU-1001": "0.25", "WH-WEST/SKU-1003": "5"}},
		{name: "stock without the column keeps it", kind: "stock", file: "stock_good.csv",
			want:   store.LoadResult{Kind: "stock", Rows: 4, Unchanged: 4},
			safety: map[string]string{"WH-EAST/SKU-1001": "50", "WH-EAST/SKU-1002": "0", "WH-WEST/SKU-1001": "0.25", "WH-WEST/SKU-1003": "5"}},
		{name: "stock: empty cell is none", kind: "stock",
			body:   "sku,safety_stock,warehouse,on_hand\nSKU-1001,,WH-EAST,500\nSKU-1003,7.5,WH-WEST,0\n",
			want:   store.LoadResult{Kind: "stock", Rows: 2, Updated: 2},
			safety: map[string]string{"WH-EAST/SKU-1001": "0", "WH-WEST/SKU-1001": "0.25", "WH-WEST/SKU-1003": "7.5"}},
	}
	for _, s := range steps {
		var got store.LoadResult
		var err error
		if s.body != "" {
			got, err = LoadReader(ctx, st, s.kind, s.kind+".csv", strings.NewReader(s.body))
		} else {
			got, err = loadFile(t, st, s.kind, s.file)
		}
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got != s.want {
			t.Errorf("%s: %+v, want %+v", s.name, got, s.want)
		}
		for sku, want := range s.status {
			if it, err := st.CatalogItem(ctx, sku); err != nil || it.Status != want {
				t.Errorf("%s: %s = %+v, %v; want status %s", s.name, sku, it, err, want)
			}
		}
		for whSKU, want := range s.safety {
			wh, sku, _ := strings.Cut(whSKU, "/")
			rows, err := st.InventoryOf(ctx, sku)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, r := range rows {
				if r.Warehouse == wh {
					found = true
					if r.Safety.String() != want {
						t.Errorf("%s: %s safety stock %s, want %s", s.name, whSKU, r.Safety, want)
					}
				}
			}
			if !found {
				t.Errorf("%s: no stock of %s", s.name, whSKU)
			}
		}
	}
}

// A file with good rows and one bad one loads nothing, into an empty table
// as into a full one.
func TestBadRowRejectsAll(t *testing.T) {
	st := seeded(t)
	mustLoad(t, st, "stock", "stock_good.csv")
	good, _ := os.ReadFile(filepath.Join("testdata", "catalog_good.csv"))
	file := string(good) + "SKU-2001,,NEW ITEM,EA,1,0,c,\nSKU-2002,,BAD ITEM,EA,-1,0,c,\n"
	for _, tc := range []struct {
		kind, body string
	}{
		{"catalog", strings.ReplaceAll(file, "COLA CLASSIC", "COLA NEW")},
		{"stock", "warehouse,sku,on_hand\nWH-EAST,SKU-1001,1\nWH-NEW,SKU-1002,5\nWH-EAST,SKU-1003,x\n"},
	} {
		cat, inv, wh := count(t, st, "catalog"), count(t, st, "inventory"), count(t, st, "warehouses")
		before := snapshot(t, st)
		_, err := LoadReader(context.Background(), st, tc.kind, tc.kind+".csv", strings.NewReader(tc.body))
		var fe *FileError
		if !errors.As(err, &fe) || len(fe.Problems) != 1 {
			t.Fatalf("%s: err = %v, want one problem", tc.kind, err)
		}
		if count(t, st, "catalog") != cat || count(t, st, "inventory") != inv || count(t, st, "warehouses") != wh {
			t.Errorf("%s: counts changed", tc.kind)
		}
		if snapshot(t, st) != before {
			t.Errorf("%s: store changed", tc.kind)
		}
	}
}

func TestTooManyProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("warehouse,sku,on_hand\n")
	for i := 0; i < 150; i++ {
		fmt.Fprintf(&b, "WH-%d,SKU-1001,-%d\n", i, i+1)
	}
	_, err := LoadReader(context.Background(), seeded(t), "stock", "stock.csv", strings.NewReader(b.String()))
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatal(err)
	}
	if len(fe.Problems) != MaxProblems || fe.More != 50 {
		t.Errorf("%d problems listed, %d more; want %d and 50", len(fe.Problems), fe.More, MaxProblems)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "stock.csv: 150 problems; nothing was loaded\n") || !strings.HasSuffix(msg, "\n... and 50 more") {
		t.Errorf("Error() = %s", msg)
	}
}

func TestInvalidUTF8(t *testing.T) {
	body := "sku,gtin,description,uom,pack_size,moq,category\nSKU-1,,caf\xe9,EA,1,0,c\n"
	_, err := LoadReader(context.Background(), openStore(t), "catalog", "latin1.csv", strings.NewReader(body))
	if err == nil || !strings.Contains(err.Error(), "latin1.csv:2: description: not valid UTF-8 (save the file as UTF-8)") {
		t.Errorf("err = %v", err)
	}
}

func TestHeaderOnly(t *testing.T) {
	res, err := LoadReader(context.Background(), openStore(t), "stock", "stock.csv", strings.NewReader("warehouse,sku,on_hand\r\n"))
	if err != nil || res != (store.LoadResult{Kind: "stock"}) {
		t.Errorf("header only: %+v, %v", res, err)
	}
}

func TestUnknownKind(t *testing.T) {
	_, err := Load(context.Background(), openStore(t), "widgets", "testdata/catalog_good.csv")
	if !errors.Is(err, ErrUnknownKind) || !strings.Contains(err.Error(), "catalog, stock, prices, partners, crosswalk") {
		t.Errorf("err = %v", err)
	}
}

func TestLoadPath(t *testing.T) {
	st := openStore(t)
	path := filepath.Join("testdata", "catalog_good.csv")
	if _, err := Load(context.Background(), st, "catalog", path); err != nil {
		t.Fatal(err)
	}
	_, err := Load(context.Background(), st, "catalog", filepath.Join("testdata", "catalog_extra_column.csv"))
	if err == nil || !strings.Contains(err.Error(), "testdata/catalog_extra_column.csv:1: column \"colour\"") {
		t.Errorf("err = %v, want the path in the message", err)
	}
	_, err = Load(context.Background(), st, "catalog", filepath.Join("testdata", "nope.csv"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestGS1CheckDigit(t *testing.T) {
	for _, g := range []string{"96123454", "012345678905", "4006381333931", "10012345678902", "00012345678905"} {
		if msg := checkGTIN(g); msg != "" {
			t.Errorf("checkGTIN(%s) = %s", g, msg)
		}
	}
	for _, g := range []string{"96123455", "012345678900", "1234567890123456", "01234567890X", ""} {
		if checkGTIN(g) == "" {
			t.Errorf("checkGTIN(%q) accepted", g)
		}
	}
}

// The optional since column: set by a file that has it (an empty cell is
// "not known"), kept by one that does not, and read back by the store.
func TestLoadPartnerSince(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	steps := []struct {
		name, file, body string
		want             store.LoadResult
		since            map[string]string // by partner afterwards
	}{
		{name: "without the column", file: "partners_good.csv",
			want:  store.LoadResult{Kind: "partners", Rows: 3, Inserted: 3},
			since: map[string]string{"BIGRETAIL": "", "SMALLSHOP": "", "EUROMART": ""}},
		{name: "with it", file: "partners_since.csv",
			want:  store.LoadResult{Kind: "partners", Rows: 3, Updated: 2, Unchanged: 1},
			since: map[string]string{"BIGRETAIL": "2021-03-15", "SMALLSHOP": "", "EUROMART": "2024-02-29"}},
		{name: "again: unchanged", file: "partners_since.csv",
			want:  store.LoadResult{Kind: "partners", Rows: 3, Unchanged: 3},
			since: map[string]string{"BIGRETAIL": "2021-03-15", "EUROMART": "2024-02-29"}},
		{name: "without the column keeps it", file: "partners_good.csv",
			want:  store.LoadResult{Kind: "partners", Rows: 3, Unchanged: 3},
			since: map[string]string{"BIGRETAIL": "2021-03-15", "SMALLSHOP": "", "EUROMART": "2024-02-29"}},
		{name: "an empty cell clears it", body: "partner,name,tier,price_list,token,since\nBIGRETAIL,Big Retail Inc.,key_account,LIST-A,bigretail-secret-token-0001,\n",
			want:  store.LoadResult{Kind: "partners", Rows: 1, Updated: 1},
			since: map[string]string{"BIGRETAIL": "", "EUROMART": "2024-02-29"}},
	}
	for _, s := range steps {
		var got store.LoadResult
		var err error
		if s.body != "" {
			got, err = LoadReader(ctx, st, "partners", "partners.csv", strings.NewReader(s.body))
		} else {
			got, err = loadFile(t, st, "partners", s.file)
		}
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got != s.want {
			t.Errorf("%s: %+v, want %+v", s.name, got, s.want)
		}
		for id, want := range s.since {
			// Straight from the database: the store's partner cache is
			// tested elsewhere; this is about what the load wrote.
			var since string
			if err := st.DB().Read().QueryRow(`SELECT since FROM partners WHERE id = ?`, id).Scan(&since); err != nil || since != want {
				t.Errorf("%s: %s since %q, %v; want %q", s.name, id, since, err, want)
			}
		}
	}
	if p, err := st.Partner(ctx, "EUROMART"); err != nil || p.Since != "2024-02-29" {
		t.Errorf("Partner(EUROMART) = %+v, %v; want since 2024-02-29", p, err)
	}
}

// A partners file with credit_limit sets it for every row (an empty cell
// is none); one without the column keeps what is stored.
func TestLoadCreditLimit(t *testing.T) {
	ctx := context.Background()
	st := seeded(t)
	credit := func(id string) string {
		t.Helper()
		p, err := st.Partner(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !p.HasCreditLimit() {
			return "none"
		}
		return p.CreditLimit.String() + " " + p.CreditCurrency
	}
	steps := []struct {
		file string
		want store.LoadResult
		then map[string]string
	}{
		{"partners_good.csv", store.LoadResult{Kind: "partners", Rows: 3, Unchanged: 3},
			map[string]string{"BIGRETAIL": "none", "SMALLSHOP": "none", "EUROMART": "none"}},
		{"partners_credit.csv", store.LoadResult{Kind: "partners", Rows: 3, Updated: 2, Unchanged: 1},
			map[string]string{"BIGRETAIL": "250000 USD", "SMALLSHOP": "0 USD", "EUROMART": "none"}},
		{"partners_good.csv", store.LoadResult{Kind: "partners", Rows: 3, Unchanged: 3},
			map[string]string{"BIGRETAIL": "250000 USD", "SMALLSHOP": "0 USD", "EUROMART": "none"}},
		{"partners_credit.csv", store.LoadResult{Kind: "partners", Rows: 3, Unchanged: 3},
			map[string]string{"BIGRETAIL": "250000 USD", "SMALLSHOP": "0 USD", "EUROMART": "none"}},
	}
	for i, s := range steps {
		if got := mustLoad(t, st, "partners", s.file); got != s.want {
			t.Errorf("step %d %s: %+v, want %+v", i, s.file, got, s.want)
		}
		for id, want := range s.then {
			if got := credit(id); got != want {
				t.Errorf("step %d %s: %s credit limit %s, want %s", i, s.file, id, got, want)
			}
		}
	}
}
