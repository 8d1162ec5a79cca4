package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
	"github.com/orderhub/orderhub/store"
)

// ReleaseRequest is a person's decision on a held order.
type ReleaseRequest struct {
	// ID is the order's id.
	ID string
	// By says who or what decided, for the status history: "CLI", "API".
	By string
	// Reject cancels the order instead of releasing it: its reservations
	// and backorders are given back.
	Reject bool
	// Note is why, when the person said (kept in the history).
	Note string
}

// Release moves a held order on: back to priced and on to the route stage
// (its message on orders.priced, where the route stage takes it as any
// priced order), or, with Reject, to cancelled with its stock given back.
// It works from any process sharing the store and the bus (orderhub
// release beside a running orderhub serve): the message is written to
// the store with the status change and published after the commit, so a
// crash in between leaves it for the next orderhub serve to publish. An
// order that is not held fails with store.ErrNotHeld, an unknown one with
// store.ErrNotFound.
func Release(ctx context.Context, st *store.Store, pub message.Publisher, req ReleaseRequest) (*order.Order, error) {
	row, err := st.Order(ctx, req.ID)
	if err != nil {
		return nil, err
	}
	var o *order.Order
	var seqs []int64
	var msg *message.Message
	err = st.Update(ctx, func(tx *store.Tx) error {
		msg, seqs = nil, nil
		status, err := tx.OrderStatus(req.ID)
		if err != nil {
			return err
		}
		if status != order.StatusHeld {
			return fmt.Errorf("order %s is %s: %w", req.ID, status, store.ErrNotHeld)
		}
		js, err := tx.OrderJSON(req.ID)
		if err != nil {
			return err
		}
		if o, err = order.Decode(js); err != nil {
			return fmt.Errorf("stored order %s: %w", req.ID, err)
		}
		reason := "released by " + req.By
		o.Status = order.StatusPriced
		if req.Reject {
			reason = "rejected after review by " + req.By
			o.Status = order.StatusCancelled
			if err := tx.ReleaseReservations(req.ID); err != nil {
				return err
			}
			if err := tx.SetBackorders(req.ID, nil); err != nil {
				return err
			}
		}
		if req.Note != "" {
			reason += ": " + req.Note
		}
		if js, err = order.Marshal(o); err != nil {
			return err
		}
		if err := tx.Advance(req.ID, o.Status, reason, store.Pack(js)); err != nil {
			return err
		}
		if req.Reject {
			return nil
		}
		// A tag of its own: an order held, released, changed and held
		// again is released again, and the bus keeps one message per
		// UUID.
		msg = ordermsg.New(o, TopicPriced, fmt.Sprintf("release-%d", time.Now().UnixNano()), js, row.DocumentID)
		msg.Metadata.Set(ordermsg.Stage, "release")
		seqs, err = tx.AddPending([]store.PendingMessage{{Topic: TopicPriced, UUID: msg.UUID, Metadata: msg.Metadata, Payload: msg.Payload}})
		return err
	})
	if err != nil {
		return nil, err
	}
	if msg != nil {
		if err := pub.Publish(TopicPriced, msg); err != nil {
			return o, fmt.Errorf("order %s released; its message waits for the next orderhub serve: %w", req.ID, err)
		}
		if err := st.DonePending(ctx, seqs); err != nil {
			return o, err
		}
	}
	return o, nil
}
