package sqlitebus

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"

	"github.com/orderhub/orderhub/internal/sqlitedb"
)

const (
	// leaseTTL is how long a lease lives without renewal before another
	// process may take it over.
	leaseTTL = 15 * time.Second
	// leaseRenewEvery keeps a live holder well inside leaseTTL even if a
	// renewal or two fails.
	leaseRenewEvery = 5 * time.Second
	// leaseRetryEvery is how often a subscription asks for a lease that
	// another process holds.
	leaseRetryEvery = time.Second
)

var (
	errLeaseHeld = errors.New("lease held by another subscriber")
	errLeaseLost = errors.New("lease lost to another subscriber")
)

// lease identifies one subscription as the holder of a group's topic. The
// owner string is unique (random part); host and pid let a subscriber on the
// same host tell that the holder's process is gone.
type lease struct {
	group, topic string
	owner, host  string
	pid          int
}

func newLease(group, topic string) lease {
	host, _ := os.Hostname()
	pid := os.Getpid()
	return lease{group: group, topic: topic, host: host, pid: pid,
		owner: fmt.Sprintf("%s/%d/%s", host, pid, rand.Text())}
}

// position is what a group has committed on a topic: every message at or
// below acked, and the messages at the offsets in above.
type position struct {
	acked int64
	above []int64
}

// canTake tells whether the lease in a row may be taken over by l. The
// caller holds the in-process lock of the group and topic, so a lease
// carrying this process's pid is a leftover, not a live subscription.
func (l lease) canTake(owner, host string, pid int, renewedAt, now time.Time) bool {
	switch {
	case owner == "" || owner == l.owner:
		return true
	case now.Sub(renewedAt) > leaseTTL:
		return true
	case host != l.host:
		return false
	case pid == l.pid:
		return true
	default:
		return !pidAlive(pid)
	}
}

// pidAlive tells whether a process with this pid exists on this host. A
// reused pid makes a dead holder look alive; the lease then expires by TTL.
func pidAlive(pid int) bool {
	if runtime.GOOS == "windows" || pid <= 0 {
		return true // no cheap probe: fall back on the TTL
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

// take claims the lease for l and returns the group's committed position,
// creating the group's row (at the start or end of the topic, per startFrom)
// if it has none. It returns errLeaseHeld, with the holder, when another live
// subscriber has it.
func (b *Bus) takeLease(ctx context.Context, l lease, startFrom string) (pos position, holder string, err error) {
	now := time.Now()
	err = b.db.Write(ctx, func(tx *sqlitedb.Tx) error {
		var above, owner, host string
		var pid int
		var renewed int64
		err := tx.QueryRow(`SELECT acked_offset, acked_above, lease_owner, lease_host, lease_pid, lease_renewed_at
			FROM bus_offsets WHERE consumer_group = ? AND topic = ?`, l.group, l.topic).
			Scan(&pos.acked, &above, &owner, &host, &pid, &renewed)
		if errors.Is(err, sql.ErrNoRows) {
			pos = position{}
			if startFrom == StartLatest {
				err := tx.QueryRow(`SELECT COALESCE(MAX("offset"), 0) FROM bus_messages WHERE topic = ?`, l.topic).Scan(&pos.acked)
				if err != nil {
					return err
				}
			}
			_, err := tx.Exec(`INSERT INTO bus_offsets (consumer_group, topic, acked_offset, acked_above,
				lease_owner, lease_host, lease_pid, lease_renewed_at) VALUES (?, ?, ?, '[]', ?, ?, ?, ?)`,
				l.group, l.topic, pos.acked, l.owner, l.host, l.pid, now.UnixMilli())
			return err
		}
		if err != nil {
			return err
		}
		if !l.canTake(owner, host, pid, time.UnixMilli(renewed), now) {
			holder = owner
			return errLeaseHeld
		}
		if err := json.Unmarshal([]byte(above), &pos.above); err != nil {
			return fmt.Errorf("acked_above: %w", err)
		}
		_, err = tx.Exec(`UPDATE bus_offsets SET lease_owner = ?, lease_host = ?, lease_pid = ?, lease_renewed_at = ?
			WHERE consumer_group = ? AND topic = ?`, l.owner, l.host, l.pid, now.UnixMilli(), l.group, l.topic)
		return err
	})
	if err != nil && !errors.Is(err, errLeaseHeld) {
		err = fmt.Errorf("sqlitebus: take lease of group %s on topic %s: %w", l.group, l.topic, err)
	}
	return pos, holder, err
}

// commit stores pos as l's group's position and renews the lease (a renewal
// is a commit of the same position), unless the lease has passed to someone
// else (errLeaseLost): a subscriber that lost its lease must not move the
// position under the new holder's feet.
func (b *Bus) commit(ctx context.Context, l lease, pos position) error {
	above := []byte("[]")
	if len(pos.above) > 0 {
		var err error
		if above, err = json.Marshal(pos.above); err != nil {
			return err
		}
	}
	return b.updateLease(ctx, l, "commit offset", `UPDATE bus_offsets SET acked_offset = ?, acked_above = ?, lease_renewed_at = ?
		WHERE consumer_group = ? AND topic = ? AND lease_owner = ?`,
		pos.acked, string(above), time.Now().UnixMilli(), l.group, l.topic, l.owner)
}

func (b *Bus) releaseLease(ctx context.Context, l lease) error {
	err := b.updateLease(ctx, l, "release lease", `UPDATE bus_offsets SET lease_owner = '', lease_host = '', lease_pid = 0
		WHERE consumer_group = ? AND topic = ? AND lease_owner = ?`, l.group, l.topic, l.owner)
	if errors.Is(err, errLeaseLost) {
		return nil // nothing to release
	}
	return err
}

// updateLease runs an UPDATE fenced by lease_owner and reports errLeaseLost
// when it matched no row.
func (b *Bus) updateLease(ctx context.Context, l lease, what, query string, args ...any) error {
	var n int64
	err := b.db.Write(ctx, func(tx *sqlitedb.Tx) error {
		res, err := tx.Exec(query, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err == nil && n == 0 {
		err = errLeaseLost
	}
	if err != nil {
		return fmt.Errorf("sqlitebus: %s of group %s on topic %s: %w", what, l.group, l.topic, err)
	}
	return nil
}
