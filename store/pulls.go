package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Pull states.
const (
	PullFetched = "fetched" // downloaded and in the ledger; still on the server
	PullDone    = "done"    // deleted, moved or (keep) left on the server
)

// Pull is one remote file pulled: what it was on the partner's server and
// the ledger entry it became.
type Pull struct {
	Partner string
	// URL is the remote, without a password.
	URL string
	// Path is where the file was read on the server (its claimed name,
	// or its inbound name when files are not claimed).
	Path string
	// Name is the file's name as the partner gave it.
	Name       string
	Size       int64
	ModTime    time.Time
	SHA256     string
	DocumentID string
	State      string
	FetchedAt  time.Time
	DoneAt     time.Time
}

const pullCols = `partner, url, path, name, size, mtime, sha256, document_id, state, fetched_at, done_at`

func scanPull(sc interface{ Scan(...any) error }) (*Pull, error) {
	var p Pull
	var mt, fa, da string
	if err := sc.Scan(&p.Partner, &p.URL, &p.Path, &p.Name, &p.Size, &mt, &p.SHA256, &p.DocumentID,
		&p.State, &fa, &da); err != nil {
		return nil, err
	}
	p.ModTime, p.FetchedAt, p.DoneAt = optTime(mt), optTime(fa), optTime(da)
	return &p, nil
}

// RecordPull enters a pulled file in the ledger: the document (received,
// not yet read) and the pull that brought it, in one transaction, so that
// after a crash the file is either wholly known or not at all.
func (s *Store) RecordPull(ctx context.Context, d *Document, p *Pull) error {
	return s.Update(ctx, func(t *Tx) error {
		if d != nil {
			if err := t.InsertDocument(d); err != nil {
				return err
			}
		}
		_, err := t.tx.Exec(`INSERT INTO pulls (`+pullCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT (partner, path, size, mtime) DO UPDATE SET url = excluded.url, name = excluded.name,
			sha256 = excluded.sha256, document_id = excluded.document_id, state = excluded.state,
			fetched_at = excluded.fetched_at, done_at = excluded.done_at`,
			p.Partner, p.URL, p.Path, p.Name, p.Size, optStamp(p.ModTime), p.SHA256, p.DocumentID, p.State,
			optStamp(p.FetchedAt), optStamp(p.DoneAt))
		if err != nil {
			return fmt.Errorf("record pull of %s from %s: %w", p.Path, p.URL, err)
		}
		return nil
	})
}

// FinishPull marks a pull done: the file is off the server (or, kept,
// known).
func (s *Store) FinishPull(ctx context.Context, p *Pull, at time.Time) error {
	return s.Update(ctx, func(t *Tx) error {
		_, err := t.tx.Exec(`UPDATE pulls SET state = ?, done_at = ? WHERE partner = ? AND path = ? AND size = ? AND mtime = ?`,
			PullDone, optStamp(at), p.Partner, p.Path, p.Size, optStamp(p.ModTime))
		if err != nil {
			return fmt.Errorf("finish pull of %s: %w", p.Path, err)
		}
		p.State, p.DoneAt = PullDone, at
		return nil
	})
}

// PendingPulls are a partner's pulls still on the server (fetched, not
// done), oldest first.
func (s *Store) PendingPulls(ctx context.Context, partner string) ([]*Pull, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+pullCols+` FROM pulls WHERE partner = ? AND state = ? ORDER BY fetched_at`,
		partner, PullFetched)
	if err != nil {
		return nil, fmt.Errorf("pulls of %s: %w", partner, err)
	}
	defer rows.Close()
	var out []*Pull
	for rows.Next() {
		p, err := scanPull(rows)
		if err != nil {
			return nil, fmt.Errorf("pulls of %s: %w", partner, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PullOf is the pull of a remote file as listed (path, size and time),
// or ErrNotFound.
func (s *Store) PullOf(ctx context.Context, partner, path string, size int64, mtime time.Time) (*Pull, error) {
	p, err := scanPull(s.db.Read().QueryRowContext(ctx, `SELECT `+pullCols+` FROM pulls
		WHERE partner = ? AND path = ? AND size = ? AND mtime = ?`, partner, path, size, optStamp(mtime)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("pull of %s: %w", path, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("pull of %s: %w", path, err)
	}
	return p, nil
}

// PullWithContent is the first pull of a file of this name and hash from
// the partner, or ErrNotFound: a kept file touched on the server without a
// change in its bytes is not read again.
func (s *Store) PullWithContent(ctx context.Context, partner, name, sha string) (*Pull, error) {
	p, err := scanPull(s.db.Read().QueryRowContext(ctx, `SELECT `+pullCols+` FROM pulls
		WHERE partner = ? AND name = ? AND sha256 = ? ORDER BY fetched_at LIMIT 1`, partner, name, sha))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("pull of %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("pull of %s: %w", name, err)
	}
	return p, nil
}

// PullAt is the latest pull of the file at a remote path, or ErrNotFound.
// A claimed file's path is unique (it carries the claim's time), so the
// path alone says whether it is known.
func (s *Store) PullAt(ctx context.Context, partner, path string) (*Pull, error) {
	p, err := scanPull(s.db.Read().QueryRowContext(ctx, `SELECT `+pullCols+` FROM pulls
		WHERE partner = ? AND path = ? ORDER BY fetched_at DESC LIMIT 1`, partner, path))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("pull of %s: %w", path, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("pull of %s: %w", path, err)
	}
	return p, nil
}
