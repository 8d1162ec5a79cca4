package masterdata

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhub/orderhub/store"
)

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
		got, err := loadBodyOrFile(t, st, s.kind, s.body, s.file)
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

// The optional volume_m3 column: a unit's volume, set by a file that has
// it (an empty cell is unknown), kept by one that does not (an export from
// before the column), and read back by the store.
func TestLoadVolume(t *testing.T) {
	ctx := context.Background()
	st := seeded(t)
	steps := []struct {
		name string
		body string // "" for catalog_good.csv, which has no volume_m3
		want store.LoadResult
		vol  map[string]string // volume by SKU afterwards, "" for unknown
	}{
		{name: "without the column", want: store.LoadResult{Kind: "catalog", Rows: 4, Unchanged: 4},
			vol: map[string]string{"SKU-1001": "", "SKU-1004": ""}},
		{name: "with it", body: "sku,gtin,description,uom,pack_size,moq,category,weight_kg,volume_m3\n" +
			"SKU-1001,012345678905,COLA CLASSIC 12OZ CAN,EA,24,0,beverages,0.355,0.00045\n" +
			"SKU-1004,4006381333931,BOLT M8,PK,10.50,5,hardware,0.010,0.000010\n",
			want: store.LoadResult{Kind: "catalog", Rows: 2, Updated: 2},
			vol:  map[string]string{"SKU-1001": "0.00045", "SKU-1004": "0.00001", "SKU-1002": ""}},
		{name: "without the column keeps it", want: store.LoadResult{Kind: "catalog", Rows: 4, Unchanged: 4},
			vol: map[string]string{"SKU-1001": "0.00045", "SKU-1004": "0.00001"}},
		{name: "an empty cell is unknown", body: "sku,gtin,description,uom,pack_size,moq,category,weight_kg,volume_m3\n" +
			"SKU-1004,4006381333931,BOLT M8,PK,10.50,5,hardware,0.010,\n",
			want: store.LoadResult{Kind: "catalog", Rows: 1, Updated: 1},
			vol:  map[string]string{"SKU-1001": "0.00045", "SKU-1004": ""}},
	}
	for _, s := range steps {
		got, err := loadBodyOrFile(t, st, "catalog", s.body, "catalog_good.csv")
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got != s.want {
			t.Errorf("%s: %+v, want %+v", s.name, got, s.want)
		}
		for sku, want := range s.vol {
			it, err := st.CatalogItem(ctx, sku)
			if err != nil {
				t.Fatalf("%s: %s: %v", s.name, sku, err)
			}
			got := ""
			if it.VolumeM3 != nil {
				got = it.VolumeM3.String()
			}
			if got != want {
				t.Errorf("%s: %s volume %q, want %q", s.name, sku, got, want)
			}
		}
	}
	_, err := LoadReader(ctx, st, "catalog", "bad.csv", strings.NewReader("sku,gtin,description,uom,pack_size,moq,category,volume_m3\nSKU-1001,,X,EA,1,0,c,-0.1\nSKU-1002,,Y,EA,1,0,c,big\n"))
	for _, want := range []string{`bad.csv:2: volume_m3: want a decimal >= 0, got "-0.1"`, `bad.csv:3: volume_m3: want a decimal >= 0, got "big"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
}
