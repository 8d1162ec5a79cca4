package store

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
)

// OpenStatuses are the statuses whose orders count towards a partner's
// open order value: priced and not yet done with, or on their way
// (rejected, cancelled and duplicate orders do not count). Migration 0010's
// trigger, which keeps open_order_value, lists the same.
var OpenStatuses = []string{order.StatusPriced, order.StatusHeld, order.StatusRouted, order.StatusBackordered, order.StatusAcknowledged}

// openValueQuery reads the partner's running open value, less the order's
// own total when it counts already (an open order priced again).
var openValueQuery = `SELECT coalesce((SELECT total_e4 FROM open_order_value WHERE partner = ?1 AND currency = ?2), 0)
	- coalesce((SELECT total_e4 FROM orders WHERE id = ?3 AND partner = ?1 AND total_currency = ?2
	    AND status IN ('` + strings.Join(OpenStatuses, "', '") + `')), 0)`

// SetOrderTotal records an order's priced total, which its partner's open
// order value adds up.
func (t *Tx) SetOrderTotal(id string, total decimal.Decimal, currency string) error {
	e4, err := ToE4(total)
	if err != nil {
		return fmt.Errorf("total of %s: %s: %w", id, total, err)
	}
	if _, err := t.exec(`UPDATE orders SET total_e4 = ?, total_currency = ? WHERE id = ?`, e4, currency, id); err != nil {
		return fmt.Errorf("total of %s: %w", id, err)
	}
	return nil
}

// OpenOrderValue is the sum of the totals of a partner's open orders (see
// OpenStatuses) in currency, leaving out order exceptID: two primary-key
// reads, however many orders the partner has, for open_order_value is
// kept up to date by a trigger on the orders table.
func (t *Tx) OpenOrderValue(partner, currency, exceptID string) (decimal.Decimal, error) {
	var e4 int64
	if err := t.tx.QueryRow(openValueQuery, partner, currency, exceptID).Scan(&e4); err != nil {
		return decimal.Zero, fmt.Errorf("open order value of %s: %w", partner, err)
	}
	return FromE4(e4), nil
}

// ReleaseLines gives back what is held for some lines of an order, and
// takes them out of the backorder queue: lines refused after they were
// allocated (a price the partner's policy rejects).
func (t *Tx) ReleaseLines(orderID string, lineNos []string) error {
	if len(lineNos) == 0 {
		return nil
	}
	res, err := t.Reservations(orderID)
	if err != nil {
		return err
	}
	refused := make(map[string]bool, len(lineNos))
	for _, n := range lineNos {
		refused[n] = true
	}
	for _, r := range res {
		if !refused[r.LineNo] {
			continue
		}
		if err := t.unreserve(r, false); err != nil {
			return fmt.Errorf("release %s line %s: %w", orderID, r.LineNo, err)
		}
		if _, err := t.exec(`DELETE FROM reservations WHERE order_id = ? AND line_no = ? AND warehouse = ?`, orderID, r.LineNo, r.Warehouse); err != nil {
			return fmt.Errorf("release %s line %s: %w", orderID, r.LineNo, err)
		}
	}
	for _, n := range lineNos {
		if _, err := t.exec(`DELETE FROM backorders WHERE order_id = ? AND line_no = ?`, orderID, n); err != nil {
			return fmt.Errorf("unqueue %s line %s: %w", orderID, n, err)
		}
	}
	return nil
}

// ErrNotHeld is returned when an order asked to be released is not held.
var ErrNotHeld = errors.New("not held")
