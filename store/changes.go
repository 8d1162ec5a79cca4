package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
)

// What changes and cancellations need of the store: the orders under a PO
// number with their ship-to, the reservations of one order, a reservation
// made smaller, and an order marked shipped.

// POOrder is an order under a partner's PO number, as a change or a cancel
// looks for the one it is about.
type POOrder struct {
	ID, Purpose, Status string
	// ShipTo is the ship-to id dedupe recorded for it; "" for an order
	// that has not been through dedupe yet or has no ship-to.
	ShipTo string
}

// OrdersOfPO lists a partner's orders under a PO number, oldest first.
func (s *Store) OrdersOfPO(ctx context.Context, partner, po string) ([]POOrder, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT o.id, o.purpose, o.status, coalesce(k.ship_to, '')
		FROM orders o LEFT JOIN order_keys k ON k.order_id = o.id
		WHERE o.partner = ? AND o.po_number = ? ORDER BY o.created_at, o.id`, partner, po)
	if err != nil {
		return nil, fmt.Errorf("orders of %s/%s: %w", partner, po, err)
	}
	defer rows.Close()
	var out []POOrder
	seen := map[string]bool{}
	for rows.Next() {
		var p POOrder
		if err := rows.Scan(&p.ID, &p.Purpose, &p.Status, &p.ShipTo); err != nil {
			return nil, fmt.Errorf("orders of %s/%s: %w", partner, po, err)
		}
		if !seen[p.ID] {
			seen[p.ID] = true
			out = append(out, p)
		}
	}
	return out, rows.Err()
}

// SetPurpose records that an order is, after all, of another purpose (a
// partner's second original taken as a change).
func (t *Tx) SetPurpose(id, purpose string) error {
	if _, err := t.exec(`UPDATE orders SET purpose = ? WHERE id = ?`, purpose, id); err != nil {
		return fmt.Errorf("purpose of %s: %w", id, err)
	}
	return nil
}

// Reservations is Tx.Reservations on the last committed state.
func (s *Store) Reservations(ctx context.Context, orderID string) ([]Reservation, error) {
	rows, err := s.db.Read().QueryContext(ctx, reservationsQuery, orderID)
	if err != nil {
		return nil, fmt.Errorf("reservations of %s: %w", orderID, err)
	}
	return scanReservations(rows, orderID)
}

// ReduceReservation gives back q of what line lineNo of an order holds in
// warehouse wh (a change that lowered or deleted the line); the
// reservation goes when nothing is left of it. Giving back more than is
// held is an error: the caller planned on a reservation that moved.
func (t *Tx) ReduceReservation(orderID, lineNo, wh string, q decimal.Decimal) error {
	var have, sku string
	err := t.tx.QueryRow(`SELECT quantity, sku FROM reservations WHERE order_id = ? AND line_no = ? AND warehouse = ?`,
		orderID, lineNo, wh).Scan(&have, &sku)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("reduce %s line %s in %s: no reservation: %w", orderID, lineNo, wh, ErrStockMoved)
	}
	if err != nil {
		return fmt.Errorf("reduce %s line %s in %s: %w", orderID, lineNo, wh, err)
	}
	h, err := decimal.NewFromString(have)
	if err != nil {
		return fmt.Errorf("reduce %s line %s in %s: stored quantity %q: %w", orderID, lineNo, wh, have, err)
	}
	left := h.Sub(q)
	if left.IsNegative() {
		return fmt.Errorf("reduce %s line %s in %s by %s: only %s held: %w", orderID, lineNo, wh, q, h, ErrStockMoved)
	}
	e4, err := ToE4(q)
	if err != nil {
		return fmt.Errorf("reduce %s line %s: quantity %s: %w", orderID, lineNo, q, err)
	}
	if left.IsZero() {
		_, err = t.exec(`DELETE FROM reservations WHERE order_id = ? AND line_no = ? AND warehouse = ?`, orderID, lineNo, wh)
	} else {
		_, err = t.exec(`UPDATE reservations SET quantity = ?, at = ? WHERE order_id = ? AND line_no = ? AND warehouse = ?`,
			left.String(), t.now, orderID, lineNo, wh)
	}
	if err != nil {
		return fmt.Errorf("reduce %s line %s in %s: %w", orderID, lineNo, wh, err)
	}
	if _, err := t.exec(`UPDATE inventory SET reserved_e4 = max(reserved_e4 - ?, 0), updated_at = ? WHERE sku = ? AND warehouse = ?`,
		e4, t.now, sku, wh); err != nil {
		return fmt.Errorf("reduce %s line %s in %s: %w", orderID, lineNo, wh, err)
	}
	return nil
}

// NotShippableError says why an order cannot be marked shipped.
type NotShippableError struct {
	OrderID, Status, Reason string
}

func (e *NotShippableError) Error() string {
	return fmt.Sprintf("order %s (%s) cannot be marked shipped: %s", e.OrderID, e.Status, e.Reason)
}

// MarkShipped records that the warehouses shipped a routed order: what it
// held leaves the stock (on hand and reserved both go down by each
// reservation, so the goods are neither promised twice nor counted until
// the next stock load), and the order ends shipped, after which it can no
// longer be changed or cancelled. Only a routed order ships: a backordered
// one still waits for lines (change it to drop them first), and one still
// in the pipeline has not been sent to a warehouse. Marking a shipped
// order again changes nothing and is not an error.
func (s *Store) MarkShipped(ctx context.Context, id, reason string) (*OrderRow, error) {
	err := s.Update(ctx, func(tx *Tx) error {
		status, err := tx.OrderStatus(id)
		if err != nil {
			return err
		}
		switch status {
		case order.StatusShipped:
			return nil
		case order.StatusRouted, order.StatusAcknowledged:
		case order.StatusBackordered:
			return &NotShippableError{id, status, "lines still wait for stock; change the order to drop them, or wait until they are filled"}
		default:
			if !order.Final(status) {
				return &NotShippableError{id, status, "it is still in the pipeline and no warehouse has it yet"}
			}
			return &NotShippableError{id, status, "only a routed order ships"}
		}
		js, err := tx.OrderJSON(id)
		if err != nil {
			return err
		}
		o, err := order.Decode(js)
		if err != nil {
			return fmt.Errorf("stored order %s: %w", id, err)
		}
		o.Status = order.StatusShipped
		js, err = order.Marshal(o)
		if err != nil {
			return err
		}
		if err := tx.dropReservations(id, true); err != nil {
			return err
		}
		return tx.Advance(id, order.StatusShipped, reason, Pack(js))
	})
	if err != nil {
		return nil, err
	}
	return s.Order(ctx, id)
}
