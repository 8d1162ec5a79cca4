package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/orderhub/orderhub/store"
)

// partnerOrOperator admits a partner's bearer token, for which h lists
// that partner's own, or the operator token, for which h lists everyone's
// (partner is "").
func (s *Server) partnerOrOperator(h func(w http.ResponseWriter, r *http.Request, partner string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := bearerToken(r)
		if token == "" {
			noToken(w, "orderhub", "send the partner's token (or the operator token) as Authorization: Bearer <token>")
			return
		}
		if s.isOperator(token) {
			h(w, r, "")
			return
		}
		if p, ok := s.partnerOf(w, r, token); ok {
			h(w, r, p.ID)
		}
	}
}

// scopedPartner is whose entries a listing shows: the caller's own for a
// partner (asking for another partner's is 404, as another partner's
// order or document is: the answer says nothing about who else there
// is), else the ?partner= the operator asked for ("" for all). ok is false
// when it has answered.
func scopedPartner(w http.ResponseWriter, r *http.Request, caller string) (partner string, ok bool) {
	asked := r.URL.Query().Get("partner")
	if caller == "" {
		return asked, true
	}
	if asked != "" && asked != caller {
		writeProblem(w, problem{Status: http.StatusNotFound, Title: "not found", Detail: fmt.Sprintf("no partner %q", asked)})
		return "", false
	}
	return caller, true
}

// documentList is the answer to GET /v1/documents.
type documentList struct {
	Documents []*store.Document `json:"documents"`
	// NextCursor, when the page is full, asks for the next one
	// (?cursor=); an empty page ends the listing.
	NextCursor string `json:"next_cursor,omitempty"`
}

// listDocuments lists the ledger, newest first: ?partner= (the
// operator's choice; a partner sees its own), ?state=, ?direction=,
// ?transport=, ?since= (RFC 3339 or a date, UTC), ?limit= (1 to 1000,
// default 100) and ?cursor= (the next_cursor of the previous page).
func (s *Server) listDocuments(w http.ResponseWriter, r *http.Request, caller string) {
	partner, ok := scopedPartner(w, r, caller)
	if !ok {
		return
	}
	q := r.URL.Query()
	f := store.DocumentFilter{Partner: partner, State: q.Get("state"), Direction: q.Get("direction"),
		Transport: q.Get("transport"), Cursor: q.Get("cursor"), Limit: store.DefaultDocuments}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxDocuments {
			badQuery(w, fmt.Sprintf("limit %q: want a number from 1 to %d", v, store.MaxDocuments))
			return
		}
		f.Limit = n
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			if t, err = time.Parse(time.DateOnly, v); err != nil {
				badQuery(w, fmt.Sprintf("since %q: want a time (2006-01-02T15:04:05Z07:00) or a date (2006-01-02, UTC)", v))
				return
			}
		}
		f.Since = t
	}
	docs, err := s.store.Documents(r.Context(), f)
	if errors.Is(err, store.ErrBadFilter) {
		badQuery(w, err.Error())
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	out := documentList{Documents: []*store.Document{}}
	for _, d := range docs {
		if caller != "" {
			d.Path = "" // a server path is of no use to the partner
		}
		out.Documents = append(out.Documents, d)
	}
	if len(docs) == f.Limit {
		out.NextCursor = docs[len(docs)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
}

// listTransports lists the partners' remote drops as last seen (FTP,
// FTPS, SFTP; passwords masked), by partner then URL: a partner's own, or
// for the operator everyone's (or ?partner='s).
func (s *Server) listTransports(w http.ResponseWriter, r *http.Request, caller string) {
	partner, ok := scopedPartner(w, r, caller)
	if !ok {
		return
	}
	ts, err := s.store.Transports(r.Context(), partner)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if ts == nil {
		ts = []store.TransportState{}
	}
	writeJSON(w, http.StatusOK, struct {
		Transports []store.TransportState `json:"transports"`
	}{ts})
}

func badQuery(w http.ResponseWriter, detail string) {
	writeProblem(w, problem{Status: http.StatusBadRequest, Title: "bad query", Detail: detail})
}
