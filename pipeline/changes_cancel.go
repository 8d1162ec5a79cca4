package pipeline

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

// cancelled is the live order as a cancel or a replace leaves it: nothing
// held, nothing waiting, every line deleted. It returns the warehouses'
// deltas and the transaction's part: check the order is still what was
// planned on, give back its stock, take it out of the backorder queue and
// end it cancelled with why.
func cancelled(lv *live, why string) ([]order.Delta, func(*store.Tx) error, error) {
	o := lv.o.Clone()
	var deltas []order.Delta
	if decided(lv.row.Status) {
		deltas = cancelDeltas(o)
	}
	o.Status = order.StatusCancelled
	o.Allocations, o.Backorders = nil, nil
	for i := range o.Lines {
		l := &o.Lines[i]
		oc := order.LineOutcome{LineNo: l.LineNo, Outcome: order.OutcomeDeleted, UOM: l.UOM, Reason: why, Rule: "change"}
		if old := o.Outcome(l.LineNo); old != nil {
			oc.UOM = old.UOM
			*old = oc
		} else {
			o.Outcomes = append(o.Outcomes, oc)
		}
	}
	js, err := order.Marshal(o)
	if err != nil {
		return nil, nil, err
	}
	packed, id := store.Pack(js), lv.row.ID
	return deltas, func(tx *store.Tx) error {
		if err := verify(tx, lv); err != nil {
			return err
		}
		if err := tx.ReleaseReservations(id); err != nil {
			return err
		}
		if err := tx.SetBackorders(id, nil); err != nil {
			return err
		}
		return tx.Advance(id, order.StatusCancelled, why, packed)
	}, nil
}

// cancelDeltas takes every allocation of o to zero, warehouse by warehouse.
func cancelDeltas(o *order.Order) []order.Delta {
	var out []order.Delta
	for _, h := range holdings(o) {
		out = append(out, order.Delta{Warehouse: h.wh, LineNo: h.line, SKU: skuOf(o, h.line), Change: changeCancel,
			OldQuantity: h.q, NewQuantity: decimal.Zero, UOM: unitOf(o, h.line)})
	}
	return out
}

func (s *Changes) cancel(doc *order.Order, lv *live) (Outcome, Commit, error) {
	deltas, cancel, err := cancelled(lv, "cancelled by "+ref(doc))
	if err != nil {
		return Outcome{}, nil, err
	}
	doc.Applied = &order.Applied{OrderID: lv.row.ID, Deltas: deltas}
	doc.Allocations, doc.Backorders, doc.Outcomes = nil, nil, nil
	for _, l := range doc.Lines {
		doc.Outcomes = append(doc.Outcomes, order.LineOutcome{LineNo: l.LineNo, Outcome: order.OutcomeDeleted, UOM: l.UOM,
			Reason: "cancelled with order " + lv.row.ID, Rule: "change"})
	}
	whs := deltaWarehouses(deltas)
	reason := fmt.Sprintf("cancelled order %s", lv.row.ID)
	if len(whs) > 0 {
		reason += "; cancellation to " + strings.Join(whs, ", ")
	}
	if !decided(lv.row.Status) {
		reason += fmt.Sprintf(" (stopped while %s)", lv.row.Status)
	}
	out := Outcome{Status: order.StatusApplied, Reason: reason}
	return out, func(tx *store.Tx) (Outcome, bool, error) {
		return out, false, cancel(tx)
	}, nil
}

func (s *Changes) replace(ctx context.Context, doc *order.Order, lv *live) (Outcome, Commit, error) {
	freed, err := s.Store.Reservations(ctx, lv.row.ID)
	if err != nil {
		return Outcome{}, nil, err
	}
	want, stock, err := s.Stock.prepare(ctx, doc, freed)
	if err != nil {
		return Outcome{}, nil, err
	}
	if want.Status == order.StatusRejected {
		want.Reason += fmt.Sprintf("; order %s stands", lv.row.ID)
		return want, nil, nil
	}
	deltas, cancel, err := cancelled(lv, "replaced by "+ref(doc))
	if err != nil {
		return Outcome{}, nil, err
	}
	doc.Applied = &order.Applied{OrderID: lv.row.ID, Deltas: deltas}
	id := lv.row.ID
	return want, func(tx *store.Tx) (Outcome, bool, error) {
		if err := cancel(tx); err != nil {
			return Outcome{}, false, err
		}
		out, changed, err := stock(tx)
		if err != nil {
			return Outcome{}, false, err
		}
		if out.Status == order.StatusRejected {
			// Stock moved since the plan and nothing of the
			// replacement can go on now: undo the cancel too; the
			// retry's Prepare refuses the replacement and leaves the
			// old order alone.
			return Outcome{}, false, fmt.Errorf("replacement of %s: %w", id, errLiveMoved)
		}
		out.Reason = fmt.Sprintf("replaces %s; %s", id, out.Reason)
		return out, changed, nil
	}, nil
}

// credit counts reservations about to be released as available again.
func credit(inv []store.InventoryRow, freed []store.Reservation) []store.InventoryRow {
	if len(freed) == 0 {
		return inv
	}
	inv = slices.Clone(inv)
	for _, f := range freed {
		for i := range inv {
			if inv[i].Warehouse == f.Warehouse && inv[i].SKU == f.SKU {
				inv[i].Reserved = decimal.Max(decimal.Zero, inv[i].Reserved.Sub(f.Quantity))
			}
		}
	}
	return inv
}
