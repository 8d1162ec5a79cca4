package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
)

// problem is an RFC 9457 problem document.
type problem struct {
	Type   string `json:"type,omitempty"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Errors lists every field problem, located.
	Errors []fieldError `json:"errors,omitempty"`
}

// fieldError is one problem in a posted document.
type fieldError struct {
	// Order is the 0-based index of the order in the body (NDJSON line
	// order), absent for problems with the body as a whole.
	Order    *int   `json:"order,omitempty"`
	Position string `json:"position,omitempty"`
	Path     string `json:"path,omitempty"`
	Message  string `json:"message"`
}

func writeProblem(w http.ResponseWriter, p problem) {
	if p.Type == "" {
		p.Type = "https://orderhub.dev/problems/" + strings.ReplaceAll(p.Title, " ", "-")
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
