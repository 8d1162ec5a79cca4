package drop_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/orderhub/orderhub/adapters/canonical"
	"github.com/orderhub/orderhub/adapters/drop"
	"github.com/orderhub/orderhub/adapters/drop/droptest"
	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/intake"
	"github.com/orderhub/orderhub/internal/sqlitedb"
	"github.com/orderhub/orderhub/internal/strictyaml"
	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/store"
)

// published counts the orders intake publishes, by message UUID, as the
// bus would: a UUID published twice is one message.
type published struct {
	mu   sync.Mutex
	uuid map[string]int
}

func (p *published) Publish(topic string, msgs ...*message.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range msgs {
		p.uuid[m.UUID]++
	}
	return nil
}
func (p *published) Close() error { return nil }
func (p *published) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.uuid)
}

// node is one orderhub process: its own data directory, store and intake.
type node struct {
	data string
	st   *store.Store
	pub  *published
	in   *intake.Intake
}

func newNode(t testing.TB) *node {
	t.Helper()
	data := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(data, "s.db"), sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.UpsertPartners(context.Background(), []store.Partner{{ID: "P", Name: "P", Tier: store.TierStandard,
		TokenSHA256: store.TokenSHA256("token-token-token-1")}}); err != nil {
		t.Fatal(err)
	}
	pub := &published{uuid: map[string]int{}}
	in, err := intake.New(st, pub, intake.Config{DataDir: data, Topic: "orders.received", Formats: format.Set{canonical.Format{}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &node{data: data, st: st, pub: pub, in: in}
}

// server is a drop on the local disk: root/in is the partner's outgoing
// directory.
type server struct {
	t    *testing.T
	root string
	mu   sync.Mutex
	fail func(op, path string) error
}

func newServer(t *testing.T) *server {
	s := &server{t: t, root: t.TempDir()}
	os.MkdirAll(filepath.Join(s.root, "in"), 0o755)
	return s
}

func (s *server) setFail(f func(op, path string) error) {
	s.mu.Lock()
	s.fail = f
	s.mu.Unlock()
}

func (s *server) dialer() drop.Dialer {
	return droptest.Dialer(s.root, func(op, path string) error {
		s.mu.Lock()
		f := s.fail
		s.mu.Unlock()
		if f != nil {
			return f(op, path)
		}
		return nil
	})
}

// put writes a partner's file, aged so it is taken at first sight unless
// young is set.
func (s *server) put(name, body string, age time.Duration) {
	s.t.Helper()
	p := filepath.Join(s.root, "in", name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		s.t.Fatal(err)
	}
	mt := time.Now().Add(-age)
	os.Chtimes(p, mt, mt)
}

// files lists the server's files under dir (relative to root), recursively.
func (s *server) files(dir string) []string {
	var out []string
	filepath.WalkDir(filepath.Join(s.root, dir), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(s.root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func order(po string) string {
	return fmt.Sprintf(`{"po_number":%q,"lines":[{"line_no":"1","sku":"X","quantity":"1"}]}`, po)
}

func remote(after string, minAge time.Duration) *mappings.Remote {
	return &mappings.Remote{URL: "sftp://p@127.0.0.1:22", Inbound: "/in", Glob: "*", AfterPull: after,
		Claim: "/in/.orderhub", MinAge: &strictyaml.Duration{Duration: minAge},
		Poll: strictyaml.Duration{Duration: 20 * time.Millisecond}}
}

func (n *node) puller(t *testing.T, s *server, r *mappings.Remote, instance string) *drop.Puller {
	ep, err := drop.EndpointFor("P", r, "")
	if err != nil {
		t.Fatal(err)
	}
	return &drop.Puller{Partner: "P", Remote: r, Endpoint: ep, Dial: s.dialer(), Store: n.st, Target: n.in,
		Instance: instance, Backoff: drop.Backoff{Min: 10 * time.Millisecond, Max: 80 * time.Millisecond}}
}

func poll(t *testing.T, p *drop.Puller) *drop.Report {
	t.Helper()
	r, err := p.Poll(context.Background())
	if err != nil {
		t.Fatalf("Poll: %v (report %+v)", err, r)
	}
	return r
}

func dids(r *drop.Report) string {
	var s []string
	for _, a := range r.Actions {
		if a.Did == "skipped" {
			continue
		}
		s = append(s, filepath.Base(a.Path)+":"+a.Did)
	}
	sort.Strings(s)
	return strings.Join(s, " ")
}

func (n *node) docs(t *testing.T) map[string]string {
	t.Helper()
	ds, err := n.st.Documents(context.Background(), store.DocumentFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range ds {
		out[d.Name] = d.State
	}
	return out
}

func TestPullAfterPull(t *testing.T) {
	for _, tc := range []struct {
		after string
		left  []string // on the server afterwards
	}{
		{"delete", nil},
		{"move:/done", []string{"done/po 1 Müller.json"}},
		{"keep", []string{"in/po 1 Müller.json"}},
	} {
		t.Run(tc.after, func(t *testing.T) {
			s, n := newServer(t), newNode(t)
			r := remote(tc.after, time.Minute)
			if tc.after == "keep" {
				r.Claim = mappings.ClaimNone
			}
			p := n.puller(t, s, r, "a")
			s.put("po 1 Müller.json", order("1"), time.Hour)
			if got := dids(poll(t, p)); got != "po 1 Müller.json:pulled" {
				t.Fatalf("first poll did %q", got)
			}
			if got := s.files(""); strings.Join(got, ",") != strings.Join(tc.left, ",") {
				t.Errorf("server holds %q; want %q", got, tc.left)
			}
			if got := dids(poll(t, p)); got != "" {
				t.Errorf("second poll did %q; want nothing", got)
			}
			if n.pub.count() != 1 {
				t.Errorf("%d orders published; want 1", n.pub.count())
			}
			d := n.docs(t)["po 1 Müller.json"]
			if d != store.DocArchived {
				t.Errorf("ledger state %q; want archived", d)
			}
			if tc.after == "keep" {
				// Touched on the server with the same bytes: not read again.
				mt := time.Now().Add(-30 * time.Minute)
				os.Chtimes(filepath.Join(s.root, "in", "po 1 Müller.json"), mt, mt)
				if got := dids(poll(t, p)); got != "po 1 Müller.json:known" {
					t.Errorf("poll after touch did %q; want known", got)
				}
				if got := dids(poll(t, p)); got != "" {
					t.Errorf("poll after that did %q; want nothing", got)
				}
				if n.pub.count() != 1 {
					t.Errorf("%d orders published; want 1", n.pub.count())
				}
			}
		})
	}
}

func TestPullWaitsForStableFiles(t *testing.T) {
	s, n := newServer(t), newNode(t)
	p := n.puller(t, s, remote("delete", 0), "a")
	body := order("G")
	s.put("growing.json", body[:10], 0)
	s.put(".hidden.json", order("H"), time.Hour)
	s.put("upload.json.part", order("I"), time.Hour)
	s.put("upload.tmp", order("J"), time.Hour)
	if got := dids(poll(t, p)); got != "growing.json:waiting" {
		t.Fatalf("first poll did %q; want growing waiting", got)
	}
	s.put("growing.json", body[:20], 0) // still being written
	if got := dids(poll(t, p)); got != "growing.json:waiting" {
		t.Fatalf("second poll did %q; want growing waiting", got)
	}
	s.put("growing.json", body, 0)
	mt := time.Now().Add(-time.Second)
	os.Chtimes(filepath.Join(s.root, "in", "growing.json"), mt, mt)
	if got := dids(poll(t, p)); got != "growing.json:waiting" {
		t.Fatalf("third poll did %q; want growing waiting", got)
	}
	if got := dids(poll(t, p)); got != "growing.json:pulled" {
		t.Fatalf("fourth poll (unchanged) did %q; want pulled", got)
	}
	if n.pub.count() != 1 {
		t.Errorf("%d orders published; want 1", n.pub.count())
	}
	if got := s.files("in"); len(got) != 3 {
		t.Errorf("server holds %q; want the three temporary names left alone", got)
	}
}

func TestPullSameBytesTwice(t *testing.T) {
	s, n := newServer(t), newNode(t)
	p := n.puller(t, s, remote("delete", time.Minute), "a")
	s.put("a.json", order("D"), time.Hour)
	s.put("b.json", order("D"), time.Hour)
	got := dids(poll(t, p))
	if got != "a.json:duplicate b.json:pulled" && got != "a.json:pulled b.json:duplicate" {
		t.Fatalf("poll did %q; want one pulled, one duplicate", got)
	}
	if n.pub.count() != 1 {
		t.Errorf("%d orders published; want 1", n.pub.count())
	}
}

// failTarget fails File a number of times, as a crash between the ledger
// and the read would leave it.
type failTarget struct {
	drop.Target
	fails int
}

func (f *failTarget) File(ctx context.Context, sub intake.Submission) (*intake.Receipt, error) {
	if f.fails > 0 {
		f.fails--
		return nil, errors.New("bus down")
	}
	return f.Target.File(ctx, sub)
}

func TestPullFailuresBetweenSteps(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fail    string // the server operation that fails once
		target  int    // File fails this often
		restart bool   // a new Puller and intake.Recover before the retry, as after a crash
	}{
		{name: "fetch", fail: "fetch"},
		{name: "remove", fail: "remove"},
		{name: "remove then restart", fail: "remove", restart: true},
		{name: "read", target: 1},
		{name: "read then restart", target: 1, restart: true},
		{name: "claim", fail: "rename"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, n := newServer(t), newNode(t)
			p := n.puller(t, s, remote("delete", time.Minute), "a")
			p.Target = &failTarget{Target: n.in, fails: tc.target}
			once := true
			s.setFail(func(op, path string) error {
				if op == tc.fail && once {
					once = false
					return fmt.Errorf("%s %s: connection reset by peer", op, path)
				}
				return nil
			})
			s.put("x.json", order("X"), time.Hour)
			r, _ := p.Poll(context.Background())
			if r.Failed() == nil && tc.name != "" {
				t.Fatalf("first poll did %q; want a failure", dids(r))
			}
			if tc.restart {
				p = n.puller(t, s, remote("delete", time.Minute), "a")
				if _, err := n.in.Recover(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			poll(t, p)
			poll(t, p)
			if n.pub.count() != 1 {
				t.Errorf("%d orders published; want 1", n.pub.count())
			}
			if got := s.files(""); len(got) != 0 {
				t.Errorf("server still holds %q", got)
			}
			ds := n.docs(t)
			if len(ds) != 1 || ds["x.json"] != store.DocArchived {
				t.Errorf("ledger %v; want x.json archived, once", ds)
			}
		})
	}
}

func TestTwoPullersOneDrop(t *testing.T) {
	s := newServer(t)
	a, b := newNode(t), newNode(t)
	pa := a.puller(t, s, remote("delete", time.Millisecond), "a")
	pb := b.puller(t, s, remote("delete", time.Millisecond), "b")
	const files = 60
	for i := range files {
		s.put(fmt.Sprintf("po%03d.json", i), order(fmt.Sprint(i)), time.Hour)
	}
	var wg sync.WaitGroup
	for _, p := range []*drop.Puller{pa, pb} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if _, err := p.Poll(context.Background()); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	da, db := a.docs(t), b.docs(t)
	for name := range da {
		if _, both := db[name]; both {
			t.Errorf("%s read by both processes", name)
		}
	}
	if len(da)+len(db) != files || a.pub.count()+b.pub.count() != files {
		t.Errorf("documents %d+%d, orders %d+%d; want %d in all", len(da), len(db), a.pub.count(), b.pub.count(), files)
	}
	if got := s.files(""); len(got) != 0 {
		t.Errorf("server still holds %q", got)
	}
	t.Logf("process a took %d files, b %d", len(da), len(db))
}

func TestRunStateChangesOnceAndBacksOff(t *testing.T) {
	s, n := newServer(t), newNode(t)
	p := n.puller(t, s, remote("delete", time.Minute), "a")
	var mu sync.Mutex
	var states []drop.State
	p.OnState = func(st drop.State) {
		mu.Lock()
		states = append(states, st)
		mu.Unlock()
	}
	dials := 0
	var down sync.Mutex
	refused := true
	s.setFail(func(op, path string) error {
		down.Lock()
		defer down.Unlock()
		if op == "dial" {
			dials++
			if refused {
				return fmt.Errorf("%s: 530 Login incorrect: %w", path, drop.ErrAuth)
			}
		}
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	time.Sleep(600 * time.Millisecond)
	down.Lock()
	failingDials := dials
	refused = false
	down.Unlock()
	s.put("late.json", order("L"), time.Hour)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		back := len(states) > 1
		mu.Unlock()
		if back {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	// Backoff from 10ms doubling to 80ms: about 10 dials in 600ms, not
	// hundreds.
	if failingDials < 3 || failingDials > 20 {
		t.Errorf("%d dials while the login was refused; want a few, backing off", failingDials)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(states) != 2 || states[0].OK || !errors.Is(states[0].Err, drop.ErrAuth) || !states[1].OK {
		t.Fatalf("states %+v; want failing (login) once, then ok", states)
	}
	if strings.Contains(states[0].URL, "secret") || states[0].URL != "sftp://p@127.0.0.1:22" {
		t.Errorf("state URL %q", states[0].URL)
	}
	if n.pub.count() != 1 {
		t.Errorf("%d orders published after the login came back; want 1", n.pub.count())
	}
}

func TestDeliverAtomically(t *testing.T) {
	s, n := newServer(t), newNode(t)
	r := remote("delete", time.Minute)
	r.Outbound = "/acks"
	p := n.puller(t, s, r, "a")
	p.Outbox = filepath.Join(n.data, "outbox", "P")
	os.MkdirAll(p.Outbox, 0o755)
	names := []string{"997 00001.x12", "855 Bestätigung.x12"}
	for _, name := range names {
		os.WriteFile(filepath.Join(p.Outbox, name), []byte("ST*997*0001~"+name), 0o644)
	}
	os.WriteFile(filepath.Join(p.Outbox, ".half.tmp"), []byte("not yet"), 0o644)
	var seen []string
	s.setFail(func(op, path string) error {
		if op == "rename" {
			// Until the rename, the answer is only under a dot-name.
			final := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "."), ".tmp")
			for _, f := range s.files("acks") {
				if filepath.Base(f) == final {
					seen = append(seen, f)
				}
			}
		}
		return nil
	})
	if _, err := p.Deliver(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, f := range seen {
		if !strings.HasPrefix(filepath.Base(f), ".") {
			t.Errorf("before its rename the partner could read %s", f)
		}
	}
	if got := s.files("acks"); len(got) != 2 || got[0] != "acks/855 Bestätigung.x12" {
		t.Errorf("server holds %q", got)
	}
	left, _ := os.ReadDir(p.Outbox)
	if len(left) != 1 || left[0].Name() != ".half.tmp" {
		t.Errorf("outbox left %v; want only the half-written dot file", left)
	}
	ds, _ := n.st.Documents(context.Background(), store.DocumentFilter{Direction: store.DirectionOut})
	if len(ds) != 2 {
		t.Fatalf("ledger has %d answers; want 2", len(ds))
	}
	for _, d := range ds {
		if d.State != store.DocDelivered || d.DeliveredAt == nil || !strings.HasPrefix(d.Remote, "sftp://p@127.0.0.1:22/acks/") {
			t.Errorf("ledger entry %+v", d)
		}
	}
	// A server that fails the put: nothing removed, tried again.
	os.WriteFile(filepath.Join(p.Outbox, "997 00002.x12"), []byte("ST*997*0002~"), 0o644)
	s.setFail(func(op, path string) error {
		if op == "put" {
			return errors.New("452 disk full")
		}
		return nil
	})
	if _, err := p.Deliver(context.Background()); err == nil {
		t.Fatal("Deliver with a failing server succeeded")
	}
	if _, err := os.Stat(filepath.Join(p.Outbox, "997 00002.x12")); err != nil {
		t.Fatalf("an answer that could not be put left the outbox: %v", err)
	}
	s.setFail(nil)
	if _, err := p.Deliver(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := s.files("acks"); len(got) != 3 {
		t.Errorf("server holds %q", got)
	}
}
