package app_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhub/orderhub/masterdata"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/rules"
)

// Loyalty, free goods and tax through a running orderhub: rules installed
// while it serves are followed without a restart; an 850 earns free goods,
// which ship and come back in the 855 as a no-charge PO1; the status API
// shows the loyalty adjustment and the tax.
func TestPricingRulesEndToEnd(t *testing.T) {
	data := dataWithProfile(t, "BIGRETAIL", bigretailProfile)
	h := startHubAt(t, data)
	ctx := context.Background()
	// BIGRETAIL has traded with us since 2020: six whole years on the order date.
	partners := "partner,name,tier,price_list,token,since\nBIGRETAIL,Big Retail Corp,key_account,KEY-USD,test-bigretail-token-0001,2020-01-01\n"
	if _, err := masterdata.LoadReader(ctx, h.a.Store, "partners", "partners.csv", strings.NewReader(partners)); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "rules.yaml")
	os.WriteFile(src, []byte(`pricing:
  loyalty: [{years: 5, percent_off: 2%}]
  tax: [{country: US, rate: 7.25%}]
  promotions:
    - {id: COLA-10-1, from: 2026-11-01, to: 2026-11-30, skus: [SKU-1001], buy: {quantity: 10}, get: {sku: SKU-1001, quantity: 1}}
`), 0o644)
	if _, err := rules.Install(src, data); err != nil {
		t.Fatal(err)
	}
	h.waitFor(func() bool { return len(h.a.Rules.Current().Pricing.Loyalty) == 1 }, "the running hub to follow the new rules")

	po := "BEG*00*SA*PR-1**20261120~CUR*BY*USD~N1*ST*BIGRETAIL DC 7*92*0007~N4*COLUMBUS*OH*43215*US~" +
		"PO1*1*20*EA*1.98**VN*SKU-1001~CTT*1*20~"
	h.drop("BIGRETAIL", "pr1.x12", x12Interchange(201, []string{po}, nil))
	var id string
	h.waitFor(func() bool {
		rows, err := h.a.Store.OrdersByPO(ctx, "BIGRETAIL", "PR-1")
		if err != nil || len(rows) != 1 {
			return false
		}
		id = rows[0].ID
		return true
	}, "order PR-1")
	v := h.final(bigToken, id)
	if v["status"] != order.StatusRouted {
		t.Fatalf("PR-1: %v %v", v["status"], v["problems"])
	}
	lines := v["lines"].([]any)
	if len(lines) != 2 {
		t.Fatalf("PR-1 lines %v, want the PO's and the free one", lines)
	}
	free := lines[1].(map[string]any)
	if free["line_no"] != "1-F" || free["quantity"] != "2" || free["promotion"] != "COLA-10-1" {
		t.Errorf("free line %v, want 1-F, 2 of SKU-1001 by COLA-10-1", free)
	}
	pr := v["pricing"].(map[string]any)
	// 1.98 less 2% loyalty = 1.9404; 20 of them 38.808 → 38.81; tax 7.25%
	// of it 2.813725 → 2.81. The free cans: 0, their 1.98 given.
	if pr["total"] != "38.81" || pr["tax_total"] != "2.81" || pr["total_with_tax"] != "41.62" {
		t.Errorf("pricing totals %v %v %v, want 38.81, 2.81, 41.62", pr["total"], pr["tax_total"], pr["total_with_tax"])
	}
	pl := pr["lines"].([]any)
	if l0 := pl[0].(map[string]any); l0["unit_price"] != "1.9404" || !strings.Contains(string(mustJSON(t, l0)), `{"amount":"-0.0396","kind":"loyalty","rule":"pricing.loyalty.5y"}`) {
		t.Errorf("line 1 priced %s", mustJSON(t, l0))
	}
	if l1 := pl[1].(map[string]any); l1["unit_price"] != "0" || l1["tax"] != "0" {
		t.Errorf("free line priced %s", mustJSON(t, l1))
	}
	// The warehouse picks the free cans with the rest.
	if got := h.settled("fulfilment.WH-EAST", id, 1); len(got) != 1 || len(got[0]["allocations"].([]any)) != 2 {
		t.Errorf("fulfilment: %v", got)
	}

	h.waitFor(func() bool { return len(outboxFiles(data, "BIGRETAIL", "855_")) == 1 }, "the 855")
	b, err := os.ReadFile(filepath.Join(data, "outbox", "BIGRETAIL", outboxFiles(data, "BIGRETAIL", "855_")[0]))
	if err != nil {
		t.Fatal(err)
	}
	segs, _ := x12Segments(t, b)
	body := strings.Join(segs, "\n")
	for _, want := range []string{"BAK*00*AC*PR-1*20261120", "PO1*1*20*EA*1.9404**VN*SKU-1001\nACK*IP*20*EA*068",
		"PO1*1-F*2*EA*0*NC*VN*SKU-1001\nACK*IA*2*EA*068", "CTT*2*22"} {
		if !strings.Contains(body, want) {
			t.Errorf("855 lacks %q:\n%s", want, body)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
