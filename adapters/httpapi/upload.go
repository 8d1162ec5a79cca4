package httpapi

import (
	"bytes"
	"errors"
	"html/template"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"

	"github.com/orderhub/orderhub/intake"
	"github.com/orderhub/orderhub/store"
)

// The upload page is for distributors who send spreadsheets by hand: plain
// HTML, served by the server, no JavaScript. The partner signs in with its
// token once; the token is then kept in an HttpOnly, SameSite=Strict cookie
// so the result page can link to the annotated workbook (a link cannot
// carry an Authorization header).
const uploadCookie = "orderhub_token"

var uploadPage = template.Must(template.New("upload").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>orderhub — upload orders</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem} table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3} .ok{background:#e6f4ea} .bad{background:#fdecea}
.box{border:1px solid #ccc;padding:1rem;border-radius:.3rem;margin:1rem 0}
</style></head><body>
<h1>Upload purchase orders</h1>
{{if .Partner}}<p>Signed in as <strong>{{.Partner}}</strong>. <a href="/upload/signout">Sign out</a></p>{{end}}
{{if .Error}}<p class="bad box">{{.Error}}</p>{{end}}
<form class="box" method="post" action="/upload" enctype="multipart/form-data">
{{if not .Partner}}<p><label>Your token <input type="password" name="token" size="40" required></label></p>{{end}}
<p><label>Order file (xlsx, CSV, X12, JSON) <input type="file" name="file" required></label></p>
<p><button type="submit">Upload</button></p>
<p>Not sure of the layout? <a href="/upload/template.xlsx">Download the order template</a>, with our items in a drop-down.</p>
</form>
{{with .Result}}
<h2>{{.Name}}</h2>
<p>Document {{.DocumentID}}: {{len .Orders}} order(s) taken{{if .Problems}}, {{len .Problems}} problem(s) to fix{{end}}.</p>
{{if .ErrorsWorkbook}}<p><a href="/upload/documents/{{.DocumentID}}/errors.xlsx">Download your sheet with every problem marked</a>
(bad cells in red with the reason in a comment, a Problems column, a summary).</p>{{end}}
{{if .Orders}}<table><tr><th>Accepted order</th><th>Order id</th></tr>
{{range .Orders}}<tr class="ok"><td>PO {{.PONumber}}</td><td>{{.ID}}</td></tr>{{end}}</table>{{end}}
{{if .Problems}}<table><tr><th>Where</th><th>What to fix</th></tr>
{{range .Problems}}<tr class="bad"><td>{{.Position}}</td><td>{{.Message}}</td></tr>{{end}}</table>{{end}}
{{if .Notices}}<h3>Notes</h3>
<p>Skipped without refusing anything:</p>
<ul class="notes">{{range .Notices}}<li>{{if .Position}}{{.Position}}: {{end}}{{.Message}}</li>{{end}}</ul>{{end}}
{{end}}
</body></html>
`))

type uploadView struct {
	Partner string
	Error   string
	Result  *uploaded
}

func (s *Server) renderUpload(w http.ResponseWriter, status int, v uploadView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := uploadPage.Execute(w, v); err != nil {
		s.log.Error("upload page", "error", err)
	}
}

// cookiePartner is the partner signed in with the cookie, or nil.
func (s *Server) cookiePartner(r *http.Request) (*store.Partner, string) {
	c, err := r.Cookie(uploadCookie)
	if err != nil || c.Value == "" {
		return nil, ""
	}
	p, err := s.store.PartnerByToken(r.Context(), c.Value)
	if err != nil {
		return nil, ""
	}
	return p, c.Value
}

func (s *Server) getUpload(w http.ResponseWriter, r *http.Request) {
	v := uploadView{}
	if p, _ := s.cookiePartner(r); p != nil {
		v.Partner = p.ID
	}
	s.renderUpload(w, http.StatusOK, v)
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: uploadCookie, Value: "", Path: "/upload", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/upload", http.StatusSeeOther)
}

// postUpload reads the form: the token (first time), then the file, which
// goes through intake as POST /v1/documents does.
func (s *Server) postUpload(w http.ResponseWriter, r *http.Request) {
	p, token := s.cookiePartner(r)
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		s.renderUpload(w, http.StatusBadRequest, uploadView{Error: "send the form with a file"})
		return
	}
	mr, err := multipartOf(r, params["boundary"], s.cfg.MaxBodyBytes)
	if err != nil {
		s.renderUpload(w, http.StatusBadRequest, uploadView{Error: err.Error()})
		return
	}
	var dest, name string
	defer func() {
		if dest != "" {
			os.Remove(dest) // taken by intake, or refused
		}
	}()
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.renderUpload(w, http.StatusBadRequest, uploadView{Error: "reading the form: " + err.Error()})
			return
		}
		switch part.FormName() {
		case "token":
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			token = strings.TrimSpace(string(b))
			p, err = s.store.PartnerByToken(r.Context(), token)
			if err != nil {
				s.renderUpload(w, http.StatusUnauthorized, uploadView{Error: "unknown token: ask us for yours"})
				return
			}
		case "file":
			if p == nil {
				s.renderUpload(w, http.StatusUnauthorized, uploadView{Error: "sign in with your token first"})
				return
			}
			name = uploadName(part.FileName())
			dest = s.intake.ProcessingPath(p.ID, name)
			n, err := spoolFrom(part, dest, s.cfg.MaxBodyBytes)
			if err != nil {
				s.renderUpload(w, http.StatusRequestEntityTooLarge, uploadView{Partner: p.ID, Error: "the file could not be taken: " + err.Error()})
				return
			}
			if n == 0 {
				s.renderUpload(w, http.StatusBadRequest, uploadView{Partner: p.ID, Error: "the file is empty"})
				return
			}
		}
	}
	if p == nil {
		s.renderUpload(w, http.StatusUnauthorized, uploadView{Error: "sign in with your token first"})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: uploadCookie, Value: token, Path: "/upload", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	if dest == "" {
		s.renderUpload(w, http.StatusBadRequest, uploadView{Partner: p.ID, Error: "choose a file to upload"})
		return
	}
	rc, err := s.intake.File(r.Context(), intake.Submission{Path: dest, Name: name, Partner: p.ID, Transport: "http", SkipDuplicateBytes: true})
	if err != nil {
		s.log.Error("upload", "partner", p.ID, "error", err)
		s.renderUpload(w, http.StatusInternalServerError, uploadView{Partner: p.ID, Error: "the file could not be taken in; try again"})
		return
	}
	dest = "" // intake moved it
	out := s.uploadedOf(rc, name)
	status := http.StatusOK
	if len(out.Orders) == 0 {
		status = http.StatusUnprocessableEntity
	}
	s.renderUpload(w, status, uploadView{Partner: p.ID, Result: &out})
}

// getUploadErrors serves the annotated workbook to a partner signed in on
// the upload page.
func (s *Server) getUploadErrors(w http.ResponseWriter, r *http.Request) {
	p, _ := s.cookiePartner(r)
	if p == nil {
		http.Redirect(w, r, "/upload", http.StatusSeeOther)
		return
	}
	d, err := s.store.Document(r.Context(), r.PathValue("id"))
	if err != nil || d.Partner != p.ID {
		http.NotFound(w, r)
		return
	}
	s.serveWorkbook(w, d)
}

func (s *Server) getTemplate(w http.ResponseWriter, r *http.Request) {
	s.writeTemplate(w, r, partnerOf(r))
}

func (s *Server) getUploadTemplate(w http.ResponseWriter, r *http.Request) {
	p, _ := s.cookiePartner(r)
	if p == nil {
		http.Redirect(w, r, "/upload", http.StatusSeeOther)
		return
	}
	s.writeTemplate(w, r, p)
}

func (s *Server) writeTemplate(w http.ResponseWriter, r *http.Request, p *store.Partner) {
	if s.Template == nil {
		writeProblem(w, problem{Status: http.StatusNotFound, Title: "not found", Detail: "no order template here"})
		return
	}
	var buf bytes.Buffer
	if err := s.Template(r.Context(), p, &buf); err != nil {
		s.internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "orders-" + p.ID + ".xlsx"}))
	w.Write(buf.Bytes())
}
