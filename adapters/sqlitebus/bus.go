// Package sqlitebus is orderhub's embedded message bus: a durable Watermill
// Publisher and Subscriber kept in SQLite, used for every topic when no Kafka
// is configured.
//
// Messages live in bus_messages, numbered by an AUTOINCREMENT offset. SQLite
// has a single writer, so offsets are handed out in commit order and a reader
// that has seen offset n has seen every message below it: a consumer group's
// position is just an offset, as in a Kafka partition. Publishing is
// idempotent per topic and UUID (INSERT OR IGNORE), which lets pipeline
// stages publish with deterministic UUIDs so that a redelivered input cannot
// produce a second output.
//
// Consumer groups work as in Kafka with one partition per topic: every group
// gets every message, and within a group one subscription at a time consumes
// a topic. That subscription holds a lease in bus_offsets (owner, pid, host,
// renewal time); others wait, in memory if they are in this process, by
// polling the lease if they are in another. A lease is taken over when its
// holder releases it, when its process is gone from this host, or when it has
// not been renewed for 15s. Offset commits are fenced by the lease, so a
// subscription that lost its lease cannot move the group's position.
//
// Acks are committed through sqlitedb's group-committing writer: acks that
// arrive together (MaxInFlight > 1) share one transaction, and with
// MaxInFlight 1 the next message goes out only once the previous ack is
// durable, so an acked message is never delivered to its group again. Out of
// order acks are kept as the contiguous acked offset plus the set of acked
// offsets above it, so a restart neither redelivers an acked message nor
// skips an unacked one.
//
// Why not watermill-sql: its subscriber keeps a transaction open while the
// handler runs. With go-sqlite3 and _txlock=immediate that transaction holds
// SQLite's only write lock, so a handler that publishes to the same database
// (every pipeline stage does) waits for a lock its own subscriber holds. Here
// no transaction is open while a handler runs: reads go through the read pool
// and each commit is a short write of its own.
package sqlitebus

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	gojson "github.com/goccy/go-json"

	"github.com/orderhub/orderhub/internal/sqlitedb"
)

// ErrClosed is returned by operations on a closed Bus, Publisher or
// Subscriber.
var ErrClosed = errors.New("sqlitebus: closed")

// Bus is the message bus in one SQLite database. Several Bus values, in one
// process or several, may share a file.
type Bus struct {
	db     *sqlitedb.DB
	cfg    Config
	logger watermill.LoggerAdapter
	hub    *hub

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
	subs   map[*Subscriber]struct{}
}

// Envelope is a stored message as Read returns it.
type Envelope struct {
	Topic       string
	Offset      int64
	UUID        string
	Key         string
	Metadata    map[string]string
	Payload     []byte
	PublishedAt time.Time
}

// TopicInfo describes one topic.
type TopicInfo struct {
	Name string
	// Messages is how many messages are retained.
	Messages int64
	// LastOffset is the offset of the newest message.
	LastOffset int64
}

// New returns the bus on db, creating its tables. The caller keeps owning
// db: close the Bus first, then db.
func New(db *sqlitedb.DB, cfg Config, logger watermill.LoggerAdapter) (*Bus, error) {
	if db == nil {
		return nil, errors.New("sqlitebus: nil database")
	}
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = watermill.NopLogger{}
	}
	if err := createSchema(context.Background(), db); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &Bus{
		db:     db,
		cfg:    cfg,
		logger: logger.With(watermill.LogFields{"bus": db.Path()}),
		hub:    hubFor(db.Path()),
		ctx:    ctx,
		cancel: cancel,
		subs:   map[*Subscriber]struct{}{},
	}
	if cfg.Retention > 0 {
		b.wg.Add(1)
		go b.pruneLoop()
	}
	return b, nil
}

// Publisher returns a message.Publisher writing to the bus. Closing it does
// not close the bus.
func (b *Bus) Publisher() *Publisher { return &Publisher{bus: b} }

// Subscriber returns a message.Subscriber reading the bus as cfg's consumer
// group.
func (b *Bus) Subscriber(cfg SubscriberConfig) (*Subscriber, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrClosed
	}
	s := newSubscriber(b, cfg)
	b.subs[s] = struct{}{}
	return s, nil
}

func (b *Bus) forget(s *Subscriber) {
	b.mu.Lock()
	delete(b.subs, s)
	b.mu.Unlock()
}

func (b *Bus) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

// Close closes the bus's subscribers and stops pruning. It does not close
// the database. Close is idempotent.
func (b *Bus) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	subs := make([]*Subscriber, 0, len(b.subs))
	for s := range b.subs {
		subs = append(subs, s)
	}
	b.mu.Unlock()

	var errs []error
	for _, s := range subs {
		errs = append(errs, s.Close())
	}
	b.cancel()
	b.wg.Wait()
	return errors.Join(errs...)
}

// readPage is how many rows Read fetches per query.
const readPage = 500

// Read calls fn for each message of topic from fromOffset (inclusive) up to
// the newest message at the time of the call, in offset order, without
// committing anything: it is how `orderhub consume` without a group peeks
// at a topic. An error from fn stops the read and is returned.
func (b *Bus) Read(ctx context.Context, topic string, fromOffset int64, fn func(Envelope) error) error {
	var end int64
	err := b.db.Read().QueryRowContext(ctx,
		`SELECT COALESCE(MAX("offset"), 0) FROM bus_messages WHERE topic = ?`, topic).Scan(&end)
	if err != nil {
		return fmt.Errorf("sqlitebus: read topic %s: %w", topic, err)
	}
	next := fromOffset
	for next <= end {
		rows, err := b.db.Read().QueryContext(ctx, selectMessages+` AND "offset" >= ? AND "offset" <= ? ORDER BY "offset" LIMIT ?`,
			topic, next, end, readPage)
		if err != nil {
			return fmt.Errorf("sqlitebus: read topic %s: %w", topic, err)
		}
		envs, err := scanEnvelopes(rows, topic)
		if err != nil {
			return fmt.Errorf("sqlitebus: read topic %s: %w", topic, err)
		}
		if len(envs) == 0 {
			return nil
		}
		for _, e := range envs {
			if err := fn(e); err != nil {
				return err
			}
		}
		next = envs[len(envs)-1].Offset + 1
	}
	return nil
}

// Topics lists the topics that have retained messages.
func (b *Bus) Topics(ctx context.Context) ([]TopicInfo, error) {
	rows, err := b.db.Read().QueryContext(ctx,
		`SELECT topic, COUNT(*), MAX("offset") FROM bus_messages GROUP BY topic ORDER BY topic`)
	if err != nil {
		return nil, fmt.Errorf("sqlitebus: list topics: %w", err)
	}
	defer rows.Close()
	var out []TopicInfo
	for rows.Next() {
		var ti TopicInfo
		if err := rows.Scan(&ti.Name, &ti.Messages, &ti.LastOffset); err != nil {
			return nil, fmt.Errorf("sqlitebus: list topics: %w", err)
		}
		out = append(out, ti)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitebus: list topics: %w", err)
	}
	return out, nil
}

const selectMessages = `SELECT "offset", uuid, "key", payload, codec, metadata, published_at FROM bus_messages WHERE topic = ?`

// scanEnvelopes reads and closes rows of selectMessages.
func scanEnvelopes(rows *sql.Rows, topic string) ([]Envelope, error) {
	defer rows.Close()
	var out []Envelope
	for rows.Next() {
		e := Envelope{Topic: topic}
		var codec, meta, published string
		if err := rows.Scan(&e.Offset, &e.UUID, &e.Key, &e.Payload, &codec, &meta, &published); err != nil {
			return nil, err
		}
		switch codec {
		case "":
		case "s2":
			p, err := sqlitedb.Decompress(e.Payload)
			if err != nil {
				return nil, fmt.Errorf("payload of offset %d: %w", e.Offset, err)
			}
			e.Payload = p
		default:
			return nil, fmt.Errorf("payload of offset %d: unknown codec %q", e.Offset, codec)
		}
		if err := gojson.Unmarshal([]byte(meta), &e.Metadata); err != nil {
			return nil, fmt.Errorf("metadata of offset %d: %w", e.Offset, err)
		}
		e.PublishedAt = parseTime(published)
		out = append(out, e)
	}
	return out, rows.Err()
}

// pruneChunk bounds one pruning transaction, so the write lock is never held
// for long.
const pruneChunk = 1000

// pruneLoop deletes expired messages now and then. Every Bus on a file
// prunes; the deletes are idempotent, so that costs only a query.
func (b *Bus) pruneLoop() {
	defer b.wg.Done()
	every := min(max(b.cfg.Retention/24, time.Second), time.Hour)
	for {
		if _, err := b.prune(b.ctx, time.Now()); err != nil && b.ctx.Err() == nil {
			b.logger.Error("Pruning expired messages failed", err, nil)
		}
		select {
		case <-b.ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// prune deletes messages published before now minus the retention, oldest
// first, and returns how many.
func (b *Bus) prune(ctx context.Context, now time.Time) (int64, error) {
	cutoff := formatTime(now.Add(-b.cfg.Retention))
	var total int64
	for {
		var n int64
		err := b.db.Write(ctx, func(tx *sqlitedb.Tx) error {
			// Offsets follow publish time (one writer), so walking from the
			// lowest offset finds the expired rows without an index on time.
			res, err := tx.Exec(`DELETE FROM bus_messages WHERE "offset" IN
				(SELECT "offset" FROM bus_messages ORDER BY "offset" LIMIT ?) AND published_at < ?`, pruneChunk, cutoff)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, fmt.Errorf("sqlitebus: prune messages before %s: %w", cutoff, err)
		}
		total += n
		if n == 0 {
			return total, nil
		}
	}
}
