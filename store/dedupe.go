package store

import (
	"database/sql"
	"errors"
	"fmt"
)

// OrderKey identifies an order's content for duplicate detection.
type OrderKey struct {
	Partner, PONumber, Purpose, ContentSHA256 string
}

// KeyOwner returns the order that first arrived with this exact content, or
// "" if none did. An owner that was rejected or cancelled since does not
// count: the same content sent again after a fix (a price list loaded, say)
// deserves another try.
func (t *Tx) KeyOwner(k OrderKey) (string, error) {
	var id string
	err := t.tx.QueryRow(`SELECT k.order_id FROM order_keys k JOIN orders o ON o.id = k.order_id
		WHERE k.partner = ? AND k.po_number = ? AND k.purpose = ? AND k.content_sha256 = ?
		  AND o.status NOT IN ('rejected', 'cancelled')`,
		k.Partner, k.PONumber, k.Purpose, k.ContentSHA256).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("order key %s/%s: %w", k.Partner, k.PONumber, err)
	}
	return id, nil
}

// LiveOriginal returns another order of the partner with this PO number and
// purpose original that was accepted (has a key and was not rejected later),
// or "" if there is none.
func (t *Tx) LiveOriginal(partner, po, exceptID string) (string, error) {
	var id string
	err := t.tx.QueryRow(`SELECT k.order_id FROM order_keys k JOIN orders o ON o.id = k.order_id
		WHERE k.partner = ? AND k.po_number = ? AND k.purpose = 'original' AND k.order_id <> ?
		  AND o.status NOT IN ('rejected', 'duplicate', 'cancelled')
		ORDER BY k.at LIMIT 1`, partner, po, exceptID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("originals of %s/%s: %w", partner, po, err)
	}
	return id, nil
}

// ClaimKey records that orderID is the first arrival of this content.
func (t *Tx) ClaimKey(k OrderKey, orderID string) error {
	_, err := t.tx.Exec(`INSERT INTO order_keys (partner, po_number, purpose, content_sha256, order_id, at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (partner, po_number, purpose, content_sha256) DO UPDATE SET order_id = excluded.order_id, at = excluded.at`, k.Partner, k.PONumber, k.Purpose, k.ContentSHA256, orderID, t.now)
	if err != nil {
		return fmt.Errorf("claim order key %s/%s: %w", k.Partner, k.PONumber, err)
	}
	return nil
}
