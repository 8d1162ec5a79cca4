package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

// A distributor's CSV dropped in the inbox: its good orders are routed, the
// order with a bad cell is refused with the cell named, and the document
// goes to error/ with its report.
func TestSheetEndToEnd(t *testing.T) {
	h := startHub(t)
	csv := "Bestelnummer;Artikelnummer;Aantal;Leverdatum\n" +
		"SH-1;SKU-1002;5;20-12-2026\n" +
		"SH-1;SKU-1003;2;20-12-2026\n" +
		"SH-2;SKU-1002;veel;21-12-2026\n"
	h.drop("SHOP", "bestelling.csv", csv)
	doc := h.document("bestelling.csv")
	if doc.State != store.DocError || doc.Orders != 1 || doc.Rejected != 1 {
		t.Fatalf("document %+v", doc)
	}
	rows, _ := h.a.Store.OrdersByPO(context.Background(), "SHOP", "SH-1")
	if len(rows) != 1 {
		t.Fatalf("SH-1: %d orders", len(rows))
	}
	v := h.final(shopToken, rows[0].ID)
	if v["status"] != order.StatusRouted || v["requested_delivery_date"] != "2026-12-20" {
		t.Errorf("SH-1: %v %v", v["status"], v["requested_delivery_date"])
	}
	h.waitFor(func() bool { _, err := os.Stat(doc.Path + ".error.txt"); return err == nil }, "the report")
	report, _ := os.ReadFile(doc.Path + ".error.txt")
	if !strings.Contains(string(report), "bestelling.csv!C4: Aantal: want a number") {
		t.Errorf("report:\n%s", report)
	}

	// The partner gets its sheet back with the bad cell marked.
	path := filepath.Join(h.data, "outbox", "SHOP", "bestelling.errors.xlsx")
	h.waitFor(func() bool { _, err := os.Stat(path); return err == nil }, path)
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	comments, err := f.GetComments("bestelling")
	if err != nil || len(comments) != 1 || comments[0].Cell != "C4" || !strings.Contains(comments[0].Text, "want a number") {
		t.Errorf("comments %+v, %v", comments, err)
	}
	if v, _ := f.GetCellValue("bestelling", "E2"); v != "accepted" {
		t.Errorf("E2 = %q, want accepted", v)
	}
}

// POST /v1/documents takes a sheet as a raw body or a form upload.
func TestUploadDocument(t *testing.T) {
	h := startHub(t)
	csv := "PO,SKU,Qty\nUP-1,SKU-1002,4\nUP-2,SKU-1003,lots\n"
	r := h.do("POST", "/v1/documents?name=upload.csv", shopToken, "text/csv", strings.NewReader(csv))
	if r.status != 202 {
		t.Fatalf("POST = %d %s", r.status, r.raw)
	}
	orders, _ := r.body["orders"].([]any)
	problems, _ := r.body["problems"].([]any)
	wb, _ := r.body["errors_workbook"].(string)
	if len(orders) != 1 || len(problems) != 1 || wb == "" {
		t.Fatalf("answer %s", r.raw)
	}
	if p := problems[0].(map[string]any); p["position"] != "upload.csv!C3" || !strings.HasPrefix(p["message"].(string), "Qty: want a number") {
		t.Errorf("problem %v", p)
	}
	var got response
	h.waitFor(func() bool { got = h.do("GET", wb, shopToken, "", nil); return got.status == 200 }, "the annotated workbook")
	if f, err := excelize.OpenReader(bytes.NewReader(got.raw)); err != nil {
		t.Errorf("not a workbook: %v", err)
	} else {
		f.Close()
	}
	if other := h.do("GET", wb, bigToken, "", nil); other.status != 404 {
		t.Errorf("another partner's workbook: %d", other.status)
	}

	// Nothing good in it: 422 with every problem.
	r = h.do("POST", "/v1/documents", shopToken, "text/csv", strings.NewReader("PO,SKU,Qty\nX-1,SKU-1002,abc\n"),
		"Content-Disposition", `attachment; filename="bad.csv"`)
	if r.status != 422 || !strings.Contains(string(r.raw), "bad.csv!C2") {
		t.Errorf("POST bad = %d %s", r.status, r.raw)
	}

	// A form upload, as the upload page sends it.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "form.csv")
	fw.Write([]byte("PO;SKU;Aantal\nFORM-1;SKU-1002;3\n"))
	mw.Close()
	r = h.do("POST", "/v1/documents", shopToken, mw.FormDataContentType(), &body)
	if r.status != 202 || r.body["name"] != "form.csv" {
		t.Errorf("form POST = %d %s", r.status, r.raw)
	}
}

// Two documents sent under one name each keep their own annotated
// workbook: the second replaces the first in the outbox, but every answer
// is also kept per document under sent/, and the API serves it from there,
// even after a transport took the outbox's file away. GET /v1/documents/{id}
// gives each document's problems, located, and where its workbook is.
func TestDocumentsOfOneNameKeepTheirWorkbooks(t *testing.T) {
	h := startHub(t)
	type sent struct{ id, wb, badPO, badCell string }
	var docs []sent
	for _, d := range []struct{ csv, badPO, badCell string }{
		{"PO,SKU,Qty\nONE-1,SKU-1002,4\nONE-2,SKU-1003,lots\n", "ONE-2", "same.csv!C3"},
		{"PO,SKU,Qty\nTWO-1,SKU-1002,4\nTWO-1,SKU-1003,5\nTWO-2,SKU-1003,many\n", "TWO-2", "same.csv!C4"},
	} {
		r := h.do("POST", "/v1/documents?name=same.csv", shopToken, "text/csv", strings.NewReader(d.csv))
		id, _ := r.body["document_id"].(string)
		wb, _ := r.body["errors_workbook"].(string)
		if r.status != 202 || id == "" || wb != "/v1/documents/"+id+"/errors.xlsx" {
			t.Fatalf("POST = %d %s", r.status, r.raw)
		}
		docs = append(docs, sent{id, wb, d.badPO, d.badCell})
		// Each waits for its own workbook, so the second is delivered
		// after the first and replaces it in the outbox.
		h.waitFor(func() bool { return h.do("GET", wb, shopToken, "", nil).status == 200 }, wb)
	}
	// cells are the values in a workbook's sheets.
	cells := func(raw []byte) string {
		f, err := excelize.OpenReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("not a workbook: %v", err)
		}
		defer f.Close()
		var b strings.Builder
		for _, sheet := range f.GetSheetList() {
			rows, err := f.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range rows {
				b.WriteString(strings.Join(row, "|") + "\n")
			}
		}
		return b.String()
	}
	check := func(when string) {
		t.Helper()
		for i, d := range docs {
			r := h.do("GET", d.wb, shopToken, "", nil)
			if r.status != 200 {
				t.Fatalf("%s: GET %s = %d %s", when, d.wb, r.status, r.raw)
			}
			got, other := cells(r.raw), docs[1-i].badPO
			if !strings.Contains(got, d.badPO) || strings.Contains(got, other) {
				t.Errorf("%s: document %d's workbook (want %s, not %s):\n%s", when, i+1, d.badPO, other, got)
			}
			kept := filepath.Join(h.data, "sent", "SHOP", d.id, "same.errors.xlsx")
			if _, err := os.Stat(kept); err != nil {
				t.Errorf("%s: %v", when, err)
			}
		}
	}
	check("both sent")
	out := filepath.Join(h.data, "outbox", "SHOP", "same.errors.xlsx")
	if b, err := os.ReadFile(out); err != nil || !strings.Contains(cells(b), "TWO-2") {
		t.Errorf("the outbox does not hold the second document's workbook: %v", err)
	}
	if err := os.Remove(out); err != nil { // a transport took it
		t.Fatal(err)
	}
	check("the outbox's file taken")

	for _, d := range docs {
		r := h.do("GET", "/v1/documents/"+d.id, shopToken, "", nil)
		if r.status != 200 || r.body["errors_workbook"] != d.wb || r.body["state"] != store.DocError {
			t.Errorf("GET /v1/documents/%s = %d %s", d.id, r.status, r.raw)
			continue
		}
		problems, _ := r.body["problems"].([]any)
		_, ok := r.body["notices"].([]any)
		if len(problems) != 1 || !ok {
			t.Errorf("problems %v, notices %v", r.body["problems"], r.body["notices"])
			continue
		}
		p, _ := json.Marshal(problems[0])
		if !strings.Contains(string(p), d.badCell) || problems[0].(map[string]any)["order"] == nil {
			t.Errorf("problem %s, want it at %s with its order", p, d.badCell)
		}
	}
}

// The upload page works without JavaScript: sign in with the token, send
// the file, see what was taken and what to fix, fetch the template.
func TestUploadPage(t *testing.T) {
	h := startHub(t)
	page := h.do("GET", "/upload", "", "", nil)
	if page.status != 200 || !strings.Contains(string(page.raw), `<input type="file" name="file"`) {
		t.Fatalf("GET /upload = %d %s", page.status, page.raw)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("token", shopToken)
	fw, _ := mw.CreateFormFile("file", "page.csv")
	fw.Write([]byte("PO,SKU,Qty\nPG-1,SKU-1002,3\nPG-2,SKU-1002,x\n"))
	mw.Close()
	req, _ := http.NewRequest("POST", h.url+"/upload", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(html), "PO PG-1") || !strings.Contains(string(html), "page.csv!C3") ||
		!strings.Contains(string(html), "/errors.xlsx") {
		t.Fatalf("POST /upload = %d\n%s", resp.StatusCode, html)
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "orderhub_token" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly {
		t.Fatalf("cookie %+v", cookie)
	}
	get := func(path string) (int, string, []byte) {
		req, _ := http.NewRequest("GET", h.url+path, nil)
		req.AddCookie(cookie)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), b
	}
	i := strings.Index(string(html), "/upload/documents/")
	link := string(html)[i : i+strings.Index(string(html)[i:], `"`)]
	h.waitFor(func() bool { code, _, _ := get(link); return code == 200 }, link)
	if code, ct, b := get("/upload/template.xlsx"); code != 200 || !strings.Contains(ct, "spreadsheetml") || len(b) == 0 {
		t.Errorf("template: %d %s", code, ct)
	}
	if r := h.do("GET", "/v1/templates/orders.xlsx", shopToken, "", nil); r.status != 200 {
		t.Errorf("GET /v1/templates/orders.xlsx = %d", r.status)
	}
}
