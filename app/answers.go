package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
	"github.com/orderhub/orderhub/store"

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
			if err := a.deliverAnswer(ob, m); err != nil {
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

// deliverAnswer writes one answer to the outbox. For a partner whose
// answers go to its remote drop, the outbox is the queue its link uploads
// from (and the ledger hears of the answer when it is put there);
// otherwise the outbox is the destination, and the ledger records the
// answer as delivered now.
func (a *App) deliverAnswer(ob *outbox.Outbox, m *message.Message) error {
	ack := ordermsg.AckOf(m)
	path, err := ob.Deliver(m.Context(), ack)
	if err != nil {
		return err
	}
	a.Log.Info("answer delivered", "partner", ack.Partner, "kind", ack.Kind, "path", path)
	if r := a.Profiles.RemoteFor(ack.Partner); r != nil && r.Outbound != "" {
		return nil
	}
	now := time.Now().UTC()
	sum := sha256.Sum256(ack.Body)
	doc := &store.Document{ID: order.NewDocumentID(now), SHA256: hex.EncodeToString(sum[:]), Partner: ack.Partner,
		Transport: "outbox", Name: ack.Name, Size: int64(len(ack.Body)), ReceivedAt: now, State: store.DocDelivered,
		Direction: store.DirectionOut, Remote: path, DeliveredAt: &now}
	return a.Store.InsertDocument(m.Context(), doc)
}
