// Package sqlitedb opens the SQLite databases orderhub keeps (the store and the
// embedded bus) and funnels every write through one goroutine that commits
// concurrent writes together.
//
// SQLite allows one writer at a time and a commit costs far more than the
// statements in it (about 70µs in WAL mode on the machines we measured, against
// 10µs for an insert), so a process that commits every message on its own tops
// out near 14,000 writes a second. Write instead queues the caller's function;
// the writer goroutine runs every queued function inside one transaction, each
// under its own SAVEPOINT so a failing function rolls back only its own
// changes, commits once, and then returns to every caller. Callers still see
// "my change is durable when Write returns".
//
// Reads go through a separate pool of connections: in WAL mode readers never
// block the writer and see the last committed state.
package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Options tune a database. The zero value is usable.
type Options struct {
	// Synchronous is SQLite's synchronous setting: "NORMAL" (default) survives
	// a crash of the process, "FULL" also a crash of the machine, at the cost
	// of an fsync per commit.
	Synchronous string
	// BusyTimeout is how long a write waits for another process holding the
	// write lock. Default 5s.
	BusyTimeout time.Duration
	// MaxReaders is the size of the read connection pool. Default 4.
	MaxReaders int
	// MaxBatch is the most writes committed in one transaction. Default 256.
	MaxBatch int
	// Linger is how long the writer waits for more writes before
	// committing, when the previous commit was less than Linger ago (the
	// database is busy). Default 0: commit at once.
	Linger time.Duration
}

func (o *Options) setDefaults() {
	if o.Synchronous == "" {
		o.Synchronous = "NORMAL"
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.MaxReaders <= 0 {
		o.MaxReaders = 4
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 256
	}
}

// Validate reports options SQLite would not accept.
func (o Options) Validate() error {
	switch o.Synchronous {
	case "", "NORMAL", "FULL", "OFF", "EXTRA":
		return nil
	}
	return fmt.Errorf("synchronous: want NORMAL, FULL, EXTRA or OFF, got %q", o.Synchronous)
}

// DB is one SQLite database file with a read pool and a group-committing writer.
type DB struct {
	path  string
	opts  Options
	read  *sql.DB
	write *sql.DB

	reqs    chan *writeReq
	closing chan struct{}
	done    chan struct{}
	once    sync.Once

	// sendMu orders Write's enqueue against Close: once closed is set no
	// request can enter reqs, so the writer's drain after closing sees every
	// request that made it in and no caller waits forever on done.
	sendMu sync.RWMutex
	closed bool

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt

	stats writerStats

	ckpt     *sql.DB
	ckptStop chan struct{}
	ckptDone chan struct{}
}

// writerStats is what the writer did, for WriterStats.
type writerStats struct {
	commits, writes, busy, commit, longest atomic.Int64
}

// WriterStats says how busy the writer has been since Open.
type WriterStats struct {
	Commits int64         // transactions committed
	Writes  int64         // Write calls they carried
	Busy    time.Duration // wall time inside transactions, COMMIT included
	Commit  time.Duration // wall time in COMMIT (and the checkpoints it runs)
	Longest time.Duration // the longest transaction
}

// WriterStats returns the writer's figures so far.
func (db *DB) WriterStats() WriterStats {
	return WriterStats{
		Commits: db.stats.commits.Load(),
		Writes:  db.stats.writes.Load(),
		Busy:    time.Duration(db.stats.busy.Load()),
		Commit:  time.Duration(db.stats.commit.Load()),
		Longest: time.Duration(db.stats.longest.Load()),
	}
}

type writeReq struct {
	ctx  context.Context
	fn   func(*Tx) error
	err  error
	done chan struct{}
}

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("sqlitedb: database closed")

// Open opens or creates the database at path (its directory is created too).
func Open(path string, opts Options) (*DB, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts.setDefaults()
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", fmt.Sprint(opts.BusyTimeout.Milliseconds()))
	q.Set("_synchronous", opts.Synchronous)
	q.Set("_foreign_keys", "on")
	// immediate: a transaction takes the write lock at BEGIN, so two writers
	// queue on the busy timeout instead of one failing at its first write with
	// "database is locked" (SQLITE_BUSY cannot be retried inside a deferred tx).
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()

	write, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	// Connecting runs PRAGMA journal_mode=WAL. While another connection
	// switches a new file to WAL, that pragma fails at once with "database
	// is locked" (SQLite does not call the busy handler for it), so retry
	// within the busy timeout: processes may start together on a new file.
	deadline := time.Now().Add(opts.BusyTimeout)
	if err := retryBusy(deadline, write.Ping); err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	for _, pragma := range []string{
		// Sorting needs scratch space: in memory, not temporary files.
		"PRAGMA temp_store = MEMORY",
		// The writer never checkpoints: a checkpoint copies the log into
		// the database and fsyncs it, which stalls whoever runs it for up
		// to a few hundred milliseconds. The checkpointer goroutine does
		// it on a connection of its own (see checkpoint.go).
		"PRAGMA wal_autocheckpoint = 0",
	} {
		if err := retryBusy(deadline, func() error { _, err := write.Exec(pragma); return err }); err != nil {
			write.Close()
			return nil, fmt.Errorf("open %s: %s: %w", path, pragma, err)
		}
	}

	rq := url.Values{}
	rq.Set("_busy_timeout", fmt.Sprint(opts.BusyTimeout.Milliseconds()))
	rq.Set("_query_only", "true")
	read, err := sql.Open("sqlite3", "file:"+path+"?"+rq.Encode())
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	read.SetMaxOpenConns(opts.MaxReaders)
	read.SetMaxIdleConns(opts.MaxReaders)

	db := &DB{
		path:    path,
		opts:    opts,
		read:    read,
		write:   write,
		reqs:    make(chan *writeReq, opts.MaxBatch),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
		stmts:   map[string]*sql.Stmt{},
	}
	if err := db.startCheckpointer(dsn, deadline); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// The label lets a CPU profile tell the store's writer from the bus's.
	go pprof.Do(context.Background(), pprof.Labels("sqlite_writer", filepath.Base(path)), func(context.Context) { db.writer() })
	return db, nil
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// Read is the pool for queries. It refuses writes.
func (db *DB) Read() *sql.DB { return db.read }

// Write runs fn in a transaction shared with other writes queued at the same
// time and returns once that transaction has committed, or with fn's error
// (its changes rolled back, the others' kept). fn runs on the writer
// goroutine: it must be short and must not call Write itself. fn may run
// more than once: when another write of its batch fails, the batch is rolled
// back and run again without that write, so fn must set, not accumulate,
// whatever it hands back to its caller.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan struct{})}
	db.sendMu.RLock()
	if db.closed {
		db.sendMu.RUnlock()
		return ErrClosed
	}
	// The writer is still running (Close waits for sendMu before stopping
	// it), so this send completes unless ctx ends first.
	select {
	case db.reqs <- req:
	case <-ctx.Done():
		db.sendMu.RUnlock()
		return ctx.Err()
	}
	db.sendMu.RUnlock()
	<-req.done
	return req.err
}

// Close stops the writer after the queued writes and closes both pools.
func (db *DB) Close() error {
	db.once.Do(func() {
		db.sendMu.Lock()
		db.closed = true
		db.sendMu.Unlock()
		close(db.closing)
	})
	<-db.done
	db.stopCheckpointer()
	db.stmtMu.Lock()
	for _, s := range db.stmts {
		s.Close()
	}
	db.stmts = map[string]*sql.Stmt{}
	db.stmtMu.Unlock()
	if db.write == nil { // read-only
		return db.read.Close()
	}
	return errors.Join(db.write.Close(), db.read.Close())
}

func (db *DB) writer() {
	defer close(db.done)
	batch := make([]*writeReq, 0, db.opts.MaxBatch)
	var last time.Time
	for {
		batch = batch[:0]
		select {
		case req := <-db.reqs:
			batch = append(batch, req)
		case <-db.closing:
			// Drain what was queued before Close so no caller hangs.
			for {
				select {
				case req := <-db.reqs:
					db.commit([]*writeReq{req})
				default:
					return
				}
			}
		}
		// Linger: when writes are coming in, wait a moment for more before
		// committing. A commit costs far more than the statements in it and
		// writes every page it touched, so under load fewer, larger commits
		// raise throughput; an idle database commits at once.
		var linger <-chan time.Time
		var timer *time.Timer
		if db.opts.Linger > 0 && time.Since(last) < db.opts.Linger {
			timer = time.NewTimer(db.opts.Linger)
			linger = timer.C
		}
	fill:
		for len(batch) < cap(batch) {
			select {
			case req := <-db.reqs:
				batch = append(batch, req)
			default:
				if linger == nil {
					break fill
				}
				select {
				case req := <-db.reqs:
					batch = append(batch, req)
				case <-linger:
					break fill
				}
			}
		}
		if timer != nil {
			timer.Stop()
		}
		db.commit(batch)
		last = time.Now()
	}
}

func (db *DB) commit(batch []*writeReq) {
	defer func() {
		for _, r := range batch {
			close(r.done)
		}
	}()
	live := make([]*writeReq, 0, len(batch))
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		live = append(live, r)
	}
	// Run the batch in one transaction. When a write fails, the whole
	// transaction is rolled back and run again without it: failures are
	// rare (the pipeline returns refusals as outcomes, not errors), and a
	// savepoint around every write would cost two statements each.
	for len(live) > 0 {
		failed, err := db.try(live)
		if err != nil {
			for _, r := range live {
				r.err = err
			}
			return
		}
		if failed < 0 {
			return
		}
		live = append(live[:failed], live[failed+1:]...)
	}
}

// try runs reqs in one transaction and commits it. It returns the index of
// the first write that failed (its err set, the transaction rolled back), or
// -1 when all committed; err is for the transaction itself failing.
func (db *DB) try(reqs []*writeReq) (failed int, err error) {
	start := time.Now()
	defer func() {
		d := int64(time.Since(start))
		db.stats.busy.Add(d)
		if d > db.stats.longest.Load() {
			db.stats.longest.Store(d)
		}
	}()
	tx, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		return -1, fmt.Errorf("begin write on %s: %w", db.path, err)
	}
	t := &Tx{tx: tx, db: db}
	defer db.cacheStmts(t) // runs after Commit or Rollback below
	for i, r := range reqs {
		if r.err = runSafe(r.fn, t); r.err != nil {
			tx.Rollback()
			return i, nil
		}
	}
	cstart := time.Now()
	err = tx.Commit()
	db.stats.commit.Add(int64(time.Since(cstart)))
	if err != nil {
		tx.Rollback()
		return -1, fmt.Errorf("commit on %s: %w", db.path, err)
	}
	db.stats.commits.Add(1)
	db.stats.writes.Add(int64(len(reqs)))
	return -1, nil
}

// runSafe keeps one caller's panic from taking the writer (and every other
// caller's pending write) down with it.
func runSafe(fn func(*Tx) error, t *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in write: %v", p)
		}
	}()
	return fn(t)
}

// cachedStmt returns the prepared statement for query, or nil if it has not
// been prepared yet.
func (db *DB) cachedStmt(query string) *sql.Stmt {
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	return db.stmts[query]
}

// cacheStmts prepares the statements a Tx ran uncached. It must run after
// the transaction ended: the write pool has one connection, and preparing on
// the pool while a transaction holds that connection waits forever.
func (db *DB) cacheStmts(t *Tx) {
	for _, q := range t.misses {
		if db.cachedStmt(q) != nil {
			continue
		}
		s, err := db.write.Prepare(q)
		if err != nil {
			continue // the next use runs it unprepared and tries again
		}
		db.stmtMu.Lock()
		db.stmts[q] = s
		db.stmtMu.Unlock()
	}
}

// Tx is the transaction a Write function runs in. Statements are prepared
// once per database and reused: a query's first use runs it directly, and it
// is prepared after that transaction ends. Each query must be a single
// statement (a prepared statement runs only the first of several).
type Tx struct {
	tx     *sql.Tx
	db     *DB
	misses []string
}

// stmt returns the transaction's copy of the cached statement for query, or
// nil (noting the miss) if there is none yet.
func (t *Tx) stmt(query string) *sql.Stmt {
	if s := t.db.cachedStmt(query); s != nil {
		return t.tx.Stmt(s)
	}
	t.misses = append(t.misses, query)
	return nil
}

// Exec runs a statement that returns no rows.
func (t *Tx) Exec(query string, args ...any) (sql.Result, error) {
	if s := t.stmt(query); s != nil {
		return s.Exec(args...)
	}
	return t.tx.Exec(query, args...)
}

// Query runs a statement that returns rows.
func (t *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	if s := t.stmt(query); s != nil {
		return s.Query(args...)
	}
	return t.tx.Query(query, args...)
}

// QueryRow runs a statement that returns at most one row.
func (t *Tx) QueryRow(query string, args ...any) *sql.Row {
	if s := t.stmt(query); s != nil {
		return s.QueryRow(args...)
	}
	return t.tx.QueryRow(query, args...)
}

// retryBusy runs fn until it does not fail with a busy database or the
// deadline passes.
func retryBusy(deadline time.Time, fn func() error) error {
	for {
		err := fn()
		if err == nil || !IsBusy(err) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// IsBusy tells whether err is SQLite saying another connection holds a lock,
// which is worth retrying.
func IsBusy(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked
	}
	return false
}
