package pipeline

import (
	"context"
	"fmt"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

// Dedupe stops an order that was already received, by any channel: the same
// partner, PO number, purpose and content again is recorded as a duplicate
// and goes no further; a different order under a PO number already taken as
// an original for the same ship-to is rejected (a partner reusing a PO number by mistake, or
// meaning a change it did not send as one). The check and the claim of the
// content key are one transaction, so two copies racing cannot both pass.
type Dedupe struct{}

func (*Dedupe) Name() string  { return "dedupe" }
func (*Dedupe) Topic() string { return TopicValidated }

// Done: dedupe leaves a first arrival in status validated, so only a later
// status says it is past.
func (*Dedupe) Done(status string) bool {
	return order.Final(status) || order.Rank(status) > order.Rank(order.StatusValidated)
}

// Prepare expects a first arrival; the check that decides is in Commit,
// against what the transaction sees.
func (*Dedupe) Prepare(ctx context.Context, o *order.Order) (Outcome, Commit, error) {
	key := store.OrderKey{Partner: o.Partner, PONumber: o.PONumber, Purpose: o.Purpose, ContentSHA256: order.ContentHash(o), ShipTo: shipToID(o)}
	commit := func(tx *store.Tx) (Outcome, bool, error) {
		seen, err := tx.KeysOfPO(o.Partner, o.PONumber)
		if err != nil {
			return Outcome{}, false, err
		}
		owner, live := "", ""
		for _, k := range seen {
			gone := k.Status == order.StatusRejected || k.Status == order.StatusCancelled
			if owner == "" && !gone && k.Purpose == key.Purpose && k.ContentSHA256 == key.ContentSHA256 {
				// The first arrival of this content. A rejected one does
				// not count: the same content sent again after a fix (a
				// price list loaded) deserves another try.
				owner = k.OrderID
			}
			if live == "" && !gone && k.Status != order.StatusDuplicate && k.Purpose == order.PurposeOriginal && k.OrderID != o.ID && k.ShipTo == key.ShipTo {
				live = k.OrderID
			}
		}
		switch {
		case owner == o.ID:
			return Outcome{Keep: true}, false, nil
		case owner != "":
			return Outcome{Status: order.StatusDuplicate,
				Reason: fmt.Sprintf("duplicate of %s: same partner, PO %s, purpose and content", owner, o.PONumber)}, false, nil
		case o.Purpose == order.PurposeOriginal && live != "":
			return reject(o, "dedupe", []order.Problem{{Path: "po_number",
				Message: fmt.Sprintf("duplicate PO number: %s was already received as %s with different content; send a change or a replace, not a second original", o.PONumber, live)}}), true, nil
		}
		if err := tx.ClaimKey(key, o.ID); err != nil {
			return Outcome{}, false, err
		}
		return Outcome{Keep: true}, false, nil
	}
	return Outcome{Keep: true}, commit, nil
}

// shipToID is the order's ship-to party id ("" when it has none): an X12
// 850 with destination quantities (SDQ) is one order per store under one
// PO number, and each is an original.
func shipToID(o *order.Order) string {
	for _, p := range o.Parties {
		if p.Role == order.RoleShipTo {
			return p.ID
		}
	}
	return ""
}

func (*Dedupe) Outputs(ctx context.Context, o *order.Order, js []byte, corr string) ([]Output, error) {
	return next(o, TopicAccepted, js, corr), nil
}
