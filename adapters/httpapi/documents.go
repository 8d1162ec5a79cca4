package httpapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/orderhub/orderhub/adapters/outbox"
	"github.com/orderhub/orderhub/intake"
	"github.com/orderhub/orderhub/ordermsg"
	"github.com/orderhub/orderhub/store"
)

// uploaded is the answer to POST /v1/documents.
type uploaded struct {
	DocumentID string        `json:"document_id"`
	Name       string        `json:"name"`
	State      string        `json:"state"`
	Orders     []acceptedRef `json:"orders"`
	// Problems are the refused parts, located (sheet!cell, segment, line);
	// the good orders beside them were taken.
	Problems []fieldError `json:"problems,omitempty"`
	// Notices are what was noticed and skipped without refusing anything
	// (a sheet's blank or total rows, columns not understood), located.
	Notices []fieldError `json:"notices,omitempty"`
	// ErrorsWorkbook is where the partner's sheet with every problem
	// marked can be fetched, when there is one.
	ErrorsWorkbook string `json:"errors_workbook,omitempty"`
	Replayed       bool   `json:"replayed,omitempty"`
}

// postDocument takes a document in any format orderhub reads (a sheet, X12,
// JSON): the raw body with its name in Content-Disposition or ?name=, or a
// multipart form's "file" field. Good orders are taken and bad ones reported
// (202); a document from which nothing could be taken is 422.
func (s *Server) postDocument(w http.ResponseWriter, r *http.Request) {
	p := partnerOf(r)
	if s.unavailable(w, "documents") {
		return
	}
	if r.ContentLength > s.cfg.MaxBodyBytes {
		s.tooLarge(w)
		return
	}
	body, name, err := uploadOf(r, s.cfg.MaxBodyBytes)
	if err != nil {
		writeProblem(w, problem{Status: http.StatusBadRequest, Title: "unreadable upload", Detail: err.Error()})
		return
	}
	rc := s.take(w, r, body, intake.Submission{
		Path: s.intake.ProcessingPath(p.ID, name), Name: name, Partner: p.ID, Transport: "http",
		IdempotencyKey: r.Header.Get("Idempotency-Key"), SkipDuplicateBytes: true,
	}, "send the document as the body (its name in Content-Disposition or ?name=), or as the file field of a form")
	if rc == nil {
		return
	}
	out := s.uploadedOf(rc, name)
	if len(out.Orders) == 0 {
		pr := problem{Status: http.StatusUnprocessableEntity, Title: "nothing taken",
			Detail: fmt.Sprintf("no order could be taken from %s (document %s): %d problem(s)", name, rc.Document.ID, len(out.Problems)),
			Errors: out.Problems}
		if out.ErrorsWorkbook != "" {
			w.Header().Set("Link", "<"+out.ErrorsWorkbook+`>; rel="describedby"`)
		}
		writeProblem(w, pr)
		return
	}
	w.Header().Set("Location", "/v1/documents/"+rc.Document.ID)
	writeJSON(w, http.StatusAccepted, out)
}

func (s *Server) uploadedOf(rc *intake.Receipt, name string) uploaded {
	out := uploaded{DocumentID: rc.Document.ID, Name: name, State: rc.Document.State, Orders: []acceptedRef{}, Replayed: rc.Replayed}
	for _, o := range rc.Orders {
		out.Orders = append(out.Orders, acceptedRef{ID: o.ID, PONumber: o.PONumber, Location: "/v1/orders/" + o.ID})
	}
	out.Problems = fieldErrors(rc.Problems)
	out.Notices = fieldErrors(rc.Notices)
	for _, a := range rc.Answers {
		if strings.HasSuffix(a, ".errors.xlsx") {
			out.ErrorsWorkbook = "/v1/documents/" + rc.Document.ID + "/errors.xlsx"
		}
	}
	return out
}

// uploadOf finds the document in a request: a form's "file" field, or the
// body itself.
func uploadOf(r *http.Request, max int64) (io.Reader, string, error) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		mr := multipart.NewReader(http.MaxBytesReader(nil, r.Body, max), params["boundary"])
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil, "", errors.New(`the form has no "file" field`)
			}
			if err != nil {
				return nil, "", fmt.Errorf("reading the form: %w", err)
			}
			if part.FormName() == "file" {
				return part, uploadName(part.FileName()), nil
			}
		}
	}
	name := r.URL.Query().Get("name")
	if _, ps, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err == nil && ps["filename"] != "" {
		name = ps["filename"]
	}
	return r.Body, uploadName(name), nil
}

// uploadName keeps a partner's file name usable as a file name here.
func uploadName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == "/" || name == "" {
		return "upload"
	}
	return name
}

// spoolFrom copies body into dest, refusing more than max bytes.
func spoolFrom(body io.Reader, dest string, max int64) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return 0, err
	}
	f, err := os.OpenFile(dest, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, io.LimitReader(body, max+1))
	if err == nil && n > max {
		err = &http.MaxBytesError{Limit: max}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// getErrorsWorkbook serves the annotated copy of a partner's sheet.
func (s *Server) getErrorsWorkbook(w http.ResponseWriter, r *http.Request) {
	if d := s.document(w, r); d != nil {
		s.serveWorkbook(w, d)
	}
}

// workbookOf is the annotated workbook of document d: its own copy among
// the answers kept (SentDir), else the outbox's file of its name when the
// document is a sheet with problems and that file is not another
// document's kept answer (one delivered before answers were kept, or with
// keeping off; a later document of the same name replaces it there).
// Empty when there is none (yet).
func (s *Server) workbookOf(d *store.Document) string {
	name := ordermsg.ErrorsWorkbookName(d.Name)
	if s.cfg.SentDir != "" {
		p := outbox.SentPath(s.cfg.SentDir, d.Partner, d.ID, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	if s.cfg.OutboxDir == "" || d.Format != "sheet" || (d.State != store.DocError && d.Rejected == 0) {
		return ""
	}
	p := outbox.Path(s.cfg.OutboxDir, d.Partner, name)
	if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
		return ""
	}
	if s.cfg.SentDir != "" && outbox.Kept(p) {
		// Kept, but not under this document: another document's answer
		// of the same name, while this one's is still on its way.
		return ""
	}
	return p
}

// serveWorkbook sends document d's annotated workbook, 404 when it has none
// or it is not there yet.
func (s *Server) serveWorkbook(w http.ResponseWriter, d *store.Document) {
	var f *os.File
	var err error
	if path := s.workbookOf(d); path != "" {
		f, err = os.Open(path)
	}
	if f == nil || err != nil {
		writeProblem(w, problem{Status: http.StatusNotFound, Title: "not found",
			Detail: "no annotated workbook for this document (it had no problems, or it is still being written)"})
		return
	}
	defer f.Close()
	name := ordermsg.ErrorsWorkbookName(d.Name)
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	io.Copy(w, f)
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// multipartOf reads a form body, at most max bytes.
func multipartOf(r *http.Request, boundary string, max int64) (*multipart.Reader, error) {
	if boundary == "" {
		return nil, errors.New("the form has no boundary")
	}
	return multipart.NewReader(http.MaxBytesReader(nil, r.Body, max), boundary), nil
}
