package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/orderhub/orderhub/adapters/outbox"
	"github.com/orderhub/orderhub/intake"
	"github.com/orderhub/orderhub/internal/sqlitedb"
	"github.com/orderhub/orderhub/store"
)

const token = "test-shop-token-00000002"

// fakeIntake answers every document with the receipt it is given.
type fakeIntake struct {
	dir string
	rc  *intake.Receipt
}

func (f *fakeIntake) ProcessingPath(partner, name string) string {
	return filepath.Join(f.dir, "processing", partner, name)
}

func (f *fakeIntake) File(_ context.Context, sub intake.Submission) (*intake.Receipt, error) {
	os.Remove(sub.Path)
	return f.rc, nil
}

type rig struct {
	t      *testing.T
	dir    string
	st     *store.Store
	in     *fakeIntake
	h      http.Handler
	outbox string
	sent   string
}

func newRig(t *testing.T) *rig {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "s.db"), sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.UpsertPartners(context.Background(), []store.Partner{
		{ID: "SHOP", Name: "Shop", Tier: store.TierStandard, TokenSHA256: store.TokenSHA256(token)}}); err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, dir: dir, st: st, in: &fakeIntake{dir: dir}, outbox: filepath.Join(dir, "outbox"), sent: filepath.Join(dir, "sent")}
	srv, err := New(Config{OutboxDir: r.outbox, SentDir: r.sent}, st, r.in, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.h = srv.Handler()
	return r
}

// document records a document in the ledger in its final state.
func (r *rig) document(id, name, format, state string) *store.Document {
	r.t.Helper()
	d := &store.Document{ID: id, SHA256: "x", Partner: "SHOP", Transport: "http", Name: name, ReceivedAt: time.Now(), State: store.DocReceived}
	if err := r.st.InsertDocument(context.Background(), d); err != nil {
		r.t.Fatal(err)
	}
	d.Format, d.State = format, state
	if err := r.st.SaveDocument(context.Background(), d); err != nil {
		r.t.Fatal(err)
	}
	return d
}

func (r *rig) do(req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	r.h.ServeHTTP(w, req)
	return w
}

func (r *rig) get(path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return r.do(req)
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The answer to POST /v1/documents and the upload page carry the notices.
func TestUploadNotices(t *testing.T) {
	zero := 0
	blank := intake.Problem{Order: -1, Position: "orders.csv!14", Message: "blank row skipped"}
	bad := intake.Problem{Order: 0, Position: "orders.csv!C3", Message: "Qty: want a number"}
	for _, tt := range []struct {
		name               string
		problems, notices  []intake.Problem
		wantProblems       []fieldError
		wantNotices        []fieldError
		pageHas, pageLacks []string
	}{
		{name: "notices beside problems",
			problems: []intake.Problem{bad}, notices: []intake.Problem{blank},
			wantProblems: []fieldError{{Order: &zero, Position: "orders.csv!C3", Message: "Qty: want a number"}},
			wantNotices:  []fieldError{{Position: "orders.csv!14", Message: "blank row skipped"}},
			pageHas:      []string{"orders.csv!C3", "<h3>Notes</h3>", "<li>orders.csv!14: blank row skipped</li>"}},
		{name: "notices alone",
			notices:     []intake.Problem{blank, {Order: -1, Message: "... and 3 more"}},
			wantNotices: []fieldError{{Position: "orders.csv!14", Message: "blank row skipped"}, {Message: "... and 3 more"}},
			pageHas:     []string{"<h3>Notes</h3>", "<li>... and 3 more</li>"}},
		{name: "no notices",
			problems:     []intake.Problem{bad},
			wantProblems: []fieldError{{Order: &zero, Position: "orders.csv!C3", Message: "Qty: want a number"}},
			pageLacks:    []string{"Notes"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			d := r.document("doc_1", "orders.csv", "sheet", store.DocArchived)
			r.in.rc = &intake.Receipt{Document: d, Orders: []intake.OrderRef{{ID: "ord_1", PONumber: "A"}},
				Problems: tt.problems, Notices: tt.notices}

			req := httptest.NewRequest("POST", "/v1/documents?name=orders.csv", strings.NewReader("PO,SKU,Qty\n"))
			req.Header.Set("Authorization", "Bearer "+token)
			w := r.do(req)
			if w.Code != http.StatusAccepted {
				t.Fatalf("POST = %d %s", w.Code, w.Body)
			}
			var got struct {
				Problems []fieldError `json:"problems"`
				Notices  []fieldError `json:"notices"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Problems, tt.wantProblems) || !reflect.DeepEqual(got.Notices, tt.wantNotices) {
				t.Errorf("answer %s", w.Body)
			}
			if len(tt.wantNotices) == 0 && strings.Contains(w.Body.String(), `"notices"`) {
				t.Errorf("notices without any: %s", w.Body)
			}

			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			mw.WriteField("token", token)
			fw, _ := mw.CreateFormFile("file", "orders.csv")
			fw.Write([]byte("PO,SKU,Qty\n"))
			mw.Close()
			req = httptest.NewRequest("POST", "/upload", &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			w = r.do(req)
			page := w.Body.String()
			if w.Code != http.StatusOK {
				t.Fatalf("POST /upload = %d %s", w.Code, page)
			}
			for _, s := range tt.pageHas {
				if !strings.Contains(page, s) {
					t.Errorf("the page lacks %q:\n%s", s, page)
				}
			}
			for _, s := range tt.pageLacks {
				if strings.Contains(page, s) {
					t.Errorf("the page has %q:\n%s", s, page)
				}
			}
			if len(tt.pageHas) > 0 && strings.Index(page, "<h3>Notes</h3>") < strings.Index(page, "PO A") {
				t.Errorf("the notes are not under the results:\n%s", page)
			}
		})
	}
}

// GET /v1/documents/{id} gives the stored problems and notices, located,
// and where the annotated workbook is; the workbook is served from the
// document's own kept copy first, else from the outbox when that file is
// not another document's.
func TestDocumentProblemsAndWorkbook(t *testing.T) {
	const name = "orders.errors.xlsx"
	for _, tt := range []struct {
		name    string
		format  string
		state   string
		setup   func(r *rig)
		want    string // the workbook served; "" = 404 and no errors_workbook
		located []store.DocumentProblem
	}{
		{name: "kept copy", format: "sheet", state: store.DocError,
			setup: func(r *rig) {
				write(r.t, outbox.SentPath(r.sent, "SHOP", "doc_1", name), "mine")
				write(r.t, outbox.Path(r.outbox, "SHOP", name), "a later one")
			},
			want: "mine",
			located: []store.DocumentProblem{
				{Kind: store.KindProblem, Order: 1, Position: "orders.csv!C3", Path: "", Message: "Qty: want a number"},
				{Kind: store.KindProblem, Order: -1, Message: "... and 4 more"},
				{Kind: store.KindNotice, Order: -1, Position: "orders.csv!14", Message: "blank row skipped"}}},
		{name: "delivered before answers were kept: the outbox's", format: "sheet", state: store.DocError,
			setup: func(r *rig) { write(r.t, outbox.Path(r.outbox, "SHOP", name), "outbox") },
			want:  "outbox"},
		{name: "the outbox's is another document's kept answer", format: "sheet", state: store.DocError,
			setup: func(r *rig) {
				other := outbox.SentPath(r.sent, "SHOP", "doc_0", name)
				write(r.t, other, "another's")
				os.MkdirAll(filepath.Join(r.outbox, "SHOP"), 0o755)
				if err := os.Link(other, outbox.Path(r.outbox, "SHOP", name)); err != nil {
					r.t.Skip("no hard links here:", err)
				}
			}},
		{name: "not a sheet: the outbox's file of that name is not its", format: "json", state: store.DocError,
			setup: func(r *rig) { write(r.t, outbox.Path(r.outbox, "SHOP", name), "outbox") }},
		{name: "no problems: no workbook", format: "sheet", state: store.DocArchived,
			setup: func(r *rig) { write(r.t, outbox.Path(r.outbox, "SHOP", name), "outbox") },
			located: []store.DocumentProblem{
				{Kind: store.KindNotice, Order: -1, Position: "orders.csv!1", Message: "column Remarks not understood, ignored"}}},
		{name: "none yet", format: "sheet", state: store.DocError, setup: func(*rig) {}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			r.document("doc_1", "orders.csv", tt.format, tt.state)
			if err := r.st.SaveDocumentProblems(context.Background(), "doc_1", tt.located); err != nil {
				t.Fatal(err)
			}
			tt.setup(r)

			w := r.get("/v1/documents/doc_1")
			if w.Code != 200 {
				t.Fatalf("GET = %d %s", w.Code, w.Body)
			}
			var got struct {
				Problems       []fieldError `json:"problems"`
				Notices        []fieldError `json:"notices"`
				ErrorsWorkbook *string      `json:"errors_workbook"`
				Path           *string      `json:"path"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			var wantP, wantN []fieldError = []fieldError{}, []fieldError{}
			for _, p := range tt.located {
				fe := fieldErrorOf(p.Order, p.Position, p.Path, p.Message)
				if p.Kind == store.KindNotice {
					wantN = append(wantN, fe)
				} else {
					wantP = append(wantP, fe)
				}
			}
			if !reflect.DeepEqual(got.Problems, wantP) || !reflect.DeepEqual(got.Notices, wantN) {
				t.Errorf("problems %+v notices %+v\n%s", got.Problems, got.Notices, w.Body)
			}
			if got.Path != nil {
				t.Errorf("a server path in the answer: %s", *got.Path)
			}
			wantWB := ""
			if tt.want != "" {
				wantWB = "/v1/documents/doc_1/errors.xlsx"
			}
			if (got.ErrorsWorkbook == nil) != (wantWB == "") || (got.ErrorsWorkbook != nil && *got.ErrorsWorkbook != wantWB) {
				t.Errorf("errors_workbook %v, want %q", got.ErrorsWorkbook, wantWB)
			}

			w = r.get("/v1/documents/doc_1/errors.xlsx")
			switch {
			case tt.want == "" && w.Code != 404:
				t.Errorf("errors.xlsx = %d %q, want 404", w.Code, w.Body)
			case tt.want != "" && (w.Code != 200 || w.Body.String() != tt.want):
				t.Errorf("errors.xlsx = %d %q, want %q", w.Code, w.Body, tt.want)
			}
			// The upload page's link serves the same.
			req := httptest.NewRequest("GET", "/upload/documents/doc_1/errors.xlsx", nil)
			req.AddCookie(&http.Cookie{Name: uploadCookie, Value: token})
			w = r.do(req)
			if b, _ := io.ReadAll(w.Body); tt.want != "" && string(b) != tt.want {
				t.Errorf("upload page's errors.xlsx = %d %q, want %q", w.Code, b, tt.want)
			}
		})
	}
}
