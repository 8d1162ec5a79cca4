package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/orderhub/orderhub/store"
)

const otherToken = "test-other-token-00000003"

// ledgerRig is a server with the operator token, two partners (SHOP and
// OTHER), a ledger of both and their remote drops.
func ledgerRig(t *testing.T, t0 time.Time) http.Handler {
	t.Helper()
	r := newRig(t)
	ctx := context.Background()
	if _, err := r.st.UpsertPartners(ctx, []store.Partner{
		{ID: "OTHER", Name: "Other", Tier: store.TierStandard, TokenSHA256: store.TokenSHA256(otherToken)}}); err != nil {
		t.Fatal(err)
	}
	delivered := t0.Add(10 * time.Minute)
	for i, d := range []*store.Document{
		{ID: "s1", Partner: "SHOP", Transport: "sftp", State: store.DocArchived, Path: "/srv/archive/SHOP/s1.edi"},
		{ID: "o1", Partner: "OTHER", Transport: "ftp", State: store.DocError, Error: "ISA: want 16 elements"},
		{ID: "s2", Partner: "SHOP", Transport: "http", State: store.DocDuplicate, DuplicateOf: "s1"},
		{ID: "s3", Partner: "SHOP", Transport: "sftp", State: store.DocDelivered, Direction: store.DirectionOut,
			Remote: "/in/997.edi", DeliveredAt: &delivered},
		{ID: "s4", Partner: "SHOP", Transport: "sftp", State: store.DocProcessing},
	} {
		d.SHA256, d.Name, d.ReceivedAt = "h", d.ID+".edi", t0.Add(time.Duration(i)*time.Minute)
		if err := r.st.InsertDocument(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	for _, ts := range []store.TransportState{
		{Partner: "SHOP", URL: "sftp://shop@drop.shop.example/in", State: store.TransportOK, Since: t0, LastOK: t0},
		{Partner: "OTHER", URL: "ftp://other:pw123456@ftp.other.example/", State: store.TransportFailing,
			Error: "530 Login incorrect", Since: t0, Failures: 2, NextTry: t0.Add(time.Minute)},
	} {
		if err := r.st.SaveTransport(ctx, ts); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := New(Config{OperatorToken: operatorToken}, r.st, r.in, nil)
	if err != nil {
		t.Fatal(err)
	}
	return srv.Handler()
}

type listCase struct {
	name, token, query string
	status             int
	want               []string // the ids (documents) or partners (transports), in order
	detail             string   // in the problem's detail
}

func getList(t *testing.T, h http.Handler, path, tok string) (int, map[string]json.RawMessage, *httptest.ResponseRecorder) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var body map[string]json.RawMessage
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s: body %q: %v", path, w.Body.String(), err)
	}
	return w.Code, body, w
}

func checkProblem(t *testing.T, w *httptest.ResponseRecorder, body map[string]json.RawMessage, tt listCase) {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q", ct)
	}
	var detail string
	json.Unmarshal(body["detail"], &detail)
	if !strings.Contains(detail, tt.detail) {
		t.Errorf("detail %q, want %q in it", detail, tt.detail)
	}
	if tt.status == 401 && w.Header().Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
}

func TestListDocuments(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	h := ledgerRig(t, t0)
	for _, tt := range []listCase{
		{name: "no token", status: 401, detail: "send the partner's token (or the operator token)"},
		{name: "unknown token", token: "nobody-has-this-token", status: 401, detail: "unknown token"},
		{name: "a partner sees its own", token: token, status: 200, want: []string{"s4", "s3", "s2", "s1"}},
		{name: "the other partner its own", token: otherToken, status: 200, want: []string{"o1"}},
		{name: "a partner naming itself", token: token, query: "partner=SHOP", status: 200, want: []string{"s4", "s3", "s2", "s1"}},
		{name: "a partner naming another is 404", token: token, query: "partner=OTHER", status: 404, detail: `no partner "OTHER"`},
		{name: "a partner naming nobody is 404 too", token: token, query: "partner=NOBODY", status: 404, detail: `no partner "NOBODY"`},
		{name: "the operator sees all", token: operatorToken, status: 200, want: []string{"s4", "s3", "s2", "o1", "s1"}},
		{name: "the operator picks a partner", token: operatorToken, query: "partner=OTHER", status: 200, want: []string{"o1"}},
		{name: "the operator, a partner with nothing", token: operatorToken, query: "partner=NOBODY", status: 200, want: []string{}},
		{name: "state", token: token, query: "state=processing", status: 200, want: []string{"s4"}},
		{name: "direction", token: token, query: "direction=out", status: 200, want: []string{"s3"}},
		{name: "transport", token: operatorToken, query: "transport=sftp", status: 200, want: []string{"s4", "s3", "s1"}},
		{name: "since", token: operatorToken, query: "since=" + t0.Add(2*time.Minute).Format(time.RFC3339), status: 200, want: []string{"s4", "s3", "s2"}},
		{name: "since a date", token: operatorToken, query: "since=2026-11-21", status: 200, want: []string{}},
		{name: "limit", token: token, query: "limit=2", status: 200, want: []string{"s4", "s3"}},
		{name: "cursor", token: token, query: "limit=2&cursor=s3", status: 200, want: []string{"s2", "s1"}},
		{name: "bad state", token: token, query: "state=lost", status: 400,
			detail: `state "lost", want one of received, processing, archived, error, duplicate, delivered`},
		{name: "bad direction", token: token, query: "direction=up", status: 400, detail: `direction "up"`},
		{name: "limit zero", token: token, query: "limit=0", status: 400, detail: `limit "0": want a number from 1 to 1000`},
		{name: "limit too high", token: operatorToken, query: "limit=1001", status: 400, detail: `limit "1001"`},
		{name: "limit not a number", token: token, query: "limit=ten", status: 400, detail: `limit "ten"`},
		{name: "bad since", token: token, query: "since=yesterday", status: 400, detail: `since "yesterday"`},
		{name: "unknown cursor", token: token, query: "cursor=nope", status: 400, detail: `cursor "nope" is not a document`},
		{name: "another partner's document as cursor", token: token, query: "cursor=o1", status: 400, detail: `cursor "o1" is not a document`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, body, w := getList(t, h, "/v1/documents?"+tt.query, tt.token)
			if code != tt.status {
				t.Fatalf("status %d, want %d: %s", code, tt.status, w.Body.String())
			}
			if code != 200 {
				checkProblem(t, w, body, tt)
				return
			}
			var docs []store.Document
			if err := json.Unmarshal(body["documents"], &docs); err != nil {
				t.Fatalf("documents %s: %v", body["documents"], err)
			}
			got := []string{}
			for _, d := range docs {
				got = append(got, d.ID)
				if d.Path != "" && tt.token != operatorToken {
					t.Errorf("%s: a partner is shown the server path %q", d.ID, d.Path)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") || docs == nil {
				t.Errorf("documents %v, want %v", got, tt.want)
			}
		})
	}

	// The operator sees the path; an answer's remote and delivery time
	// are there; a full page carries the cursor of the next.
	_, body, _ := getList(t, h, "/v1/documents?limit=2&state=delivered", operatorToken)
	var docs []store.Document
	json.Unmarshal(body["documents"], &docs)
	if len(docs) != 1 || docs[0].Remote != "/in/997.edi" || docs[0].DeliveredAt == nil || !docs[0].DeliveredAt.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("delivered answer: %+v", docs)
	}
	if _, ok := body["next_cursor"]; ok {
		t.Errorf("next_cursor on a page that is not full: %s", body["next_cursor"])
	}
	_, body, _ = getList(t, h, "/v1/documents?partner=SHOP&limit=4", operatorToken)
	json.Unmarshal(body["documents"], &docs)
	if docs[3].Path != "/srv/archive/SHOP/s1.edi" {
		t.Errorf("the operator is not shown the path: %+v", docs[3])
	}
	if string(body["next_cursor"]) != `"s1"` {
		t.Errorf("next_cursor %s, want \"s1\"", body["next_cursor"])
	}
}

// Without an operator token configured, nobody lists everyone's.
func TestListWithoutOperatorToken(t *testing.T) {
	r := newRig(t)
	for _, path := range []string{"/v1/documents", "/v1/transports"} {
		if code, _, w := getList(t, r.h, path, operatorToken); code != 401 {
			t.Errorf("%s with a token the server does not have: %d %s", path, code, w.Body.String())
		}
	}
}

func TestListTransports(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	h := ledgerRig(t, t0)
	for _, tt := range []listCase{
		{name: "no token", status: 401, detail: "Authorization: Bearer"},
		{name: "unknown token", token: "nobody-has-this-token", status: 401, detail: "unknown token"},
		{name: "a partner sees its own", token: token, status: 200, want: []string{"SHOP"}},
		{name: "the other partner its own", token: otherToken, status: 200, want: []string{"OTHER"}},
		{name: "a partner naming another is 404", token: token, query: "partner=OTHER", status: 404, detail: `no partner "OTHER"`},
		{name: "the operator sees all", token: operatorToken, status: 200, want: []string{"OTHER", "SHOP"}},
		{name: "the operator picks a partner", token: operatorToken, query: "partner=SHOP", status: 200, want: []string{"SHOP"}},
		{name: "the operator, a partner without", token: operatorToken, query: "partner=NOBODY", status: 200, want: []string{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, body, w := getList(t, h, "/v1/transports?"+tt.query, tt.token)
			if code != tt.status {
				t.Fatalf("status %d, want %d: %s", code, tt.status, w.Body.String())
			}
			if code != 200 {
				checkProblem(t, w, body, tt)
				return
			}
			if strings.Contains(w.Body.String(), "pw123456") {
				t.Error("a password is shown")
			}
			var ts []store.TransportState
			if err := json.Unmarshal(body["transports"], &ts); err != nil || ts == nil {
				t.Fatalf("transports %s: %v", body["transports"], err)
			}
			got := []string{}
			for _, x := range ts {
				got = append(got, x.Partner)
				if x.Partner == "OTHER" && (x.State != store.TransportFailing || x.Error != "530 Login incorrect" ||
					x.URL != "ftp://other:xxxxx@ftp.other.example/" || x.Failures != 2 || !x.NextTry.Equal(t0.Add(time.Minute))) {
					t.Errorf("OTHER's drop: %+v", x)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("transports of %v, want %v", got, tt.want)
			}
		})
	}
}
