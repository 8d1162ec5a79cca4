package app

import (
	"context"
	"time"

	"github.com/orderhub/orderhub/adapters/outbox"
	"github.com/orderhub/orderhub/pipeline"
)

// deliverAnswers moves what is published on orders.acks into the outbox
// until ctx ends. A document that cannot be written is retried after a
// pause (a full disk, a permission fixed later), never dropped.
func (a *App) deliverAnswers(ctx context.Context) error {
	sub, err := a.Subscribe(pipeline.GroupPrefix + "outbox")
	if err != nil {
		return err
	}
	defer sub.Close()
	msgs, err := sub.Subscribe(ctx, pipeline.TopicAcks)
	if err != nil {
		return err
	}
	ob := &outbox.Outbox{Dir: a.Cfg.OutboxDir(), Sent: SentDir(a.Cfg.Data), Log: a.Log.With("part", "outbox")}
	for {
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-msgs:
			if !ok {
				return nil
			}
			if err := ob.Handle(m); err != nil {
				a.Log.Error("delivering an answer", "uuid", m.UUID, "error", err)
				m.Nack()
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(time.Second):
				}
				continue
			}
			m.Ack()
		}
	}
}
