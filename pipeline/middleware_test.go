package pipeline

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/orderhub/orderhub/adapters/sqlitebus"
	"github.com/orderhub/orderhub/internal/sqlitedb"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
	"github.com/orderhub/orderhub/store"
)

// testStage is a stage whose Prepare the test decides.
type testStage struct {
	prepare func(o *order.Order) error
}

func (testStage) Name() string            { return "test" }
func (testStage) Topic() string           { return "test.in" }
func (testStage) Done(status string) bool { return doneAt(order.StatusParsed, status) }
func (s testStage) Prepare(ctx context.Context, o *order.Order) (Outcome, Commit, error) {
	if err := s.prepare(o); err != nil {
		return Outcome{}, nil, err
	}
	return Outcome{Status: order.StatusParsed, Reason: "test"}, nil, nil
}
func (testStage) Outputs(ctx context.Context, o *order.Order, js []byte, corr string) ([]Output, error) {
	return next(o, "test.out", js, corr), nil
}

type rig struct {
	t     *testing.T
	st    *store.Store
	bus   *sqlitebus.Bus
	calls atomic.Int32
}

func newRig(t *testing.T, prepare func(r *rig, o *order.Order) error) *rig {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "s.db"), sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bdb, err := sqlitedb.Open(filepath.Join(dir, "bus.db"), sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bus, err := sqlitebus.New(bdb, sqlitebus.Config{PollInterval: 20 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, st: st, bus: bus}
	stage := testStage{prepare: func(o *order.Order) error { r.calls.Add(1); return prepare(r, o) }}
	p, err := build(st, bus.Publisher(), func(g string) (message.Subscriber, error) {
		return bus.Subscriber(sqlitebus.SubscriberConfig{ConsumerGroup: g, MaxInFlight: 4})
	}, Config{Retry: RetryConfig{MaxRetries: 3, InitialInterval: time.Millisecond, MaxInterval: 5 * time.Millisecond}}, nil, []Stage{stage})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	<-p.Running()
	t.Cleanup(func() {
		cancel()
		p.Close()
		<-done
		bus.Close()
		bdb.Close()
		st.Close()
	})
	return r
}

// send stores an order and publishes it to the stage, as intake would.
func (r *rig) send(id string, payload []byte) {
	r.t.Helper()
	o := &order.Order{ID: id, Partner: "P", PONumber: "PO-" + id, Lines: []order.Line{{LineNo: "1", SKU: "A"}}}
	js, _ := order.Marshal(o)
	if payload == nil {
		payload = js
	}
	if err := r.st.Update(context.Background(), func(tx *store.Tx) error {
		_, err := tx.InsertOrder(o, "doc", store.Pack(js), "test")
		return err
	}); err != nil {
		r.t.Fatal(err)
	}
	m := ordermsg.New(o, "test.in", "", payload, "corr-"+id)
	if err := r.bus.Publisher().Publish("test.in", m); err != nil {
		r.t.Fatal(err)
	}
}

// wait returns the messages on topic once there are n.
func (r *rig) wait(topic string, n int) []sqlitebus.Envelope {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var envs []sqlitebus.Envelope
		r.bus.Read(context.Background(), topic, 0, func(e sqlitebus.Envelope) error { envs = append(envs, e); return nil })
		if len(envs) >= n {
			return envs
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%d message(s) on %s, want %d", len(envs), topic, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (r *rig) events(id string) string {
	ev, err := r.st.Events(context.Background(), id)
	if err != nil {
		r.t.Fatal(err)
	}
	var s []string
	for _, e := range ev {
		s = append(s, e.Status+": "+e.Reason)
	}
	return strings.Join(s, " | ")
}

func TestTransientErrorsAreRetried(t *testing.T) {
	r := newRig(t, func(r *rig, o *order.Order) error {
		if r.calls.Load() < 3 {
			return errors.New("database is busy")
		}
		return nil
	})
	r.send("ord_1", nil)
	out := r.wait("test.out", 1)
	if out[0].Metadata[ordermsg.CorrelationID] != "corr-ord_1" {
		t.Errorf("correlation id not carried over: %v", out[0].Metadata)
	}
	if n := r.calls.Load(); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
	if got := r.events("ord_1"); !strings.Contains(got, "parsed: test") {
		t.Errorf("history %q", got)
	}
}

func TestFailuresGoToThePoisonQueueAndTheQueueMovesOn(t *testing.T) {
	var attempts sync.Map
	r := newRig(t, func(r *rig, o *order.Order) error {
		n, _ := attempts.LoadOrStore(o.ID, new(atomic.Int32))
		n.(*atomic.Int32).Add(1)
		switch o.ID {
		case "ord_panic":
			panic("boom")
		case "ord_fails":
			return errors.New("still broken")
		}
		return nil
	})
	r.send("ord_panic", nil)
	r.send("ord_garbage", []byte(`{"not": "an order"}`))
	r.send("ord_fails", nil)
	r.send("ord_ok", nil)

	poison := r.wait(TopicPoison, 3)
	reasons := map[string]string{}
	for _, e := range poison {
		reasons[e.Key] = e.Metadata[PoisonReasonKey]
		if e.Metadata[PoisonTopicKey] != "test.in" || e.Metadata[PoisonHandlerKey] != "test" {
			t.Errorf("poisoned %s: metadata %v", e.Key, e.Metadata)
		}
	}
	if !strings.Contains(reasons["ord_panic"], "panic: boom") {
		t.Errorf("panic reason %q", reasons["ord_panic"])
	}
	if !strings.Contains(reasons["ord_garbage"], "not a canonical order") {
		t.Errorf("garbage reason %q", reasons["ord_garbage"])
	}
	if !strings.Contains(reasons["ord_fails"], "still broken") {
		t.Errorf("failure reason %q", reasons["ord_fails"])
	}
	out := r.wait("test.out", 1)
	if out[0].Key != "ord_ok" {
		t.Errorf("test.out has %s", out[0].Key)
	}
	for _, id := range []string{"ord_panic", "ord_fails"} {
		if got := r.events(id); !strings.Contains(got, StatusPoisoned+": test:") {
			t.Errorf("%s history %q", id, got)
		}
	}
	// A panic is not retried (the same message would panic again); an
	// error is, MaxRetries times.
	count := func(id string) int32 {
		n, _ := attempts.Load(id)
		return n.(*atomic.Int32).Load()
	}
	if n := count("ord_panic"); n != 1 {
		t.Errorf("ord_panic: %d attempts, want 1", n)
	}
	if n := count("ord_fails"); n != 4 {
		t.Errorf("ord_fails: %d attempts, want 4", n)
	}
}
