package sqlitebus

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	gojson "github.com/goccy/go-json"

	"github.com/orderhub/orderhub/internal/sqlitedb"
)

// KeyMetadata is the metadata entry whose value becomes a message's key
// (orderhub sets it to the order id). With MaxInFlight > 1 two messages with
// the same key are never out at once.
const KeyMetadata = "key"

// Publisher writes messages to the bus. It implements message.Publisher.
type Publisher struct {
	bus    *Bus
	closed atomic.Bool
}

var _ message.Publisher = (*Publisher)(nil)

// Publish stores msgs on topic in one transaction and returns once it has
// committed. A message whose UUID is already on the topic is skipped, so
// publishing the same message twice has the effect of publishing it once.
func (p *Publisher) Publish(topic string, msgs ...*message.Message) error {
	if p.closed.Load() || p.bus.isClosed() {
		return fmt.Errorf("sqlitebus: publish to %s: %w", topic, ErrClosed)
	}
	if topic == "" {
		return errors.New("sqlitebus: publish: empty topic")
	}
	if len(msgs) == 0 {
		return nil
	}
	type row struct {
		uuid, key, meta, codec string
		payload                []byte
	}
	rows := make([]row, len(msgs))
	for i, m := range msgs {
		if m.UUID == "" {
			// An empty UUID would make every such message a duplicate of the
			// first, silently dropping the rest.
			return fmt.Errorf("sqlitebus: publish to %s: message %d has no UUID", topic, i)
		}
		meta := []byte("{}")
		if len(m.Metadata) > 0 {
			var err error
			if meta, err = gojson.Marshal(m.Metadata); err != nil {
				return fmt.Errorf("sqlitebus: publish %s to %s: metadata: %w", m.UUID, topic, err)
			}
		}
		payload := m.Payload
		if payload == nil {
			payload = []byte{} // NULL would read back as nil; keep it a blob
		}
		codec := ""
		if c, ok := sqlitedb.Compress(payload); ok {
			payload, codec = c, "s2"
		}
		rows[i] = row{uuid: m.UUID, key: m.Metadata.Get(KeyMetadata), meta: string(meta), codec: codec, payload: payload}
	}
	now := formatTime(time.Now())
	// Not the messages' contexts: a handler's output carries a context that
	// the router cancels when the input is acked, and the publish must still
	// happen.
	err := p.bus.db.Write(context.Background(), func(tx *sqlitedb.Tx) error {
		for _, r := range rows {
			_, err := tx.Exec(`INSERT OR IGNORE INTO bus_messages (topic, uuid, "key", payload, codec, metadata, published_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, topic, r.uuid, r.key, r.payload, r.codec, r.meta, now)
			if err != nil {
				return fmt.Errorf("message %s: %w", r.uuid, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlitebus: publish %d message(s) to %s: %w", len(msgs), topic, err)
	}
	p.bus.hub.wake(topic)
	return nil
}

// Close makes further Publish calls fail. It does not close the bus.
func (p *Publisher) Close() error {
	p.closed.Store(true)
	return nil
}
