package sqlitedb

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migrate applies the migrations in fsys that the database has not seen yet,
// each in its own transaction, in version order. A migration file is named
// NNNN_what.sql; NNNN is its version. Applied versions are kept in the
// schema_migrations table, so Migrate is safe to call at every start.
func (db *DB) Migrate(ctx context.Context, fsys fs.FS) error {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	type mig struct {
		version int
		name    string
	}
	var migs []mig
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return fmt.Errorf("migrations: %s: name must start with a positive version number and _", e.Name())
		}
		migs = append(migs, mig{v, e.Name()})
	}
	sort.Slice(migs, func(i, j int) bool { return migs[i].version < migs[j].version })
	for i := 1; i < len(migs); i++ {
		if migs[i].version == migs[i-1].version {
			return fmt.Errorf("migrations: %s and %s share version %d", migs[i-1].name, migs[i].name, migs[i].version)
		}
	}
	err = db.Write(ctx, func(tx *Tx) error {
		_, err := tx.tx.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY,
			name TEXT NOT NULL,
			applied_at TEXT NOT NULL)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	for _, m := range migs {
		body, err := fs.ReadFile(fsys, m.name)
		if err != nil {
			return fmt.Errorf("migrations: %w", err)
		}
		err = db.Write(ctx, func(tx *Tx) error {
			var n int
			if err := tx.tx.QueryRow(`SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			// Multi-statement scripts go straight to the connection: prepared
			// statements would run only the first statement.
			if _, err := tx.tx.Exec(string(body)); err != nil {
				return err
			}
			_, err := tx.tx.Exec(`INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, time.Now().UTC().Format(time.RFC3339Nano))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s on %s: %w", m.name, db.path, err)
		}
	}
	return nil
}
