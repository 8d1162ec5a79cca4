package sqlitebus

import (
	"context"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderhub/orderhub/internal/sqlitedb"
)

func TestEveryGroupGetsEverything(t *testing.T) {
	path := newBusFile(t)
	b := openBus(t, path, fastConfig)
	ids := publishN(t, b, "orders", 50, nil)
	for _, g := range []string{"warehouse", "erp"} {
		// Each group from its own handle, as separate processes would.
		other := openBus(t, path, fastConfig)
		_, ch := subscribe(t, other, SubscriberConfig{ConsumerGroup: g, MaxInFlight: 4}, "orders")
		got := take(t, ch, 50)
		gotIDs := uuids(got)
		slices.Sort(gotIDs)
		assert.Equal(t, ids, gotIDs, "group %s", g)
		expectNone(t, ch, 30*time.Millisecond)
	}
}

// Within a group one subscription consumes at a time; when it closes, a
// waiting one on another handle takes over from the committed offset.
func TestGroupHandover(t *testing.T) {
	path := newBusFile(t)
	b1, b2 := openBus(t, path, fastConfig), openBus(t, path, fastConfig)
	ids := publishN(t, b1, "orders", 10, nil)
	cfg := SubscriberConfig{ConsumerGroup: "g"}
	s1, ch1 := subscribe(t, b1, cfg, "orders")
	take(t, ch1, 1)
	_, ch2 := subscribe(t, b2, cfg, "orders")
	take(t, ch1, 2)
	expectNone(t, ch2, 50*time.Millisecond)
	require.NoError(t, s1.Close())
	got := take(t, ch2, 7)
	assert.Equal(t, ids[3:], uuids(got))
	// A publish through the other handle wakes the subscriber at once (the
	// poll interval here is far longer than the deadline).
	b3 := openBus(t, path, Config{PollInterval: time.Hour})
	_, ch3 := subscribe(t, b3, SubscriberConfig{ConsumerGroup: "late", StartFrom: StartLatest}, "orders")
	waitLeased(t, b3, "late", "orders")
	require.NoError(t, b1.Publisher().Publish("orders", newMsg("wake", "")))
	select {
	case m := <-ch3:
		assert.Equal(t, "wake", m.UUID)
		m.Ack()
	case <-time.After(2 * time.Second):
		t.Fatal("subscriber not woken by a publish on another handle")
	}
}

func TestStartFromLatest(t *testing.T) {
	b := openBus(t, newBusFile(t), fastConfig)
	publishN(t, b, "orders", 3, nil)
	s, ch := subscribe(t, b, SubscriberConfig{ConsumerGroup: "g", StartFrom: StartLatest}, "orders")
	waitLeased(t, b, "g", "orders")
	expectNone(t, ch, 50*time.Millisecond)
	require.NoError(t, b.Publisher().Publish("orders", newMsg("new-1", ""), newMsg("new-2", "")))
	got := take(t, ch, 2)
	assert.Equal(t, []string{"new-1", "new-2"}, uuids(got))
	// The group now has a position: StartFrom no longer matters.
	require.NoError(t, s.Close())
	_, ch = subscribe(t, b, SubscriberConfig{ConsumerGroup: "g", StartFrom: StartEarliest}, "orders")
	expectNone(t, ch, 50*time.Millisecond)
}

// A lease held by another live process keeps a subscriber waiting until it
// expires; one held by a dead process on this host is taken at once.
func TestLeaseTakeover(t *testing.T) {
	b := openBus(t, newBusFile(t), fastConfig)
	publishN(t, b, "orders", 2, nil)
	setLease := func(group, host string, pid int, renewed time.Time) {
		require.NoError(t, b.db.Write(context.Background(), func(tx *sqlitedb.Tx) error {
			_, err := tx.Exec(`INSERT INTO bus_offsets (consumer_group, topic, lease_owner, lease_host, lease_pid, lease_renewed_at)
				VALUES (?, 'orders', 'someone', ?, ?, ?)`, group, host, pid, renewed.UnixMilli())
			return err
		}))
	}
	self := newLease("", "")

	setLease("remote", "other-host", 1, time.Now())
	_, ch := subscribe(t, b, SubscriberConfig{ConsumerGroup: "remote"}, "orders")
	expectNone(t, ch, 200*time.Millisecond)
	require.NoError(t, b.db.Write(context.Background(), func(tx *sqlitedb.Tx) error {
		_, err := tx.Exec(`UPDATE bus_offsets SET lease_renewed_at = ? WHERE consumer_group = 'remote'`,
			time.Now().Add(-leaseTTL-time.Second).UnixMilli())
		return err
	}))
	take(t, ch, 2) // within leaseRetryEvery

	cmd := exec.Command("true")
	require.NoError(t, cmd.Run())
	setLease("dead", self.host, cmd.ProcessState.Pid(), time.Now())
	_, ch = subscribe(t, b, SubscriberConfig{ConsumerGroup: "dead"}, "orders")
	select {
	case m := <-ch:
		m.Ack()
	case <-time.After(leaseRetryEvery / 2):
		t.Fatal("lease of a dead process not taken over at once")
	}
}
