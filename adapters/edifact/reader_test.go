package edifact

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got with the golden file path, or rewrites it with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from its golden file:\n--- got\n%s\n--- want\n%s", filepath.Base(path), got, want)
	}
}

// TestReaderGolden reads each document under testdata/reader twice, from
// a file (two passes over it) and from a reader that cannot seek (spooled),
// and compares what the Reader finds, segment by segment, with its golden.
func TestReaderGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/reader/*.edi")
	if err != nil || len(files) == 0 {
		t.Fatal("no inputs", err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(strings.TrimSuffix(name, ".edi"), func(t *testing.T) {
			fh, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			got := dump(fh, name, true)
			golden(t, strings.TrimSuffix(f, ".edi")+".golden", got)
			data, _ := os.ReadFile(f)
			if again := dump(struct{ *bytes.Reader }{bytes.NewReader(data)}, name, true); again != got {
				t.Errorf("spooled input reads differently:\n%s\nvs file:\n%s", again, got)
			}
		})
	}
}
