package sqlitebus

import (
	"errors"
	"fmt"
	"time"
)

// Config tunes a Bus. The zero value is usable.
type Config struct {
	// PollInterval is how often an idle subscription looks for messages
	// published by another process. A Publish in this process (on any Bus
	// over the same file) wakes its subscribers at once, so polling only
	// bounds the latency of cross-process publishes. Default 1s.
	PollInterval time.Duration
	// Retention is how long messages are kept; older ones are pruned
	// periodically whether or not every consumer group has read them, as
	// with Kafka. Idempotent publishing (one row per topic and UUID) holds
	// only within this window. Default 168h (7 days); negative keeps
	// messages forever.
	Retention time.Duration
}

const (
	defaultPollInterval = time.Second
	defaultRetention    = 7 * 24 * time.Hour
)

func (c *Config) setDefaults() {
	if c.PollInterval == 0 {
		c.PollInterval = defaultPollInterval
	}
	if c.Retention == 0 {
		c.Retention = defaultRetention
	}
}

// Validate reports settings the bus cannot work with.
func (c Config) Validate() error {
	if c.PollInterval < 0 {
		return fmt.Errorf("sqlitebus: PollInterval must not be negative, got %s", c.PollInterval)
	}
	return nil
}

// Where a consumer group with no committed offset starts.
const (
	StartEarliest = "earliest"
	StartLatest   = "latest"
)

// SubscriberConfig tunes a Subscriber. Only ConsumerGroup is required.
type SubscriberConfig struct {
	// ConsumerGroup names the reader: every group gets every message of a
	// topic, and within a group one subscription at a time consumes it.
	ConsumerGroup string
	// BatchSize is how many rows one query reads. Default 100.
	BatchSize int
	// MaxInFlight is how many messages may be out unacknowledged at once.
	// 1 (the default) delivers in strict order, each message only after the
	// previous one's ack is committed. Above 1, messages with the same
	// metadata "key" are still never out together, so one order's events
	// keep their order.
	MaxInFlight int
	// NackResendDelay is the pause before a nacked message is delivered
	// again. Default 100ms.
	NackResendDelay time.Duration
	// StartFrom is where a group with no committed offset begins:
	// "earliest" (default, every retained message) or "latest" (only
	// messages published after its first subscription).
	StartFrom string
}

const (
	defaultBatchSize       = 100
	defaultNackResendDelay = 100 * time.Millisecond
)

func (c *SubscriberConfig) setDefaults() {
	if c.BatchSize == 0 {
		c.BatchSize = defaultBatchSize
	}
	if c.MaxInFlight == 0 {
		c.MaxInFlight = 1
	}
	if c.NackResendDelay == 0 {
		c.NackResendDelay = defaultNackResendDelay
	}
	if c.StartFrom == "" {
		c.StartFrom = StartEarliest
	}
}

// Validate reports settings a subscriber cannot work with.
func (c SubscriberConfig) Validate() error {
	var errs []error
	if c.ConsumerGroup == "" {
		errs = append(errs, errors.New("ConsumerGroup is required"))
	}
	if c.BatchSize < 0 {
		errs = append(errs, fmt.Errorf("BatchSize must not be negative, got %d", c.BatchSize))
	}
	if c.MaxInFlight < 0 {
		errs = append(errs, fmt.Errorf("MaxInFlight must not be negative, got %d", c.MaxInFlight))
	}
	if c.NackResendDelay < 0 {
		errs = append(errs, fmt.Errorf("NackResendDelay must not be negative, got %s", c.NackResendDelay))
	}
	switch c.StartFrom {
	case "", StartEarliest, StartLatest:
	default:
		errs = append(errs, fmt.Errorf("StartFrom: want %q or %q, got %q", StartEarliest, StartLatest, c.StartFrom))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlitebus subscriber %q: %w", c.ConsumerGroup, err)
	}
	return nil
}
