package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/orderhub/orderhub/intake"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

// accepted is the 202 body.
type accepted struct {
	// ID is the order's id when the body held one order.
	ID         string        `json:"id,omitempty"`
	DocumentID string        `json:"document_id"`
	Status     string        `json:"status"`
	Orders     []acceptedRef `json:"orders"`
	// Replayed says an Idempotency-Key matched an earlier request: these
	// are its orders, nothing new was taken.
	Replayed bool `json:"replayed,omitempty"`
}

type acceptedRef struct {
	ID       string `json:"id"`
	PONumber string `json:"po_number"`
	Location string `json:"location"`
}

func (s *Server) postOrders(w http.ResponseWriter, r *http.Request) {
	p := partnerOf(r)
	if s.unavailable(w, "orders") {
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mt == "application/json" || mt == "application/x-ndjson" || mt == "application/ndjson" ||
			mt == "application/jsonl" || mt == "text/plain" || strings.HasSuffix(mt, "+json")) {
			writeProblem(w, problem{Status: http.StatusUnsupportedMediaType, Title: "unsupported media type",
				Detail: fmt.Sprintf("Content-Type %q: send application/json (one order) or application/x-ndjson (one order per line)", ct)})
			return
		}
	}
	if r.ContentLength > s.cfg.MaxBodyBytes {
		s.tooLarge(w)
		return
	}
	// The body goes straight to a file in the processing area: the document
	// exists on disk, ledger-recorded, before any of it is parsed.
	dest := s.intake.ProcessingPath(p.ID, "http-"+time.Now().UTC().Format("20060102T150405.000")+".json")
	rc := s.take(w, r, r.Body, intake.Submission{
		Path: dest, Name: filepath.Base(dest)[len("20060102T150405.000000000-"):], Partner: p.ID, Transport: "http",
		IdempotencyKey: r.Header.Get("Idempotency-Key"), AllOrNothing: true, SkipDuplicateBytes: true, Format: "json",
	}, "send one canonical order as JSON, or several as NDJSON (one per line)")
	if rc == nil {
		return
	}
	if len(rc.Problems) > 0 {
		pr := problem{Status: http.StatusBadRequest, Title: "invalid order",
			Detail: fmt.Sprintf("%d problem(s); nothing was accepted (document %s)", len(rc.Problems), rc.Document.ID)}
		pr.Errors = fieldErrors(rc.Problems)
		writeProblem(w, pr)
		return
	}
	out := accepted{DocumentID: rc.Document.ID, Status: order.StatusReceived, Replayed: rc.Replayed}
	for _, o := range rc.Orders {
		out.Orders = append(out.Orders, acceptedRef{ID: o.ID, PONumber: o.PONumber, Location: "/v1/orders/" + o.ID})
	}
	if len(out.Orders) == 1 {
		out.ID = out.Orders[0].ID
		w.Header().Set("Location", out.Orders[0].Location)
	} else {
		w.Header().Set("Location", "/v1/documents/"+rc.Document.ID)
	}
	writeJSON(w, http.StatusAccepted, out)
}

func (s *Server) tooLarge(w http.ResponseWriter) {
	writeProblem(w, problem{Status: http.StatusRequestEntityTooLarge, Title: "body too large",
		Detail: fmt.Sprintf("the body is over %d bytes: split the orders over several requests", s.cfg.MaxBodyBytes)})
}

// take spools body to sub.Path and files it with intake, answering the
// request itself when that fails (nil): 413 for a body over MaxBodyBytes,
// 400 for one that cannot be read or is empty (emptyDetail says what to
// send), 409 for an Idempotency-Key reused for another body. A refused
// body's file is removed.
func (s *Server) take(w http.ResponseWriter, r *http.Request, body io.Reader, sub intake.Submission, emptyDetail string) *intake.Receipt {
	n, err := spoolFrom(body, sub.Path, s.cfg.MaxBodyBytes)
	if err != nil {
		os.Remove(sub.Path)
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.tooLarge(w)
			return nil
		}
		writeProblem(w, problem{Status: http.StatusBadRequest, Title: "unreadable body", Detail: err.Error()})
		return nil
	}
	if n == 0 {
		os.Remove(sub.Path)
		writeProblem(w, problem{Status: http.StatusBadRequest, Title: "empty body", Detail: emptyDetail})
		return nil
	}
	rc, err := s.intake.File(r.Context(), sub)
	if errors.Is(err, intake.ErrIdempotencyConflict) {
		os.Remove(sub.Path)
		writeProblem(w, problem{Status: http.StatusConflict, Title: "idempotency key reused", Detail: err.Error()})
		return nil
	}
	if err != nil {
		s.internal(w, r, err)
		return nil
	}
	return rc
}

// unavailable answers 503 when intake cannot take documents (the bus is
// down, the process is stopping), saying what was refused.
func (s *Server) unavailable(w http.ResponseWriter, what string) bool {
	if s.Ready == nil {
		return false
	}
	err := s.Ready()
	if err == nil {
		return false
	}
	w.Header().Set("Retry-After", "5")
	writeProblem(w, problem{Status: http.StatusServiceUnavailable, Title: "unavailable",
		Detail: what + " cannot be taken right now: " + err.Error()})
	return true
}

// fieldErrors turns intake's located problems into the API's.
func fieldErrors(ps []intake.Problem) []fieldError {
	var out []fieldError
	for _, q := range ps {
		out = append(out, fieldErrorOf(q.Order, q.Position, q.Path, q.Message))
	}
	return out
}

// fieldErrorOf is one located problem as the API shows it: the order index
// only when it is about one order (order >= 0).
func fieldErrorOf(order int, position, path, message string) fieldError {
	fe := fieldError{Position: position, Path: path, Message: message}
	if order >= 0 {
		fe.Order = &order
	}
	return fe
}

// orderView is an order as the API shows it: the canonical order, its
// status history and its times.
type orderView struct {
	*order.Order
	History    []store.Event `json:"history"`
	DocumentID string        `json:"document_id,omitempty"`
	ReceivedAt time.Time     `json:"received_at"`
	UpdatedAt  time.Time     `json:"updated_at"`
}

func (s *Server) view(r *http.Request, row *store.OrderRow) (*orderView, error) {
	var o order.Order
	if err := json.Unmarshal(row.JSON, &o); err != nil {
		return nil, fmt.Errorf("stored order %s: %w", row.ID, err)
	}
	o.Status = row.Status
	ev, err := s.store.Events(r.Context(), row.ID)
	if err != nil {
		return nil, err
	}
	if ev == nil {
		ev = []store.Event{}
	}
	return &orderView{Order: &o, History: ev, DocumentID: row.DocumentID, ReceivedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt}, nil
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	p := partnerOf(r)
	id := r.PathValue("id")
	row, err := s.store.Order(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && row.Partner != p.ID) {
		writeProblem(w, problem{Status: http.StatusNotFound, Title: "not found", Detail: fmt.Sprintf("no order %q", id)})
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.writeView(w, r, http.StatusOK, row)
}

// writeView answers with the order of row as the API shows it.
func (s *Server) writeView(w http.ResponseWriter, r *http.Request, status int, row *store.OrderRow) {
	v, err := s.view(r, row)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, status, v)
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) {
	p := partnerOf(r)
	var rows []*store.OrderRow
	var err error
	if po := r.URL.Query().Get("po"); po != "" {
		rows, err = s.store.OrdersByPO(r.Context(), p.ID, po)
	} else if r.URL.Query().Has("po") {
		writeProblem(w, problem{Status: http.StatusBadRequest, Title: "bad query", Detail: "po must not be empty"})
		return
	} else {
		rows, err = s.store.OrdersByPartner(r.Context(), p.ID, 100)
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	out := struct {
		Orders []*orderView `json:"orders"`
	}{Orders: []*orderView{}}
	for _, row := range rows {
		v, err := s.view(r, row)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		out.Orders = append(out.Orders, v)
	}
	writeJSON(w, http.StatusOK, out)
}

// document is the request's document ({id}) when it is the requesting
// partner's; else it answers 404 (another partner's document is not
// there either) or 500 and is nil.
func (s *Server) document(w http.ResponseWriter, r *http.Request) *store.Document {
	id := r.PathValue("id")
	d, err := s.store.Document(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && d.Partner != partnerOf(r).ID) {
		writeProblem(w, problem{Status: http.StatusNotFound, Title: "not found", Detail: fmt.Sprintf("no document %q", id)})
		return nil
	}
	if err != nil {
		s.internal(w, r, err)
		return nil
	}
	return d
}

func (s *Server) getDocument(w http.ResponseWriter, r *http.Request) {
	d := s.document(w, r)
	if d == nil {
		return
	}
	id := r.PathValue("id")
	rows, err := s.store.OrdersByDocument(r.Context(), id)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	type ref struct {
		ID       string `json:"id"`
		PONumber string `json:"po_number"`
		Status   string `json:"status"`
		Location string `json:"location"`
	}
	located, err := s.store.DocumentProblems(r.Context(), id)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	out := struct {
		*store.Document
		// Problems and Notices are the document's, located as in the
		// answer to POST /v1/documents (1,000 of each at most, then
		// "... and N more").
		Problems []fieldError `json:"problems"`
		Notices  []fieldError `json:"notices"`
		// ErrorsWorkbook is where its annotated workbook is, when it has one.
		ErrorsWorkbook string `json:"errors_workbook,omitempty"`
		OrderRefs      []ref  `json:"order_refs"`
	}{Document: d, Problems: []fieldError{}, Notices: []fieldError{}, OrderRefs: []ref{}}
	out.Path = "" // a server path is of no use to the partner
	for _, p := range located {
		fe := fieldErrorOf(p.Order, p.Position, p.Path, p.Message)
		if p.Kind == store.KindNotice {
			out.Notices = append(out.Notices, fe)
		} else {
			out.Problems = append(out.Problems, fe)
		}
	}
	if s.workbookOf(d) != "" {
		out.ErrorsWorkbook = "/v1/documents/" + d.ID + "/errors.xlsx"
	}
	for _, row := range rows {
		out.OrderRefs = append(out.OrderRefs, ref{row.ID, row.PONumber, row.Status, "/v1/orders/" + row.ID})
	}
	writeJSON(w, http.StatusOK, out)
}
