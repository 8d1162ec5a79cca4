package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// DocStates are the states a ledger entry can be in, as Documents filters
// them.
var DocStates = []string{DocReceived, DocProcessing, DocArchived, DocError, DocDuplicate, DocDelivered}

// DefaultDocuments is how many documents a listing gives when
// DocumentFilter.Limit is 0.
const DefaultDocuments = 100

// MaxDocuments caps DocumentFilter.Limit: a longer listing is paged with
// its Cursor.
const MaxDocuments = 1000

// ErrBadFilter is returned by Documents for a filter it cannot apply;
// the message says which field and what is accepted.
var ErrBadFilter = errors.New("bad document filter")

// check refuses what the filter cannot mean, and sets the default limit.
func (f *DocumentFilter) check() error {
	if f.State != "" && !slices.Contains(DocStates, f.State) {
		return fmt.Errorf("documents: %w: state %q, want one of %s", ErrBadFilter, f.State, strings.Join(DocStates, ", "))
	}
	if f.Direction != "" && f.Direction != DirectionIn && f.Direction != DirectionOut {
		return fmt.Errorf("documents: %w: direction %q, want %q or %q", ErrBadFilter, f.Direction, DirectionIn, DirectionOut)
	}
	if f.Limit < 0 || f.Limit > MaxDocuments {
		return fmt.Errorf("documents: %w: limit %d, want 1 to %d", ErrBadFilter, f.Limit, MaxDocuments)
	}
	if f.Limit == 0 {
		f.Limit = DefaultDocuments
	}
	return nil
}

// cursorOf is the condition (and its arguments) that continues a listing
// after document f.Cursor. The cursor is looked up among f.Partner's
// documents only, so a partner cannot learn whether another's id exists.
func (s *Store) cursorOf(ctx context.Context, f DocumentFilter) (string, []any, error) {
	q, args := `SELECT received_at FROM documents WHERE id = ?`, []any{f.Cursor}
	if f.Partner != "" {
		q += ` AND partner = ?`
		args = append(args, f.Partner)
	}
	var rec string
	err := s.db.Read().QueryRowContext(ctx, q, args...).Scan(&rec)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, fmt.Errorf("documents: %w: cursor %q is not a document", ErrBadFilter, f.Cursor)
	}
	if err != nil {
		return "", nil, fmt.Errorf("documents: cursor %q: %w", f.Cursor, err)
	}
	// The same order as the listing's ORDER BY: received time, then id.
	return ` AND (received_at < ? OR (received_at = ? AND id < ?))`, []any{rec, rec, f.Cursor}, nil
}
