package sqlitebus

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderhub/orderhub/internal/sqlitedb"
)

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
