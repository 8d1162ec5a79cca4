package masterdata

import (
	"context"
	"strings"
	"testing"

	"github.com/orderhub/orderhub/store"
)

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
		var got store.LoadResult
		var err error
		if s.body != "" {
			got, err = LoadReader(ctx, st, "catalog", "catalog.csv", strings.NewReader(s.body))
		} else {
			got, err = loadFile(t, st, "catalog", "catalog_good.csv")
		}
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
