package app_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/orderhub/orderhub/cli"
	"github.com/orderhub/orderhub/config"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

const reviewerToken = "test-credit-desk-token-0001"

// heldOrder is SHOP's order whose PO price (1.00 a can) is far from its
// list's 2.15: its profile holds such orders for review.
func heldOrder(po string) string {
	return fmt.Sprintf(`{"po_number": %q, "order_date": "2026-11-20", "currency": "USD",
  "parties": [{"role": "ship_to", "id": "0001", "region": "OH", "postal_code": "43215", "country": "US"}],
  "lines": [{"line_no": "1", "sku": "SKU-1001", "quantity": "24", "uom": "EA", "unit_price": "1.00"}]}`, po)
}

// A held order waits, its stock reserved and nothing routed, until a
// reviewer releases it through the API or someone runs orderhub release
// beside the running serve; then it is routed as any priced order.
func TestHeldOrderReleased(t *testing.T) {
	data := dataWithProfile(t, "SHOP", "partner: SHOP\npolicy:\n  price_check: {tolerance: 2%, on_mismatch: hold}\n")
	h := startHubAt(t, data, func(c *config.Config) {
		c.HTTP.Reviewers = []config.Reviewer{{Name: "credit-desk", TokenSHA256: store.TokenSHA256(reviewerToken)}}
	})

	ids := map[string]string{}
	for _, po := range []string{"HOLD-API", "HOLD-CLI"} {
		r := h.post(shopToken, heldOrder(po))
		if r.status != 202 {
			t.Fatalf("POST %s = %d %s", po, r.status, r.raw)
		}
		ids[po], _ = r.body["id"].(string)
		v := h.final(shopToken, ids[po])
		if v["status"] != order.StatusHeld {
			t.Fatalf("%s: status %v, history %v", po, v["status"], v["history"])
		}
		holds, _ := v["holds"].([]any)
		if len(holds) != 1 || holds[0].(map[string]any)["rule"] != order.HoldPriceCheck ||
			!strings.Contains(holds[0].(map[string]any)["reason"].(string), "line 1 SKU-1001: PO 1 per EA, ours 2.15") {
			t.Errorf("%s: holds %v", po, v["holds"])
		}
		if len(v["allocations"].([]any)) == 0 {
			t.Errorf("%s: a held order keeps its reservations: %v", po, v["allocations"])
		}
	}
	apiID, cliID := ids["HOLD-API"], ids["HOLD-CLI"]
	if msgs := h.messages("logistics", apiID); len(msgs) != 0 {
		t.Fatalf("a held order was sent to logistics: %v", msgs)
	}

	release := func(token, id, body string) response {
		return h.do("POST", "/v1/orders/"+id+"/release", token, "application/json", strings.NewReader(body))
	}
	for _, tt := range []struct {
		name, token, id, body string
		status                int
	}{
		{"no token", "", apiID, "", 401},
		{"a partner may not release its own order", shopToken, apiID, "", 403},
		{"unknown order", reviewerToken, "ord_nothing", "", 404},
		{"the operator may too (unknown order)", operatorToken, "ord_nothing", "", 404},
		{"unknown action", reviewerToken, apiID, `{"action": "approve"}`, 400},
	} {
		if r := release(tt.token, tt.id, tt.body); r.status != tt.status || r.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s, want %d problem+json", tt.name, r.status, r.raw, tt.status)
		}
	}

	r := release(reviewerToken, apiID, `{"note": "price agreed by phone"}`)
	if r.status != 202 || r.body["id"] != apiID {
		t.Fatalf("release through the API: %d %s", r.status, r.raw)
	}
	routed := func(id string) map[string]any {
		var v map[string]any
		h.waitFor(func() bool {
			v = h.do("GET", "/v1/orders/"+id, shopToken, "", nil).body
			return v["status"] == order.StatusRouted
		}, id+" routed after its release")
		return v
	}
	v := routed(apiID)
	if !hasEvent(v, order.StatusPriced, "released by API (credit-desk): price agreed by phone") {
		t.Errorf("history %v", v["history"])
	}
	// Published right after the routed status is committed.
	h.waitFor(func() bool { return len(h.messages("logistics", apiID)) == 1 }, "a shipment request after the release")
	if r := release(reviewerToken, apiID, ""); r.status != 409 || !strings.Contains(r.body["detail"].(string), "is routed") {
		t.Errorf("releasing a routed order: %d %s, want 409", r.status, r.raw)
	}

	// The CLI, as a second process would run it: its own store and bus
	// on the serving hub's data directory.
	var out, errOut bytes.Buffer
	if code := cli.Main(context.Background(), []string{"release", "--data", data, "HOLD-CLI"}, nil, &out, &errOut); code != 0 {
		t.Fatalf("orderhub release: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), cliID+"  PO HOLD-CLI  partner SHOP  released to routing") {
		t.Errorf("orderhub release printed %q", out.String())
	}
	v = routed(cliID)
	if !hasEvent(v, order.StatusPriced, "released by CLI") {
		t.Errorf("history %v", v["history"])
	}
	out.Reset()
	errOut.Reset()
	if code := cli.Main(context.Background(), []string{"release", "--data", data, "HOLD-CLI"}, nil, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), `no order with PO number "HOLD-CLI" is held`) {
		t.Errorf("releasing it again: exit %d, %q", code, errOut.String())
	}
}

func hasEvent(v map[string]any, status, reason string) bool {
	for _, e := range v["history"].([]any) {
		ev := e.(map[string]any)
		if ev["status"] == status && ev["reason"] == reason {
			return true
		}
	}
	return false
}
