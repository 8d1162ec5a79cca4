package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/shopspring/decimal"
)

// InventoryRow is one SKU's stock in one warehouse.
type InventoryRow struct {
	Warehouse string
	SKU       string
	OnHand    decimal.Decimal
	Reserved  decimal.Decimal
	// Safety is the safety stock: kept back, never promised.
	Safety decimal.Decimal
}

// Available is what can still be promised: on hand less reserved less the
// safety stock, never below zero (a stock count can drop under what is
// already reserved, or under the safety stock). Safety stock is never
// promised: Tx.Reserve applies the same rule.
func (r InventoryRow) Available() decimal.Decimal {
	a := r.OnHand.Sub(r.Reserved).Sub(r.Safety)
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

// Stock quantities are stored as whole ten-thousandths (see the inventory
// table): exact integers that SQL can add and compare.

// ErrQuantityScale is returned for a quantity finer than 0.0001 or too large
// to store.
var ErrQuantityScale = errors.New("want at most 4 decimal places and less than 10^14")

// ToE4 converts a quantity to ten-thousandths.
func ToE4(d decimal.Decimal) (int64, error) {
	s := d.Shift(4)
	if !s.IsInteger() || s.Abs().GreaterThan(decimal.NewFromInt(math.MaxInt64/100000)) {
		return 0, ErrQuantityScale
	}
	return s.IntPart(), nil
}

// FromE4 converts ten-thousandths back to a quantity.
func FromE4(v int64) decimal.Decimal {
	if v%10000 == 0 {
		return decimal.NewFromInt(v / 10000)
	}
	return decimal.New(v, -4)
}

// inventoryCols are what scanInventoryRows reads, in its order.
const inventoryCols = `warehouse, sku, on_hand_e4, reserved_e4, safety_e4`

// Inventory returns the stock of skus in every warehouse, ordered by
// warehouse then SKU, as the transaction sees it.
func (t *Tx) Inventory(skus []string) ([]InventoryRow, error) {
	if len(skus) == 0 {
		return nil, nil
	}
	list, err := json.Marshal(skus)
	if err != nil {
		return nil, err
	}
	// One statement whatever the number of SKUs: the list travels as a JSON
	// array, so the prepared statement is reused.
	rows, err := t.tx.Query(`SELECT `+inventoryCols+` FROM inventory
		WHERE sku IN (SELECT value FROM json_each(?)) ORDER BY warehouse, sku`, string(list))
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	return scanInventoryRows(rows)
}

// Inventory is Tx.Inventory on a snapshot outside any transaction: what
// the stock stage plans with before it takes the writer.
func (s *Store) Inventory(ctx context.Context, skus []string) ([]InventoryRow, error) {
	if len(skus) == 0 {
		return nil, nil
	}
	list, err := json.Marshal(skus)
	if err != nil {
		return nil, err
	}
	stmt, err := s.inventoryStmt(ctx)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	// Not cancellable: go-sqlite3 starts a goroutine per query to watch a
	// cancellable context, which costs more than this short read.
	rows, err := stmt.QueryContext(context.WithoutCancel(ctx), string(list))
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	return scanInventoryRows(rows)
}

// inventoryStmt is the snapshot query, prepared once: the stock stage runs
// it for every order, and preparing it costs as much as running it.
func (s *Store) inventoryStmt(ctx context.Context) (*sql.Stmt, error) {
	s.invOnce.Do(func() {
		s.invStmt, s.invErr = s.db.Read().PrepareContext(ctx, `SELECT `+inventoryCols+` FROM inventory
			WHERE sku IN (SELECT value FROM json_each(?)) ORDER BY warehouse, sku`)
	})
	return s.invStmt, s.invErr
}

func scanInventoryRows(rows *sql.Rows) ([]InventoryRow, error) {
	defer rows.Close()
	var out []InventoryRow
	for rows.Next() {
		var r InventoryRow
		var onHand, reserved, safety int64
		if err := rows.Scan(&r.Warehouse, &r.SKU, &onHand, &reserved, &safety); err != nil {
			return nil, fmt.Errorf("inventory: %w", err)
		}
		r.OnHand, r.Reserved, r.Safety = FromE4(onHand), FromE4(reserved), FromE4(safety)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ErrStockMoved is returned by Reserve when a warehouse no longer has what
// a reservation asks for (another order took it, or a stock load lowered
// on hand or raised the safety stock, since the plan was made).
// Nothing was reserved.
var ErrStockMoved = errors.New("stock no longer available")

// Reserve holds stock for an order's lines, all or nothing: one guarded
// statement adds every reservation only if every warehouse and SKU still
// has that much available (on hand less reserved less safety stock, as
// InventoryRow.Available), so a plan made on a stale snapshot can never
// over-promise, nor promise the safety stock. When any is short nothing is
// reserved and Reserve returns ErrStockMoved, leaving the caller to plan
// again on what the transaction sees.
func (t *Tx) Reserve(res []Reservation) error {
	if len(res) == 0 {
		return nil
	}
	type key struct{ wh, sku string }
	added := map[key]int64{}
	var order []key
	for _, r := range res {
		if !r.Quantity.IsPositive() {
			return fmt.Errorf("reserve %s line %s: quantity %s must be > 0", r.OrderID, r.LineNo, r.Quantity)
		}
		q, err := ToE4(r.Quantity)
		if err != nil {
			return fmt.Errorf("reserve %s line %s: quantity %s: %w", r.OrderID, r.LineNo, r.Quantity, err)
		}
		k := key{r.Warehouse, r.SKU}
		if _, seen := added[k]; !seen {
			order = append(order, k)
		}
		added[k] += q
	}
	type want struct {
		W string `json:"w"`
		S string `json:"s"`
		Q int64  `json:"q"`
	}
	wants := make([]want, len(order))
	for i, k := range order {
		wants[i] = want{k.wh, k.sku, added[k]}
	}
	wantJSON, err := json.Marshal(wants)
	if err != nil {
		return err
	}
	// The inner count is evaluated once: it says whether every row has
	// enough, and the update applies to all rows or to none.
	n, err := t.exec(`UPDATE inventory SET reserved_e4 = reserved_e4 + (j.value->>'q'), updated_at = ?1
		FROM json_each(?2) AS j
		WHERE inventory.sku = j.value->>'s' AND inventory.warehouse = j.value->>'w'
		  AND (SELECT count(*) FROM json_each(?2) AS k JOIN inventory AS i
		         ON i.sku = k.value->>'s' AND i.warehouse = k.value->>'w'
		       WHERE i.on_hand_e4 - i.reserved_e4 - i.safety_e4 >= (k.value->>'q')) = ?3`,
		t.now, string(wantJSON), len(wants))
	if err != nil {
		return fmt.Errorf("reserve for %s: %w", res[0].OrderID, err)
	}
	if n != int64(len(wants)) {
		if n != 0 {
			return fmt.Errorf("reserve for %s: %d of %d inventory rows updated", res[0].OrderID, n, len(wants))
		}
		return fmt.Errorf("reserve for %s: %w", res[0].OrderID, ErrStockMoved)
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
	lineJSON, err := json.Marshal(lines)
	if err != nil {
		return err
	}
	n, err = t.exec(`INSERT INTO reservations (order_id, line_no, warehouse, sku, quantity, at)
		SELECT ?, j.value->>'l', j.value->>'w', j.value->>'s', j.value->>'q', ? FROM json_each(?) AS j
		WHERE true ON CONFLICT (order_id, line_no, warehouse) DO NOTHING`,
		res[0].OrderID, t.now, string(lineJSON))
	if err != nil {
		return fmt.Errorf("reserve for %s: %w", res[0].OrderID, err)
	}
	if n == int64(len(res)) {
		return nil
	}
	// A line already holding stock in that warehouse (a backorder filled
	// later from where the order shipped before): add to its reservation,
	// in decimal, not in SQL's floating point. The rows this statement
	// inserted carry this transaction's time (to the nanosecond), the
	// ones it left alone an earlier one's.
	for _, r := range res {
		var have string
		err := t.tx.QueryRow(`SELECT quantity FROM reservations WHERE order_id = ? AND line_no = ? AND warehouse = ? AND at <> ?`,
			r.OrderID, r.LineNo, r.Warehouse, t.now).Scan(&have)
		if errors.Is(err, sql.ErrNoRows) {
			continue // inserted just now
		}
		if err != nil {
			return fmt.Errorf("reserve for %s: %w", r.OrderID, err)
		}
		d, err := decimal.NewFromString(have)
		if err != nil {
			return fmt.Errorf("reserve for %s: stored quantity %q: %w", r.OrderID, have, err)
		}
		if _, err := t.exec(`UPDATE reservations SET quantity = ?, at = ? WHERE order_id = ? AND line_no = ? AND warehouse = ?`,
			d.Add(r.Quantity).String(), t.now, r.OrderID, r.LineNo, r.Warehouse); err != nil {
			return fmt.Errorf("reserve for %s: %w", r.OrderID, err)
		}
	}
	return nil
}

func (t *Tx) exec(query string, args ...any) (int64, error) {
	r, err := t.tx.Exec(query, args...)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

// reservationsQuery reads what is held for an order, for scanReservations.
const reservationsQuery = `SELECT line_no, warehouse, sku, quantity FROM reservations WHERE order_id = ? ORDER BY line_no, warehouse`

// Reservations returns what is held for an order.
func (t *Tx) Reservations(orderID string) ([]Reservation, error) {
	rows, err := t.tx.Query(reservationsQuery, orderID)
	if err != nil {
		return nil, fmt.Errorf("reservations of %s: %w", orderID, err)
	}
	return scanReservations(rows, orderID)
}

// scanReservations reads the rows of reservationsQuery, and closes them.
func scanReservations(rows *sql.Rows, orderID string) ([]Reservation, error) {
	defer rows.Close()
	var out []Reservation
	for rows.Next() {
		r := Reservation{OrderID: orderID}
		var q string
		if err := rows.Scan(&r.LineNo, &r.Warehouse, &r.SKU, &q); err != nil {
			return nil, fmt.Errorf("reservations of %s: %w", orderID, err)
		}
		var err error
		if r.Quantity, err = decimal.NewFromString(q); err != nil {
			return nil, fmt.Errorf("reservation of %s line %s: %w", orderID, r.LineNo, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReleaseReservations gives back everything held for an order.
func (t *Tx) ReleaseReservations(orderID string) error { return t.dropReservations(orderID, false) }

// dropReservations gives back everything held for an order and deletes
// its reservations; when shipped the goods left the warehouse, so they
// come off on hand as well.
func (t *Tx) dropReservations(orderID string, shipped bool) error {
	verb := "release"
	if shipped {
		verb = "ship"
	}
	res, err := t.Reservations(orderID)
	if err != nil {
		return err
	}
	for _, r := range res {
		if err := t.unreserve(r, shipped); err != nil {
			return fmt.Errorf("%s %s: %w", verb, orderID, err)
		}
	}
	if _, err := t.exec(`DELETE FROM reservations WHERE order_id = ?`, orderID); err != nil {
		return fmt.Errorf("%s %s: %w", verb, orderID, err)
	}
	return nil
}

// unreserve takes reservation r off the stock reserved in its warehouse,
// and off on hand too when shipped. Deleting the reservation row is the
// caller's part.
func (t *Tx) unreserve(r Reservation, shipped bool) error {
	q, err := ToE4(r.Quantity)
	if err != nil {
		return err
	}
	if shipped {
		_, err = t.exec(`UPDATE inventory SET on_hand_e4 = max(on_hand_e4 - ?1, 0), reserved_e4 = max(reserved_e4 - ?1, 0), updated_at = ?2
			WHERE sku = ?3 AND warehouse = ?4`, q, t.now, r.SKU, r.Warehouse)
	} else {
		_, err = t.exec(`UPDATE inventory SET reserved_e4 = max(reserved_e4 - ?, 0), updated_at = ?
			WHERE sku = ? AND warehouse = ?`, q, t.now, r.SKU, r.Warehouse)
	}
	return err
}

// InventoryOf returns stock of one SKU across warehouses, for status views.
func (s *Store) InventoryOf(ctx context.Context, sku string) ([]InventoryRow, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+inventoryCols+` FROM inventory WHERE sku = ? ORDER BY warehouse`, sku)
	if err != nil {
		return nil, fmt.Errorf("inventory of %s: %w", sku, err)
	}
	return scanInventoryRows(rows)
}
