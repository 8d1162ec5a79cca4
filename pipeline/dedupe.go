package pipeline

import (
	"context"
	"fmt"

	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

// Dedupe stops an order that was already received, by any channel: the same
// partner, PO number, purpose and content again is recorded as a duplicate
// and goes no further; a different order under a PO number already taken as
// an original for the same ship-to is rejected (a partner reusing a PO number by mistake, or
// meaning a change it did not send as one). The check and the claim of the
// content key are one transaction, so two copies racing cannot both pass.
//
// A partner whose policy says resend: change (a sheet uploaded again with
// new quantities) has such a second original taken as a change restating
// the live order instead. Cancels, changes and replaces go on to the
// changes stage (orders.changes), originals to stock (orders.accepted).
type Dedupe struct {
	// Policies say which partners resend orders as changes; nil: none.
	Policies Policies
}

func (*Dedupe) Name() string  { return "dedupe" }
func (*Dedupe) Topic() string { return TopicValidated }

// Done: dedupe leaves a first arrival in status validated, so only a later
// status says it is past.
func (*Dedupe) Done(status string) bool {
	return order.Final(status) || order.Rank(status) > order.Rank(order.StatusValidated)
}

// Prepare expects a first arrival; the check that decides is in Commit,
// against what the transaction sees.
func (s *Dedupe) Prepare(ctx context.Context, o *order.Order) (Outcome, Commit, error) {
	key := store.OrderKey{Partner: o.Partner, PONumber: o.PONumber, Purpose: o.Purpose, ContentSHA256: order.ContentHash(o), ShipTo: shipToID(o)}
	commit := func(tx *store.Tx) (Outcome, bool, error) {
		seen, err := tx.KeysOfPO(o.Partner, o.PONumber)
		if err != nil {
			return Outcome{}, false, err
		}
		owner, live, latest := "", "", ""
		for _, k := range seen {
			gone := k.Status == order.StatusRejected || k.Status == order.StatusCancelled
			if owner == "" && !gone && k.Purpose == key.Purpose && k.ContentSHA256 == key.ContentSHA256 {
				// The first arrival of this content. A rejected one does
				// not count: the same content sent again after a fix (a
				// price list loaded) deserves another try.
				owner = k.OrderID
			}
			// A replacement is the live order once it has cancelled the
			// one it replaced.
			if live == "" && !gone && k.Status != order.StatusDuplicate && k.Status != order.StatusApplied &&
				(k.Purpose == order.PurposeOriginal || k.Purpose == order.PurposeReplace) &&
				k.OrderID != o.ID && k.ShipTo == key.ShipTo {
				live = k.OrderID
			}
			if !gone && k.Status != order.StatusDuplicate && k.ShipTo == key.ShipTo {
				latest = k.OrderID
			}
		}
		// A resent original restates the live order as a change; one
		// equal to an upload before the latest (quantities put back) is
		// a change too, not a duplicate.
		resend := o.Purpose == order.PurposeOriginal && live != "" && s.Policies != nil &&
			s.Policies.Policy(o.Partner).Resend == mappings.ResendChange
		restated := func() (Outcome, bool, error) {
			// New content claims its key; content seen before keeps its
			// first arrival, still the live order's.
			if owner == "" {
				if err := tx.ClaimKey(key, o.ID); err != nil {
					return Outcome{}, false, err
				}
			}
			if err := tx.SetPurpose(o.ID, order.PurposeChange); err != nil {
				return Outcome{}, false, err
			}
			o.Purpose = order.PurposeChange
			return Outcome{Status: order.StatusValidated,
				Reason: fmt.Sprintf("PO %s was already received as %s: taken as a change restating it (the partner's policy is resend: change)", o.PONumber, live)}, true, nil
		}
		switch {
		case owner == o.ID && resend:
			return restated()
		case owner == o.ID:
			return Outcome{Keep: true}, false, nil
		case owner != "" && resend && owner != latest:
			return restated()
		case owner != "":
			return Outcome{Status: order.StatusDuplicate,
				Reason: fmt.Sprintf("duplicate of %s: same partner, PO %s, purpose and content", owner, o.PONumber)}, false, nil
		case resend:
			return restated()
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
	if p := o.Party(order.RoleShipTo); p != nil {
		return p.ID
	}
	return ""
}

func (*Dedupe) Outputs(ctx context.Context, o *order.Order, js []byte, corr string) ([]Output, error) {
	if o.Purpose != "" && o.Purpose != order.PurposeOriginal {
		return next(o, TopicChanges, js, corr), nil
	}
	return next(o, TopicAccepted, js, corr), nil
}
