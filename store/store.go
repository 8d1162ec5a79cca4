// Package store keeps orderhub's state in SQLite: master data (partners,
// catalog, item crosswalk, warehouses, inventory, price lists), orders with
// their status history, the document ledger and outbound control numbers.
//
// Every write goes through sqlitedb's group-committing writer, so a stage's
// change to an order (its JSON, its status event, its reservations) commits
// as one unit. The schema lives in migrations/, embedded in the binary and
// applied at Open.
package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sync"
	"time"

	"github.com/orderhub/orderhub/internal/sqlitedb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the orderhub database.
type Store struct {
	db    *sqlitedb.DB
	now   func() time.Time
	cache masterCache

	invOnce sync.Once
	invStmt *sql.Stmt
	invErr  error
}

// Open opens the store at path, creating it and applying migrations.
func Open(ctx context.Context, path string, opts sqlitedb.Options) (*Store, error) {
	db, err := sqlitedb.Open(path, opts)
	if err != nil {
		return nil, err
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := db.Migrate(ctx, sub); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %w", err)
	}
	return &Store{db: db, now: func() time.Time { return time.Now().UTC() }}, nil
}

// DB gives the underlying database, for packages that keep their own tables
// in it.
func (s *Store) DB() *sqlitedb.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error {
	if s.invStmt != nil {
		s.invStmt.Close()
	}
	return s.db.Close()
}

func (s *Store) stamp() string { return s.now().Format(time.RFC3339Nano) }

// OpenReadOnly opens an existing store for reading only: nothing is created,
// migrated or written. Writes fail with sqlitedb.ErrClosed.
func OpenReadOnly(path string) (*Store, error) {
	db, err := sqlitedb.OpenReadOnly(path, sqlitedb.Options{})
	if err != nil {
		return nil, err
	}
	return &Store{db: db, now: func() time.Time { return time.Now().UTC() }}, nil
}
