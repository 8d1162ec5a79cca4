package sqlitebus

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderhub/orderhub/internal/sqlitedb"
)

// newMsg returns a message with a fixed UUID, a payload naming it and, if
// key is not empty, the key metadata.
func newMsg(uuid, key string) *message.Message {
	m := message.NewMessage(uuid, []byte("payload-"+uuid))
	if key != "" {
		m.Metadata.Set(KeyMetadata, key)
	}
	return m
}

func publishN(t *testing.T, b *Bus, topic string, n int, key func(i int) string) []string {
	t.Helper()
	var ids []string
	var msgs []*message.Message
	for i := range n {
		id := fmt.Sprintf("%s-%03d", topic, i)
		k := ""
		if key != nil {
			k = key(i)
		}
		ids = append(ids, id)
		msgs = append(msgs, newMsg(id, k))
	}
	require.NoError(t, b.Publisher().Publish(topic, msgs...))
	return ids
}

func subscribe(t *testing.T, b *Bus, cfg SubscriberConfig, topic string) (*Subscriber, <-chan *message.Message) {
	t.Helper()
	if cfg.NackResendDelay == 0 {
		cfg.NackResendDelay = 5 * time.Millisecond
	}
	s, err := b.Subscriber(cfg)
	require.NoError(t, err)
	ch, err := s.Subscribe(context.Background(), topic)
	require.NoError(t, err)
	return s, ch
}

// receive takes n messages off ch without acking them.
func receive(t *testing.T, ch <-chan *message.Message, n int) []*message.Message {
	t.Helper()
	var got []*message.Message
	deadline := time.After(10 * time.Second)
	for len(got) < n {
		select {
		case m, ok := <-ch:
			require.True(t, ok, "channel closed after %d of %d messages", len(got), n)
			got = append(got, m)
		case <-deadline:
			require.FailNow(t, "timed out", "received %d of %d messages", len(got), n)
		}
	}
	return got
}

// take takes n messages off ch, acking each as it comes (with MaxInFlight 1
// the next one comes only then).
func take(t *testing.T, ch <-chan *message.Message, n int) []*message.Message {
	t.Helper()
	var got []*message.Message
	for range n {
		m := receive(t, ch, 1)[0]
		m.Ack()
		got = append(got, m)
	}
	return got
}

// waitLeased waits until a subscription of group holds topic, and so has
// fixed its starting position.
func waitLeased(t *testing.T, b *Bus, group, topic string) {
	t.Helper()
	require.Eventually(t, func() bool {
		var n int
		err := b.db.Read().QueryRow(`SELECT count(*) FROM bus_offsets WHERE consumer_group = ? AND topic = ? AND lease_owner != ''`,
			group, topic).Scan(&n)
		return err == nil && n == 1
	}, 10*time.Second, 2*time.Millisecond)
}

// expectNone checks that nothing arrives on ch for a while.
func expectNone(t *testing.T, ch <-chan *message.Message, d time.Duration) {
	t.Helper()
	select {
	case m := <-ch:
		t.Fatalf("unexpected message %s", m.UUID)
	case <-time.After(d):
	}
}

func uuids(msgs []*message.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.UUID
	}
	return out
}

func TestPublishIsIdempotent(t *testing.T) {
	path := newBusFile(t)
	b := openBus(t, path, fastConfig)
	pub := b.Publisher()
	require.NoError(t, pub.Publish("t", newMsg("a", "k1"), newMsg("a", "k1"), newMsg("b", "")))
	require.NoError(t, pub.Publish("t", newMsg("a", "k1")))
	// The same UUID on another topic is another message.
	require.NoError(t, pub.Publish("u", newMsg("a", "k1")))

	topics, err := b.Topics(context.Background())
	require.NoError(t, err)
	require.Len(t, topics, 2)
	assert.Equal(t, "t", topics[0].Name)
	assert.EqualValues(t, 2, topics[0].Messages)

	_, ch := subscribe(t, b, SubscriberConfig{ConsumerGroup: "g"}, "t")
	got := take(t, ch, 2)
	assert.Equal(t, []string{"a", "b"}, uuids(got))
	assert.Equal(t, "k1", got[0].Metadata.Get(KeyMetadata))
	assert.Equal(t, "payload-a", string(got[0].Payload))
	expectNone(t, ch, 50*time.Millisecond)
}

func TestPublishRejects(t *testing.T) {
	b := openBus(t, newBusFile(t), fastConfig)
	pub := b.Publisher()
	assert.Error(t, pub.Publish("", newMsg("a", "")))
	assert.Error(t, pub.Publish("t", newMsg("", "")))
	require.NoError(t, pub.Close())
	assert.ErrorIs(t, pub.Publish("t", newMsg("a", "")), ErrClosed)
	// Another publisher of the same bus still works.
	assert.NoError(t, b.Publisher().Publish("t", newMsg("a", "")))
}

// A restart (new database handle, new Bus) redelivers what was not acked and
// nothing that was.
func TestResumeAfterReopen(t *testing.T) {
	path := newBusFile(t)
	cfg := SubscriberConfig{ConsumerGroup: "g"}
	{
		b := openBus(t, path, fastConfig)
		ids := publishN(t, b, "orders", 10, nil)
		s, ch := subscribe(t, b, cfg, "orders")
		for i := range 4 {
			m := receive(t, ch, 1)[0]
			require.Equal(t, ids[i], m.UUID)
			m.Ack()
		}
		m := receive(t, ch, 1)[0] // delivered, never acked
		require.Equal(t, ids[4], m.UUID)
		require.NoError(t, s.Close())
		_, open := <-ch
		require.False(t, open, "channel must close with the subscriber")
	}
	b := openBus(t, path, fastConfig)
	_, ch := subscribe(t, b, cfg, "orders")
	got := take(t, ch, 6)
	assert.Equal(t, "orders-004", got[0].UUID)
	assert.Equal(t, "orders-009", got[5].UUID)
	expectNone(t, ch, 50*time.Millisecond)
}

// With MaxInFlight > 1 acks arrive out of order; after a restart exactly the
// unacked messages come back.
func TestOutOfOrderAcksSurviveRestart(t *testing.T) {
	path := newBusFile(t)
	cfg := SubscriberConfig{ConsumerGroup: "g", MaxInFlight: 8, BatchSize: 5}
	acked := map[string]bool{}
	var all []string
	{
		b := openBus(t, path, fastConfig)
		all = publishN(t, b, "orders", 30, func(i int) string { return fmt.Sprint("k", i) })
		s, ch := subscribe(t, b, cfg, "orders")
		first := receive(t, ch, 8)
		// Ack the even ones, in reverse order; leave the odd ones out.
		for i := len(first) - 1; i >= 0; i-- {
			if i%2 == 0 {
				first[i].Ack()
				acked[first[i].UUID] = true
			}
		}
		// Four slots free up: four more go out; ack two of them.
		more := receive(t, ch, 4)
		more[3].Ack()
		more[1].Ack()
		acked[more[3].UUID], acked[more[1].UUID] = true, true
		require.NoError(t, s.Close())
	}
	var want []string
	for _, id := range all {
		if !acked[id] {
			want = append(want, id)
		}
	}
	b := openBus(t, path, fastConfig)
	_, ch := subscribe(t, b, cfg, "orders")
	var got []string
	for range want {
		m := receive(t, ch, 1)[0]
		got = append(got, m.UUID)
		m.Ack()
	}
	slices.Sort(got)
	assert.Equal(t, want, got)
	expectNone(t, ch, 50*time.Millisecond)
}

// Messages with the same key are never out together, and keep their order;
// messages with other keys pass them.
func TestSameKeyNeverInFlightTogether(t *testing.T) {
	b := openBus(t, newBusFile(t), fastConfig)
	const n, keys = 300, 7
	publishN(t, b, "orders", n, func(i int) string {
		if i%10 == 9 {
			return "" // no key: may go with anything
		}
		return fmt.Sprint("k", i%keys)
	})
	_, ch := subscribe(t, b, SubscriberConfig{ConsumerGroup: "g", MaxInFlight: 16, BatchSize: 20}, "orders")

	var mu sync.Mutex
	out := map[string]string{} // key -> uuid in flight
	order := map[string][]string{}
	maxOut, cur := 0, 0
	var wg sync.WaitGroup
	var acked atomic.Int32
	done := make(chan struct{})
	timeout := time.After(20 * time.Second)
loop:
	for {
		var m *message.Message
		select {
		case m = <-ch:
		case <-done:
			break loop
		case <-timeout:
			t.Fatalf("timed out with %d of %d acked", acked.Load(), n)
		}
		key := m.Metadata.Get(KeyMetadata)
		mu.Lock()
		if key != "" {
			if other, busy := out[key]; busy {
				t.Errorf("%s delivered while %s with the same key %s is in flight", m.UUID, other, key)
			}
			out[key] = m.UUID
			order[key] = append(order[key], m.UUID)
		}
		cur++
		maxOut = max(maxOut, cur)
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(rand.IntN(500)) * time.Microsecond)
			mu.Lock()
			delete(out, key)
			cur--
			mu.Unlock()
			// Nack now and then: the redelivery must still come before the
			// key's next message.
			if rand.IntN(10) == 0 {
				m.Nack()
				return
			}
			m.Ack()
			if acked.Add(1) == n {
				close(done)
			}
		}()
	}
	wg.Wait()
	for k, ids := range order {
		// Non-strict: a nacked message comes again before the next.
		assert.True(t, slices.IsSorted(ids), "key %s out of order: %v", k, ids)
	}
	assert.LessOrEqual(t, maxOut, 16)
	assert.Greater(t, maxOut, 1, "messages with different keys should overlap")
}

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

func TestRetentionPrunesOldMessages(t *testing.T) {
	b := openBus(t, newBusFile(t), Config{PollInterval: 10 * time.Millisecond, Retention: time.Hour})
	publishN(t, b, "old", 5, nil)
	require.NoError(t, b.db.Write(context.Background(), func(tx *sqlitedb.Tx) error {
		_, err := tx.Exec(`UPDATE bus_messages SET published_at = ?`, formatTime(time.Now().Add(-2*time.Hour)))
		return err
	}))
	publishN(t, b, "new", 3, nil)
	n, err := b.prune(context.Background(), time.Now())
	require.NoError(t, err)
	// The bus's own pruner runs once at open; on a slow or loaded machine
	// its first run can come after the update above and take the five
	// first. Either way they are gone, and nothing newer is.
	if n != 0 {
		assert.EqualValues(t, 5, n)
	}
	topics, err := b.Topics(context.Background())
	require.NoError(t, err)
	require.Len(t, topics, 1)
	assert.Equal(t, "new", topics[0].Name)

	// Negative retention keeps everything; no pruner runs.
	forever := openBus(t, newBusFile(t), Config{Retention: -1})
	assert.Less(t, forever.cfg.Retention, time.Duration(0))
}

func TestReadAndTopics(t *testing.T) {
	b := openBus(t, newBusFile(t), fastConfig)
	msg := newMsg("m1", "ord_1")
	msg.Metadata.Set("partner", "BIGRETAIL")
	require.NoError(t, b.Publisher().Publish("a", msg))
	publishN(t, b, "b", 3, nil)
	publishN(t, b, "a", 2, nil)

	topics, err := b.Topics(context.Background())
	require.NoError(t, err)
	require.Len(t, topics, 2)
	assert.Equal(t, TopicInfo{Name: "a", Messages: 3, LastOffset: 6}, topics[0])
	assert.Equal(t, TopicInfo{Name: "b", Messages: 3, LastOffset: 4}, topics[1])

	var got []Envelope
	require.NoError(t, b.Read(context.Background(), "a", 0, func(e Envelope) error {
		got = append(got, e)
		return nil
	}))
	require.Len(t, got, 3)
	first := got[0]
	assert.Equal(t, "a", first.Topic)
	assert.EqualValues(t, 1, first.Offset)
	assert.Equal(t, "m1", first.UUID)
	assert.Equal(t, "ord_1", first.Key)
	assert.Equal(t, map[string]string{"key": "ord_1", "partner": "BIGRETAIL"}, first.Metadata)
	assert.Equal(t, "payload-m1", string(first.Payload))
	assert.WithinDuration(t, time.Now(), first.PublishedAt, time.Minute)
	assert.Equal(t, []int64{1, 5, 6}, []int64{got[0].Offset, got[1].Offset, got[2].Offset})

	// From an offset, and stopped by fn.
	var offsets []int64
	stop := errors.New("enough")
	err = b.Read(context.Background(), "a", 5, func(e Envelope) error {
		offsets = append(offsets, e.Offset)
		return stop
	})
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, []int64{5}, offsets)

	// Read commits nothing: a group still gets everything.
	_, ch := subscribe(t, b, SubscriberConfig{ConsumerGroup: "g"}, "a")
	take(t, ch, 3)
}

func TestSubscriberLifecycle(t *testing.T) {
	b := openBus(t, newBusFile(t), fastConfig)
	s, err := b.Subscriber(SubscriberConfig{ConsumerGroup: "g"})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := s.Subscribe(ctx, "t")
	require.NoError(t, err)
	cancel()
	_, open := <-ch
	assert.False(t, open, "cancelling the Subscribe context closes the channel")

	ch, err = s.Subscribe(context.Background(), "t")
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close())
	_, open = <-ch
	assert.False(t, open)
	_, err = s.Subscribe(context.Background(), "t")
	assert.ErrorIs(t, err, ErrClosed)

	// Closing the bus closes its subscribers.
	s2, err := b.Subscriber(SubscriberConfig{ConsumerGroup: "g"})
	require.NoError(t, err)
	ch, err = s2.Subscribe(context.Background(), "t")
	require.NoError(t, err)
	require.NoError(t, b.Close())
	_, open = <-ch
	assert.False(t, open)
	_, err = b.Subscriber(SubscriberConfig{ConsumerGroup: "g"})
	assert.ErrorIs(t, err, ErrClosed)
	assert.ErrorIs(t, b.Publisher().Publish("t", newMsg("x", "")), ErrClosed)
}

func TestConfigValidation(t *testing.T) {
	db, err := sqlitedb.Open(newBusFile(t), sqlitedb.Options{})
	require.NoError(t, err)
	defer db.Close()
	_, err = New(db, Config{PollInterval: -time.Second}, nil)
	assert.ErrorContains(t, err, "PollInterval")
	_, err = New(nil, Config{}, nil)
	assert.Error(t, err)

	b, err := New(db, Config{}, nil)
	require.NoError(t, err)
	defer b.Close()
	assert.Equal(t, defaultPollInterval, b.cfg.PollInterval)
	assert.Equal(t, defaultRetention, b.cfg.Retention)

	for _, tc := range []struct {
		cfg  SubscriberConfig
		want string
	}{
		{SubscriberConfig{}, "ConsumerGroup is required"},
		{SubscriberConfig{ConsumerGroup: "g", BatchSize: -1}, "BatchSize"},
		{SubscriberConfig{ConsumerGroup: "g", MaxInFlight: -1}, "MaxInFlight"},
		{SubscriberConfig{ConsumerGroup: "g", NackResendDelay: -1}, "NackResendDelay"},
		{SubscriberConfig{ConsumerGroup: "g", StartFrom: "middle"}, "StartFrom"},
	} {
		_, err := b.Subscriber(tc.cfg)
		assert.ErrorContains(t, err, tc.want)
	}
	s, err := b.Subscriber(SubscriberConfig{ConsumerGroup: "g"})
	require.NoError(t, err)
	assert.Equal(t, SubscriberConfig{ConsumerGroup: "g", BatchSize: 100, MaxInFlight: 1,
		NackResendDelay: 100 * time.Millisecond, StartFrom: StartEarliest}, s.cfg)
	_, err = s.Subscribe(context.Background(), "")
	assert.Error(t, err)
}

// A position whose acked set runs far ahead, over a head that was pruned
// unread, must neither stall nor redeliver: only the unacked tail comes.
func TestRestartWithLongAckedRun(t *testing.T) {
	b := openBus(t, newBusFile(t), fastConfig)
	ids := publishN(t, b, "orders", 1200, nil)
	above := make([]int64, 0, 1099)
	for o := int64(2); o <= 1100; o++ {
		above = append(above, o)
	}
	require.NoError(t, b.db.Write(context.Background(), func(tx *sqlitedb.Tx) error {
		if _, err := tx.Exec(`DELETE FROM bus_messages WHERE "offset" = 1`); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO bus_offsets (consumer_group, topic, acked_offset, acked_above) VALUES ('g', 'orders', 0, ?)`,
			fmt.Sprint(strings.ReplaceAll(fmt.Sprint(above), " ", ",")))
		return err
	}))
	_, ch := subscribe(t, b, SubscriberConfig{ConsumerGroup: "g", MaxInFlight: 4}, "orders")
	got := uuids(take(t, ch, 100))
	slices.Sort(got)
	assert.Equal(t, ids[1100:], got)
	expectNone(t, ch, 50*time.Millisecond)
	var acked int64
	var rest string
	require.Eventually(t, func() bool {
		require.NoError(t, b.db.Read().QueryRow(`SELECT acked_offset, acked_above FROM bus_offsets WHERE consumer_group = 'g'`).Scan(&acked, &rest))
		return acked == 1200
	}, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, "[]", rest)
}

// The reason this package exists: a handler that publishes to the same
// database while its input is unacked must not wait on its own subscriber.
func TestHandlerPublishesToSameDatabase(t *testing.T) {
	for _, inFlight := range []int{1, 8} {
		t.Run(fmt.Sprint("in-flight-", inFlight), func(t *testing.T) {
			b := openBus(t, newBusFile(t), fastConfig)
			ids := publishN(t, b, "in", 100, func(i int) string { return fmt.Sprint("ord_", i%10) })
			sub, err := b.Subscriber(SubscriberConfig{ConsumerGroup: "stage", MaxInFlight: inFlight})
			require.NoError(t, err)
			router, err := message.NewRouter(message.RouterConfig{}, nil)
			require.NoError(t, err)
			router.AddHandler("stage", "in", sub, "out", b.Publisher(), func(m *message.Message) ([]*message.Message, error) {
				// A deterministic UUID: a redelivered input cannot duplicate its output.
				out := message.NewMessage("out-"+m.UUID, m.Payload)
				out.Metadata.Set(KeyMetadata, m.Metadata.Get(KeyMetadata))
				return []*message.Message{out}, nil
			})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error)
			go func() { done <- router.Run(ctx) }()
			defer func() { cancel(); require.NoError(t, <-done) }()

			_, ch := subscribe(t, b, SubscriberConfig{ConsumerGroup: "sink", MaxInFlight: inFlight}, "out")
			got := uuids(take(t, ch, 100))
			slices.Sort(got)
			want := make([]string, len(ids))
			for i, id := range ids {
				want[i] = "out-" + id
			}
			assert.Equal(t, want, got)
		})
	}
}
