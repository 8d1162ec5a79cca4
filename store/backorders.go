package store

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Backorder is a line's quantity waiting for stock, and its place in the
// queue: tier rank (0 first), then since.
type Backorder struct {
	OrderID  string
	LineNo   string
	SKU      string
	Quantity decimal.Decimal
	TierRank int
	Since    time.Time
}

// SetBackorders makes rows what order id waits for: none removes it from
// the queue. A line already queued keeps its place (its since).
func (t *Tx) SetBackorders(id string, rows []Backorder) error {
	since := map[string]string{}
	q, err := t.tx.Query(`SELECT line_no, since FROM backorders WHERE order_id = ?`, id)
	if err != nil {
		return fmt.Errorf("backorders of %s: %w", id, err)
	}
	for q.Next() {
		var ln, s string
		if err := q.Scan(&ln, &s); err != nil {
			q.Close()
			return err
		}
		since[ln] = s
	}
	q.Close()
	if _, err := t.exec(`DELETE FROM backorders WHERE order_id = ?`, id); err != nil {
		return fmt.Errorf("backorders of %s: %w", id, err)
	}
	for _, r := range rows {
		e4, err := ToE4(r.Quantity)
		if err != nil {
			return fmt.Errorf("backorder of %s line %s: %w", id, r.LineNo, err)
		}
		if e4 <= 0 {
			continue
		}
		s, ok := since[r.LineNo]
		if !ok {
			s = r.Since.UTC().Format(time.RFC3339Nano)
		}
		if _, err := t.exec(`INSERT INTO backorders (order_id, line_no, sku, quantity_e4, tier_rank, since) VALUES (?, ?, ?, ?, ?, ?)`,
			id, r.LineNo, r.SKU, e4, r.TierRank, s); err != nil {
			return fmt.Errorf("backorder of %s line %s: %w", id, r.LineNo, err)
		}
	}
	return nil
}

// BackorderQueue is every line waiting for stock of skus (all SKUs when
// nil) in the order the queue is served: tier, then age.
func (s *Store) BackorderQueue(ctx context.Context, skus []string) ([]Backorder, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT order_id, line_no, sku, quantity_e4, tier_rank, since FROM backorders
		ORDER BY tier_rank, since, order_id, line_no`)
	if err != nil {
		return nil, fmt.Errorf("backorder queue: %w", err)
	}
	defer rows.Close()
	want := map[string]bool{}
	for _, s := range skus {
		want[s] = true
	}
	var out []Backorder
	for rows.Next() {
		var b Backorder
		var e4 int64
		var since string
		if err := rows.Scan(&b.OrderID, &b.LineNo, &b.SKU, &e4, &b.TierRank, &since); err != nil {
			return nil, err
		}
		if len(want) > 0 && !want[b.SKU] {
			continue
		}
		b.Quantity = FromE4(e4)
		b.Since, _ = time.Parse(time.RFC3339Nano, since)
		out = append(out, b)
	}
	return out, rows.Err()
}
