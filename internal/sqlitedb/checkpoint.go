package sqlitedb

import (
	"database/sql"
	"fmt"
	"time"
)

// Checkpointing. In WAL mode every commit appends to the log; a checkpoint
// copies the log back into the database file and fsyncs it. SQLite
// normally has the committing connection do it every 1000 pages, which on
// a busy pipeline stalled the writer (and every caller waiting on it) for
// 100-200 ms at a time. Here the writer never checkpoints; a goroutine with
// a connection of its own runs a PASSIVE checkpoint often, which copies
// what no reader still needs without taking the write lock, so commits go
// on meanwhile. Once a checkpoint has copied everything, the writer's next
// commit starts the log from the beginning again.

// checkpointEvery is how often the checkpointer runs.
// A page rewritten many times between two checkpoints (an order's row at
// every stage) is copied once, so a longer interval copies less; a shorter
// one keeps the log, which readers search, small.
const checkpointEvery = 500 * time.Millisecond

// journalSizeLimit truncates the log file back to this size after it has
// been restarted, so one burst does not leave a huge file behind.
const journalSizeLimit = 64 << 20

func (db *DB) startCheckpointer(dsn string, deadline time.Time) error {
	c, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return err
	}
	c.SetMaxOpenConns(1)
	c.SetMaxIdleConns(1)
	c.SetConnMaxLifetime(0)
	err = retryBusy(deadline, func() error {
		_, err := c.Exec(fmt.Sprintf("PRAGMA journal_size_limit = %d", journalSizeLimit))
		return err
	})
	if err != nil {
		c.Close()
		return err
	}
	db.ckpt = c
	db.ckptStop = make(chan struct{})
	db.ckptDone = make(chan struct{})
	go db.checkpointer()
	return nil
}

func (db *DB) checkpointer() {
	defer close(db.ckptDone)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-db.ckptStop:
			return
		case <-t.C:
		}
		var busy, logPages, copied int
		// Errors (a busy database) are left for the next tick: a missed
		// checkpoint only lets the log grow a little longer.
		db.ckpt.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logPages, &copied)
	}
}

// stopCheckpointer ends the checkpointer and, the writer being stopped,
// checkpoints everything and truncates the log, leaving a tidy database.
func (db *DB) stopCheckpointer() {
	if db.ckpt == nil {
		return
	}
	close(db.ckptStop)
	<-db.ckptDone
	db.ckpt.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	db.ckpt.Close()
	db.ckpt = nil
}
