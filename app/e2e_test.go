package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
	"github.com/shopspring/decimal"
)

const goodOrder = `{
  "po_number": "4500012345", "order_date": "2026-11-20", "currency": "USD",
  "requested_delivery_date": "2026-12-01", "requested_ship_date": "2026-11-25",
  "references": [{"qualifier": "DP", "value": "042"}],
  "parties": [{"role": "ship_to", "id": "0007", "id_qualifier": "92", "name": "BIGRETAIL DC 7",
     "address": ["1200 DISTRIBUTION WAY"], "city": "COLUMBUS", "region": "OH", "postal_code": "43215", "country": "US"}],
  "lines": [
    {"line_no": "1", "gtin": "012345678905", "description": "COLA CLASSIC 12OZ CAN", "quantity": "24", "uom": "EA", "unit_price": "2.15"},
    {"line_no": "2", "buyer_item": "88001", "quantity": "120", "uom": "EA"},
    {"line_no": "3", "sku": "SKU-1002", "quantity": "10", "uom": "EA"}
  ]
}`

func TestEndToEnd(t *testing.T) {
	h := startHub(t)

	t.Run("routed order reaches fulfilment and logistics", func(t *testing.T) {
		r := h.post(bigToken, goodOrder)
		if r.status != 202 {
			t.Fatalf("POST = %d %s", r.status, r.raw)
		}
		id, _ := r.body["id"].(string)
		if !strings.HasPrefix(id, "ord_") || r.header.Get("Location") != "/v1/orders/"+id {
			t.Fatalf("id %q, Location %q", id, r.header.Get("Location"))
		}
		v := h.final(bigToken, id)
		if v["status"] != order.StatusRouted {
			t.Fatalf("status = %v, history %v", v["status"], v["history"])
		}
		var steps []string
		for _, e := range v["history"].([]any) {
			steps = append(steps, e.(map[string]any)["status"].(string))
		}
		if got := strings.Join(steps, ","); got != "received,parsed,validated,reserved,priced,routed" {
			t.Errorf("history = %s", got)
		}
		// The order was resolved: GTIN and buyer item to SKUs, priced from
		// the key-account list (line 2 reaches no volume break: KEY-USD has none).
		lines := v["lines"].([]any)
		if lines[0].(map[string]any)["sku"] != "SKU-1001" || lines[1].(map[string]any)["sku"] != "SKU-1001" {
			t.Errorf("lines not resolved: %v", lines)
		}
		pricing := v["pricing"].(map[string]any)
		if pricing["total"] != "304.92" { // 24*1.98 + 120*1.98 + 10*1.98
			t.Errorf("total = %v", pricing["total"])
		}
		if pl := pricing["lines"].([]any)[0].(map[string]any); pl["po_price_mismatch"] != true {
			t.Errorf("line 1 PO price 2.15 vs list 1.98 not flagged: %v", pl)
		}

		// The order is routed once the stage has committed; its messages
		// are published right after, so give them a moment.
		var f, l []map[string]any
		h.waitFor(func() bool {
			f, l = h.messages("fulfilment.WH-EAST", id), h.messages("logistics", id)
			return len(f) >= 1 && len(l) >= 1
		}, "the fulfilment and logistics messages")
		if len(f) != 1 {
			t.Fatalf("%d fulfilment messages, want 1", len(f))
		}
		if allocs := f[0]["allocations"].([]any); len(allocs) != 3 {
			t.Errorf("allocations = %v", allocs)
		}
		if len(l) != 1 {
			t.Fatalf("%d logistics messages, want 1", len(l))
		}
		ship := l[0]
		if ship["warehouse"] != "WH-EAST" || ship["po_number"] != "4500012345" || ship["requested_delivery_date"] != "2026-12-01" {
			t.Errorf("shipment = %v", ship)
		}
		if ship["ship_to"].(map[string]any)["city"] != "COLUMBUS" {
			t.Errorf("ship_to = %v", ship["ship_to"])
		}
		if ship["total_weight_kg"] != "56.98" { // 144*0.37 + 10*0.37
			t.Errorf("total_weight_kg = %v", ship["total_weight_kg"])
		}
		// No calendar in the rules: the warehouse ships the day it is
		// routed (UTC), and the fulfilment order says so too.
		if d, _ := ship["ship_date"].(string); len(d) != 10 || d < time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02") {
			t.Errorf("ship_date = %v", ship["ship_date"])
		} else if r, _ := f[0]["route"].(map[string]any); r["ship_date"] != d {
			t.Errorf("fulfilment route %v, shipment ships %s", r, d)
		}

		// Stock is reserved exactly once.
		rows, _ := h.a.Store.InventoryOf(context.Background(), "SKU-1001")
		for _, row := range rows {
			if row.Warehouse == "WH-EAST" && row.Reserved.String() != "144" {
				t.Errorf("WH-EAST SKU-1001 reserved %s, want 144", row.Reserved)
			}
		}

		t.Run("the same order again is a duplicate, not routed again", func(t *testing.T) {
			r := h.post(bigToken, goodOrder)
			if r.status != 202 {
				t.Fatalf("POST = %d %s", r.status, r.raw)
			}
			id2 := r.body["id"].(string)
			v := h.final(bigToken, id2)
			if v["status"] != order.StatusDuplicate {
				t.Fatalf("status = %v", v["status"])
			}
			if n := len(h.messages("fulfilment.WH-EAST", id2)); n != 0 {
				t.Errorf("duplicate routed %d times", n)
			}
		})
		t.Run("the same PO with other content is rejected", func(t *testing.T) {
			r := h.post(bigToken, strings.Replace(goodOrder, `"quantity": "10"`, `"quantity": "11"`, 1))
			v := h.final(bigToken, r.body["id"].(string))
			if v["status"] != order.StatusRejected || !strings.Contains(fmt.Sprint(v["problems"]), "duplicate PO number") {
				t.Fatalf("status %v problems %v", v["status"], v["problems"])
			}
			if n := len(h.settled("orders.rejected", r.body["id"].(string), 1)); n != 1 {
				t.Errorf("%d messages on orders.rejected", n)
			}
		})
		t.Run("another partner cannot see it", func(t *testing.T) {
			if r := h.do("GET", "/v1/orders/"+id, shopToken, "", nil); r.status != 404 {
				t.Errorf("GET other partner's order = %d", r.status)
			}
			r := h.do("GET", "/v1/orders?po=4500012345", shopToken, "", nil)
			if r.status != 200 || len(r.body["orders"].([]any)) != 0 {
				t.Errorf("GET ?po= as other partner = %d %s", r.status, r.raw)
			}
			r = h.do("GET", "/v1/orders?po=4500012345", bigToken, "", nil)
			if len(r.body["orders"].([]any)) != 3 {
				t.Errorf("GET ?po= = %s", r.raw)
			}
		})
	})

	t.Run("missing stock backorders the shortfall", func(t *testing.T) {
		r := h.post(shopToken, `{"po_number":"SHORT-1","lines":[{"line_no":"1","sku":"SKU-1004","quantity":"8"},{"line_no":"2","sku":"SKU-2001","quantity":"3"}]}`)
		if r.status != 202 {
			t.Fatalf("POST = %d %s", r.status, r.raw)
		}
		id := r.body["id"].(string)
		v := h.final(shopToken, id)
		if v["status"] != order.StatusBackordered {
			t.Fatalf("status = %v (%v)", v["status"], v["history"])
		}
		b := v["backorders"].([]any)
		if len(b) != 1 || b[0].(map[string]any)["quantity"] != "3" {
			t.Errorf("backorders = %v", b)
		}
		if n := len(h.settled("fulfilment.WH-WEST", id, 1)); n != 1 {
			t.Errorf("%d fulfilment.WH-WEST messages", n)
		}
		if n := len(h.settled("orders.backorder", id, 1)); n != 1 {
			t.Errorf("%d orders.backorder messages", n)
		}

		// Stock arrives (PUT /v1/inventory, as the warehouse system would
		// send it): the backorder is filled, sent on, and the order ends
		// routed.
		rows, _ := h.a.Store.InventoryOf(context.Background(), "SKU-1004")
		var levels []string
		for _, row := range rows {
			levels = append(levels, fmt.Sprintf(`{"warehouse": %q, "sku": "SKU-1004", "on_hand": %q}`, row.Warehouse, row.OnHand.Add(decimal.NewFromInt(10))))
		}
		if r := h.do("PUT", "/v1/inventory", operatorToken, "application/json", strings.NewReader("["+strings.Join(levels, ",")+"]")); r.status != 200 {
			t.Fatalf("PUT /v1/inventory = %d %s", r.status, r.raw)
		}
		var got response
		h.waitFor(func() bool {
			got = h.do("GET", "/v1/orders/"+id, shopToken, "", nil)
			return got.body["status"] == order.StatusRouted
		}, "the backorder filled")
		if b, _ := got.body["backorders"].([]any); len(b) != 0 {
			t.Errorf("backorders after the fill = %v", b)
		}
		var fills int
		h.waitFor(func() bool {
			fills = 0
			for _, topic := range []string{"fulfilment.WH-WEST", "fulfilment.WH-EAST"} {
				fills += len(h.messages(topic, id))
			}
			return fills >= 2
		}, "the fill's fulfilment message")

		// The warehouse says it shipped (operator token): the order ends
		// shipped, and saying it again changes nothing.
		ship := func(token, id string) response {
			return h.do("POST", "/v1/orders/"+id+"/shipped", token, "application/json", strings.NewReader(`{"note": "tracking 1Z999"}`))
		}
		if r := ship(shopToken, id); r.status != 403 {
			t.Errorf("a partner marking its order shipped: %d %s", r.status, r.raw)
		}
		if r := ship(operatorToken, "ord_nothing"); r.status != 404 {
			t.Errorf("unknown order shipped: %d %s", r.status, r.raw)
		}
		for i := 0; i < 2; i++ {
			if r := ship(operatorToken, id); r.status != 200 || r.body["status"] != order.StatusShipped {
				t.Fatalf("shipped (%d): %d %s", i, r.status, r.raw)
			}
		}
		if r := h.do("GET", "/v1/orders/"+id, shopToken, "", nil); !strings.Contains(string(r.raw), "shipped (API): tracking 1Z999") {
			t.Errorf("history lacks the shipment: %s", r.raw)
		}
	})

	t.Run("a bad order is 400 with every field error and nothing is published", func(t *testing.T) {
		before := h.topicCount("orders.received")
		r := h.post(bigToken, `{"po_number":"","order_date":"2026-13-40","lines":[{"line_no":"1","sku":"SKU-1001","quantity":"-3"},{"line_no":"1","quantity":"0"}]}`)
		if r.status != 400 || r.header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("POST = %d %s", r.status, r.header.Get("Content-Type"))
		}
		var paths []string
		for _, e := range r.body["errors"].([]any) {
			paths = append(paths, e.(map[string]any)["path"].(string))
		}
		for _, want := range []string{"po_number", "order_date", "lines[0].quantity", "lines[1].line_no", "lines[1].quantity", "lines[1]"} {
			found := false
			for _, p := range paths {
				if p == want || strings.HasPrefix(p, want) {
					found = true
				}
			}
			if !found {
				t.Errorf("no error for %s in %s", want, r.raw)
			}
		}
		if !strings.Contains(string(r.raw), `must be > 0, got \"-3\"`) {
			t.Errorf("quantity message: %s", r.raw)
		}
		if after := h.topicCount("orders.received"); after != before {
			t.Errorf("orders.received grew from %d to %d", before, after)
		}
	})

	t.Run("bad input over HTTP", func(t *testing.T) {
		tests := []struct {
			name, token, ctype, body string
			status                   int
			want                     string
		}{
			{"no token", "", "application/json", goodOrder, 401, "Bearer"},
			{"wrong token", "nope-nope-nope-nope", "application/json", goodOrder, 401, "unknown token"},
			{"0-byte body", bigToken, "application/json", "", 400, "empty body"},
			{"invalid JSON", bigToken, "application/json", `{"po_number": "X", "lines": [}`, 400, "line 1"},
			{"unknown field", bigToken, "application/json", `{"po_number":"X","colour":"red","lines":[{"line_no":"1","sku":"SKU-1001","quantity":"1"}]}`, 400, "colour"},
			{"not JSON at all", bigToken, "application/json", "hello", 400, "unrecognised document format"},
			{"X12 where JSON is expected", bigToken, "application/json", "ISA*00*", 400, "expected a json document, got x12"},
			{"wrong media type", bigToken, "application/xml", "<order/>", 415, "Content-Type"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := h.do("POST", "/v1/orders", tt.token, tt.ctype, strings.NewReader(tt.body))
				if r.status != tt.status || !strings.Contains(string(r.raw)+r.header.Get("WWW-Authenticate"), tt.want) {
					t.Errorf("= %d %s, want %d containing %q", r.status, r.raw, tt.status, tt.want)
				}
			})
		}
		t.Run("50 MB body", func(t *testing.T) {
			big := bytes.Repeat([]byte(" "), 50<<20)
			r := h.do("POST", "/v1/orders", bigToken, "application/json", bytes.NewReader(big))
			if r.status != 413 {
				t.Errorf("= %d %s", r.status, r.raw)
			}
			// Without a Content-Length the cap still holds.
			r = h.do("POST", "/v1/orders", bigToken, "application/json", io.MultiReader(bytes.NewReader(big)))
			if r.status != 413 {
				t.Errorf("chunked = %d %s", r.status, r.raw)
			}
		})
		t.Run("every refused body is kept in error/", func(t *testing.T) {
			docs, err := h.a.Store.Documents(context.Background(), store.DocumentFilter{State: store.DocError, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range docs {
				if _, err := os.Stat(d.Path); err != nil {
					t.Errorf("document %s (%s): %v", d.ID, d.Name, err)
				}
			}
		})
	})

	t.Run("NDJSON of several orders is all or nothing", func(t *testing.T) {
		good := `{"po_number":"ND-1","lines":[{"line_no":"1","sku":"SKU-1002","quantity":"1"}]}
{"po_number":"ND-2","lines":[{"line_no":"1","sku":"SKU-1002","quantity":"2"}]}
`
		r := h.do("POST", "/v1/orders", bigToken, "application/x-ndjson", strings.NewReader(good))
		if r.status != 202 || len(r.body["orders"].([]any)) != 2 || r.body["id"] != nil {
			t.Fatalf("POST = %d %s", r.status, r.raw)
		}
		loc := r.header.Get("Location")
		if loc != "/v1/documents/"+r.body["document_id"].(string) {
			t.Errorf("Location %q", loc)
		}
		d := h.do("GET", loc, bigToken, "", nil)
		if d.status != 200 || d.body["state"] != "archived" || len(d.body["order_refs"].([]any)) != 2 {
			t.Errorf("GET %s = %d %s", loc, d.status, d.raw)
		}
		if d := h.do("GET", loc, shopToken, "", nil); d.status != 404 {
			t.Errorf("another partner's document = %d", d.status)
		}
		before := h.topicCount("orders.received")
		bad := good + `{"po_number":"ND-3","lines":[{"line_no":"1","sku":"SKU-1002","quantity":"0"}]}` + "\n"
		r = h.do("POST", "/v1/orders", bigToken, "application/x-ndjson", strings.NewReader(bad))
		if r.status != 400 || !strings.Contains(string(r.raw), `"order": 2`) {
			t.Fatalf("POST = %d %s", r.status, r.raw)
		}
		if after := h.topicCount("orders.received"); after != before {
			t.Errorf("orders.received grew from %d to %d", before, after)
		}
	})

	t.Run("idempotency key returns the first answer", func(t *testing.T) {
		body := `{"po_number":"IDEM-1","lines":[{"line_no":"1","sku":"SKU-1002","quantity":"2"}]}`
		r1 := h.post(bigToken, body, "Idempotency-Key", "k-1")
		r2 := h.post(bigToken, body, "Idempotency-Key", "k-1")
		if r1.status != 202 || r2.status != 202 || r1.body["id"] != r2.body["id"] || r2.body["replayed"] != true {
			t.Fatalf("first %d %s, second %d %s", r1.status, r1.raw, r2.status, r2.raw)
		}
		r3 := h.post(bigToken, strings.Replace(body, `"2"`, `"3"`, 1), "Idempotency-Key", "k-1")
		if r3.status != 409 {
			t.Errorf("reused key with other body = %d %s", r3.status, r3.raw)
		}
	})

	t.Run("inbox", func(t *testing.T) {
		inbox := filepath.Join(h.data, "inbox")

		t.Run("NDJSON with a bad line: good orders flow, the file goes to error/ with a report", func(t *testing.T) {
			h.drop("SHOP", "po-batch.ndjson", `{"po_number":"INBOX-1","lines":[{"line_no":"1","sku":"SKU-1002","quantity":"5"}]}
{"po_number":"INBOX-2","lines":[{"line_no":"1","sku":"SKU-1002","quantity":"abc"}]}
{"po_number":"INBOX-3","lines":[{"line_no":"1","buyer_item":"CS-7","quantity":"1"}]}
`)
			d := h.document("po-batch.ndjson")
			if d.State != store.DocError || d.Orders != 2 || d.Rejected != 1 {
				t.Fatalf("document = %+v", d)
			}
			h.waitFor(func() bool { _, err := os.Stat(d.Path); return err == nil }, "the file in "+d.Path)
			report, err := os.ReadFile(d.Path + ".error.txt")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(report), "line 2") || !strings.Contains(string(report), "lines[0].quantity") {
				t.Errorf("report:\n%s", report)
			}
			rows, _ := h.a.Store.OrdersByPO(context.Background(), "SHOP", "INBOX-3")
			if len(rows) != 1 {
				t.Fatalf("INBOX-3: %d orders", len(rows))
			}
			if v := h.final(shopToken, rows[0].ID); v["status"] != order.StatusRouted {
				t.Errorf("INBOX-3 %v", v["status"])
			}
		})
		t.Run("same bytes again are archived as a duplicate", func(t *testing.T) {
			body := `{"po_number":"INBOX-9","lines":[{"line_no":"1","sku":"SKU-2001","quantity":"1"}]}`
			h.drop("SHOP", "a.json", body)
			first := h.document("a.json")
			h.drop("SHOP", "b.json", body)
			second := h.document("b.json")
			if first.State != store.DocArchived || second.State != store.DocDuplicate || second.DuplicateOf != first.ID {
				t.Fatalf("first %+v second %+v", first, second)
			}
			if !strings.Contains(second.Path, "archive") {
				t.Errorf("duplicate filed at %s", second.Path)
			}
			rows, _ := h.a.Store.OrdersByPO(context.Background(), "SHOP", "INBOX-9")
			if len(rows) != 1 {
				t.Errorf("%d orders for INBOX-9", len(rows))
			}
		})
		t.Run("empty file", func(t *testing.T) {
			h.drop("SHOP", "empty.json", "")
			d := h.document("empty.json")
			if d.State != store.DocError || !strings.Contains(d.Error, "empty") {
				t.Errorf("document = %+v", d)
			}
		})
		t.Run("unknown partner directory", func(t *testing.T) {
			h.drop("NOSUCH", "x.json", goodOrder)
			d := h.document("x.json")
			if d.State != store.DocError || !strings.Contains(d.Error, `unknown partner "NOSUCH"`) {
				t.Errorf("document = %+v", d)
			}
			h.waitFor(func() bool { _, err := os.Stat(d.Path); return err == nil }, "the file in "+d.Path)
		})
		t.Run("unreadable file", func(t *testing.T) {
			dir := filepath.Join(inbox, "SHOP")
			p := filepath.Join(dir, "unreadable.json")
			if os.Geteuid() == 0 {
				// root reads any file: a FIFO is a file no one can read
				// as a document.
				if err := syscall.Mkfifo(p, 0o644); err != nil {
					t.Fatal(err)
				}
			} else {
				h.drop("SHOP", "unreadable.json", goodOrder)
				os.Chmod(p, 0)
			}
			d := h.document("unreadable.json")
			if d.State != store.DocError || !strings.Contains(d.Error, "cannot read") {
				t.Errorf("document = %+v", d)
			}
		})
		t.Run("files being written are left alone", func(t *testing.T) {
			h.drop("SHOP", "upload.json.part", goodOrder)
			h.drop("SHOP", ".hidden.json", goodOrder)
			time.Sleep(300 * time.Millisecond)
			for _, n := range []string{"upload.json.part", ".hidden.json"} {
				if _, err := os.Stat(filepath.Join(inbox, "SHOP", n)); err != nil {
					t.Errorf("%s was taken: %v", n, err)
				}
			}
		})
	})
}
