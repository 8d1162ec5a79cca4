package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhub/orderhub/order"
)

// x12ChangeInterchange is x12Interchange for purchase order changes: one
// PC group of 860s.
func x12ChangeInterchange(control int, sets []string) string {
	s := x12Interchange(control, sets, nil)
	s = strings.Replace(s, "GS*PO*", "GS*PC*", 1)
	return strings.ReplaceAll(s, "ST*850*", "ST*860*")
}

// TestX12ChangesEndToEnd sends an 850, then an 860 changing it, then an
// 850 cancelling it (BEG01 01), then an 860 for a PO nobody sent, through
// the inbox and the real pipeline: the live order changes in place and is
// then cancelled, the warehouse hears of each, the partner gets an 855 for
// each document (BAK01 00, 04, 01, and 04 RJ), and the stock comes back.
func TestX12ChangesEndToEnd(t *testing.T) {
	data := dataWithProfile(t, "BIGRETAIL", bigretailProfile)
	h := startHubAt(t, data)
	ctx := context.Background()
	n := 0
	drop := func(body string) {
		n++
		h.drop("BIGRETAIL", fmt.Sprintf("doc%d.x12", n), body)
	}
	// byPurpose waits for the order of PO po with that purpose to be final.
	byPurpose := func(po, purpose string) map[string]any {
		t.Helper()
		var id string
		h.waitFor(func() bool {
			rows, _ := h.a.Store.OrdersByPO(ctx, "BIGRETAIL", po)
			for _, r := range rows {
				if r.Purpose == purpose {
					id = r.ID
					return true
				}
			}
			return false
		}, purpose+" of "+po)
		return h.final(bigToken, id)
	}
	reserved := func(sku string) string {
		rows, _ := h.a.Store.InventoryOf(ctx, sku)
		for _, r := range rows {
			if r.Warehouse == "WH-EAST" {
				return r.Reserved.String()
			}
		}
		return "?"
	}
	answers := func(want int) []string {
		t.Helper()
		h.waitFor(func() bool { return len(outboxFiles(data, "BIGRETAIL", "855_")) == want }, fmt.Sprintf("%d 855s", want))
		var bodies []string
		for _, name := range outboxFiles(data, "BIGRETAIL", "855_") {
			b, err := os.ReadFile(filepath.Join(data, "outbox", "BIGRETAIL", name))
			if err != nil {
				t.Fatal(err)
			}
			segs, _ := x12Segments(t, b)
			bodies = append(bodies, strings.Join(segs, "\n"))
		}
		return bodies
	}
	find := func(bodies []string, want string) string {
		for _, b := range bodies {
			if strings.Contains(b, want) {
				return b
			}
		}
		t.Errorf("no 855 with %q in\n%s", want, strings.Join(bodies, "\n--\n"))
		return ""
	}
	st := "N1*ST*STORE 9*92*0009~N4*COLUMBUS*OH*43215*US~"

	drop(x12Interchange(301, []string{"BEG*00*SA*CHX-1**20261120~CUR*BY*USD~" + st +
		"PO1*1*10*EA***VN*SKU-1001~PO1*2*4*EA***VN*SKU-1003~CTT*2*14~"}, nil))
	orig := byPurpose("CHX-1", order.PurposeOriginal)
	if orig["status"] != order.StatusRouted {
		t.Fatalf("CHX-1: %v %v", orig["status"], orig["problems"])
	}
	id := orig["id"].(string)
	if r := reserved("SKU-1003"); r != "4" {
		t.Fatalf("SKU-1003 reserved %s after the 850", r)
	}
	answers(1)

	// The 860: line 1 up to 15, line 2 deleted, line 3 added.
	drop(x12ChangeInterchange(302, []string{"BCH*04*SA*CHX-1**3*20261121~" + st +
		"POC*1*QI*15*5*EA***VN*SKU-1001~POC*2*DI*0*4*EA***VN*SKU-1003~POC*3*AI*2**EA***VN*SKU-1002~CTT*3~"}))
	chg := byPurpose("CHX-1", order.PurposeChange)
	if chg["status"] != order.StatusApplied {
		t.Fatalf("860: %v %v", chg["status"], chg["problems"])
	}
	live := h.final(bigToken, id)
	if live["status"] != order.StatusRouted {
		t.Errorf("after the 860 %s is %v", id, live["status"])
	}
	got := map[string]string{}
	for _, a := range live["allocations"].([]any) {
		m := a.(map[string]any)
		got[m["line_no"].(string)] = m["quantity"].(string)
	}
	if fmt.Sprint(got) != "map[1:15 3:2]" {
		t.Errorf("allocations after the 860: %v", got)
	}
	if r := reserved("SKU-1003"); r != "0" {
		t.Errorf("SKU-1003 reserved %s after its line was deleted", r)
	}
	changes := h.settled("fulfilment.WH-EAST", id, 2) // the order, then the change
	if len(changes) != 2 || fmt.Sprint(changes[1]["by"]) != chg["id"] {
		t.Fatalf("fulfilment.WH-EAST for %s: %v", id, changes)
	}
	var lines []string
	for _, l := range changes[1]["lines"].([]any) {
		m := l.(map[string]any)
		lines = append(lines, fmt.Sprintf("%s %s %s→%s", m["line_no"], m["change"], m["old_quantity"], m["new_quantity"]))
	}
	if strings.Join(lines, ", ") != "1 quantity_increase 10→15, 2 delete 4→0, 3 add 0→2" {
		t.Errorf("change/v1 lines: %v", lines)
	}
	b := find(answers(2), "BAK*04*")
	for _, want := range []string{"BAK*04*AD*CHX-1", "PO1*1*15*EA", "ACK*IA*15*EA", "PO1*2*0*EA", "ACK*ID*0*EA", "ACK*IA*2*EA"} {
		if !strings.Contains(b, want) {
			t.Errorf("change 855 lacks %q:\n%s", want, b)
		}
	}

	// The cancel: everything comes back, the warehouse is told.
	drop(x12Interchange(303, []string{"BEG*01*SA*CHX-1**20261122~" + st + "PO1*1*15*EA***VN*SKU-1001~CTT*1~"}, nil))
	cxl := byPurpose("CHX-1", order.PurposeCancel)
	if cxl["status"] != order.StatusApplied {
		t.Fatalf("cancel: %v %v", cxl["status"], cxl["problems"])
	}
	if v := h.final(bigToken, id); v["status"] != order.StatusCancelled {
		t.Errorf("after the cancel %s is %v", id, v["status"])
	}
	for sku, want := range map[string]string{"SKU-1001": "0", "SKU-1002": "0"} {
		if r := reserved(sku); r != want {
			t.Errorf("%s reserved %s after the cancel", sku, r)
		}
	}
	if msgs := h.settled("fulfilment.WH-EAST", id, 3); len(msgs) != 3 || msgs[2]["by"] != cxl["id"] {
		t.Errorf("no cancellation on fulfilment.WH-EAST: %v", msgs)
	}
	if msgs := h.settled("logistics", id, 3); len(msgs) != 3 {
		t.Errorf("logistics for %s: %d messages, want the shipment, the change and the cancellation", id, len(msgs))
	}
	b = find(answers(3), "BAK*01*")
	if !strings.Contains(b, "BAK*01*AT*CHX-1") || !strings.Contains(b, "ACK*ID*15*EA") {
		t.Errorf("cancel 855:\n%s", b)
	}

	// An 860 for a PO never sent: refused, and the partner hears why.
	drop(x12ChangeInterchange(304, []string{"BCH*04*SA*NOPE-9**3*20261121~POC*1*QI*5*1*EA***VN*SKU-1001~CTT*1~"}))
	nope := byPurpose("NOPE-9", order.PurposeChange)
	if nope["status"] != order.StatusRejected || !strings.Contains(fmt.Sprint(nope["problems"]), "unknown PO NOPE-9") {
		t.Errorf("860 for an unknown PO: %v %v", nope["status"], nope["problems"])
	}
	b = find(answers(4), "BAK*04*RJ*NOPE-9")
	if !strings.Contains(b, "ACK*IR*5*EA") {
		t.Errorf("refused change 855:\n%s", b)
	}
	// The history of the live order tells the story.
	ev, _ := h.a.Store.Events(ctx, id)
	var steps []string
	for _, e := range ev {
		if e.Status != order.StatusAcknowledged { // when the 855 went is the acknowledge stage's business
			steps = append(steps, e.Status)
		}
	}
	// Routed, routed again by the change, cancelled.
	if s := strings.Join(steps, " "); !strings.HasSuffix(s, "priced routed routed cancelled") {
		t.Errorf("history of %s: %s", id, s)
	}
}
