package sqlitebus

import (
	"context"
	"fmt"
	"math/rand/v2"
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
