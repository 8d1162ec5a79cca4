package httpapi

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

// Reviewer may release or reject held orders through the API.
type Reviewer struct {
	Name string
	// TokenSHA256 is the lowercase hex SHA-256 of its bearer token.
	TokenSHA256 string
}

// ReleaseFunc releases a held order to routing, or with reject cancels
// it; by and note go into the status history. It fails with
// store.ErrNotFound for an unknown order and store.ErrNotHeld for one that
// is not held.
type ReleaseFunc func(ctx context.Context, id string, reject bool, by, note string) (*order.Order, error)

// releaseBody is what POST /v1/orders/{id}/release may carry; an empty
// body releases.
type releaseBody struct {
	// Action is "release" (default) or "reject".
	Action string `json:"action"`
	// Note says why, for the status history.
	Note string `json:"note"`
}

type reviewerKey struct{}

// reviewer admits a request carrying a reviewer's bearer token, or the
// operator's. A
// partner's token is refused (403): a partner does not release its own
// credit hold.
func (s *Server) reviewer(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := bearerToken(r)
		if token == "" {
			noToken(w, "orderhub", "send a reviewer's token as Authorization: Bearer <token>")
			return
		}
		// The operator (Config.OperatorToken) may do what a reviewer may.
		if s.isOperator(token) {
			h(w, r.WithContext(context.WithValue(r.Context(), reviewerKey{}, "operator")))
			return
		}
		sum := store.TokenSHA256(token)
		for _, rv := range s.cfg.Reviewers {
			if subtle.ConstantTimeCompare([]byte(sum), []byte(rv.TokenSHA256)) == 1 {
				h(w, r.WithContext(context.WithValue(r.Context(), reviewerKey{}, rv.Name)))
				return
			}
		}
		if _, err := s.store.PartnerByToken(r.Context(), token); err == nil {
			writeProblem(w, problem{Status: http.StatusForbidden, Title: "forbidden",
				Detail: "held orders are released by reviewers (http.reviewers in orderhub.yaml) or the operator, not by partners"})
			return
		} else if !errors.Is(err, store.ErrNotFound) {
			s.internal(w, r, err)
			return
		}
		unknownToken(w, "orderhub")
	}
}

// postRelease releases a held order to routing, or rejects it: 202 with
// the order as it is now, 404 for an unknown order, 409 for one that is
// not held.
func (s *Server) postRelease(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if s.Release == nil {
		writeProblem(w, problem{Status: http.StatusServiceUnavailable, Title: "unavailable", Detail: "releasing orders is not wired in this process"})
		return
	}
	var body releaseBody
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil && !errors.Is(err, io.EOF) {
		writeProblem(w, problem{Status: http.StatusBadRequest, Title: "bad body",
			Detail: fmt.Sprintf(`want nothing, or {"action": "release" or "reject", "note": "why"}: %v`, err)})
		return
	}
	reject := false
	switch body.Action {
	case "", "release":
	case "reject":
		reject = true
	default:
		writeProblem(w, problem{Status: http.StatusBadRequest, Title: "bad body",
			Errors: []fieldError{{Path: "action", Message: fmt.Sprintf(`want "release" or "reject", got %q`, body.Action)}}})
		return
	}
	name, _ := r.Context().Value(reviewerKey{}).(string)
	_, err := s.Release(r.Context(), id, reject, "API ("+name+")", body.Note)
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeProblem(w, problem{Status: http.StatusNotFound, Title: "not found", Detail: fmt.Sprintf("no order %q", id)})
		return
	case errors.Is(err, store.ErrNotHeld):
		writeProblem(w, problem{Status: http.StatusConflict, Title: "not held",
			Detail: fmt.Sprintf("%v: only a held order can be released or rejected", err)})
		return
	case err != nil:
		s.internal(w, r, err)
		return
	}
	row, err := s.store.Order(r.Context(), id)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/orders/"+id)
	s.writeView(w, r, http.StatusAccepted, row)
}
