package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/orderhub/orderhub/order"
)

// OrderRow is an order as stored: its current canonical JSON and status.
type OrderRow struct {
	ID         string
	Partner    string
	PONumber   string
	Purpose    string
	Status     string
	DocumentID string
	JSON       []byte
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Event is one step of an order's status history.
type Event struct {
	Seq    int64     `json:"-"`
	Status string    `json:"status"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
}

// InsertOrder records a new order in status received with its first event.
// An order already stored (a document read again after a crash) is left as
// it is and InsertOrder reports false.
func (t *Tx) InsertOrder(o *order.Order, documentID string, js Packed, reason string) (bool, error) {
	res, err := t.tx.Exec(`INSERT OR IGNORE INTO orders
		(id, partner, po_number, purpose, status, document_id, json, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, o.Partner, o.PONumber, purposeOf(o), order.StatusReceived, documentID, []byte(js), t.now, t.now)
	if err != nil {
		return false, fmt.Errorf("insert order %s: %w", o.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	return true, t.AddEvent(o.ID, order.StatusReceived, reason)
}

func purposeOf(o *order.Order) string {
	if o.Purpose == "" {
		return order.PurposeOriginal
	}
	return o.Purpose
}

// OrderStatus is an order's current status.
func (t *Tx) OrderStatus(id string) (string, error) {
	var status string
	err := t.tx.QueryRow(`SELECT status FROM orders WHERE id = ?`, id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("order %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("order %s: %w", id, err)
	}
	return status, nil
}

// OrderJSON is an order's current canonical JSON.
func (t *Tx) OrderJSON(id string) ([]byte, error) {
	var js []byte
	err := t.tx.QueryRow(`SELECT json FROM orders WHERE id = ?`, id).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("order %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("order %s: %w", id, err)
	}
	return unpackJSON(js)
}

// Advance stores the order's new JSON and status and records the event.
func (t *Tx) Advance(id, status, reason string, js Packed) error {
	res, err := t.tx.Exec(`UPDATE orders SET status = ?, json = ?, updated_at = ? WHERE id = ?`, status, []byte(js), t.now, id)
	if err != nil {
		return fmt.Errorf("advance order %s to %s: %w", id, status, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("advance order %s to %s: %w", id, status, ErrNotFound)
	}
	return t.AddEvent(id, status, reason)
}

// AdvanceFrom is Advance guarded by the order's current status: it moves
// the order only if its status is one of from, and reports whether it did.
// One statement instead of a read and a write, for stages whose only
// change is the order itself.
func (t *Tx) AdvanceFrom(id string, from []string, status, reason string, js Packed) (bool, error) {
	q := advanceFromQuery(from)
	res, err := t.tx.Exec(q, status, []byte(js), t.now, id)
	if err != nil {
		return false, fmt.Errorf("advance order %s to %s: %w", id, status, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	return true, t.AddEvent(id, status, reason)
}

var advanceQueries sync.Map // joined statuses → query

// advanceFromQuery writes the statuses into the statement itself: the list
// is fixed per stage, so each stage's statement is prepared once.
func advanceFromQuery(from []string) string {
	key := strings.Join(from, ",")
	if q, ok := advanceQueries.Load(key); ok {
		return q.(string)
	}
	quoted := make([]string, len(from))
	for i, s := range from {
		quoted[i] = "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	q := `UPDATE orders SET status = ?, json = ?, updated_at = ? WHERE id = ? AND status IN (` + strings.Join(quoted, ", ") + `)`
	advanceQueries.Store(key, q)
	return q
}

// AddEvent records a step in an order's history.
func (t *Tx) AddEvent(id, status, reason string) error {
	if _, err := t.tx.Exec(`INSERT INTO order_events (order_id, status, reason, at) VALUES (?, ?, ?, ?)`,
		id, status, reason, t.now); err != nil {
		return fmt.Errorf("event %s for order %s: %w", status, id, err)
	}
	return nil
}

const orderCols = `id, partner, po_number, purpose, status, document_id, json, created_at, updated_at`

func scanOrder(sc interface{ Scan(...any) error }) (*OrderRow, error) {
	var r OrderRow
	var created, updated string
	if err := sc.Scan(&r.ID, &r.Partner, &r.PONumber, &r.Purpose, &r.Status, &r.DocumentID, &r.JSON, &created, &updated); err != nil {
		return nil, err
	}
	r.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	r.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
	var err error
	if r.JSON, err = unpackJSON(r.JSON); err != nil {
		return nil, fmt.Errorf("order %s: %w", r.ID, err)
	}
	return &r, nil
}

// Order returns one order.
func (s *Store) Order(ctx context.Context, id string) (*OrderRow, error) {
	r, err := scanOrder(s.db.Read().QueryRowContext(ctx, `SELECT `+orderCols+` FROM orders WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("order %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("order %s: %w", id, err)
	}
	return r, nil
}

// OrdersByPO returns the orders with a PO number, oldest first; partner ""
// means any partner.
func (s *Store) OrdersByPO(ctx context.Context, partner, po string) ([]*OrderRow, error) {
	q := `SELECT ` + orderCols + ` FROM orders WHERE po_number = ?`
	args := []any{po}
	if partner != "" {
		q += ` AND partner = ?`
		args = append(args, partner)
	}
	return s.queryOrders(ctx, q+` ORDER BY created_at, id`, args...)
}

// OrdersByPartner returns a partner's latest orders, newest first.
func (s *Store) OrdersByPartner(ctx context.Context, partner string, limit int) ([]*OrderRow, error) {
	if limit <= 0 {
		limit = 100
	}
	return s.queryOrders(ctx, `SELECT `+orderCols+` FROM orders WHERE partner = ? ORDER BY created_at DESC, id DESC LIMIT ?`, partner, limit)
}

// OrdersByDocument returns the orders read from a document, in document order.
func (s *Store) OrdersByDocument(ctx context.Context, documentID string) ([]*OrderRow, error) {
	return s.queryOrders(ctx, `SELECT `+orderCols+` FROM orders WHERE document_id = ? ORDER BY id`, documentID)
}

func (s *Store) queryOrders(ctx context.Context, q string, args ...any) ([]*OrderRow, error) {
	rows, err := s.db.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("orders: %w", err)
	}
	defer rows.Close()
	var out []*OrderRow
	for rows.Next() {
		r, err := scanOrder(rows)
		if err != nil {
			return nil, fmt.Errorf("orders: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Events is an order's status history, oldest first.
func (s *Store) Events(ctx context.Context, id string) ([]Event, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT seq, status, reason, at FROM order_events WHERE order_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("events of %s: %w", id, err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at string
		if err := rows.Scan(&e.Seq, &e.Status, &e.Reason, &at); err != nil {
			return nil, fmt.Errorf("events of %s: %w", id, err)
		}
		e.At, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// CountByStatus counts all orders by status.
func (s *Store) CountByStatus(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT status, count(*) FROM orders GROUP BY status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// StatusCounts counts the given orders by status; an id the store does not
// have counts as "missing".
func (s *Store) StatusCounts(ctx context.Context, ids []string) (map[string]int, error) {
	out := map[string]int{}
	if len(ids) == 0 {
		return out, nil
	}
	stmt, err := s.db.Read().PrepareContext(ctx, `SELECT status FROM orders WHERE id = ?`)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	for _, id := range ids {
		var st string
		err := stmt.QueryRowContext(ctx, id).Scan(&st)
		if errors.Is(err, sql.ErrNoRows) {
			st = "missing"
		} else if err != nil {
			return nil, err
		}
		out[st]++
	}
	return out, nil
}
