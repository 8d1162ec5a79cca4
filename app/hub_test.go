package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderhub/orderhub/adapters/sqlitebus"
	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/config"
	"github.com/orderhub/orderhub/intake"
	"github.com/orderhub/orderhub/masterdata"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

const (
	bigToken  = "test-bigretail-token-0001"
	shopToken = "test-shop-token-00000002"
)

// hub is one orderhub running in the test process.
// operatorToken admits the hub's operator calls (PUT /v1/inventory).
const operatorToken = "hub-operator-token-0001"

type hub struct {
	t    *testing.T
	a    *app.App
	url  string
	data string
	stop func()
}

// dataWithProfile is a new data directory holding partner's profile.
func dataWithProfile(t *testing.T, partner, profile string) string {
	t.Helper()
	data := t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "profiles"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "profiles", partner+".yaml"), []byte(profile), 0o644); err != nil {
		t.Fatal(err)
	}
	return data
}

func startHub(t *testing.T) *hub {
	t.Helper()
	return startHubAt(t, t.TempDir())
}

// startHubAt starts a hub on the data directory data, which may hold what
// an earlier hub left; opts change its config.
func startHubAt(t *testing.T, data string, opts ...func(*config.Config)) *hub {
	t.Helper()
	cfg := config.Default()
	cfg.Data = data
	cfg.Inbox.PollInterval = config.Duration(30 * time.Millisecond)
	cfg.Inbox.MinAge = config.Duration(60 * time.Millisecond)
	cfg.Bus.PollInterval = config.Duration(50 * time.Millisecond)
	cfg.HTTP.MaxBodyBytes = 1 << 20
	cfg.HTTP.OperatorToken = operatorToken
	for _, o := range opts {
		o(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"catalog", "stock", "prices", "partners", "crosswalk"} {
		if _, err := masterdata.Load(ctx, a.Store, kind, filepath.Join("..", "testdata", "masterdata", kind+".csv")); err != nil {
			t.Fatalf("load %s: %v", kind, err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	h := &hub{t: t, a: a, url: "http://" + ln.Addr().String(), data: data}
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
			a.Close()
		})
	}
	t.Cleanup(h.stop)
	h.waitFor(func() bool {
		resp, err := http.Get(h.url + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}, "healthz 200")
	return h
}

// waitFor polls cond until it holds or 15s pass.
func (h *hub) waitFor(cond func() bool, what string) {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// drop puts a file named name in partner's inbox and returns its path.
func (h *hub) drop(partner, name, body string) string {
	h.t.Helper()
	dir := filepath.Join(h.data, "inbox", partner)
	os.MkdirAll(dir, 0o755)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		h.t.Fatal(err)
	}
	return p
}

// document waits for the document named name to be taken in (past
// received) and returns it.
func (h *hub) document(name string) *store.Document {
	h.t.Helper()
	var doc *store.Document
	h.waitFor(func() bool {
		docs, _ := h.a.Store.Documents(context.Background(), store.DocumentFilter{Limit: 1000})
		for _, d := range docs {
			if d.Name == name && !intake.Unfinished(d.State) {
				doc = d
				return true
			}
		}
		return false
	}, "document "+name)
	return doc
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func (h *hub) do(method, path, token, contentType string, body io.Reader, hdr ...string) response {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, raw: raw}
	json.Unmarshal(raw, &r.body)
	return r
}

func (h *hub) post(token, body string, hdr ...string) response {
	return h.do("POST", "/v1/orders", token, "application/json", strings.NewReader(body), hdr...)
}

// final waits for an order to reach a final status and returns its view.
func (h *hub) final(token, id string) map[string]any {
	h.t.Helper()
	var v map[string]any
	h.waitFor(func() bool {
		r := h.do("GET", "/v1/orders/"+id, token, "", nil)
		if r.status != 200 {
			return false
		}
		v = r.body
		st, _ := v["status"].(string)
		return order.Final(st)
	}, "order "+id+" final")
	return v
}

// messages returns the payloads on a topic whose key is id.
func (h *hub) messages(topic, id string) []map[string]any {
	h.t.Helper()
	var out []map[string]any
	err := h.a.Bus.Read(context.Background(), topic, 0, func(e sqlitebus.Envelope) error {
		if e.Key == id {
			var m map[string]any
			if err := json.Unmarshal(e.Payload, &m); err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return out
}

// settled returns the messages on a topic for id once there are n: a
// stage publishes just after it commits the order's status, so a test that
// saw the status waits a moment for the messages.
func (h *hub) settled(topic, id string, n int) []map[string]any {
	h.t.Helper()
	var got []map[string]any
	deadline := time.Now().Add(5 * time.Second)
	for {
		got = h.messages(topic, id)
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (h *hub) topicCount(topic string) int {
	n := 0
	h.a.Bus.Read(context.Background(), topic, 0, func(sqlitebus.Envelope) error { n++; return nil })
	return n
}
