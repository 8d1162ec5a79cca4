package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/shopspring/decimal"
)

// InventoryRow is one SKU's stock in one warehouse.
type InventoryRow struct {
	Warehouse string
	SKU       string
	OnHand    decimal.Decimal
	Reserved  decimal.Decimal
}

// Available is what can still be promised: on hand less reserved, never
// below zero (a stock count can drop under what is already reserved).
func (r InventoryRow) Available() decimal.Decimal {
	a := r.OnHand.Sub(r.Reserved)
	if a.IsNegative() {
		return decimal.Zero
	}
	return a
}

// Reservation is stock held for an order line.
type Reservation struct {
	OrderID, LineNo, Warehouse, SKU string
	Quantity                        decimal.Decimal
}

// Inventory returns the stock of skus in every warehouse, read inside the
// transaction so what it says cannot change before the transaction commits.
func (t *Tx) Inventory(skus []string) ([]InventoryRow, error) {
	var out []InventoryRow
	for _, sku := range skus {
		rows, err := t.tx.Query(`SELECT warehouse, on_hand, reserved FROM inventory WHERE sku = ? ORDER BY warehouse`, sku)
		if err != nil {
			return nil, fmt.Errorf("inventory of %s: %w", sku, err)
		}
		out, err = scanInventory(rows, sku, out)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Inventory is Tx.Inventory outside a transaction: a snapshot that may be
// stale by the time it is acted on, for planning.
func (s *Store) Inventory(ctx context.Context, skus []string) ([]InventoryRow, error) {
	var out []InventoryRow
	for _, sku := range skus {
		rows, err := s.db.Read().QueryContext(ctx, `SELECT warehouse, on_hand, reserved FROM inventory WHERE sku = ? ORDER BY warehouse`, sku)
		if err != nil {
			return nil, fmt.Errorf("inventory of %s: %w", sku, err)
		}
		out, err = scanInventory(rows, sku, out)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scanInventory(rows *sql.Rows, sku string, out []InventoryRow) ([]InventoryRow, error) {
	defer rows.Close()
	for rows.Next() {
		r := InventoryRow{SKU: sku}
		var onHand, reserved string
		if err := rows.Scan(&r.Warehouse, &onHand, &reserved); err != nil {
			return nil, fmt.Errorf("inventory of %s: %w", sku, err)
		}
		var err error
		if r.OnHand, err = decimal.NewFromString(onHand); err != nil {
			return nil, fmt.Errorf("inventory %s/%s on_hand %q: %w", r.Warehouse, sku, onHand, err)
		}
		if r.Reserved, err = decimal.NewFromString(reserved); err != nil {
			return nil, fmt.Errorf("inventory %s/%s reserved %q: %w", r.Warehouse, sku, reserved, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Reservations returns what is held for an order.
func (t *Tx) Reservations(orderID string) ([]Reservation, error) {
	rows, err := t.tx.Query(`SELECT line_no, warehouse, sku, quantity FROM reservations WHERE order_id = ? ORDER BY rowid`, orderID)
	if err != nil {
		return nil, fmt.Errorf("reservations of %s: %w", orderID, err)
	}
	defer rows.Close()
	var out []Reservation
	for rows.Next() {
		r := Reservation{OrderID: orderID}
		var q string
		if err := rows.Scan(&r.LineNo, &r.Warehouse, &r.SKU, &q); err != nil {
			return nil, fmt.Errorf("reservations of %s: %w", orderID, err)
		}
		if r.Quantity, err = decimal.NewFromString(q); err != nil {
			return nil, fmt.Errorf("reservation of %s line %s: %w", orderID, r.LineNo, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Reserve holds stock for an order's lines. inv must be the inventory of
// the reserved SKUs as read by Inventory in this same transaction: Reserve
// checks every reservation against it and fails, changing nothing, if any
// warehouse does not have enough available, so a planning mistake cannot
// over-promise stock.
func (t *Tx) Reserve(inv []InventoryRow, res []Reservation) error {
	type key struct{ wh, sku string }
	rows := map[key]*InventoryRow{}
	for i := range inv {
		rows[key{inv[i].Warehouse, inv[i].SKU}] = &inv[i]
	}
	added := map[key]decimal.Decimal{}
	var order []key
	for _, r := range res {
		if !r.Quantity.IsPositive() {
			return fmt.Errorf("reserve %s line %s: quantity %s must be > 0", r.OrderID, r.LineNo, r.Quantity)
		}
		k := key{r.Warehouse, r.SKU}
		row := rows[k]
		if _, seen := added[k]; !seen {
			order = append(order, k)
		}
		added[k] = added[k].Add(r.Quantity)
		if row == nil || row.Available().LessThan(added[k]) {
			return fmt.Errorf("reserve %s line %s: %s of %s not available in %s", r.OrderID, r.LineNo, added[k], r.SKU, r.Warehouse)
		}
	}
	for _, k := range order {
		row := rows[k]
		row.Reserved = row.Reserved.Add(added[k])
		if _, err := t.tx.Exec(`UPDATE inventory SET reserved = ?, updated_at = ? WHERE warehouse = ? AND sku = ?`,
			row.Reserved.String(), t.now, k.wh, k.sku); err != nil {
			return fmt.Errorf("reserve %s in %s: %w", k.sku, k.wh, err)
		}
	}
	for _, r := range res {
		if _, err := t.tx.Exec(`INSERT INTO reservations (order_id, line_no, warehouse, sku, quantity, at) VALUES (?, ?, ?, ?, ?, ?)`,
			r.OrderID, r.LineNo, r.Warehouse, r.SKU, r.Quantity.String(), t.now); err != nil {
			return fmt.Errorf("reserve %s line %s: %w", r.OrderID, r.LineNo, err)
		}
	}
	return nil
}

// ReleaseReservations gives back everything held for an order.
func (t *Tx) ReleaseReservations(orderID string) error {
	res, err := t.Reservations(orderID)
	if err != nil {
		return err
	}
	for _, r := range res {
		inv, err := t.Inventory([]string{r.SKU})
		if err != nil {
			return err
		}
		for _, row := range inv {
			if row.Warehouse != r.Warehouse {
				continue
			}
			left := row.Reserved.Sub(r.Quantity)
			if left.IsNegative() {
				left = decimal.Zero
			}
			if _, err := t.tx.Exec(`UPDATE inventory SET reserved = ?, updated_at = ? WHERE warehouse = ? AND sku = ?`,
				left.String(), t.now, r.Warehouse, r.SKU); err != nil {
				return fmt.Errorf("release %s: %w", orderID, err)
			}
		}
	}
	if _, err := t.tx.Exec(`DELETE FROM reservations WHERE order_id = ?`, orderID); err != nil {
		return fmt.Errorf("release %s: %w", orderID, err)
	}
	return nil
}

// InventoryOf returns stock of one SKU across warehouses, for status views.
func (s *Store) InventoryOf(ctx context.Context, sku string) ([]InventoryRow, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT warehouse, sku, on_hand, reserved FROM inventory WHERE sku = ? ORDER BY warehouse`, sku)
	if err != nil {
		return nil, fmt.Errorf("inventory of %s: %w", sku, err)
	}
	defer rows.Close()
	var out []InventoryRow
	for rows.Next() {
		var r InventoryRow
		var a, b string
		if err := rows.Scan(&r.Warehouse, &r.SKU, &a, &b); err != nil {
			return nil, err
		}
		r.OnHand, _ = decimal.NewFromString(a)
		r.Reserved, _ = decimal.NewFromString(b)
		out = append(out, r)
	}
	return out, rows.Err()
}
