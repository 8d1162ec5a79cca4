package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

// live is the order a document applies to, as read before the writer.
type live struct {
	row *store.OrderRow
	o   *order.Order
}

// find is the live order doc applies to, or why there is none.
func (s *Changes) find(ctx context.Context, doc *order.Order) (*live, string, error) {
	rows, err := s.Store.OrdersOfPO(ctx, doc.Partner, doc.PONumber)
	if err != nil {
		return nil, "", err
	}
	shipTo := shipToID(doc)
	var cands, cancelled, shipped []store.POOrder
	for _, r := range rows {
		if r.ID == doc.ID || (r.Purpose != order.PurposeOriginal && r.Purpose != order.PurposeReplace) {
			continue
		}
		if shipTo != "" && r.ShipTo != "" && r.ShipTo != shipTo {
			continue
		}
		switch r.Status {
		case order.StatusRejected, order.StatusDuplicate, order.StatusApplied:
		case order.StatusCancelled:
			cancelled = append(cancelled, r)
		case order.StatusShipped:
			shipped = append(shipped, r)
		default:
			cands = append(cands, r)
		}
	}
	what := map[string]string{order.PurposeCancel: "cancelled", order.PurposeChange: "changed", order.PurposeReplace: "replaced"}[doc.Purpose]
	where := ""
	if shipTo != "" {
		where = " for ship-to " + shipTo
	}
	switch {
	case len(cands) == 0 && len(shipped) > 0:
		return nil, fmt.Sprintf("order %s (PO %s%s) has shipped: it can no longer be %s", shipped[len(shipped)-1].ID, doc.PONumber, where, what), nil
	case len(cands) == 0 && len(cancelled) > 0:
		return nil, fmt.Sprintf("order %s (PO %s%s) was cancelled already: there is nothing to be %s", cancelled[len(cancelled)-1].ID, doc.PONumber, where, what), nil
	case len(cands) == 0:
		return nil, fmt.Sprintf("unknown PO %s%s: no order from %s under it to be %s", doc.PONumber, where, doc.Partner, what), nil
	case len(cands) > 1:
		var ids []string
		for _, c := range cands {
			ids = append(ids, fmt.Sprintf("%s (ship-to %s)", c.ID, c.ShipTo))
		}
		return nil, fmt.Sprintf("PO %s has %d live orders, one per ship-to: %s; name the ship-to", doc.PONumber, len(cands), strings.Join(ids, ", ")), nil
	}
	row, err := s.Store.Order(ctx, cands[0].ID)
	if err != nil {
		return nil, "", err
	}
	o, err := order.Decode(row.JSON)
	if err != nil {
		return nil, "", Permanent(fmt.Errorf("stored order %s is not canonical: %w", row.ID, err))
	}
	o.Status = row.Status
	if !decided(row.Status) && doc.Purpose != order.PurposeCancel {
		return nil, "", fmt.Errorf("%s for PO %s: order %s is %s: %w", doc.Purpose, doc.PONumber, row.ID, row.Status, errNotYet)
	}
	return &live{row: row, o: o}, "", nil
}

// decided tells whether the pipeline is through with an order, so its
// warehouses know of it.
func decided(status string) bool {
	return status == order.StatusRouted || status == order.StatusBackordered || status == order.StatusAcknowledged
}

// verify checks, in the transaction, that the live order is still what
// Prepare planned on.
func verify(tx *store.Tx, lv *live) error {
	js, err := tx.OrderJSON(lv.row.ID)
	if err != nil {
		return err
	}
	if !bytes.Equal(js, lv.row.JSON) {
		return fmt.Errorf("order %s: %w", lv.row.ID, errLiveMoved)
	}
	return nil
}
