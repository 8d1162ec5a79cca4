// Package ordermsg says how an order travels as a Watermill message: its
// metadata keys, its UUID, its payload. Every part that publishes or reads
// orders (intake, pipeline, CLI) goes through here so they agree.
package ordermsg

import (
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/orderhub/orderhub/order"
)

// Metadata keys.
const (
	// Key is the partition key: the order id, so one order's messages stay
	// in order (Kafka partition, embedded bus in-flight window).
	Key           = "key"
	Partner       = "partner"
	ContentType   = "content_type"
	Schema        = "schema"
	Stage         = "stage"
	CorrelationID = middleware.CorrelationIDMetadataKey
)

// SchemaOrderV1 names the payload: a canonical order as JSON.
const SchemaOrderV1 = "order/v1"

// UUID is the message id of an order's message on a topic. It is derived,
// not random: a stage that handles a redelivered message publishes the same
// UUID again and the bus, which ignores a UUID it already has on a topic,
// keeps one copy. tag tells apart several messages of one order on one
// topic (a fulfilment message per warehouse, a logistics request per
// shipment); it is usually empty.
func UUID(orderID, topic, tag string) string {
	if tag == "" {
		return orderID + "@" + topic
	}
	return orderID + "@" + topic + "#" + tag
}

// New wraps a payload about an order in a message for topic.
func New(o *order.Order, topic, tag string, payload []byte, correlationID string) *message.Message {
	m := message.NewMessage(UUID(o.ID, topic, tag), payload)
	m.Metadata.Set(Key, o.ID)
	m.Metadata.Set(Partner, o.Partner)
	m.Metadata.Set(ContentType, "application/json")
	m.Metadata.Set(Schema, SchemaOrderV1)
	if correlationID != "" {
		m.Metadata.Set(CorrelationID, correlationID)
	}
	return m
}

// Encode marshals an order for a message payload.
func Encode(o *order.Order) ([]byte, error) {
	b, err := order.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("encode order %s: %w", o.ID, err)
	}
	return b, nil
}
