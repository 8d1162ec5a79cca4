// Package httpapi is orderhub's HTTP intake and status API:
//
//	POST /v1/orders          one canonical order (JSON) or many (NDJSON)
//	GET  /v1/orders/{id}     an order with its status history
//	GET  /v1/orders?po=      a partner's orders by PO number (latest without po)
//	POST /v1/orders/{id}/release  a held order released to routing or rejected (reviewers or the operator token)
//	GET  /v1/documents/{id}  a document's ledger entry, its problems and notices, and the orders it gave
//	GET  /v1/documents       the ledger, newest first (?partner= ?state= ?direction= ?transport= ?since= ?limit= ?cursor=): a partner's own, or all for the operator token
//	GET  /v1/transports      the remote drops' state (FTP, FTPS, SFTP): a partner's own, or all for the operator token
//	PUT  /v1/inventory       stock levels (operator token): CSV as `orderhub load stock`, or JSON
//	POST /v1/orders/{id}/shipped  an order shipped (operator token), as `orderhub shipped`
//	GET  /healthz            liveness and store reachability
//
// Every /v1 call carries the partner's bearer token, except the
// operator's (the supplier's own: inventory, shipped), which carry the
// operator token, and release, which takes a reviewer's or the operator's.
// The ledger and transport listings take either: the operator's lists
// every partner's.
// The partner is taken from the token, never from the body, and a partner
// only ever sees its own orders and documents: anything else is 404, so ids
// cannot be probed.
package httpapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/orderhub/orderhub/intake"
	"github.com/orderhub/orderhub/store"
)

// Config sets up the server.
type Config struct {
	// Addr is the listen address. Default ":8080".
	Addr string
	// MaxBodyBytes caps a request body; a larger one is refused with 413.
	// Default 10 MiB.
	MaxBodyBytes int64
	// ReadTimeout bounds reading a request. Default 30s.
	ReadTimeout time.Duration
	// ShutdownTimeout bounds how long requests in flight may finish at
	// shutdown. Default 10s.
	ShutdownTimeout time.Duration
	// OutboxDir is where answers to partners are written (annotated
	// workbooks are served from there when SentDir has no copy).
	OutboxDir string
	// SentDir is where answers are kept per partner and document
	// (outbox.SentPath): an annotated workbook is served from there
	// first, so each document keeps its own after a later document of the
	// same name replaced it in the outbox. Empty: the outbox only.
	SentDir string
	// OperatorToken admits the supplier's own calls (PUT /v1/inventory,
	// POST /v1/orders/{id}/shipped) and may release held orders as a
	// reviewer may; empty: they are refused. Partner tokens never admit
	// them.
	OperatorToken string
	// Reviewers may release or reject held orders (POST
	// /v1/orders/{id}/release); none: only the operator token through the
	// API.
	Reviewers []Reviewer
}

func (c *Config) setDefaults() {
	if c.Addr == "" {
		c.Addr = ":8080"
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 10 << 20
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = 30 * time.Second
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 10 * time.Second
	}
}

// Validate reports a config that cannot work.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("httpapi: addr %q: want host:port or :port: %w", c.Addr, err)
	}
	return nil
}

// Intake is what the server hands documents to; *intake.Intake is one.
type Intake interface {
	ProcessingPath(partner, name string) string
	File(ctx context.Context, sub intake.Submission) (*intake.Receipt, error)
}

// Server serves the API.
type Server struct {
	cfg    Config
	store  *store.Store
	intake Intake
	log    *slog.Logger
	mux    *http.ServeMux
	// Ready, when set, gates intake: false answers 503 (the bus is down,
	// the process is stopping) instead of taking orders it cannot publish.
	Ready func() error
	// Template, when set, writes the order template workbook for a
	// partner (GET /v1/templates/orders.xlsx).
	Template func(ctx context.Context, partner *store.Partner, w io.Writer) error
	// Release, when set, releases or rejects held orders (POST
	// /v1/orders/{id}/release, reviewers or the operator token).
	Release ReleaseFunc
}

// New returns a server.
func New(cfg Config, st *store.Store, in Intake, log *slog.Logger) (*Server, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, store: st, intake: in, log: log, mux: http.NewServeMux()}
	s.mux.HandleFunc("POST /v1/orders", s.auth(s.postOrders))
	s.mux.HandleFunc("GET /v1/orders/{id}", s.auth(s.getOrder))
	s.mux.HandleFunc("GET /v1/orders", s.auth(s.listOrders))
	s.mux.HandleFunc("POST /v1/orders/{id}/release", s.reviewer(s.postRelease))
	s.mux.HandleFunc("GET /v1/documents/{id}", s.auth(s.getDocument))
	s.mux.HandleFunc("GET /v1/documents", s.partnerOrOperator(s.listDocuments))
	s.mux.HandleFunc("GET /v1/transports", s.partnerOrOperator(s.listTransports))
	s.mux.HandleFunc("POST /v1/documents", s.auth(s.postDocument))
	s.mux.HandleFunc("GET /v1/documents/{id}/errors.xlsx", s.auth(s.getErrorsWorkbook))
	s.mux.HandleFunc("GET /v1/templates/orders.xlsx", s.auth(s.getTemplate))
	s.mux.HandleFunc("GET /upload", s.getUpload)
	s.mux.HandleFunc("POST /upload", s.postUpload)
	s.mux.HandleFunc("GET /upload/signout", s.signOut)
	s.mux.HandleFunc("GET /upload/documents/{id}/errors.xlsx", s.getUploadErrors)
	s.mux.HandleFunc("GET /upload/template.xlsx", s.getUploadTemplate)
	s.mux.HandleFunc("PUT /v1/inventory", s.operator(s.putInventory))
	s.mux.HandleFunc("POST /v1/orders/{id}/shipped", s.operator(s.postShipped))
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem{Status: http.StatusNotFound, Title: "not found",
			Detail: fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path)})
	})
	return s, nil
}

// Handler is the API as an http.Handler, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.recover(s.mux) }

// Serve serves on ln until ctx ends, then shuts down gracefully: it stops
// accepting, lets requests in flight finish (up to ShutdownTimeout) and
// returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       s.cfg.ReadTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("http listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	return err
}

// Listen opens the configured address.
func (s *Server) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("httpapi: listen on %s: %w", s.cfg.Addr, err)
	}
	return ln, nil
}

type ctxKey struct{}

// partnerOf is the authenticated partner of a request.
func partnerOf(r *http.Request) *store.Partner { return r.Context().Value(ctxKey{}).(*store.Partner) }

// auth admits a request carrying a known partner's bearer token.
func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := bearerToken(r)
		if token == "" {
			noToken(w, "orderhub", "send the partner's token as Authorization: Bearer <token>")
			return
		}
		p, ok := s.partnerOf(w, r, token)
		if !ok {
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, p)))
	}
}

// partnerOf is the partner whose token this is; ok is false when it has
// answered (401 for a token nobody has, 500 when the store failed).
func (s *Server) partnerOf(w http.ResponseWriter, r *http.Request, token string) (p *store.Partner, ok bool) {
	p, err := s.store.PartnerByToken(r.Context(), token)
	if errors.Is(err, store.ErrNotFound) {
		unknownToken(w, "orderhub")
		return nil, false
	}
	if err != nil {
		s.internal(w, r, err)
		return nil, false
	}
	return p, true
}

// bearerToken is the token of a request's "Authorization: Bearer <token>"
// header, "" when it has none.
func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// noToken answers 401 to a request without a bearer token, challenging
// for one of realm; detail says whose token to send.
func noToken(w http.ResponseWriter, realm, detail string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="`+realm+`"`)
	writeProblem(w, problem{Status: http.StatusUnauthorized, Title: "unauthorized", Detail: detail})
}

// unknownToken answers 401 to a bearer token nobody of realm holds.
func unknownToken(w http.ResponseWriter, realm string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="`+realm+`", error="invalid_token"`)
	writeProblem(w, problem{Status: http.StatusUnauthorized, Title: "unauthorized", Detail: "unknown token"})
}

// isOperator tells whether token is the operator token (false when there
// is none). It compares digests, so the time taken says nothing about the
// token.
func (s *Server) isOperator(token string) bool {
	if s.cfg.OperatorToken == "" {
		return false
	}
	want, got := sha256.Sum256([]byte(s.cfg.OperatorToken)), sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(want[:], got[:]) == 1
}

func (s *Server) recover(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.internal(w, r, fmt.Errorf("panic: %v", p))
			}
		}()
		h.ServeHTTP(w, r)
	})
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("http request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	writeProblem(w, problem{Status: http.StatusInternalServerError, Title: "internal error",
		Detail: "the request could not be completed; it is safe to retry with the same Idempotency-Key"})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if err := s.store.DB().Read().PingContext(r.Context()); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": err.Error()})
		return
	}
	if s.Ready != nil {
		if err := s.Ready(); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": err.Error()})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
