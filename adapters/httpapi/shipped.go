package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/orderhub/orderhub/store"
)

// postShipped records that the warehouses shipped an order (operator
// token: the warehouse system or a person for it), as orderhub shipped
// does: its stock leaves the books and later cancels and changes are
// refused. 200 with the order as it is now, again for one already shipped;
// 404 for an unknown order; 409 for one that cannot ship (still in the
// pipeline, backordered, cancelled).
func (s *Server) postShipped(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var body struct {
		Note string `json:"note"`
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err == nil && len(strings.TrimSpace(string(raw))) > 0 {
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		err = dec.Decode(&body)
	}
	if err != nil {
		writeProblem(w, problem{Status: http.StatusBadRequest, Title: "unreadable body",
			Detail: err.Error() + `; want nothing, or {"note": "tracking 1Z999…"}`})
		return
	}
	reason := "shipped (API)"
	if n := strings.TrimSpace(body.Note); n != "" {
		reason += ": " + n
	}
	row, err := s.store.MarkShipped(r.Context(), id, reason)
	var ns *store.NotShippableError
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeProblem(w, problem{Status: http.StatusNotFound, Title: "not found", Detail: fmt.Sprintf("no order %q", id)})
		return
	case errors.As(err, &ns):
		writeProblem(w, problem{Status: http.StatusConflict, Title: "not shippable", Detail: err.Error()})
		return
	case err != nil:
		s.internal(w, r, err)
		return
	}
	s.writeView(w, r, http.StatusOK, row)
}
