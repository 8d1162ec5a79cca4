package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/orderhub/orderhub/internal/sqlitedb"
)

// Control numbers go up per partner and kind, and survive a restart.
func TestControlNumbers(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	st, err := Open(ctx, path, sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for want := int64(1); want <= 3; want++ {
		if n, err := st.NextControlNumber(ctx, "P", "ISA"); err != nil || n != want {
			t.Fatalf("ISA = %d, %v; want %d", n, err, want)
		}
	}
	if n, _ := st.NextControlNumber(ctx, "P", "GS"); n != 1 {
		t.Errorf("GS = %d, want 1", n)
	}
	if n, _ := st.NextControlNumber(ctx, "Q", "ISA"); n != 1 {
		t.Errorf("another partner's ISA = %d, want 1", n)
	}
	st.Close()
	st, err = Open(ctx, path, sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, _ := st.NextControlNumber(ctx, "P", "ISA"); n != 4 {
		t.Errorf("after restart ISA = %d, want 4", n)
	}
}
