package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

// TopicChanges carries cancels, changes and replaces from dedupe to the
// changes stage.
const TopicChanges = "orders.changes"

// Changes applies cancels, changes and replaces (orders.changes, from
// dedupe) to the live order they name: the partner's order under the same
// PO number, and the same ship-to when the document gives one, that is
// neither cancelled, rejected nor a duplicate.
//
//   - cancel: the live order's reservations are released, it leaves the
//     backorder queue and ends cancelled; every warehouse that had lines
//     gets a cancellation (cancellation/v1) on fulfilment.<warehouse> and
//     on logistics. The cancel itself ends applied.
//   - replace: the live order is cancelled as above and the replacement is
//     allocated as an original, in one store transaction, so the stock the
//     old order held is there for the new one and nobody takes it in
//     between. The replacement then goes on to price and route like any
//     order. A replacement the stock stage would refuse whole leaves the
//     old order as it is.
//   - change: line by line (add, delete, a new quantity, a new PO price),
//     only what changed is allocated again (more stock for an increase,
//     the backorder and then the reservations reduced for a decrease) and
//     priced again; the live order keeps its id and each warehouse whose
//     quantities moved gets the delta (change/v1). The change ends applied.
//
// A document for a PO with no live order, or whose order has shipped, is
// rejected with the reason. A change or replace that comes while the order
// is still in the pipeline waits for it (the message is retried); a cancel
// stops it where it is. What a document did is recorded on it (Applied),
// so a redelivered one publishes the same messages and changes nothing.
type Changes struct {
	Store *store.Store
	// Stock allocates a replacement, and holds the rules and policies a
	// change's lines are checked and allocated under.
	Stock *Stock
	// Price prices the lines a change changed.
	Price *Price
	// Acknowledger, when set, decides which applied documents are
	// answered (orders.routed); a replacement is answered once routed.
	Acknowledger Acknowledger
}

func (*Changes) Name() string  { return "changes" }
func (*Changes) Topic() string { return TopicChanges }

// Done: a cancel or change ends applied (final) or rejected; a
// replacement leaves reserved.
func (*Changes) Done(status string) bool { return doneAt(order.StatusReserved, status) }

// errNotYet is a change or replace for an order the pipeline has not
// decided yet: the message is tried again (then poisoned, for replay).
var errNotYet = errors.New("the order is still in the pipeline")

// errLiveMoved is the live order changing between Prepare and Commit
// (another document, a backorder fill, shipped): the message is tried
// again, on what the order is then.
var errLiveMoved = errors.New("the order changed meanwhile")

func (s *Changes) Prepare(ctx context.Context, doc *order.Order) (Outcome, Commit, error) {
	if doc.Purpose == "" || doc.Purpose == order.PurposeOriginal {
		// Not ours (only a dry run, which runs every stage, gives us
		// one): left as it is, for stock. A Commit, because the runner
		// moves an order with a nil Commit without looking at Keep.
		keep := Outcome{Keep: true}
		return keep, func(*store.Tx) (Outcome, bool, error) { return keep, false, nil }, nil
	}
	lv, refusal, err := s.find(ctx, doc)
	if err != nil {
		return Outcome{}, nil, err
	}
	if refusal != "" {
		return reject(doc, "changes", []order.Problem{{Path: "po_number", Message: refusal}}), nil, nil
	}
	switch doc.Purpose {
	case order.PurposeCancel:
		return s.cancel(doc, lv)
	case order.PurposeReplace:
		return s.replace(ctx, doc, lv)
	default:
		return s.change(ctx, doc, lv)
	}
}

// ref names a document in a status reason: its file and its order id.
func ref(doc *order.Order) string {
	if doc.Source != nil && doc.Source.Document != "" {
		return fmt.Sprintf("%s (%s)", doc.Source.Document, doc.ID)
	}
	return doc.ID
}
