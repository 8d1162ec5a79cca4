// Package app wires orderhub's parts into a running process from a
// config.Config: the store and the embedded bus under the data directory,
// the pipeline, intake, the inbox and the HTTP API. It holds no business
// logic; cmd/orderhub's commands build on it, and tests run a whole orderhub
// in-process through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"golang.org/x/sync/errgroup"

	"github.com/orderhub/orderhub/adapters/canonical"
	"github.com/orderhub/orderhub/adapters/edifact"
	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/adapters/httpapi"
	"github.com/orderhub/orderhub/adapters/inbox"
	"github.com/orderhub/orderhub/adapters/sheet"
	"github.com/orderhub/orderhub/adapters/sqlitebus"
	"github.com/orderhub/orderhub/adapters/x12"
	"github.com/orderhub/orderhub/config"
	"github.com/orderhub/orderhub/intake"
	"github.com/orderhub/orderhub/internal/sqlitedb"
	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/pipeline"
	"github.com/orderhub/orderhub/rules"
	"github.com/orderhub/orderhub/store"
)

// Formats are the document formats this build reads, in detection order.
// profiles identify X12 and EDIFACT senders (nil: not identified); numbers
// number the answers (nil: nothing is answered, as in orderhub translate).
func Formats(profiles *mappings.Profiles, numbers x12.ControlNumbers, log *slog.Logger) format.Set {
	return format.Set{
		canonical.Format{},
		&x12.Format{Profiles: profiles, Numbers: numbers, Log: log},
		&edifact.Format{Profiles: profiles, Numbers: numbers, Log: log},
		// Last: it takes delimited text the others do not claim.
		&sheet.Format{Profiles: profiles, Log: log},
	}
}

// Paths under the data directory.
func StorePath(data string) string { return filepath.Join(data, "orderhub.db") }
func BusPath(data string) string   { return filepath.Join(data, "bus.db") }

// SentDir is where answers to partners are kept per partner and document or
// order (outbox.SentPath), beside their delivery to the outbox.
func SentDir(data string) string { return filepath.Join(data, "sent") }

// App is an opened orderhub: store and bus ready, nothing running yet.
type App struct {
	Cfg    config.Config
	Log    *slog.Logger
	Store  *store.Store
	BusDB  *sqlitedb.DB
	Bus    *sqlitebus.Bus
	Intake *intake.Intake
	// Profiles are the partner profiles (how partners' documents say who
	// they are, which answers they want).
	Profiles *mappings.Profiles
	// Rules are the business rules file (data/rules.yaml), read again
	// when it changes.
	Rules *rules.File

	lock    *os.File
	running atomic.Bool
}

// Open opens the store and the bus under cfg.Data, creating them if need be.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Bus.Kafka != nil && len(cfg.Bus.Kafka.Brokers) > 0 {
		return nil, errors.New("bus.kafka: the Kafka bus is not built yet; remove bus.kafka to use the embedded bus")
	}
	if err := os.MkdirAll(cfg.Data, 0o755); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	// A short linger lets the writers gather the pipeline's concurrent
	// writes into fewer, larger commits (see sqlitedb.Options.Linger); on
	// the pipeline bench 1ms gave the most orders per second, 200µs about a
	// tenth fewer, 3ms fewer again.
	opts := sqlitedb.Options{Synchronous: cfg.Store.Synchronous, Linger: time.Millisecond}
	st, err := store.Open(ctx, StorePath(cfg.Data), opts)
	if err != nil {
		return nil, err
	}
	bdb, err := sqlitedb.Open(BusPath(cfg.Data), opts)
	if err != nil {
		st.Close()
		return nil, err
	}
	bus, err := sqlitebus.New(bdb, sqlitebus.Config{
		PollInterval: time.Duration(cfg.Bus.PollInterval),
		Retention:    time.Duration(cfg.Bus.Retention),
	}, watermillLogger(log))
	if err != nil {
		bdb.Close()
		st.Close()
		return nil, err
	}
	profiles, err := mappings.LoadProfiles(cfg.ProfilesDir())
	if err != nil {
		// The good profiles are kept; the bad files are the operator's to
		// fix, and they are named.
		log.Error("partner profiles", "dir", cfg.ProfilesDir(), "error", err)
	}
	rs, err := rules.Open(filepath.Join(cfg.Data, rules.FileName))
	if err != nil {
		// As with profiles: the last good rules (none) are in force, and
		// the problem is named.
		log.Error("rules", "file", filepath.Join(cfg.Data, rules.FileName), "error", err)
	}
	a := &App{Cfg: cfg, Log: log, Store: st, BusDB: bdb, Bus: bus, Profiles: profiles, Rules: rs}
	a.Intake, err = intake.New(st, bus.Publisher(), intake.Config{
		DataDir:      cfg.Data,
		Topic:        pipeline.TopicReceived,
		AnswersTopic: pipeline.TopicAcks,
		Formats:      Formats(profiles, st, log.With("part", "formats")),
	}, log.With("part", "intake"))
	if err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func watermillLogger(log *slog.Logger) watermill.LoggerAdapter {
	// Watermill logs every handler start at info; ours are debug.
	return watermill.NewSlogLoggerWithLevelMapping(log.With("part", "bus"), map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug})
}

// Subscribe is the pipeline's subscriber factory on the embedded bus.
func (a *App) Subscribe(group string) (message.Subscriber, error) {
	return a.Bus.Subscriber(sqlitebus.SubscriberConfig{
		ConsumerGroup: group,
		MaxInFlight:   a.Cfg.Pipeline.MaxInFlight,
	})
}

// NewPipeline builds the pipeline on the app's store and bus, and has
// intake hand the orders it publishes to it directly.
func (a *App) NewPipeline() (*pipeline.Pipeline, error) {
	p, err := pipeline.New(a.Store, a.Bus.Publisher(), a.Subscribe, pipeline.Config{
		Items:        mappings.WithProfiles(pipeline.ItemLookup(a.Store), a.Profiles),
		Acknowledger: a.acknowledger(),
		Rules:        a.Rules,
		Policies:     a.Profiles,
		Retry: pipeline.RetryConfig{
			MaxRetries:      a.Cfg.Pipeline.Retry.MaxRetries,
			InitialInterval: time.Duration(a.Cfg.Pipeline.Retry.InitialInterval),
			MaxInterval:     time.Duration(a.Cfg.Pipeline.Retry.MaxInterval),
		},
	}, a.Log.With("part", "pipeline"))
	if err != nil {
		return nil, err
	}
	a.Intake.SetHandoff(p.Handoff)
	return p, nil
}

// Serve runs everything until ctx ends: documents left in processing by a
// crash are finished first, then the pipeline, the inbox and the HTTP API
// (on ln, or on the configured address when ln is nil) run together. On
// return everything has stopped.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	if err := a.Lock(); err != nil {
		return err
	}
	p, err := a.NewPipeline()
	if err != nil {
		return err
	}
	srv, err := httpapi.New(httpapi.Config{
		Addr:            a.Cfg.HTTP.Addr,
		MaxBodyBytes:    a.Cfg.HTTP.MaxBodyBytes,
		ReadTimeout:     time.Duration(a.Cfg.HTTP.ReadTimeout),
		ShutdownTimeout: time.Duration(a.Cfg.HTTP.ShutdownTimeout),
		OutboxDir:       a.Cfg.OutboxDir(),
		SentDir:         SentDir(a.Cfg.Data),
		OperatorToken:   a.Cfg.OperatorToken(),
		Reviewers:       reviewers(a.Cfg.HTTP.Reviewers),
	}, a.Store, a.Intake, a.Log.With("part", "http"))
	if err != nil {
		return err
	}
	srv.Template = a.orderTemplate
	srv.Release = a.Release
	srv.Ready = func() error {
		if !a.running.Load() {
			return errors.New("the pipeline is not running")
		}
		return nil
	}
	if ln == nil {
		if ln, err = srv.Listen(); err != nil {
			return err
		}
	}
	// Finish what a crash left half-done before anything new can arrive:
	// a document claimed meanwhile would otherwise be seen by both.
	if n, err := a.Intake.Recover(ctx); err != nil {
		a.Log.Error("recovering documents in processing", "error", err)
	} else if n > 0 {
		a.Log.Info("recovered documents left in processing", "documents", n)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer cancel()
		return p.Run(gctx)
	})
	g.Go(func() error {
		select {
		case <-p.Running():
			a.running.Store(true)
		case <-gctx.Done():
		}
		return nil
	})
	g.Go(func() error { return srv.Serve(gctx, ln) })
	g.Go(func() error { return a.deliverAnswers(gctx) })
	g.Go(func() error {
		// Backorders are served by tier, then age, whenever stock is
		// loaded (here or by orderhub load in another process).
		select {
		case <-p.Running():
		case <-gctx.Done():
			return nil
		}
		rf := &pipeline.Refill{Store: a.Store, Pub: a.Bus.Publisher(), Rules: a.Rules, Policies: a.Profiles,
			Log: a.Log.With("part", "refill")}
		return rf.Run(gctx)
	})
	// Partners' FTP, FTPS and SFTP drops: pulled into intake, answers put
	// back, each partner on its own.
	g.Go(func() error { return a.Remotes().Run(gctx) })
	g.Go(func() error {
		if !a.Cfg.InboxEnabled() {
			return nil
		}
		ib, err := inbox.New(inbox.Config{
			Dir:          a.Cfg.InboxDir(),
			PollInterval: time.Duration(a.Cfg.Inbox.PollInterval),
			MinAge:       time.Duration(a.Cfg.Inbox.MinAge),
		}, a.Intake, a.Log.With("part", "inbox"))
		if err != nil {
			return err
		}
		return ib.Run(gctx)
	})
	<-gctx.Done()
	a.running.Store(false)
	a.Log.Info("shutting down")
	err = g.Wait()
	if cerr := p.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

// Close closes the bus and the store, and releases the data lock.
func (a *App) Close() error {
	var errs []error
	if a.Bus != nil {
		errs = append(errs, a.Bus.Close())
	}
	if a.BusDB != nil {
		errs = append(errs, a.BusDB.Close())
	}
	if a.Store != nil {
		errs = append(errs, a.Store.Close())
	}
	a.Unlock()
	return errors.Join(errs...)
}

// TuneRuntime sets the garbage collector for a pipeline process, unless the
// environment already does (GOGC, GOMEMLIMIT). Every stage decodes and
// encodes every order, so the heap churns; collecting at 400% growth
// instead of 100% cut the pipeline's CPU by a fifth on the bench, for a
// heap of about 100 MB instead of 60. The memory limit makes the collector
// work harder again long before a large backlog could exhaust the machine.
func TuneRuntime() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
}

// orderTemplate writes the order template workbook for a partner, from the
// catalog.
func (a *App) orderTemplate(ctx context.Context, p *store.Partner, w io.Writer) error {
	cat, err := a.Store.CatalogSKUs(ctx)
	if err != nil {
		return err
	}
	items := make([]sheet.TemplateItem, 0, len(cat))
	for _, it := range cat {
		if it.Status == store.ItemDiscontinued {
			continue // no longer sold: not offered
		}
		items = append(items, sheet.TemplateItem{SKU: it.SKU, Description: it.Description, UOM: it.UOM, MOQ: it.MOQ, PackSize: it.PackSize})
	}
	return sheet.WriteTemplate(w, p.ID, items)
}
