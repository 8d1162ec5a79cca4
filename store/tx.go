package store

import (
	"context"
	"errors"

	"github.com/orderhub/orderhub/internal/sqlitedb"
)

// ErrNotFound is returned when the thing asked for is not in the store.
var ErrNotFound = errors.New("not found")

// Tx is one unit of change to the store. Its methods are the only writes the
// pipeline makes; they commit together or not at all.
type Tx struct {
	tx  *sqlitedb.Tx
	now string
}

// Update runs fn as one transaction (group-committed with concurrent
// updates). fn runs on the store's writer goroutine: keep it to store calls
// and small decisions, no I/O and no heavy encoding.
func (s *Store) Update(ctx context.Context, fn func(*Tx) error) error {
	return s.db.Write(ctx, func(t *sqlitedb.Tx) error {
		return fn(&Tx{tx: t, now: s.stamp()})
	})
}

// errDryRun rolls a dry run back.
var errDryRun = errors.New("dry run")

// DryRun runs fn like Update and then rolls everything back, so callers can
// see what would happen (orderhub validate).
func (s *Store) DryRun(ctx context.Context, fn func(*Tx) error) error {
	err := s.Update(ctx, func(tx *Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errDryRun
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	return err
}
