package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/orderhub/orderhub/internal/sqlitedb"
	"github.com/orderhub/orderhub/masterdata"
	"github.com/orderhub/orderhub/store"
)

// The demo's master data loads as the demo loads it, twice without a
// change, and carries a discontinued item and a safety stock.
func TestDemoMasterData(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "s.db"), sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, round := range []string{"first", "again"} {
		for _, kind := range []string{"catalog", "stock", "prices", "partners"} {
			b, err := demoFS.ReadFile("demo/" + kind + ".csv")
			if err != nil {
				t.Fatal(err)
			}
			res, err := masterdata.LoadReader(ctx, st, kind, kind+".csv", bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s load of %s: %v", round, kind, err)
			}
			if round == "again" && res.Unchanged != res.Rows {
				t.Errorf("loading %s again: %+v", kind, res)
			}
		}
	}
	for _, tt := range []struct{ sku, status string }{
		{"BEV-1001", store.ItemActive},
		{"BEV-1016", store.ItemDiscontinued},
		{"BEV-1017", store.ItemActive},
	} {
		if it, err := st.CatalogItem(ctx, tt.sku); err != nil || it.Status != tt.status {
			t.Errorf("%s: %+v, %v; want %s", tt.sku, it, err, tt.status)
		}
	}
	rows, err := st.InventoryOf(ctx, "BEV-1001")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{"WH-EAST": {"240", "2160"}, "WH-WEST": {"0", "1200"}}
	for _, r := range rows {
		w := want[r.Warehouse]
		if r.Safety.String() != w[0] || r.Available().String() != w[1] {
			t.Errorf("BEV-1001 in %s: safety %s, available %s; want %s and %s", r.Warehouse, r.Safety, r.Available(), w[0], w[1])
		}
	}
	if len(rows) != len(want) {
		t.Errorf("BEV-1001 is in %d warehouses, want %d", len(rows), len(want))
	}
}
