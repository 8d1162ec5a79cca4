package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Transport states.
const (
	TransportOK      = "ok"      // the last attempt reached the server
	TransportFailing = "failing" // the last attempt(s) failed; Error says why
)

// ErrBadTransport is returned by SaveTransport for a state that cannot be
// recorded: no partner or URL, or a state other than TransportOK or
// TransportFailing.
var ErrBadTransport = errors.New("bad transport state")

// TransportState is a partner's remote connection as last seen.
type TransportState struct {
	Partner string `json:"partner"`
	// URL is the server's URL, its password (if it carried one) masked.
	URL string `json:"url"`
	// State is TransportOK or TransportFailing.
	State string `json:"state"`
	// Error is why it is failing ("" when ok).
	Error string `json:"error,omitempty"`
	// Since is when State (and Error) began.
	Since time.Time `json:"since,omitzero"`
	// LastOK is the last time the server was reached.
	LastOK time.Time `json:"last_ok,omitzero"`
	// NextTry is when a failing connection is tried again.
	NextTry time.Time `json:"next_try,omitzero"`
	// Failures counts the consecutive failed attempts.
	Failures  int       `json:"failures"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// SaveTransport records the state of a partner's connection, replacing
// what was recorded for the same partner and URL. A zero UpdatedAt is
// the store's clock. The URL's password, and that URL wherever it appears
// in Error, are masked before anything is written: the state is shown to
// operators and partners, who must never see a password.
func (s *Store) SaveTransport(ctx context.Context, ts TransportState) error {
	if ts.Partner == "" || ts.URL == "" {
		return fmt.Errorf("save transport %q %q: %w: want a partner and a URL", ts.Partner, ts.URL, ErrBadTransport)
	}
	if ts.State != TransportOK && ts.State != TransportFailing {
		return fmt.Errorf("save transport %s %s: %w: state %q, want %q or %q",
			ts.Partner, maskURL(ts.URL), ErrBadTransport, ts.State, TransportOK, TransportFailing)
	}
	ts.Error = maskURLIn(ts.Error, ts.URL)
	ts.URL = maskURL(ts.URL)
	upd := s.stamp()
	if !ts.UpdatedAt.IsZero() {
		upd = optStamp(ts.UpdatedAt)
	}
	err := s.Update(ctx, func(t *Tx) error {
		_, err := t.tx.Exec(`INSERT INTO transports (partner, url, state, error, since, last_ok, failures, next_try, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (partner, url) DO UPDATE SET state = excluded.state, error = excluded.error,
				since = excluded.since, last_ok = excluded.last_ok, failures = excluded.failures,
				next_try = excluded.next_try, updated_at = excluded.updated_at`,
			ts.Partner, ts.URL, ts.State, ts.Error, optStamp(ts.Since), optStamp(ts.LastOK), ts.Failures,
			optStamp(ts.NextTry), upd)
		return err
	})
	if err != nil {
		return fmt.Errorf("save transport %s %s: %w", ts.Partner, ts.URL, err)
	}
	return nil
}

// Transports lists the connections' states, by partner then URL: one
// partner's, or everyone's when partner is "".
func (s *Store) Transports(ctx context.Context, partner string) ([]TransportState, error) {
	q := `SELECT partner, url, state, error, since, last_ok, failures, next_try, updated_at FROM transports`
	var args []any
	if partner != "" {
		q += ` WHERE partner = ?`
		args = append(args, partner)
	}
	rows, err := s.db.Read().QueryContext(ctx, q+` ORDER BY partner, url`, args...)
	if err != nil {
		return nil, fmt.Errorf("transports: %w", err)
	}
	defer rows.Close()
	var out []TransportState
	for rows.Next() {
		var ts TransportState
		var since, lastOK, next, upd string
		if err := rows.Scan(&ts.Partner, &ts.URL, &ts.State, &ts.Error, &since, &lastOK, &ts.Failures, &next, &upd); err != nil {
			return nil, fmt.Errorf("transports: %w", err)
		}
		ts.Since, ts.LastOK, ts.NextTry, ts.UpdatedAt = optTime(since), optTime(lastOK), optTime(next), optTime(upd)
		out = append(out, ts)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("transports: %w", err)
	}
	return out, nil
}

// optStamp is t as the store writes times, "" for the zero time.
func optStamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// optTime reads a time optStamp wrote; "" (or anything unreadable) is zero.
func optTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// maskURL is raw with its password, if any, replaced by "xxxxx".
func maskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}

// maskURLIn masks the URL raw wherever it appears in text (errors from
// dialers tend to quote it), whole or as its user:password@ part.
func maskURLIn(text, raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return text
	}
	if _, ok := u.User.Password(); !ok {
		return text
	}
	text = strings.ReplaceAll(text, raw, u.Redacted())
	return strings.ReplaceAll(text, u.User.String()+"@", url.UserPassword(u.User.Username(), "xxxxx").String()+"@")
}
