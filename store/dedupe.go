package store

import (
	"fmt"
)

// OrderKey identifies an order's content for duplicate detection.
type OrderKey struct {
	Partner, PONumber, Purpose, ContentSHA256 string
	// ShipTo is the ship-to party's id: one PO number may go to several
	// destinations, each its own order.
	ShipTo string
}

// KeyRow is an order already seen under a partner's PO number.
type KeyRow struct {
	OrderID, Purpose, ContentSHA256, Status, ShipTo string
}

// KeysOfPO lists the orders seen under a partner's PO number, oldest first,
// with their current status: everything dedupe needs, in one read.
func (t *Tx) KeysOfPO(partner, po string) ([]KeyRow, error) {
	rows, err := t.tx.Query(`SELECT k.order_id, k.purpose, k.content_sha256, o.status, k.ship_to
		FROM order_keys k JOIN orders o ON o.id = k.order_id
		WHERE k.partner = ? AND k.po_number = ? ORDER BY k.at`, partner, po)
	if err != nil {
		return nil, fmt.Errorf("order keys of %s/%s: %w", partner, po, err)
	}
	defer rows.Close()
	var out []KeyRow
	for rows.Next() {
		var k KeyRow
		if err := rows.Scan(&k.OrderID, &k.Purpose, &k.ContentSHA256, &k.Status, &k.ShipTo); err != nil {
			return nil, fmt.Errorf("order keys of %s/%s: %w", partner, po, err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// ClaimKey records that orderID is the first arrival of this content.
func (t *Tx) ClaimKey(k OrderKey, orderID string) error {
	_, err := t.tx.Exec(`INSERT INTO order_keys (partner, po_number, purpose, content_sha256, order_id, at, ship_to)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (partner, po_number, purpose, content_sha256) DO UPDATE SET order_id = excluded.order_id, at = excluded.at`, k.Partner, k.PONumber, k.Purpose, k.ContentSHA256, orderID, t.now, k.ShipTo)
	if err != nil {
		return fmt.Errorf("claim order key %s/%s: %w", k.Partner, k.PONumber, err)
	}
	return nil
}
