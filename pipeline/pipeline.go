// Package pipeline is orderhub's order pipeline: a Watermill router whose
// handlers are the stages an order goes through,
//
//	orders.received → normalize → orders.parsed → validate → orders.validated
//	→ dedupe → orders.accepted → stock → orders.reserved → price
//	→ orders.priced → route → fulfilment.<warehouse>, logistics, orders.backorder
//
// with orders.rejected for refused orders and orders.poison for messages that
// keep failing. Each stage is in its own file and follows one shape (see
// stage.go): read what it needs, then in one store transaction check that the
// order has not already gone past it, make its change and record the status
// event, then publish its output with derived message UUIDs. A stage that
// gets the same message twice therefore changes nothing the second time and
// publishes nothing new: delivery is at-least-once, the effect exactly once.
//
// Cancels, changes and replaces leave dedupe on orders.changes for the
// changes stage, which applies them to the live order (a replacement then
// goes on to orders.reserved like an original).
//
// The pipeline knows neither transports nor the bus behind its Publisher and
// Subscribers: main wires those.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/rules"
	"github.com/orderhub/orderhub/store"
)

// Topics.
const (
	TopicReceived  = "orders.received"
	TopicParsed    = "orders.parsed"
	TopicValidated = "orders.validated"
	TopicAccepted  = "orders.accepted"
	TopicReserved  = "orders.reserved"
	TopicPriced    = "orders.priced"
	TopicRejected  = "orders.rejected"
	// TopicRouted carries routed orders whose partner wants an answer
	// about them, to the acknowledge stage.
	TopicRouted    = "orders.routed"
	TopicBackorder = "orders.backorder"
	TopicPoison    = "orders.poison"
	TopicLogistics = "logistics"
	// TopicReplenishment carries requests for stock key accounts wait for.
	TopicReplenishment = "replenishment"
	// TopicAcks carries outbound acknowledgements to partners' transports.
	TopicAcks = "orders.acks"
	// FulfilmentPrefix + warehouse code is a warehouse's topic.
	FulfilmentPrefix = "fulfilment."
)

// GroupPrefix + stage name is the consumer group of a stage.
const GroupPrefix = "orderhub."

// SubscriberFactory returns a subscriber in a consumer group. The pipeline
// asks for one per stage.
type SubscriberFactory func(group string) (message.Subscriber, error)

// Config tunes the pipeline. The zero value is usable.
type Config struct {
	// Retry is for transient errors (the store busy, the bus unreachable).
	// Permanent errors (a message that is not an order) go to the poison
	// queue at once.
	Retry RetryConfig
	// CloseTimeout bounds how long Close waits for handlers. Default 30s.
	CloseTimeout time.Duration
	// Acknowledger, when set, answers partners about their orders once
	// routed or rejected (855, ORDRSP).
	Acknowledger Acknowledger
	// Items resolves partner item numbers and GTINs to SKUs; default the
	// store's catalog and crosswalk.
	Items mappings.ItemLookup
	// Rules are the business rules as data (warehouses' regions and
	// calendars, protected shares, restrictions, prices, carriers); nil:
	// none.
	Rules *rules.File
	// Policies give each partner's allocation and line policy; nil: the
	// defaults.
	Policies Policies
}

// RetryConfig is the backoff for transient errors.
type RetryConfig struct {
	MaxRetries      int           // default 5
	InitialInterval time.Duration // default 100ms
	MaxInterval     time.Duration // default 5s
}

func (c *Config) setDefaults() {
	if c.Retry.MaxRetries == 0 {
		c.Retry.MaxRetries = 5
	}
	if c.Retry.InitialInterval <= 0 {
		c.Retry.InitialInterval = 100 * time.Millisecond
	}
	if c.Retry.MaxInterval <= 0 {
		c.Retry.MaxInterval = 5 * time.Second
	}
	if c.CloseTimeout <= 0 {
		c.CloseTimeout = 30 * time.Second
	}
}

// Validate reports a config that cannot work.
func (c Config) Validate() error {
	if c.Retry.MaxRetries < 0 {
		return fmt.Errorf("pipeline: retry.max_retries must be >= 0, got %d", c.Retry.MaxRetries)
	}
	if c.Retry.InitialInterval > c.Retry.MaxInterval {
		return fmt.Errorf("pipeline: retry.initial_interval %s is above retry.max_interval %s", c.Retry.InitialInterval, c.Retry.MaxInterval)
	}
	return nil
}

// Pipeline is the router with its stages.
type Pipeline struct {
	cfg    Config
	store  *store.Store
	pub    message.Publisher
	router *message.Router
	stages []Stage
	stats  map[string]*StageStats
	cache  *orderCache
	log    *slog.Logger
}

// New builds the pipeline: one router handler per stage, each with its own
// consumer group.
func New(st *store.Store, pub message.Publisher, subscribe SubscriberFactory, cfg Config, log *slog.Logger) (*Pipeline, error) {
	items := cfg.Items
	if items == nil {
		items = ItemLookup(st)
	}
	cfg.Items = items
	stages := stages(st, cfg)
	return build(st, pub, subscribe, cfg, log, stages)
}

// build is New with the stages given, so tests can run the router and its
// middleware around stages of their own.
func build(st *store.Store, pub message.Publisher, subscribe SubscriberFactory, cfg Config, log *slog.Logger, stages []Stage) (*Pipeline, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Pipeline{cfg: cfg, store: st, pub: pub, log: log, stats: map[string]*StageStats{}}
	p.stages = stages

	wlog := watermill.NewSlogLoggerWithLevelMapping(log, map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug})
	r, err := message.NewRouter(message.RouterConfig{CloseTimeout: cfg.CloseTimeout}, wlog)
	if err != nil {
		return nil, err
	}
	r.AddMiddleware(
		middleware.CorrelationID,
		p.poison,
		middleware.Retry{
			MaxRetries:          cfg.Retry.MaxRetries,
			InitialInterval:     cfg.Retry.InitialInterval,
			MaxInterval:         cfg.Retry.MaxInterval,
			Multiplier:          2,
			RandomizationFactor: 0.25,
			ShouldRetry:         func(rp middleware.RetryParams) bool { return !IsPermanent(rp.Err) },
			Logger:              wlog,
		}.Middleware,
		recoverer,
	)
	cache := newOrderCache()
	p.cache = cache
	for _, s := range p.stages {
		sub, err := subscribe(GroupPrefix + s.Name())
		if err != nil {
			return nil, fmt.Errorf("pipeline: subscriber for %s: %w", s.Name(), err)
		}
		p.stats[s.Name()] = &StageStats{}
		run := &runner{notDone: notDone(s), stage: s, store: st, pub: pub, log: log.With("stage", s.Name()), stats: p.stats[s.Name()], cache: cache}
		r.AddConsumerHandler(s.Name(), s.Topic(), sub, run.handle)
	}
	if cfg.Acknowledger != nil {
		a := &acknowledger{ack: cfg.Acknowledger, store: st, pub: pub, log: log.With("stage", "acknowledge")}
		for name, topic := range map[string]string{"acknowledge": TopicRouted, "acknowledge-rejected": TopicRejected} {
			sub, err := subscribe(GroupPrefix + name)
			if err != nil {
				return nil, fmt.Errorf("pipeline: subscriber for %s: %w", name, err)
			}
			r.AddConsumerHandler(name, topic, sub, a.handle)
		}
	}
	p.router = r
	return p, nil
}

// Stages returns the stages in pipeline order, resolving items through the
// store's catalog and crosswalk.
func Stages(st *store.Store) []Stage { return stages(st, Config{Items: ItemLookup(st)}) }

func stages(st *store.Store, cfg Config) []Stage {
	// The changes stage allocates and prices with the same stages the
	// originals go through: one set of rules, policies and price checks.
	stock := &Stock{Store: st, Rules: cfg.Rules, Policies: cfg.Policies}
	price := &Price{Store: st, Rules: cfg.Rules, Policies: cfg.Policies}
	return []Stage{
		&Normalize{Items: cfg.Items},
		&Validate{Store: st},
		&Dedupe{Policies: cfg.Policies},
		&Changes{Store: st, Stock: stock, Price: price, Acknowledger: cfg.Acknowledger},
		stock,
		price,
		&Route{Store: st, Acknowledger: cfg.Acknowledger, Rules: cfg.Rules},
	}
}

// Handoff takes an order published on orders.received by this process, so
// the first stage need not decode it. It is intake.Handoff's shape.
func (p *Pipeline) Handoff(uuid string, payload []byte, o *order.Order) {
	p.cache.put(uuid, payload, o)
}

// Run runs the router until ctx ends or Close is called.
func (p *Pipeline) Run(ctx context.Context) error {
	if err := p.router.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// Running is closed once every handler is consuming.
func (p *Pipeline) Running() chan struct{} { return p.router.Running() }

// Close stops the router, letting handlers in progress finish.
func (p *Pipeline) Close() error { return p.router.Close() }
