// Package ordermsg says how an order travels as a Watermill message: its
// metadata keys, its UUID, its payload. Every part that publishes or reads
// orders (intake, pipeline, CLI) goes through here so they agree.
package ordermsg

import (
	"fmt"
	"path/filepath"
	"strings"

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

// Metadata of an outbound document on the acks topic.
const (
	// AckKind is what the document is: "997", "999", "TA1", "855", ...
	AckKind = "ack_kind"
	// AckName is the file name it is delivered under.
	AckName = "ack_name"
	// AckFormat is the document format: "x12", "edifact", ...
	AckFormat = "ack_format"
)

// Ack is an outbound document for a partner: an acknowledgement or an
// answer in the partner's own format.
type Ack struct {
	Partner string
	Kind    string
	Format  string
	// Name is the file name it is delivered under.
	Name string
	// Key groups a partner's answers about one thing (an order id, a
	// document id), so they keep their order.
	Key  string
	Body []byte
}

// NewAck wraps an outbound document in a message. The UUID is derived from
// the partner, the key (the document or order answered) and the name, so
// the same answer published twice is delivered once, while two documents
// answered under one name (a sheet's <name>.errors.xlsx, sent again
// corrected) are two answers.
func NewAck(a Ack, correlationID string) *message.Message {
	m := message.NewMessage(a.Partner+"/"+a.Key+"/"+a.Name, a.Body)
	m.Metadata.Set(Key, a.Key)
	m.Metadata.Set(Partner, a.Partner)
	m.Metadata.Set(AckKind, a.Kind)
	m.Metadata.Set(AckName, a.Name)
	m.Metadata.Set(AckFormat, a.Format)
	m.Metadata.Set(ContentType, "application/octet-stream")
	if correlationID != "" {
		m.Metadata.Set(CorrelationID, correlationID)
	}
	return m
}

// AckOf reads an outbound document back from its message.
func AckOf(m *message.Message) Ack {
	return Ack{
		Partner: m.Metadata.Get(Partner), Kind: m.Metadata.Get(AckKind), Format: m.Metadata.Get(AckFormat),
		Name: m.Metadata.Get(AckName), Key: m.Metadata.Get(Key), Body: m.Payload,
	}
}

// ErrorsWorkbookName is the name a partner's sheet comes back under with
// its problems marked: orders.csv → orders.errors.xlsx. The sheet format
// sends it under that name and the API serves it by it.
func ErrorsWorkbookName(document string) string {
	base := filepath.Base(document)
	return strings.TrimSuffix(base, filepath.Ext(base)) + ".errors.xlsx"
}
