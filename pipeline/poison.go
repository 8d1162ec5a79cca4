package pipeline

import (
	"context"
	"errors"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/orderhub/orderhub/ordermsg"
	"github.com/orderhub/orderhub/store"
)

// Metadata set on a poisoned message, Watermill's own keys so its tools read
// them too.
const (
	PoisonReasonKey  = middleware.ReasonForPoisonedKey
	PoisonTopicKey   = middleware.PoisonedTopicKey
	PoisonHandlerKey = middleware.PoisonedHandlerKey
)

// StatusPoisoned is the event recorded on an order whose message went to the
// poison queue. The order keeps its status: `orderhub replay` sends the
// message back once the cause is fixed.
const StatusPoisoned = "poisoned"

// poison is the outermost middleware: a message whose handling still fails
// after the retries goes to orders.poison with the reason and where it came
// from, the order's history says so, and the message is acked so the queue
// behind it keeps moving.
func (p *Pipeline) poison(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		out, err := h(msg)
		if err == nil {
			return out, nil
		}
		ctx := msg.Context()
		pm := msg.Copy()
		pm.Metadata.Set(PoisonReasonKey, err.Error())
		pm.Metadata.Set(PoisonTopicKey, message.SubscribeTopicFromCtx(ctx))
		pm.Metadata.Set(PoisonHandlerKey, message.HandlerNameFromCtx(ctx))
		if perr := p.pub.Publish(TopicPoison, pm); perr != nil {
			// Not acked: the message comes back rather than being lost.
			return nil, errors.Join(err, perr)
		}
		p.log.Error("message poisoned", "handler", message.HandlerNameFromCtx(ctx), "uuid", msg.UUID,
			"order", msg.Metadata.Get(ordermsg.Key), "error", err)
		if id := msg.Metadata.Get(ordermsg.Key); id != "" {
			uerr := p.store.Update(context.WithoutCancel(ctx), func(tx *store.Tx) error {
				if _, err := tx.OrderStatus(id); err != nil {
					return err
				}
				return tx.AddEvent(id, StatusPoisoned, message.HandlerNameFromCtx(ctx)+": "+err.Error())
			})
			if uerr != nil && !errors.Is(uerr, store.ErrNotFound) {
				p.log.Warn("poisoned order's event not recorded", "order", id, "error", uerr)
			}
		}
		return nil, nil
	}
}
