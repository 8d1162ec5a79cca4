package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Document states in the ledger.
const (
	DocReceived  = "received"  // recorded, being read
	DocArchived  = "archived"  // read; its orders are in the pipeline
	DocError     = "error"     // could not be read, or some of it was refused
	DocDuplicate = "duplicate" // the same bytes from the same partner came before
	DocDelivered = "delivered" // an answer, sent (direction out)
)

// DocProcessing is a document taken in hand: its orders are being read
// and handed on, and it is not yet archived or in error.
const DocProcessing = "processing"

// Document directions.
const (
	DirectionIn  = "in"  // a document a partner sent
	DirectionOut = "out" // an answer we sent
)

// Document is one ledger entry: a file or request that came in.
type Document struct {
	ID             string    `json:"id"`
	SHA256         string    `json:"sha256"`
	Partner        string    `json:"partner"`
	Transport      string    `json:"transport"`
	Name           string    `json:"name"`
	Size           int64     `json:"size"`
	ReceivedAt     time.Time `json:"received_at"`
	State          string    `json:"state"`
	Format         string    `json:"format,omitempty"`
	Path           string    `json:"path,omitempty"`
	Orders         int       `json:"orders"`
	Rejected       int       `json:"rejected"`
	Error          string    `json:"error,omitempty"`
	DuplicateOf    string    `json:"duplicate_of,omitempty"`
	IdempotencyKey string    `json:"idempotency_key,omitempty"`
	UpdatedAt      time.Time `json:"updated_at"`
	// Direction is "in" for what partners send, "out" for answers.
	Direction string `json:"direction"`
	// Remote is where a pulled document was read on the partner's server,
	// or where an answer was put ("" for the inbox, HTTP, the outbox).
	Remote string `json:"remote,omitempty"`
	// DeliveredAt is when an answer reached its destination.
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
}

const docCols = `id, sha256, partner, transport, name, size, received_at, state, format, path,
	orders, rejected, error, duplicate_of, idempotency_key, updated_at, direction, remote, delivered_at`

func scanDoc(sc interface{ Scan(...any) error }) (*Document, error) {
	var d Document
	var rec, upd, dlv string
	if err := sc.Scan(&d.ID, &d.SHA256, &d.Partner, &d.Transport, &d.Name, &d.Size, &rec, &d.State,
		&d.Format, &d.Path, &d.Orders, &d.Rejected, &d.Error, &d.DuplicateOf, &d.IdempotencyKey, &upd,
		&d.Direction, &d.Remote, &dlv); err != nil {
		return nil, err
	}
	d.ReceivedAt, _ = time.Parse(time.RFC3339Nano, rec)
	d.UpdatedAt, _ = time.Parse(time.RFC3339Nano, upd)
	if t := optTime(dlv); !t.IsZero() {
		d.DeliveredAt = &t
	}
	return &d, nil
}

// InsertDocument records a document. ReceivedAt must be set: order ids are
// derived from it.
func (s *Store) InsertDocument(ctx context.Context, d *Document) error {
	return s.Update(ctx, func(t *Tx) error {
		return t.InsertDocument(d)
	})
}

// InsertDocument is Store.InsertDocument inside a transaction. Direction
// defaults to "in".
func (t *Tx) InsertDocument(d *Document) error {
	if d.Direction == "" {
		d.Direction = DirectionIn
	}
	dlv := ""
	if d.DeliveredAt != nil {
		dlv = optStamp(*d.DeliveredAt)
	}
	_, err := t.tx.Exec(`INSERT INTO documents (`+docCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		d.ID, d.SHA256, d.Partner, d.Transport, d.Name, d.Size, d.ReceivedAt.UTC().Format(time.RFC3339Nano),
		d.State, d.Format, d.Path, d.Orders, d.Rejected, d.Error, d.DuplicateOf, d.IdempotencyKey, t.now,
		d.Direction, d.Remote, dlv)
	if err != nil {
		return fmt.Errorf("record document %s (%s): %w", d.Name, d.ID, err)
	}
	return nil
}

// SaveDocument writes a document's state, format, path, counts and error.
func (t *Tx) SaveDocument(d *Document) error {
	res, err := t.tx.Exec(`UPDATE documents SET state = ?, format = ?, path = ?, orders = ?, rejected = ?,
		error = ?, duplicate_of = ?, updated_at = ? WHERE id = ?`,
		d.State, d.Format, d.Path, d.Orders, d.Rejected, d.Error, d.DuplicateOf, t.now, d.ID)
	if err != nil {
		return fmt.Errorf("update document %s: %w", d.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update document %s: %w", d.ID, ErrNotFound)
	}
	return nil
}

// SaveDocument is Tx.SaveDocument in a transaction of its own.
func (s *Store) SaveDocument(ctx context.Context, d *Document) error {
	return s.Update(ctx, func(t *Tx) error { return t.SaveDocument(d) })
}

// Document returns one ledger entry.
func (s *Store) Document(ctx context.Context, id string) (*Document, error) {
	return s.oneDoc(ctx, `WHERE id = ?`, id)
}

// DocumentByPath returns the latest document recorded at a path, if any: after
// a crash, the file found in the processing area is matched to its entry.
func (s *Store) DocumentByPath(ctx context.Context, path string) (*Document, error) {
	return s.oneDoc(ctx, `WHERE path = ? ORDER BY received_at DESC LIMIT 1`, path)
}

// DocumentByIdempotencyKey returns the document a partner sent with an
// Idempotency-Key.
func (s *Store) DocumentByIdempotencyKey(ctx context.Context, partner, key string) (*Document, error) {
	return s.oneDoc(ctx, `WHERE partner = ? AND idempotency_key = ?`, partner, key)
}

// FirstWithContent returns the earliest document from a partner with these
// bytes that was read (archived, or in error with some orders taken), other
// than exceptID.
func (s *Store) FirstWithContent(ctx context.Context, partner, sha, exceptID string) (*Document, error) {
	return s.oneDoc(ctx, `WHERE partner = ? AND sha256 = ? AND id <> ? AND direction = 'in' AND (state = 'archived' OR (state = 'error' AND orders > 0))
		ORDER BY received_at LIMIT 1`, partner, sha, exceptID)
}

// DocumentsWithContent lists a partner's documents with these bytes, oldest first.
func (s *Store) DocumentsWithContent(ctx context.Context, partner, sha string) ([]*Document, error) {
	return s.listDocs(ctx, `WHERE partner = ? AND sha256 = ? AND direction = 'in' ORDER BY received_at`, partner, sha)
}

func (s *Store) oneDoc(ctx context.Context, where string, args ...any) (*Document, error) {
	d, err := scanDoc(s.db.Read().QueryRowContext(ctx, `SELECT `+docCols+` FROM documents `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("document: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("document: %w", err)
	}
	return d, nil
}

// DocumentFilter narrows Documents.
type DocumentFilter struct {
	// State, when set, is one of DocStates; Direction is DirectionIn or
	// DirectionOut.
	Partner, State, Direction, Transport string
	// Limit caps the list: default 100, at most MaxDocuments.
	Limit int
	// Since, when set, keeps documents received in that second or later.
	Since time.Time
	// Cursor, when set, is the id of the last document of the previous
	// page: the list goes on with the documents after it (older ones).
	// It must be one of Partner's documents when Partner is set.
	Cursor string
}

// Documents lists the ledger, newest first (by received time, then id).
// A filter naming an unknown state or direction, a limit out of range or
// a cursor that is not a document (of Partner's) fails with ErrBadFilter.
func (s *Store) Documents(ctx context.Context, f DocumentFilter) ([]*Document, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	q := `SELECT ` + docCols + ` FROM documents WHERE 1=1`
	var args []any
	if f.Cursor != "" {
		cq, cargs, err := s.cursorOf(ctx, f)
		if err != nil {
			return nil, err
		}
		q += cq
		args = append(args, cargs...)
	}
	if !f.Since.IsZero() {
		// Stored times are RFC 3339 with a varying number of decimals,
		// which sort as text only up to the second: compare there.
		q += ` AND received_at >= ?`
		args = append(args, f.Since.UTC().Format("2006-01-02T15:04:05"))
	}
	if f.Partner != "" {
		q += ` AND partner = ?`
		args = append(args, f.Partner)
	}
	if f.State != "" {
		q += ` AND state = ?`
		args = append(args, f.State)
	}
	if f.Direction != "" {
		q += ` AND direction = ?`
		args = append(args, f.Direction)
	}
	if f.Transport != "" {
		q += ` AND transport = ?`
		args = append(args, f.Transport)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	q += ` ORDER BY received_at DESC, id DESC LIMIT ?`
	args = append(args, f.Limit)
	return s.listDocs(ctx, q, args...)
}

func (s *Store) listDocs(ctx context.Context, where string, args ...any) ([]*Document, error) {
	q := where
	if !strings.HasPrefix(q, "SELECT") {
		q = `SELECT ` + docCols + ` FROM documents ` + where
	}
	rows, err := s.db.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	defer rows.Close()
	var out []*Document
	for rows.Next() {
		d, err := scanDoc(rows)
		if err != nil {
			return nil, fmt.Errorf("documents: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// NextControlNumber returns the next outbound control number of a kind for a
// partner (1, 2, ...), committed before it is returned so a number is never
// handed out twice, even across restarts.
func (s *Store) NextControlNumber(ctx context.Context, partner, kind string) (int64, error) {
	var n int64
	err := s.Update(ctx, func(t *Tx) error {
		if _, err := t.tx.Exec(`INSERT INTO control_numbers (partner, kind, last) VALUES (?, ?, 1)
			ON CONFLICT (partner, kind) DO UPDATE SET last = last + 1`, partner, kind); err != nil {
			return err
		}
		return t.tx.QueryRow(`SELECT last FROM control_numbers WHERE partner = ? AND kind = ?`, partner, kind).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("control number %s/%s: %w", partner, kind, err)
	}
	return n, nil
}

// ControlNumberFor returns the control number of a kind assigned to ref (an
// order id, a document and interchange), assigning the next one the first
// time. The same answer built again after a crash gets the same number, so
// it is recognised as the same answer; a new one never reuses a number.
func (s *Store) ControlNumberFor(ctx context.Context, partner, kind, ref string) (int64, error) {
	var n int64
	err := s.Update(ctx, func(t *Tx) error {
		err := t.tx.QueryRow(`SELECT number FROM control_assignments WHERE partner = ? AND kind = ? AND ref = ?`,
			partner, kind, ref).Scan(&n)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := t.tx.Exec(`INSERT INTO control_numbers (partner, kind, last) VALUES (?, ?, 1)
			ON CONFLICT (partner, kind) DO UPDATE SET last = last + 1`, partner, kind); err != nil {
			return err
		}
		if err := t.tx.QueryRow(`SELECT last FROM control_numbers WHERE partner = ? AND kind = ?`, partner, kind).Scan(&n); err != nil {
			return err
		}
		_, err = t.tx.Exec(`INSERT INTO control_assignments (partner, kind, ref, number, at) VALUES (?, ?, ?, ?, ?)`,
			partner, kind, ref, n, t.now)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("control number %s/%s for %s: %w", partner, kind, ref, err)
	}
	return n, nil
}

// HasEvent tells whether an order's history has a step with this status.
func (t *Tx) HasEvent(id, status string) (bool, error) {
	var n int
	if err := t.tx.QueryRow(`SELECT count(*) FROM order_events WHERE order_id = ? AND status = ?`, id, status).Scan(&n); err != nil {
		return false, fmt.Errorf("events of %s: %w", id, err)
	}
	return n > 0, nil
}
