package intake

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/orderhub/orderhub/adapters/canonical"
	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/internal/sqlitedb"
	"github.com/orderhub/orderhub/store"
)

// recorder is a Publisher that remembers what was published, ignoring a
// UUID it already has as the bus does.
type recorder struct {
	mu   sync.Mutex
	msgs map[string]*message.Message
	n    int
}

func (r *recorder) Publish(topic string, msgs ...*message.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range msgs {
		r.n++
		if _, ok := r.msgs[m.UUID]; !ok {
			r.msgs[m.UUID] = m
		}
	}
	return nil
}
func (r *recorder) Close() error { return nil }

type rig struct {
	t    *testing.T
	data string
	st   *store.Store
	pub  *recorder
	in   *Intake
}

func newRig(t *testing.T) *rig {
	t.Helper()
	data := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(data, "s.db"), sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.UpsertPartners(context.Background(), []store.Partner{{ID: "P", Name: "P", Tier: store.TierStandard, TokenSHA256: store.TokenSHA256("token-token-token-1")}}); err != nil {
		t.Fatal(err)
	}
	pub := &recorder{msgs: map[string]*message.Message{}}
	in, err := New(st, pub, Config{DataDir: data, Topic: "orders.received", Formats: format.Set{canonical.Format{}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, data: data, st: st, pub: pub, in: in}
}

// claim writes a document into the processing area as a transport would.
func (r *rig) claim(partner, name, body string) Submission {
	r.t.Helper()
	p := r.in.ProcessingPath(partner, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		r.t.Fatal(err)
	}
	return Submission{Path: p, Name: name, Partner: partner, Transport: "inbox"}
}

const twoOrders = `{"po_number":"A","lines":[{"line_no":"1","sku":"X","quantity":"1"}]}
{"po_number":"B","lines":[{"line_no":"1","sku":"X","quantity":"2"}]}
`

func TestFileArchivesAndRecords(t *testing.T) {
	r := newRig(t)
	rc, err := r.in.File(context.Background(), r.claim("P", "po.ndjson", twoOrders))
	if err != nil {
		t.Fatal(err)
	}
	d := rc.Document
	if d.State != store.DocArchived || d.Orders != 2 || d.Format != "json" || len(rc.Orders) != 2 {
		t.Fatalf("document %+v, receipt %+v", d, rc)
	}
	if !strings.Contains(d.Path, filepath.Join("archive", d.ReceivedAt.Format("2006-01-02"), "P", "po.ndjson")) {
		t.Errorf("filed at %s", d.Path)
	}
	if _, err := os.Stat(d.Path); err != nil {
		t.Error(err)
	}
	if len(r.pub.msgs) != 2 {
		t.Errorf("%d messages published", len(r.pub.msgs))
	}
	rows, _ := r.st.OrdersByDocument(context.Background(), d.ID)
	if len(rows) != 2 || rows[0].Status != "received" {
		t.Errorf("stored orders %+v", rows)
	}

	// The same bytes again: a duplicate, archived, nothing published.
	rc2, err := r.in.File(context.Background(), r.claim("P", "po.ndjson", twoOrders))
	if err != nil {
		t.Fatal(err)
	}
	if rc2.Document.State != store.DocDuplicate || rc2.Document.DuplicateOf != d.ID || len(r.pub.msgs) != 2 {
		t.Errorf("second copy %+v", rc2.Document)
	}
	if rc2.Document.Path == d.Path {
		t.Error("the duplicate overwrote the original in the archive")
	}
}

func TestFileRefusals(t *testing.T) {
	for _, tt := range []struct {
		name, partner, body, want string
	}{
		{"empty", "P", "", "the document is empty"},
		{"unknown format", "P", "ISA*00*garbage", "unrecognised document format"},
		{"unknown partner", "NOPE", twoOrders, `unknown partner "NOPE"`},
		{"no orders", "P", "[]", "no orders in the document"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			rc, err := r.in.File(context.Background(), r.claim(tt.partner, "doc.json", tt.body))
			if err != nil {
				t.Fatal(err)
			}
			d := rc.Document
			if d.State != store.DocError || !strings.Contains(d.Error, tt.want) {
				t.Fatalf("document %+v", d)
			}
			report, err := os.ReadFile(d.Path + ".error.txt")
			if err != nil || !strings.Contains(string(report), tt.want) {
				t.Errorf("report %q, %v", report, err)
			}
			if len(r.pub.msgs) != 0 {
				t.Errorf("%d messages published", len(r.pub.msgs))
			}
		})
	}
}

// A crash after the ledger entry and some of the orders: at restart the
// document is finished under the same entry and ids, and nothing is
// published twice.
func TestRecoverFinishesAHalfDoneDocument(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	sub := r.claim("P", "po.ndjson", twoOrders)
	// What the crashed attempt left: the ledger entry, the first order.
	first, err := r.in.File(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	firstIDs := map[string]bool{}
	for _, o := range first.Orders {
		firstIDs[o.ID] = true
	}
	d := first.Document
	archived := d.Path
	d.State, d.Path = store.DocReceived, sub.Path
	if err := r.st.SaveDocument(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(archived, sub.Path); err != nil {
		t.Fatal(err)
	}
	published := r.pub.n

	n, err := r.in.Recover(ctx)
	if err != nil || n != 1 {
		t.Fatalf("recovered %d, %v", n, err)
	}
	again, _ := r.st.Document(ctx, d.ID)
	if again.State != store.DocArchived {
		t.Errorf("state %s", again.State)
	}
	rows, _ := r.st.OrdersByDocument(ctx, d.ID)
	for _, row := range rows {
		if !firstIDs[row.ID] {
			t.Errorf("order %s has a new id", row.ID)
		}
	}
	if len(rows) != 2 || len(r.pub.msgs) != 2 || r.pub.n != published+2 {
		t.Errorf("%d orders, %d distinct messages, %d publishes", len(rows), len(r.pub.msgs), r.pub.n)
	}
	if entries, _ := os.ReadDir(filepath.Join(r.data, "processing", "P")); len(entries) != 0 {
		t.Errorf("processing not empty: %v", entries)
	}
}

// A crash after the final state was saved and before the file moved: the
// file is moved where the ledger says, and not processed again.
func TestRecoverFilesADocumentTheLedgerSaysIsDone(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	sub := r.claim("P", "po.ndjson", twoOrders)
	rc, err := r.in.File(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(rc.Document.Path, sub.Path); err != nil {
		t.Fatal(err)
	}
	published := r.pub.n
	if _, err := r.in.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(rc.Document.Path); err != nil {
		t.Errorf("not filed: %v", err)
	}
	if r.pub.n != published {
		t.Errorf("published %d more", r.pub.n-published)
	}
	docs, _ := r.st.Documents(ctx, store.DocumentFilter{})
	if len(docs) != 1 {
		t.Errorf("%d ledger entries, want 1", len(docs))
	}
}

func TestAllOrNothingAndIdempotencyKey(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	bad := twoOrders + `{"po_number":"C","lines":[{"line_no":"1","sku":"X","quantity":"0"}]}` + "\n"
	sub := r.claim("P", "body.json", bad)
	sub.AllOrNothing, sub.SkipDuplicateBytes, sub.Transport = true, true, "http"
	rc, err := r.in.File(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	if len(rc.Problems) != 1 || rc.Problems[0].Order != 2 || rc.Problems[0].Path != "lines[0].quantity" || len(r.pub.msgs) != 0 {
		t.Fatalf("problems %+v, %d published", rc.Problems, len(r.pub.msgs))
	}

	sub = r.claim("P", "body.json", twoOrders)
	sub.SkipDuplicateBytes, sub.IdempotencyKey = true, "k1"
	first, err := r.in.File(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	sub = r.claim("P", "body.json", twoOrders)
	sub.SkipDuplicateBytes, sub.IdempotencyKey = true, "k1"
	second, err := r.in.File(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Replayed || second.Document.ID != first.Document.ID || len(second.Orders) != 2 || second.Orders[0].ID != first.Orders[0].ID {
		t.Errorf("replay %+v", second)
	}
	sub = r.claim("P", "body.json", twoOrders+"\n")
	sub.IdempotencyKey = "k1"
	if _, err := r.in.File(ctx, sub); err == nil || !strings.Contains(err.Error(), "idempotency key") {
		t.Errorf("reused key: %v", err)
	}
}
