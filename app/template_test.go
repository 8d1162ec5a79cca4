package app

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/orderhub/orderhub/internal/sqlitedb"
	"github.com/orderhub/orderhub/store"
)

// The order template offers what is sold: a discontinued item is left out
// of its drop-down.
func TestOrderTemplateLeavesOutDiscontinued(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "s.db"), sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	item := func(sku, status string) store.CatalogItem {
		return store.CatalogItem{SKU: sku, UOM: "EA", PackSize: decimal.NewFromInt(1), MOQ: decimal.Zero, Status: status}
	}
	for _, tt := range []struct {
		name  string
		items []store.CatalogItem
		want  []string
	}{
		{"all active", []store.CatalogItem{item("A", ""), item("B", store.ItemActive), item("C", "")}, []string{"A", "B", "C"}},
		{"one discontinued", []store.CatalogItem{item("B", store.ItemDiscontinued)}, []string{"A", "C"}},
		{"back again", []store.CatalogItem{item("B", store.ItemActive), item("C", store.ItemDiscontinued)}, []string{"A", "B"}},
	} {
		if _, err := st.UpsertCatalog(ctx, tt.items); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var buf bytes.Buffer
		if err := (&App{Store: st}).orderTemplate(ctx, &store.Partner{ID: "P"}, &buf); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows("Items")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows[1:] {
			got = append(got, r[0])
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: the template offers %v, want %v", tt.name, got, tt.want)
		}
	}
}
