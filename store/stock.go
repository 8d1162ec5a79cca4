package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

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

// Inventory returns the stock of skus in every warehouse, ordered by
// warehouse then SKU, read inside the transaction so what it says cannot
// change before the transaction commits.
func (t *Tx) Inventory(skus []string) ([]InventoryRow, error) {
	if len(skus) == 0 {
		return nil, nil
	}
	list, err := json.Marshal(skus)
	if err != nil {
		return nil, err
	}
	// One statement whatever the number of SKUs: the SKU list travels as a
	// JSON array, so the prepared statement is reused.
	rows, err := t.tx.Query(`SELECT warehouse, sku, on_hand, reserved FROM inventory
		WHERE sku IN (SELECT value FROM json_each(?)) ORDER BY warehouse, sku`, string(list))
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	return scanInventoryRows(rows)
}

func scanInventoryRows(rows *sql.Rows) ([]InventoryRow, error) {
	defer rows.Close()
	var out []InventoryRow
	for rows.Next() {
		var r InventoryRow
		var onHand, reserved string
		if err := rows.Scan(&r.Warehouse, &r.SKU, &onHand, &reserved); err != nil {
			return nil, fmt.Errorf("inventory: %w", err)
		}
		var err error
		if r.OnHand, err = parseQuantity(onHand); err != nil {
			return nil, fmt.Errorf("inventory %s/%s on_hand %q: %w", r.Warehouse, r.SKU, onHand, err)
		}
		if r.Reserved, err = parseQuantity(reserved); err != nil {
			return nil, fmt.Errorf("inventory %s/%s reserved %q: %w", r.Warehouse, r.SKU, reserved, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// parseQuantity reads a stored decimal, whole numbers (nearly all stock
// quantities) without going through big.Int parsing: the stock stage reads
// twenty of them per order on the store's writer.
func parseQuantity(s string) (decimal.Decimal, error) {
	if len(s) > 0 && len(s) < 18 {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return decimal.NewFromInt(n), nil
		}
	}
	return decimal.NewFromString(s)
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
	if len(res) == 0 {
		return nil
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
	type setReserved struct {
		W string `json:"w"`
		S string `json:"s"`
		R string `json:"r"`
	}
	sets := make([]setReserved, 0, len(order))
	for _, k := range order {
		row := rows[k]
		row.Reserved = row.Reserved.Add(added[k])
		sets = append(sets, setReserved{k.wh, k.sku, row.Reserved.String()})
	}
	type line struct {
		L string `json:"l"`
		W string `json:"w"`
		S string `json:"s"`
		Q string `json:"q"`
	}
	lines := make([]line, len(res))
	for i, r := range res {
		lines[i] = line{r.LineNo, r.Warehouse, r.SKU, r.Quantity.String()}
	}
	setJSON, err := json.Marshal(sets)
	if err != nil {
		return err
	}
	lineJSON, err := json.Marshal(lines)
	if err != nil {
		return err
	}
	// Two statements for the whole order, with the rows as a JSON array,
	// rather than two per line: this runs on the store's single writer.
	upd, err := t.tx.Exec(`UPDATE inventory SET reserved = j.value->>'r', updated_at = ?
		FROM json_each(?) AS j WHERE inventory.warehouse = j.value->>'w' AND inventory.sku = j.value->>'s'`,
		t.now, string(setJSON))
	if err != nil {
		return fmt.Errorf("reserve for %s: %w", res[0].OrderID, err)
	}
	if n, _ := upd.RowsAffected(); n != int64(len(sets)) {
		return fmt.Errorf("reserve for %s: %d inventory rows updated, want %d", res[0].OrderID, n, len(sets))
	}
	if _, err := t.tx.Exec(`INSERT INTO reservations (order_id, line_no, warehouse, sku, quantity, at)
		SELECT ?, j.value->>'l', j.value->>'w', j.value->>'s', j.value->>'q', ? FROM json_each(?) AS j`,
		res[0].OrderID, t.now, string(lineJSON)); err != nil {
		return fmt.Errorf("reserve for %s: %w", res[0].OrderID, err)
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
	return scanInventoryRows(rows)
}
