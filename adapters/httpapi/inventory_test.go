package httpapi

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/store"
)

const operatorToken = "operator-token-0123456789"

func TestPutInventory(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if _, err := r.st.UpsertCatalog(ctx, []store.CatalogItem{{SKU: "SKU-1", Description: "cola", UOM: "EA", PackSize: decimal.NewFromInt(1)}}); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{OperatorToken: operatorToken}, r.st, r.in, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	for _, tt := range []struct {
		name, token, ctype, body string
		status                   int
		want                     []string // in the body
		onHand, safety           string   // WH-EAST SKU-1 afterwards, "" to skip
	}{
		{name: "no token", ctype: "text/csv", body: "warehouse,sku,on_hand\nWH-EAST,SKU-1,5\n", status: 401},
		{name: "partner token", token: token, ctype: "text/csv", body: "warehouse,sku,on_hand\nWH-EAST,SKU-1,5\n", status: 403,
			want: []string{"takes the operator token"}},
		{name: "unknown token", token: "nope-nope-nope-nope", ctype: "text/csv", body: "warehouse,sku,on_hand\nWH-EAST,SKU-1,5\n", status: 401},
		{name: "csv", token: operatorToken, ctype: "text/csv", body: "warehouse,sku,on_hand,safety_stock\nWH-EAST,SKU-1,120,10\n", status: 200,
			want: []string{`"rows": 1`, `"inserted": 1`}, onHand: "120", safety: "10"},
		{name: "json array, numbers and strings", token: operatorToken, ctype: "application/json",
			body: `[{"warehouse": "WH-EAST", "sku": "SKU-1", "on_hand": 80.5}]`, status: 200,
			want: []string{`"updated": 1`}, onHand: "80.5", safety: "10"},
		{name: "json levels", token: operatorToken, ctype: "application/json; charset=utf-8",
			body: `{"levels": [{"warehouse": "WH-EAST", "sku": "SKU-1", "on_hand": "90", "safety_stock": "0"}]}`, status: 200,
			onHand: "90", safety: "0"},
		{name: "json bad rows, nothing changed", token: operatorToken, ctype: "application/json",
			body: `[{"warehouse": "WH-EAST", "sku": "SKU-1", "on_hand": "7"}, {"warehouse": "WH-EAST", "sku": "SKU-404", "on_hand": "-3"}]`, status: 422,
			want: []string{`"path": "levels[1].`, "nothing was changed"}, onHand: "90"},
		{name: "csv bad row", token: operatorToken, ctype: "text/csv", body: "warehouse,sku,on_hand\nWH-EAST,SKU-1,lots\n", status: 422,
			want: []string{`"position": "inventory.csv:2"`, `"path": "on_hand"`}, onHand: "90"},
		{name: "unknown json field", token: operatorToken, ctype: "application/json", body: `[{"warehouse": "WH-EAST", "sku": "SKU-1", "qty": 3}]`, status: 400,
			want: []string{`unknown field \"qty\"`}},
		{name: "xml", token: operatorToken, ctype: "application/xml", body: `<stock/>`, status: 415},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("PUT", "/v1/inventory", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.ctype)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			for _, s := range tt.want {
				if !strings.Contains(w.Body.String(), s) {
					t.Errorf("body lacks %q:\n%s", s, w.Body)
				}
			}
			if w.Code >= 400 && !json.Valid(w.Body.Bytes()) {
				t.Errorf("not JSON: %s", w.Body)
			}
			if tt.onHand == "" {
				return
			}
			inv, err := r.st.Inventory(ctx, []string{"SKU-1"})
			if err != nil || len(inv) != 1 {
				t.Fatalf("inventory %v %v", inv, err)
			}
			if inv[0].OnHand.String() != tt.onHand || (tt.safety != "" && inv[0].Safety.String() != tt.safety) {
				t.Errorf("on hand %s safety %s, want %s %s", inv[0].OnHand, inv[0].Safety, tt.onHand, tt.safety)
			}
		})
	}
	// A server without an operator token refuses, saying how to set one.
	w := httptest.NewRecorder()
	req := httptest.NewRequest("PUT", "/v1/inventory", strings.NewReader("warehouse,sku,on_hand\n"))
	req.Header.Set("Authorization", "Bearer "+operatorToken)
	r.h.ServeHTTP(w, req)
	if w.Code != 403 || !strings.Contains(w.Body.String(), "ORDERHUB_OPERATOR_TOKEN") {
		t.Errorf("no operator token: %d %s", w.Code, w.Body)
	}
}
