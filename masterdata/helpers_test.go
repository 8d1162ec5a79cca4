package masterdata

import (
	"context"
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

// loadBodyOrFile loads body, named <kind>.csv, or testdata/file when body
// is empty: the steps of a table test that mix files and inline CSV.
func loadBodyOrFile(t *testing.T, st *store.Store, kind, body, file string) (store.LoadResult, error) {
	t.Helper()
	if body != "" {
		return LoadReader(context.Background(), st, kind, kind+".csv", strings.NewReader(body))
	}
	return loadFile(t, st, kind, file)
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
		`SELECT id, name, tier, price_list, token_sha256, since, credit_limit, credit_currency, updated_at FROM partners ORDER BY id`,
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
