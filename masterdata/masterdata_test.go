package masterdata

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhub/orderhub/store"
)

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
