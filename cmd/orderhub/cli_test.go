package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/orderhub/orderhub/adapters/sqlitebus"
	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/internal/sqlitedb"
	"github.com/orderhub/orderhub/pipeline"
)

// run runs the orderhub binary and returns stdout, stderr and the exit code.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// printedOrder is an order translate printed, as much of it as the tests
// look at, with its JSON line.
type printedOrder struct {
	PONumber string `json:"po_number"`
	Lines    []struct {
		SKU string `json:"sku"`
	} `json:"lines"`
	line string
}

// printedOrders reads translate's stdout, one order per JSON line: their
// PO numbers and the orders, in the order printed. A line that is not JSON
// fails the test.
func printedOrders(t *testing.T, out string) (pos []string, orders []printedOrder) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		o := printedOrder{line: l}
		if err := json.Unmarshal([]byte(l), &o); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		pos = append(pos, o.PONumber)
		orders = append(orders, o)
	}
	return pos, orders
}

func loadTestData(t *testing.T, data string) {
	t.Helper()
	for _, kind := range []string{"catalog", "stock", "prices", "partners", "crosswalk"} {
		if _, errs, code := run(t, "load", kind, filepath.Join("..", "..", "testdata", "masterdata", kind+".csv"), "--data", data); code != 0 {
			t.Fatalf("load %s: %s", kind, errs)
		}
	}
}

func TestCommandLine(t *testing.T) {
	data := t.TempDir()
	loadTestData(t, data)
	mixed := filepath.Join("..", "..", "testdata", "orders", "mixed.ndjson")
	good := filepath.Join("..", "..", "testdata", "orders", "good.json")

	t.Run("translate prints the good orders, names every refusal, exits 1", func(t *testing.T) {
		out, errs, code := run(t, "translate", mixed, "--data", data)
		if code != 1 {
			t.Errorf("exit %d", code)
		}
		pos, orders := printedOrders(t, out)
		for _, o := range orders {
			if o.PONumber == "M-1" && o.Lines[0].SKU != "SKU-1001" {
				t.Errorf("M-1 GTIN not resolved through the catalog in --data: %s", o.line)
			}
		}
		if strings.Join(pos, ",") != "M-1,M-4" {
			t.Errorf("printed %v", pos)
		}
		for _, want := range []string{"mixed.ndjson: line 2 (order 2): lines[0].quantity", "mixed.ndjson: line 3 (order 3): colour: unknown field"} {
			if !strings.Contains(errs, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errs)
			}
		}
	})
	t.Run("translate on a bad X12 file prints the good orders, names each refused set, exits 1", func(t *testing.T) {
		out, errs, code := run(t, "translate", filepath.Join("..", "..", "testdata", "orders", "bad.x12"))
		if code != 1 {
			t.Errorf("exit %d", code)
		}
		pos, _ := printedOrders(t, out)
		if strings.Join(pos, ",") != "X-1,X-3" {
			t.Errorf("printed %v", pos)
		}
		for _, want := range []string{
			"bad.x12: ST 0002 segment 5 (SE): SE01 says 8 segments, counted 5",
			"bad.x12: ST 0001: refused with its interchange 000000202: IEA02 says 000000999, ISA13 is 000000202",
		} {
			if !strings.Contains(errs, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errs)
			}
		}
	})
	t.Run("translate has no side effects", func(t *testing.T) {
		empty := t.TempDir()
		if _, _, code := run(t, "translate", good, "--data", empty); code != 0 {
			t.Errorf("exit %d", code)
		}
		if entries, _ := os.ReadDir(empty); len(entries) != 0 {
			t.Errorf("translate wrote %v", entries)
		}
	})
	t.Run("validate dry-runs and changes nothing", func(t *testing.T) {
		out, errs, code := run(t, "validate", "--partner", "SHOP", good, "--data", data)
		if code != 0 || !strings.Contains(errs, "PO G-1: would be routed") || !strings.Contains(out, `"pricing"`) {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		// With carrier rules the route says how and when it ships.
		rulesFile := filepath.Join(t.TempDir(), "rules.yaml")
		os.WriteFile(rulesFile, []byte("carriers:\n  - {id: any, carrier: UPS, service: ground}\n"), 0o644)
		if _, errs, code := run(t, "load", "rules", rulesFile, "--data", data); code != 0 {
			t.Fatalf("load rules: %s", errs)
		}
		out, errs, code = run(t, "validate", "--partner", "SHOP", good, "--data", data)
		if code != 0 || !strings.Contains(out, `"carrier":"UPS","service":"ground","ship_date":"`) ||
			!strings.Contains(errs, "ships ") || !strings.Contains(errs, " by UPS ground (carrier rule any)") {
			t.Fatalf("route not shown: exit %d\n%s\n%s", code, out, errs)
		}
		if _, errs, code := run(t, "status", "G-1", "--data", data); code != 1 || !strings.Contains(errs, "no order") {
			t.Errorf("validate left an order behind: %d %s", code, errs)
		}
	})
	t.Run("ingest runs the pipeline when nothing serves", func(t *testing.T) {
		out, errs, code := run(t, "ingest", "--partner", "SHOP", good, "--data", data)
		if code != 0 || !strings.Contains(out, "1 order(s): routed 1") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		out, _, code = run(t, "status", "G-1", "--json", "--data", data)
		if code != 0 || !strings.Contains(out, `"status":"routed"`) {
			t.Errorf("status: %d %s", code, out)
		}
		out, _, _ = run(t, "consume", "--data", data)
		if !strings.Contains(out, "fulfilment.WH-WEST") {
			t.Errorf("topics:\n%s", out)
		}
		out, _, _ = run(t, "consume", "fulfilment.WH-WEST", "--group", "erp", "--data", data)
		if n := strings.Count(out, "\n"); n != 1 || !strings.Contains(out, `"offset":`) {
			t.Errorf("consume --group printed %d line(s):\n%s", n, out)
		}
		if out, _, _ = run(t, "consume", "fulfilment.WH-WEST", "--group", "erp", "--data", data); out != "" {
			t.Errorf("the group saw it again:\n%s", out)
		}
	})
	t.Run("shipped marks a routed order shipped, once", func(t *testing.T) {
		out, errs, code := run(t, "shipped", "G-1", "--note", "PRO 1Z999", "--data", data)
		if code != 0 || !strings.Contains(out, "status shipped") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		out, _, _ = run(t, "status", "G-1", "--json", "--data", data)
		if !strings.Contains(out, `"status":"shipped"`) || !strings.Contains(out, "shipped: PRO 1Z999") {
			t.Errorf("status: %s", out)
		}
		if _, _, code := run(t, "shipped", "G-1", "--data", data); code != 0 {
			t.Errorf("shipped again: exit %d", code)
		}
		if _, errs, code := run(t, "shipped", "NO-SUCH-PO", "--data", data); code != 1 || !strings.Contains(errs, "no routed order") {
			t.Errorf("unknown PO: exit %d %s", code, errs)
		}
	})
	t.Run("errors", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.yaml")
		os.WriteFile(bad, []byte("http:\n  adr: x\n"), 0o644)
		for _, tt := range []struct {
			args []string
			code int
			want string
		}{
			{[]string{"load", "stock", filepath.Join("..", "..", "testdata", "orders", "good.json")}, 1, "unknown column"},
			{[]string{"load", "gadgets", "x.csv"}, 2, "unknown master data kind"},
			{[]string{"translate", "/no/such/file"}, 1, "no such file"},
			{[]string{"frobnicate"}, 2, "unknown command"},
			{[]string{"serve", "--config", bad}, 2, "http.adr: unknown key"},
		} {
			_, errs, code := run(t, append(tt.args, "--data", data)...)
			if code != tt.code || !strings.Contains(errs, tt.want) {
				t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, errs, tt.code, tt.want)
			}
		}
	})
}

// replay sends poisoned messages back where they failed, once.
func TestReplay(t *testing.T) {
	data := t.TempDir()
	loadTestData(t, data)
	bdb, err := sqlitedb.Open(app.BusPath(data), sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bus, err := sqlitebus.New(bdb, sqlitebus.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := message.NewMessage("ord_X@orders.parsed", []byte(`{"po_number":"X"}`))
	m.Metadata.Set("key", "ord_X")
	m.Metadata.Set(pipeline.PoisonTopicKey, pipeline.TopicParsed)
	m.Metadata.Set(pipeline.PoisonReasonKey, "store was down")
	if err := bus.Publisher().Publish(pipeline.TopicPoison, m); err != nil {
		t.Fatal(err)
	}
	bus.Close()
	bdb.Close()

	out, errs, code := run(t, "replay", "--dry-run", "--data", data)
	if code != 0 || !strings.Contains(out, "orders.parsed") || !strings.Contains(out, "store was down") {
		t.Fatalf("dry run: %d %q %q", code, out, errs)
	}
	if out, errs, code := run(t, "replay", "--data", data); code != 0 || !strings.Contains(out, "replayed 1 message") {
		t.Fatalf("replay: %d %q %q", code, out, errs)
	}
	if out, _, _ := run(t, "replay", "--data", data); !strings.Contains(out, "replayed 0 message") {
		t.Errorf("second replay: %q", out)
	}
	out, _, _ = run(t, "consume", pipeline.TopicParsed, "--data", data)
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, `"key":"ord_X"`) || strings.Contains(out, "reason_poisoned") {
		t.Errorf("orders.parsed:\n%s", out)
	}
}
