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

func TestControlNumberFor(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	a, _ := st.ControlNumberFor(ctx, "P", "ISA", "ord_1")
	b, _ := st.ControlNumberFor(ctx, "P", "ISA", "ord_2")
	again, _ := st.ControlNumberFor(ctx, "P", "ISA", "ord_1")
	next, _ := st.NextControlNumber(ctx, "P", "ISA")
	if a != 1 || b != 2 || again != 1 || next != 3 {
		t.Errorf("got %d %d %d %d, want 1 2 1 3", a, b, again, next)
	}
}
