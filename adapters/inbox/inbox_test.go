package inbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/orderhub/orderhub/intake"
)

// taker records what the inbox hands over, and can fail on demand.
type taker struct {
	dir  string
	mu   sync.Mutex
	subs []intake.Submission
	fail error
}

func (t *taker) ProcessingPath(partner, name string) string {
	return filepath.Join(t.dir, "processing", partner, "claimed-"+name)
}

func (t *taker) File(ctx context.Context, sub intake.Submission) (*intake.Receipt, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fail != nil {
		return nil, t.fail
	}
	t.subs = append(t.subs, sub)
	return &intake.Receipt{}, nil
}

func (t *taker) names() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for _, s := range t.subs {
		out = append(out, s.Partner+"/"+s.Name)
	}
	return out
}

// clock is the inbox's time, moved by the test.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func setup(t *testing.T) (*Inbox, *taker, *clock, string) {
	t.Helper()
	dir := t.TempDir()
	tk := &taker{dir: dir}
	c := &clock{t: time.Now()}
	ib, err := New(Config{Dir: filepath.Join(dir, "inbox"), MinAge: time.Second, Now: c.now}, tk, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ib, tk, c, filepath.Join(dir, "inbox")
}

func write(t *testing.T, path, body string, mtime time.Time) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(path, mtime, mtime)
}

func TestTakesOnlyStableFiles(t *testing.T) {
	ib, tk, c, dir := setup(t)
	ctx := context.Background()
	old := c.t.Add(-time.Hour)
	write(t, filepath.Join(dir, "P", "a.json"), "{}", old)
	write(t, filepath.Join(dir, "P", "growing.json"), "{", old)
	write(t, filepath.Join(dir, "P", "upload.json.part"), "{}", old)
	write(t, filepath.Join(dir, "P", ".hidden.json"), "{}", old)
	write(t, filepath.Join(dir, "P", "x.tmp"), "{}", old)
	write(t, filepath.Join(dir, "root.edi"), "ISA", old)
	write(t, filepath.Join(dir, "P", "nested", "deep.json"), "{}", old)

	// First sight: nothing is taken, a file must be seen unchanged twice.
	if err := ib.Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if n := tk.names(); len(n) != 0 {
		t.Fatalf("taken on first sight: %v", n)
	}
	// growing.json changes between scans; a fresh file is too young.
	write(t, filepath.Join(dir, "P", "growing.json"), "{}", c.t)
	write(t, filepath.Join(dir, "P", "young.json"), "{}", c.t)
	if err := ib.Scan(ctx); err != nil {
		t.Fatal(err)
	}
	got := tk.names()
	if len(got) != 2 || got[0] != "P/a.json" || got[1] != "/root.edi" {
		t.Fatalf("taken %v, want P/a.json and /root.edi", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "P", "a.json")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a.json still in the inbox after it was claimed")
	}
	c.t = c.t.Add(2 * time.Second)
	ib.Scan(ctx)
	ib.Scan(ctx)
	got = tk.names()
	if len(got) != 4 {
		t.Fatalf("after they settled: %v", got)
	}
	for _, left := range []string{"upload.json.part", ".hidden.json", "x.tmp", "nested/deep.json"} {
		if _, err := os.Stat(filepath.Join(dir, "P", left)); err != nil {
			t.Errorf("%s: %v", left, err)
		}
	}
}

// A claimed file intake could not finish is retried at the next scans,
// not lost and not left for the next start only.
func TestRetriesWhatIntakeCouldNotFinish(t *testing.T) {
	ib, tk, c, dir := setup(t)
	ctx := context.Background()
	write(t, filepath.Join(dir, "P", "a.json"), "{}", c.t.Add(-time.Hour))
	tk.fail = errors.New("store busy")
	ib.Scan(ctx)
	if err := ib.Scan(ctx); err == nil {
		t.Fatal("want the failure reported")
	}
	if err := ib.Scan(ctx); err != nil {
		t.Errorf("the same failure reported again: %v", err)
	}
	tk.fail = nil
	if err := ib.Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if got := tk.names(); len(got) != 1 || got[0] != "P/a.json" {
		t.Errorf("taken %v", got)
	}
}
