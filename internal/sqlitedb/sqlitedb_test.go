package sqlitedb

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func openTest(t *testing.T) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	db, err := Open(path, Options{})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	require.NoError(t, db.Write(context.Background(), func(tx *Tx) error {
		_, err := tx.Exec(`CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER)`)
		return err
	}))
	return db, path
}

func put(k string, v int) func(*Tx) error {
	return func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO kv (k, v) VALUES (?, ?)`, k, v)
		return err
	}
}

func count(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	require.NoError(t, db.Read().QueryRow(`SELECT count(*) FROM kv`).Scan(&n))
	return n
}

func has(t *testing.T, db *DB, k string) bool {
	t.Helper()
	var n int
	require.NoError(t, db.Read().QueryRow(`SELECT count(*) FROM kv WHERE k = ?`, k).Scan(&n))
	return n == 1
}

// holdWriter occupies the writer goroutine until the returned func is
// called, so that the writes queued meanwhile are committed as one batch.
func holdWriter(t *testing.T, db *DB) (release func(), done <-chan error) {
	t.Helper()
	started, hold := make(chan struct{}), make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- db.Write(context.Background(), func(*Tx) error {
			close(started)
			<-hold
			return nil
		})
	}()
	<-started
	return func() { close(hold) }, errc
}

// waitQueued waits until n writes are queued behind the held writer.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return len(db.reqs) == n }, 5*time.Second, time.Millisecond)
}

func TestConcurrentWritesAllCommitTogether(t *testing.T) {
	db, _ := openTest(t)
	release, held := holdWriter(t, db)
	const n = 200
	var mu sync.Mutex
	txs := map[*Tx]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- db.Write(context.Background(), func(tx *Tx) error {
				mu.Lock()
				txs[tx] = true
				mu.Unlock()
				return put(string(rune('a'+i%26))+string(rune('0'+i/26)), i)(tx)
			})
		})
	}
	waitQueued(t, db, n)
	release()
	wg.Wait()
	require.NoError(t, <-held)
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, n, count(t, db))
	assert.Len(t, txs, 1, "writes queued together should share one transaction")
}

func TestFailingWriteRollsBackOnlyItsOwnChanges(t *testing.T) {
	db, _ := openTest(t)
	boom := errors.New("boom")
	release, held := holdWriter(t, db)
	results := make([]chan error, 4)
	fns := []func(*Tx) error{
		put("a", 1),
		func(tx *Tx) error { // changes, then fails: its insert must vanish
			if err := put("b", 2)(tx); err != nil {
				return err
			}
			return boom
		},
		func(tx *Tx) error { // panics after a change
			if err := put("p", 3)(tx); err != nil {
				return err
			}
			panic("handler bug")
		},
		put("c", 4),
	}
	for i, fn := range fns {
		results[i] = make(chan error, 1)
		go func() { results[i] <- db.Write(context.Background(), fn) }()
		waitQueued(t, db, i+1) // keep the queue order
	}
	release()
	require.NoError(t, <-held)
	assert.NoError(t, <-results[0])
	assert.ErrorIs(t, <-results[1], boom)
	assert.ErrorContains(t, <-results[2], "panic")
	assert.NoError(t, <-results[3])
	assert.True(t, has(t, db, "a"))
	assert.False(t, has(t, db, "b"))
	assert.False(t, has(t, db, "p"))
	assert.True(t, has(t, db, "c"))

	// Alone in its transaction, a failing or panicking write rolls back too,
	// and the writer lives on.
	assert.ErrorIs(t, db.Write(context.Background(), func(tx *Tx) error {
		if err := put("d", 5)(tx); err != nil {
			return err
		}
		return boom
	}), boom)
	assert.Error(t, db.Write(context.Background(), func(*Tx) error { panic("again") }))
	assert.False(t, has(t, db, "d"))
	assert.NoError(t, db.Write(context.Background(), put("e", 6)))
	assert.True(t, has(t, db, "e"))
}

func TestCloseDrainsQueuedWrites(t *testing.T) {
	db, path := openTest(t)
	release, held := holdWriter(t, db)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() { errs <- db.Write(context.Background(), put(string(rune('a'+i)), i)) })
	}
	waitQueued(t, db, n)
	closed := make(chan error)
	go func() { closed <- db.Close() }()
	release()
	require.NoError(t, <-closed)
	wg.Wait()
	require.NoError(t, <-held)
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.ErrorIs(t, db.Write(context.Background(), put("late", 0)), ErrClosed)

	db2, err := Open(path, Options{})
	require.NoError(t, err)
	defer db2.Close()
	assert.Equal(t, n, count(t, db2))
}

// Writes racing with Close either commit or get ErrClosed; none hangs.
func TestWriteRacingCloseNeverHangs(t *testing.T) {
	db, _ := openTest(t)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			err := db.Write(context.Background(), put(string(rune('A'+i)), i))
			if err != nil && !errors.Is(err, ErrClosed) {
				t.Error(err)
			}
		})
	}
	require.NoError(t, db.Close())
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a Write racing Close never returned")
	}
}

// A statement's first use happens inside the writer's transaction, which
// holds the only write connection: it must not wait for another one.
func TestStatementsAreReused(t *testing.T) {
	db, _ := openTest(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range 3 {
		require.NoError(t, db.Write(ctx, func(tx *Tx) error {
			if err := put(string(rune('a'+2*i)), i)(tx); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRow(`SELECT count(*) FROM kv`).Scan(&n); err != nil {
				return err
			}
			rows, err := tx.Query(`SELECT k FROM kv WHERE v = ?`, i)
			if err != nil {
				return err
			}
			rows.Close()
			return put(string(rune('b'+2*i)), i)(tx)
		}))
	}
	assert.Equal(t, 6, count(t, db))
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	assert.Contains(t, db.stmts, `INSERT INTO kv (k, v) VALUES (?, ?)`)
}

func TestOptionsValidate(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "x.db"), Options{Synchronous: "SOMETIMES"})
	assert.ErrorContains(t, err, "synchronous")
}

// BenchmarkWrite measures one small write per call, from one goroutine and
// from many (whose writes the writer commits together).
func BenchmarkWrite(b *testing.B) {
	open := func(b *testing.B) *DB {
		db, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{})
		require.NoError(b, err)
		b.Cleanup(func() { db.Close() })
		require.NoError(b, db.Write(context.Background(), func(tx *Tx) error {
			_, err := tx.Exec(`CREATE TABLE kv (k INTEGER PRIMARY KEY AUTOINCREMENT, v INTEGER)`)
			return err
		}))
		return db
	}
	ins := func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO kv (v) VALUES (?)`, 1)
		return err
	}
	b.Run("serial", func(b *testing.B) {
		db := open(b)
		for b.Loop() {
			if err := db.Write(context.Background(), ins); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		db := open(b)
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := db.Write(context.Background(), ins); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// Processes starting together on a new file race to switch it to WAL; Open
// must wait for the winner instead of failing with "database is locked".
func TestConcurrentOpenOfNewFile(t *testing.T) {
	for range 5 {
		path := filepath.Join(t.TempDir(), "new.db")
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				db, err := Open(path, Options{})
				if !assert.NoError(t, err) {
					return
				}
				assert.NoError(t, db.Write(context.Background(), func(tx *Tx) error {
					_, err := tx.Exec(`CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v INTEGER)`)
					return err
				}))
				assert.NoError(t, db.Close())
			})
		}
		wg.Wait()
	}
}
