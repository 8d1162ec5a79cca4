package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/orderhub/orderhub/internal/sqlitedb"
	"github.com/orderhub/orderhub/rules"
	"github.com/orderhub/orderhub/store"
)

// testStore is an empty store in a directory of its own, closed when the
// test ends.
func testStore(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "store.db"), sqlitedb.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// testRules is a rules file holding text, opened as a running orderhub
// opens it.
func testRules(tb testing.TB, text string) *rules.File {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), rules.FileName)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
	rf, err := rules.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	return rf
}
