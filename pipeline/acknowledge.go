package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
	"github.com/orderhub/orderhub/store"
)

// Acknowledger builds the answers a partner wants about an order once the
// pipeline has decided it (an X12 855, an EDIFACT ORDRSP). The pipeline
// knows no formats: main wires one that does.
type Acknowledger interface {
	// Wants tells whether the order's partner wants an answer about it,
	// so orders that need none skip the acknowledge stage.
	Wants(o *order.Order) bool
	// Acknowledge builds the answers. Building them again for the same
	// order must give the same names (control numbers are assigned per
	// order), so a redelivery is recognised.
	Acknowledge(ctx context.Context, o *order.Order) ([]ordermsg.Ack, error)
}

// StatusAcknowledged is the history step recorded when the answers are
// sent. The order keeps its status (routed, backordered, rejected): what the
// answer said is in the reason.
const StatusAcknowledged = order.StatusAcknowledged

// acknowledger runs the Acknowledger as a router handler, on routed orders
// and on rejected ones alike.
type acknowledger struct {
	ack   Acknowledger
	store *store.Store
	pub   message.Publisher
	log   *slog.Logger
}

func (a *acknowledger) handle(msg *message.Message) error {
	ctx := msg.Context()
	o, err := order.Decode(msg.Payload)
	if err != nil {
		return Permanent(fmt.Errorf("message %s is not a canonical order: %w", msg.UUID, err))
	}
	if !a.ack.Wants(o) {
		return nil
	}
	acks, err := a.ack.Acknowledge(ctx, o)
	if err != nil {
		return err
	}
	if len(acks) == 0 {
		return nil
	}
	msgs := make([]*message.Message, len(acks))
	names := make([]string, len(acks))
	for i, ak := range acks {
		msgs[i] = ordermsg.NewAck(ak, msg.Metadata.Get(ordermsg.CorrelationID))
		names[i] = ak.Kind + " " + ak.Name
	}
	// Published before the history says so: a crash in between sends
	// again under the same UUIDs, which the bus ignores.
	if err := a.pub.Publish(TopicAcks, msgs...); err != nil {
		return fmt.Errorf("publish to %s: %w", TopicAcks, err)
	}
	err = a.store.Update(ctx, func(tx *store.Tx) error {
		done, err := tx.HasEvent(o.ID, StatusAcknowledged)
		if err != nil || done {
			return err
		}
		return tx.AddEvent(o.ID, StatusAcknowledged, "sent "+strings.Join(names, ", "))
	})
	if errors.Is(err, store.ErrNotFound) {
		return Permanent(err)
	}
	return err
}
