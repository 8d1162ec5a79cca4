package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/orderhub/orderhub/adapters/x12"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

// x12Interchange builds an interchange from BIGRETAIL with one PO group
// holding the given transaction set bodies (the segments between ST and
// SE, "~"-terminated). SE01 is counted unless badCount is set for a set.
func x12Interchange(control int, sets []string, badCount map[int]bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ISA*00*          *00*          *ZZ*BIGRETAIL      *ZZ*ORDERHUB       *261120*0930*U*00401*%09d*0*P*>~\n", control)
	fmt.Fprintf(&b, "GS*PO*BIGRETAIL*ORDERHUB*20261120*0930*%d*X*004010~\n", control)
	for i, body := range sets {
		st := fmt.Sprintf("%04d", i+1)
		n := strings.Count(body, "~") + 2
		if badCount[i] {
			n += 3
		}
		fmt.Fprintf(&b, "ST*850*%s~\n%sSE*%d*%s~\n", st, body, n, st)
	}
	fmt.Fprintf(&b, "GE*%d*%d~\nIEA*1*%09d~\n", len(sets), control, control)
	return b.String()
}

const bigretailProfile = `partner: BIGRETAIL
x12:
  sender_qualifier: ZZ
  sender_id: BIGRETAIL
  version: "004010"
  acks: [997, 855]
`

// outboxFiles lists outbox/<partner>/ names with the given prefix.
func outboxFiles(data, partner, prefix string) []string {
	ents, _ := os.ReadDir(filepath.Join(data, "outbox", partner))
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), prefix) {
			out = append(out, e.Name())
		}
	}
	return out
}

// x12Segments reads one of our answers back with orderhub's own reader:
// the segments of its transaction sets and its ISA13. An answer that does
// not read cleanly fails the test.
func x12Segments(t *testing.T, body []byte) (segs []string, isa13 int64) {
	t.Helper()
	r := x12.NewReader(bytes.NewReader(body), x12.Options{Doc: "answer",
		OnInterchange: func(rep *x12.InterchangeReport) {
			if len(rep.Errors) > 0 {
				t.Errorf("answer interchange: %v", rep.Errors[0])
			}
			isa13, _ = strconv.ParseInt(rep.Header.Control, 10, 64)
		}})
	defer r.Close()
	for {
		tx, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(tx.Report.Errors) > 0 {
			t.Errorf("answer set: %v", tx.Report.Errors[0])
		}
		for i := range tx.Segments {
			s := &tx.Segments[i]
			f := []string{string(s.Tag())}
			for j := 1; j <= s.Len(); j++ {
				f = append(f, s.Str(j))
			}
			segs = append(segs, strings.Join(f, "*"))
		}
	}
	if errs := r.Errors(); len(errs) > 0 {
		t.Errorf("answer: %v", errs[0])
	}
	return segs, isa13
}

// TestX12EndToEnd drops 850s in a partner's inbox and follows them to the
// fulfilment topics and to the 997 and 855s in the partner's outbox, across
// a restart.
func TestX12EndToEnd(t *testing.T) {
	data := dataWithProfile(t, "BIGRETAIL", bigretailProfile)
	h := startHubAt(t, data)

	// One good 850 whose first line goes to two stores (SDQ) and whose
	// second line goes to the DC, and one whose SE01 is wrong.
	good := "BEG*00*SA*X12-1**20261120~CUR*BY*USD~" +
		"N1*ST*BIGRETAIL DC 7*92*0007~N3*1200 DISTRIBUTION WAY~N4*COLUMBUS*OH*43215*US~" +
		"PO1*1*20*EA*1.98**VN*SKU-1001*UP*012345678905~PID*F****COLA CLASSIC 12OZ CAN~SDQ*EA*92*0101*12*0102*8~" +
		"PO1*2*5*EA*2.50**VN*SKU-1002~CTT*2*25~"
	bad := "BEG*00*SA*X12-BAD**20261120~PO1*1*1*EA**VN*SKU-1001~CTT*1~"
	h.drop("BIGRETAIL", "po1.x12", x12Interchange(101, []string{good, bad}, map[int]bool{1: true}))

	d := h.document("po1.x12")
	if d.Orders != 3 || d.Rejected != 1 {
		t.Fatalf("document = %+v, want 3 orders (one per destination) and 1 refused set", d)
	}
	rows, err := h.a.Store.OrdersByPO(context.Background(), "BIGRETAIL", "X12-1")
	if err != nil || len(rows) != 3 {
		t.Fatalf("X12-1: %d orders, %v", len(rows), err)
	}
	shipTos := map[string]string{} // ship-to id → order id
	for _, r := range rows {
		v := h.final(bigToken, r.ID)
		if v["status"] != order.StatusRouted {
			t.Errorf("order %s: %v %v", r.ID, v["status"], v["problems"])
		}
		o, err := order.Decode(r.JSON)
		if err != nil {
			t.Fatal(err)
		}
		shipTos[o.Party(order.RoleShipTo).ID] = r.ID
	}
	if len(shipTos) != 3 || shipTos["0101"] == "" || shipTos["0102"] == "" || shipTos["0007"] == "" {
		t.Errorf("ship-tos %v, want 0101, 0102 and 0007", shipTos)
	}

	// The 997: the group partly accepted, the bad set refused for its
	// segment count.
	h.waitFor(func() bool {
		return len(outboxFiles(data, "BIGRETAIL", "997_")) == 1 && len(outboxFiles(data, "BIGRETAIL", "855_")) == 3
	}, "a 997 and three 855s in outbox/BIGRETAIL")
	var controls []int64
	read := func(name string) []string {
		b, err := os.ReadFile(filepath.Join(data, "outbox", "BIGRETAIL", name))
		if err != nil {
			t.Fatal(err)
		}
		segs, n := x12Segments(t, b)
		controls = append(controls, n)
		return segs
	}
	fa := strings.Join(read(outboxFiles(data, "BIGRETAIL", "997_")[0]), "\n")
	for _, want := range []string{"AK1*PO*101", "AK2*850*0001\nAK5*A", "AK2*850*0002\nAK5*R*4", "AK9*P*2*2*1"} {
		if !strings.Contains(fa, want) {
			t.Errorf("997 lacks %q:\n%s", want, fa)
		}
	}

	// An 855 per order, each naming its ship-to, priced by the pipeline:
	// BIGRETAIL is a key account, SKU-1001 at 1.98 as its PO says, but
	// SKU-1002 at 1.98 where the PO says 2.50 (IP, and BAK02 AC).
	stores := map[string]bool{}
	for _, name := range outboxFiles(data, "BIGRETAIL", "855_") {
		segs := read(name)
		body := strings.Join(segs, "\n")
		want := "BAK*00*AD*X12-1*20261120"
		if strings.Contains(body, "N1*ST*BIGRETAIL DC 7*92*0007") {
			want = "BAK*00*AC*X12-1*20261120"
			if !strings.Contains(body, "PO1*2*5*EA*1.98**VN*SKU-1002\nACK*IP*5*EA*068") {
				t.Errorf("%s: line 2 at our price, IP\n%s", name, body)
			}
		}
		if !strings.Contains(body, want) {
			t.Errorf("%s: want %s\n%s", name, want, body)
		}
		for _, s := range segs {
			if id, ok := strings.CutPrefix(s, "N1*ST*"); ok {
				f := strings.Split(id, "*")
				stores[f[len(f)-1]] = true
			}
		}
		if strings.Contains(body, "ACK*IA*12*EA*068") != strings.Contains(body, "N1*ST**92*0101") {
			t.Errorf("%s: store 0101 gets 12 of line 1\n%s", name, body)
		}
	}
	if len(stores) != 3 {
		t.Errorf("855 ship-tos %v", stores)
	}

	// After a restart, the next answers get higher control numbers.
	h.stop()
	h2 := startHubAt(t, data)
	// X12-3 names an item nobody sells: the pipeline rejects it, and the
	// partner hears so in an 855 (RJ, every line IR).
	h2.drop("BIGRETAIL", "po2.x12", x12Interchange(102, []string{"BEG*00*SA*X12-2**20261120~PO1*1*3*EA**VN*SKU-1002~CTT*1~",
		"BEG*00*SA*X12-3**20261120~PO1*1*3*EA**VN*NO-SUCH-SKU~CTT*1~"}, nil))
	if d := h2.document("po2.x12"); d.State != store.DocArchived || d.Orders != 2 {
		t.Fatalf("po2.x12 = %+v", d)
	}
	h2.waitFor(func() bool {
		return len(outboxFiles(data, "BIGRETAIL", "997_")) == 2 && len(outboxFiles(data, "BIGRETAIL", "855_")) == 5
	}, "a second 997 and a fourth and fifth 855")
	rejected := 0
	for _, name := range outboxFiles(data, "BIGRETAIL", "855_") {
		b, _ := os.ReadFile(filepath.Join(data, "outbox", "BIGRETAIL", name))
		if strings.Contains(string(b), "BAK*00*RJ*X12-3*") && strings.Contains(string(b), "ACK*IR*3*EA") {
			rejected++
		}
	}
	if rejected != 1 {
		t.Errorf("want one 855 rejecting X12-3, found %d", rejected)
	}
	before := slices.Max(controls)
	seen := map[int64]bool{}
	for _, c := range controls {
		seen[c] = true
	}
	for _, prefix := range []string{"997_", "855_"} {
		for _, name := range outboxFiles(data, "BIGRETAIL", prefix) {
			controls = controls[:0]
			read(name)
			n := controls[0]
			if !seen[n] && n <= before {
				t.Errorf("%s after the restart has control number %d, not above %d", name, n, before)
			}
			seen[n] = true
		}
	}
	if len(seen) != 7 {
		t.Errorf("control numbers %v: want seven different ones", seen)
	}
}
