package sqlitebus

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/tests"
	"github.com/stretchr/testify/require"

	"github.com/orderhub/orderhub/internal/sqlitedb"
)

// openBus opens a database handle and a Bus on path, as another process
// would, and closes both when t ends.
func openBus(t testing.TB, path string, cfg Config) *Bus {
	t.Helper()
	db, err := sqlitedb.Open(path, sqlitedb.Options{BusyTimeout: 30 * time.Second})
	require.NoError(t, err)
	bus, err := New(db, cfg, nil)
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, bus.Close())
		require.NoError(t, db.Close())
	})
	return bus
}

// newBusFile returns the path of a new bus database. Nothing creates it
// before the tests' handles open it at once, as processes starting together
// would.
func newBusFile(t testing.TB) string {
	return filepath.Join(t.TempDir(), "bus.db")
}

// fast settings keep the universal suite quick: it waits for polls and nack
// delays many times over.
var fastConfig = Config{PollInterval: 10 * time.Millisecond}

func TestUniversal(t *testing.T) {
	cases := []struct {
		name        string
		maxInFlight int
		features    tests.Features
	}{
		{"in-order", 1, tests.Features{
			ConsumerGroups:      true,
			ExactlyOnceDelivery: true,
			GuaranteedOrder:     true,
			Persistent:          true,
			// One group ("test") for every plain constructor: a second
			// subscriber of that group waits for the first, it does not get
			// the old messages again.
			NewSubscriberReceivesOldMessages: false,
		}},
		{"in-flight-16", 16, tests.Features{
			ConsumerGroups:      true,
			ExactlyOnceDelivery: true,
			GuaranteedOrder:     false,
			Persistent:          true,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := newBusFile(t)
			withGroup := func(t *testing.T, group string) (message.Publisher, message.Subscriber) {
				bus := openBus(t, path, fastConfig)
				sub, err := bus.Subscriber(SubscriberConfig{
					ConsumerGroup:   group,
					MaxInFlight:     tc.maxInFlight,
					NackResendDelay: 5 * time.Millisecond,
				})
				require.NoError(t, err)
				return bus.Publisher(), sub
			}
			plain := func(t *testing.T) (message.Publisher, message.Subscriber) { return withGroup(t, "test") }
			tests.TestPubSub(t, tc.features, plain, withGroup)

			// With ExactlyOnceDelivery the suite skips its two tests of
			// closing subscribers mid-stream; run them with duplicates
			// allowed, since they check that nothing is lost.
			lenient := tc.features
			lenient.ExactlyOnceDelivery = false
			t.Run("ContinueAfterSubscribeClose", func(t *testing.T) {
				tests.TestContinueAfterSubscribeClose(t, tests.TestContext{TestID: tests.NewTestID(), Features: lenient}, plain)
			})
			t.Run("ConcurrentClose", func(t *testing.T) {
				tests.TestConcurrentClose(t, tests.TestContext{TestID: tests.NewTestID(), Features: lenient}, plain)
			})
		})
	}
}
