package sqlitebus

import (
	"context"
	"fmt"
	"time"

	"github.com/orderhub/orderhub/internal/sqlitedb"
)

// The bus keeps its own tables, created with IF NOT EXISTS rather than
// through the store's migrations, because the bus file may be the store's
// or a file of its own. "offset" and "key" are quoted: both are SQL keywords.
var schema = []string{
	// offset is the rowid. AUTOINCREMENT keeps it from ever being reused
	// after pruning, and since SQLite has one writer, offsets are handed out
	// in commit order: a reader that sees offset n has seen everything below.
	`CREATE TABLE IF NOT EXISTS bus_messages (
		"offset"     INTEGER PRIMARY KEY AUTOINCREMENT,
		topic        TEXT NOT NULL,
		uuid         TEXT NOT NULL,
		"key"        TEXT NOT NULL DEFAULT '',
		payload      BLOB,
		-- '' for the payload as published, 's2' when it is stored
		-- compressed (sqlitedb.Compress); readers always get it as published.
		codec        TEXT NOT NULL DEFAULT '',
		metadata     TEXT NOT NULL DEFAULT '{}',
		published_at TEXT NOT NULL,
		UNIQUE (topic, uuid)
	)`,
	`CREATE INDEX IF NOT EXISTS bus_messages_topic_offset ON bus_messages (topic, "offset")`,
	// One row per consumer group and topic: what the group has acked, and
	// the lease that lets one subscription at a time consume.
	//   acked_offset  every message of the topic at or below it is acked
	//   acked_above   JSON array of acked offsets above acked_offset (acks
	//                 that arrived out of order, MaxInFlight > 1)
	//   lease_*       who consumes now; lease_renewed_at is unix ms
	`CREATE TABLE IF NOT EXISTS bus_offsets (
		consumer_group   TEXT NOT NULL,
		topic            TEXT NOT NULL,
		acked_offset     INTEGER NOT NULL DEFAULT 0,
		acked_above      TEXT NOT NULL DEFAULT '[]',
		lease_owner      TEXT NOT NULL DEFAULT '',
		lease_host       TEXT NOT NULL DEFAULT '',
		lease_pid        INTEGER NOT NULL DEFAULT 0,
		lease_renewed_at INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (consumer_group, topic)
	) WITHOUT ROWID`,
}

func createSchema(ctx context.Context, db *sqlitedb.DB) error {
	err := db.Write(ctx, func(tx *sqlitedb.Tx) error {
		// One statement per Exec: Tx prepares statements, and a prepared
		// statement runs only the first of several.
		for _, stmt := range schema {
			if _, err := tx.Exec(stmt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlitebus: create tables in %s: %w", db.Path(), err)
	}
	return nil
}

// timeLayout has a fixed width so that published_at compares correctly as
// text (RFC3339Nano drops trailing zeros).
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) time.Time {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		// Rows are written only by formatTime; anything else is unknown time.
		return time.Time{}
	}
	return t
}
