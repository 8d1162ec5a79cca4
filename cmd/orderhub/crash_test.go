package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/adapters/sqlitebus"
	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/internal/sqlitedb"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "orderhub-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binary = filepath.Join(dir, "orderhub")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build orderhub: %v\n%s", err, out)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is an `orderhub serve` child process.
type server struct {
	t    *testing.T
	cmd  *exec.Cmd
	data string
	addr string
	log  *os.File
}

func startServer(t *testing.T, data, addr string) *server {
	t.Helper()
	return startServerEnv(t, data, addr, true)
}

// startServerEnv starts orderhub serve with env added to the test's own,
// and waits for it to be healthy when wait is set (not for a serve meant
// to die at a failpoint).
func startServerEnv(t *testing.T, data, addr string, wait bool, env ...string) *server {
	t.Helper()
	logf, err := os.OpenFile(filepath.Join(data, "serve.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "serve", "--data", data, "--http", addr, "--config", filepath.Join(data, "orderhub.yaml"))
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, cmd: cmd, data: data, addr: addr, log: logf}
	if !wait {
		return s
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		if time.Now().After(deadline) {
			s.kill()
			b, _ := os.ReadFile(logf.Name())
			t.Fatalf("serve did not become healthy:\n%s", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *server) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
	s.log.Close()
}

func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		s.t.Error("serve did not stop on SIGTERM within 20s")
		s.cmd.Process.Kill()
		<-done
	}
	s.log.Close()
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func orderhub(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(binary, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("orderhub %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// crashOrder is the i-th order of the test: mostly routable, some short of
// stock (SKU-1004 has 5 units), some with items no catalog knows (a line
// the catalog refuses does not refuse its order: these have nothing else).
func crashOrder(i int) string {
	sku, qty, other := "SKU-1002", "1", "SKU-1001"
	switch {
	case i%25 == 3:
		sku, qty = "SKU-1004", "2"
	case i%20 == 7:
		sku, other = "NO-SUCH-SKU", "NO-SUCH-SKU-EITHER"
	case i%2 == 0:
		sku = "SKU-2001"
	}
	return fmt.Sprintf(`{"po_number":"CRASH-%03d","lines":[{"line_no":"1","sku":"%s","quantity":"%s"},{"line_no":"2","sku":"%s","quantity":"1"}]}`, i, sku, qty, other)
}

// TestCrashSafety feeds 200 orders through the inbox and HTTP while the
// server is killed with SIGKILL at random moments and restarted, then checks
// that every order reached exactly one final status and was sent to its
// fulfilment topic exactly once.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills orderhub processes")
	}
	const total = 200
	data := t.TempDir()
	cfg := "inbox:\n  poll_interval: 50ms\n  min_age: 100ms\nbus:\n  poll_interval: 100ms\nlog:\n  level: info\n"
	if err := os.WriteFile(filepath.Join(data, "orderhub.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"catalog", "stock", "prices", "partners", "crosswalk"} {
		orderhub(t, "load", kind, filepath.Join("..", "..", "testdata", "masterdata", kind+".csv"), "--data", data, "--config", filepath.Join(data, "orderhub.yaml"))
	}
	addr := freeAddr(t)
	srv := startServer(t, data, addr)
	var srvMu sync.Mutex

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	seed := rng.Uint64()
	t.Logf("random seed %d", seed)
	rng = rand.New(rand.NewPCG(seed, 7))

	// Feeders: half the orders over HTTP (retried with an Idempotency-Key
	// across the crash, as a careful client does), half as inbox files of
	// five orders each.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < total; i += 2 {
			body := crashOrder(i)
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "POST", "http://"+addr+"/v1/orders", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer test-shop-token-00000002")
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", fmt.Sprintf("crash-%d", i))
				resp, err := http.DefaultClient.Do(req)
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode == 202 {
						break
					}
				}
				time.Sleep(50 * time.Millisecond)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	go func() {
		defer wg.Done()
		dir := filepath.Join(data, "inbox", "SHOP")
		os.MkdirAll(dir, 0o755)
		for f := 0; f < total/10; f++ {
			var b strings.Builder
			for k := 0; k < 5; k++ {
				b.WriteString(crashOrder(1 + 2*(f*5+k)))
				b.WriteByte('\n')
			}
			tmp := filepath.Join(dir, fmt.Sprintf(".batch-%02d.ndjson", f))
			os.WriteFile(tmp, []byte(b.String()), 0o644)
			os.Rename(tmp, filepath.Join(dir, fmt.Sprintf("batch-%02d.ndjson", f)))
			time.Sleep(15 * time.Millisecond)
		}
	}()

	// Two kills at random moments while orders flow.
	for k := 0; k < 2; k++ {
		time.Sleep(time.Duration(150+rng.IntN(900)) * time.Millisecond)
		srvMu.Lock()
		srv.kill()
		t.Logf("killed serve with SIGKILL (%d)", k+1)
		srv = startServer(t, data, addr)
		srvMu.Unlock()
	}
	wg.Wait()

	// Every order reaches a final status.
	st, err := store.OpenReadOnly(app.StorePath(data))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	deadline := time.Now().Add(90 * time.Second)
	var byPO map[string][]*store.OrderRow
	for {
		byPO = map[string][]*store.OrderRow{}
		notFinal := 0
		for i := 0; i < total; i++ {
			po := fmt.Sprintf("CRASH-%03d", i)
			rows, err := st.OrdersByPO(ctx, "SHOP", po)
			if err != nil {
				t.Fatal(err)
			}
			byPO[po] = rows
			if len(rows) == 0 {
				notFinal++
			}
			for _, r := range rows {
				if !order.Final(r.Status) {
					notFinal++
				}
			}
		}
		if notFinal == 0 {
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(data, "serve.log"))
			t.Fatalf("%d order(s) not final after 90s; serve.log tail:\n%s", notFinal, tail(string(b), 4000))
		}
		time.Sleep(100 * time.Millisecond)
	}

	counted := map[string]int{}
	var routedIDs []*store.OrderRow
	for po, rows := range byPO {
		finals := 0
		for _, r := range rows {
			counted[r.Status]++
			switch r.Status {
			case order.StatusRouted, order.StatusBackordered, order.StatusRejected:
				finals++
				if r.Status != order.StatusRejected {
					routedIDs = append(routedIDs, r)
				}
			case order.StatusDuplicate:
			default:
				t.Errorf("%s: order %s in status %s", po, r.ID, r.Status)
			}
		}
		if finals != 1 {
			t.Errorf("%s: %d orders routed/backordered/rejected, want exactly 1 (%d rows)", po, finals, len(rows))
		}
	}
	t.Logf("statuses: %v", counted)
	if counted[order.StatusRejected] == 0 || counted[order.StatusBackordered] == 0 || counted[order.StatusRouted] == 0 {
		t.Errorf("the mix should hold routed, backordered and rejected orders: %v", counted)
	}

	// Each routed order is on each of its fulfilment topics exactly once
	// for a consumer group.
	srvMu.Lock()
	defer srvMu.Unlock()
	srv.stop()
	bdb, err := sqlitedb.Open(app.BusPath(data), sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	bus, err := sqlitebus.New(bdb, sqlitebus.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	seen := map[string]int{}
	for _, wh := range []string{"WH-EAST", "WH-WEST"} {
		for key, n := range consumeAll(t, bus, "fulfilment."+wh, "crash-check") {
			seen[key+"@"+wh] += n
		}
	}
	for _, r := range routedIDs {
		var o order.Order
		if err := json.Unmarshal(r.JSON, &o); err != nil {
			t.Fatal(err)
		}
		whs := map[string]bool{}
		for _, a := range o.Allocations {
			whs[a.Warehouse] = true
		}
		for wh := range whs {
			if n := seen[r.ID+"@"+wh]; n != 1 {
				t.Errorf("order %s (%s) on fulfilment.%s %d times, want 1", r.ID, r.PONumber, wh, n)
			}
			delete(seen, r.ID+"@"+wh)
		}
	}
	for k, n := range seen {
		t.Errorf("unexpected fulfilment message %s (%d)", k, n)
	}

	// Reservations add up: no stock reserved twice for one order.
	checkReservations(t, data)
}

func consumeAll(t *testing.T, bus *sqlitebus.Bus, topic, group string) map[string]int {
	t.Helper()
	sub, err := bus.Subscriber(sqlitebus.SubscriberConfig{ConsumerGroup: group})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	msgs, err := sub.Subscribe(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for {
		select {
		case m := <-msgs:
			out[m.Metadata.Get("key")]++
			m.Ack()
		case <-time.After(time.Second):
			return out
		}
	}
}

func checkReservations(t *testing.T, data string) {
	t.Helper()
	db, err := sqlitedb.Open(app.StorePath(data), sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Read().Query(`SELECT i.warehouse, i.sku, i.reserved_e4, COALESCE((SELECT group_concat(quantity, ' ') FROM reservations r WHERE r.warehouse = i.warehouse AND r.sku = i.sku), '') FROM inventory i`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var wh, sku, qs string
		var reserved int64
		if err := rows.Scan(&wh, &sku, &reserved, &qs); err != nil {
			t.Fatal(err)
		}
		sum := decimal.Zero
		for _, q := range strings.Fields(qs) {
			sum = sum.Add(decimal.RequireFromString(q))
		}
		if !sum.Equal(store.FromE4(reserved)) {
			t.Errorf("%s %s: reserved %s but reservations sum to %s", wh, sku, store.FromE4(reserved), sum)
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
