package sqlitebus

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Large payloads are stored compressed; every reader gets them back as
// published, byte for byte, and small or incompressible ones are kept as
// they are.
func TestPayloadsRoundTrip(t *testing.T) {
	b := openBus(t, newBusFile(t), Config{})
	large := []byte(strings.Repeat(`{"line_no":"1","sku":"SKU-1001","quantity":"24"},`, 100))
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(i*7919 + i*i*31)
	}
	payloads := map[string][]byte{"large": large, "small": []byte("x"), "random": random, "empty": {}}
	var msgs []*message.Message
	for id, p := range payloads {
		msgs = append(msgs, message.NewMessage(id, p))
	}
	require.NoError(t, b.Publisher().Publish("t", msgs...))

	var codec string
	require.NoError(t, b.db.Read().QueryRow(`SELECT codec FROM bus_messages WHERE uuid = 'large'`).Scan(&codec))
	assert.Equal(t, "s2", codec, "a large JSON payload is stored compressed")

	got := map[string][]byte{}
	require.NoError(t, b.Read(context.Background(), "t", 0, func(e Envelope) error {
		got[e.UUID] = e.Payload
		return nil
	}))
	_, ch := subscribe(t, b, SubscriberConfig{ConsumerGroup: "g", MaxInFlight: 8}, "t")
	for _, m := range receive(t, ch, len(payloads)) {
		assert.True(t, bytes.Equal(payloads[m.UUID], m.Payload), "subscriber payload of %s", m.UUID)
		off, ok := OffsetFromContext(m.Context())
		assert.True(t, ok && off > 0, "offset of %s in its context", m.UUID)
		m.Ack()
	}
	for id, p := range payloads {
		assert.True(t, bytes.Equal(p, got[id]), "Read payload of %s", id)
	}
}
