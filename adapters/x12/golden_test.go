package x12

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ from the current output")

// checkGolden compares got with the golden file at path, or rewrites it
// under -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	compareGolden(t, path, got, *update)
}

// checkWriteGolden compares got with testdata/write/name, or rewrites it
// under -update.
func checkWriteGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	compareGolden(t, filepath.Join("testdata", "write", name), string(got), *update)
}

// compareGolden compares got with the golden file at path, or rewrites it
// when rewrite is set (the flag of the test's own golden files).
func compareGolden(t *testing.T, path, got string, rewrite bool) {
	t.Helper()
	if rewrite {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with the update flag to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with the update flag and review the diff)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
