package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
	"github.com/orderhub/orderhub/store"
)

// Stage is one step of the pipeline.
//
// A stage works in two halves so the store's single writer does as little as
// possible: Prepare runs concurrently, outside any transaction (reads from
// the store, decisions, computing), and returns the decision it expects plus
// a Commit that the writer runs inside the transaction to make it durable.
type Stage interface {
	// Name names the router handler and, with GroupPrefix, its consumer group.
	Name() string
	// Topic is the topic the stage consumes.
	Topic() string
	// Done tells whether an order in status has already been through this
	// stage (or cannot go through it any more), so a redelivered message
	// changes nothing.
	Done(status string) bool
	// Prepare does the stage's reads and computing and may change o. It
	// returns the outcome it expects and the Commit that makes it so.
	Prepare(ctx context.Context, o *order.Order) (Outcome, Commit, error)
	// Outputs are the messages an order leaving this stage produces,
	// derived from the order alone so that a redelivery, which only has
	// the stored order, publishes the same messages again.
	Outputs(ctx context.Context, o *order.Order, js []byte, correlationID string) ([]Output, error)
}

// turnTaker is a stage whose orders take turns (Stock's allocation
// window). Turn waits for the order's turn before Prepare; the runner calls
// done once the order's transaction is over, committed or not, so the next
// in turn plans on what it left.
type turnTaker interface {
	Turn(ctx context.Context, o *order.Order) (done func(), err error)
}

// Commit makes a stage's change inside the store transaction. A stage whose
// only change is the order itself returns a nil Commit: the runner then moves
// the order with one guarded statement. It returns the
// outcome; changed says the order or the outcome differs from what Prepare
// expected (stock taken meanwhile by another order), so it must be encoded
// again. Commit runs on the store's writer: short, no I/O beyond tx.
type Commit func(tx *store.Tx) (out Outcome, changed bool, err error)

// Outcome is what a stage decided.
type Outcome struct {
	// Status is the order's new status.
	Status string
	// Reason goes into the status history.
	Reason string
	// Keep leaves status and history alone (dedupe letting a first arrival
	// through).
	Keep bool
}

// Output is a message for a topic.
type Output struct {
	Topic string
	Msg   *message.Message
	// Order, when set, is the order Msg's payload encodes, handed to the
	// next stage in this process so it need not decode it.
	Order *order.Order
}

// runner runs a stage as a router handler.
type runner struct {
	// notDone are the statuses in which an order has yet to go through the
	// stage.
	notDone []string
	stage   Stage
	store   *store.Store
	pub     message.Publisher
	log     *slog.Logger
	stats   *StageStats
	cache   *orderCache
}

func (r *runner) handle(msg *message.Message) error {
	ctx := msg.Context()
	start := time.Now()
	o := r.cache.take(msg.UUID, msg.Payload)
	if o == nil {
		var err error
		if o, err = order.Decode(msg.Payload); err != nil {
			return Permanent(fmt.Errorf("message %s is not a canonical order: %w", msg.UUID, err))
		}
	}
	if o.ID == "" {
		return Permanent(fmt.Errorf("message %s: order without id", msg.UUID))
	}
	release := func() {}
	var err error
	if t, ok := r.stage.(turnTaker); ok {
		if release, err = t.Turn(ctx, o); err != nil {
			return err
		}
		defer release() // once: an early return must not hold the others up
	}
	want, commit, err := r.stage.Prepare(ctx, o)
	if err != nil {
		return err
	}
	// Encode before taking the writer: in the common case the writer only
	// confirms what Prepare decided.
	var js []byte
	if want.Keep {
		js = msg.Payload
	} else {
		o.Status = want.Status
		if js, err = order.Marshal(o); err != nil {
			return fmt.Errorf("encode order %s: %w", o.ID, err)
		}
	}
	packed := store.Pack(js)
	prepared := time.Now()
	var inWriter time.Duration
	var skipped bool
	var out Outcome
	err = r.store.Update(ctx, func(tx *store.Tx) error {
		t0 := time.Now()
		defer func() { inWriter = time.Since(t0) }()
		skipped = false
		if commit == nil {
			out = want
			moved, err := tx.AdvanceFrom(o.ID, r.notDone, want.Status, want.Reason, packed)
			if err != nil || moved {
				return err
			}
			// Not moved: gone past this stage already, or unknown.
			if _, err := tx.OrderStatus(o.ID); err != nil {
				return err
			}
			skipped = true
			js, err = tx.OrderJSON(o.ID)
			return err
		}
		status, err := tx.OrderStatus(o.ID)
		if err != nil {
			return err
		}
		if r.stage.Done(status) {
			skipped = true
			js, err = tx.OrderJSON(o.ID)
			return err
		}
		var changed bool
		if out, changed, err = commit(tx); err != nil {
			return err
		}
		if out.Keep {
			return nil
		}
		if changed || out.Status != want.Status {
			o.Status = out.Status
			if js, err = order.Marshal(o); err != nil {
				return fmt.Errorf("encode order %s: %w", o.ID, err)
			}
			packed = store.Pack(js)
		}
		return tx.Advance(o.ID, out.Status, out.Reason, packed)
	})
	committed := time.Now()
	release()
	if errors.Is(err, store.ErrNotFound) {
		return Permanent(err)
	}
	if err != nil {
		return err
	}
	if skipped {
		// Gone past this stage before: publish what it published then (the
		// bus ignores UUIDs it has), in case the crash came in between.
		if o, err = order.Decode(js); err != nil {
			return Permanent(fmt.Errorf("stored order is not canonical: %w", err))
		}
	} else if out.Status == order.StatusRejected {
		r.log.Warn("order rejected", "order", o.ID, "partner", o.Partner, "po", o.PONumber, "reason", out.Reason)
	} else if !out.Keep {
		r.log.Debug("order "+out.Status, "order", o.ID, "po", o.PONumber, "reason", out.Reason)
	}
	outs, err := r.outputs(ctx, o, js, msg)
	if err != nil {
		return err
	}
	// Before publishing: once published, the next stage may take the
	// message at once.
	for _, out := range outs {
		if out.Order != nil {
			r.cache.put(out.Msg.UUID, out.Msg.Payload, out.Order)
		}
	}
	if err := r.publish(outs); err != nil {
		return err
	}
	r.stats.add(prepared.Sub(start), inWriter, committed.Sub(prepared)-inWriter, time.Since(committed))
	return nil
}

// outputs adds the common sinks to the stage's own.
func (r *runner) outputs(ctx context.Context, o *order.Order, js []byte, msg *message.Message) ([]Output, error) {
	corr := msg.Metadata.Get(ordermsg.CorrelationID)
	switch o.Status {
	case order.StatusRejected:
		return []Output{{Topic: TopicRejected, Msg: ordermsg.New(o, TopicRejected, "", js, corr)}}, nil
	case order.StatusDuplicate, order.StatusCancelled, order.StatusHeld:
		return nil, nil // held: nothing goes on until a release
	}
	return r.stage.Outputs(ctx, o, js, corr)
}

// publish sends outputs, one Publish per topic.
func (r *runner) publish(outs []Output) error {
	for i := 0; i < len(outs); {
		j := i + 1
		for j < len(outs) && outs[j].Topic == outs[i].Topic {
			j++
		}
		msgs := make([]*message.Message, 0, j-i)
		for _, o := range outs[i:j] {
			o.Msg.Metadata.Set(ordermsg.Stage, r.stage.Name())
			msgs = append(msgs, o.Msg)
		}
		if err := r.pub.Publish(outs[i].Topic, msgs...); err != nil {
			return fmt.Errorf("publish to %s: %w", outs[i].Topic, err)
		}
		i = j
	}
	return nil
}

// next is the usual output: the order, as it is now, on the next topic.
func next(o *order.Order, topic string, js []byte, corr string) []Output {
	return []Output{{Topic: topic, Msg: ordermsg.New(o, topic, "", js, corr), Order: o}}
}

// notDone lists the statuses in which an order has yet to go through s.
func notDone(s Stage) []string {
	var out []string
	for _, st := range order.Statuses() {
		if !s.Done(st) {
			out = append(out, st)
		}
	}
	return out
}

// doneAt is the usual Done: the order's status is at or past status.
func doneAt(status, current string) bool {
	return order.Final(current) || order.Rank(current) >= order.Rank(status)
}

// reject sets the order's problems and returns the rejected outcome.
func reject(o *order.Order, stage string, problems []order.Problem) Outcome {
	o.Problems = problems
	msgs := make([]string, 0, len(problems))
	for i, p := range problems {
		if i == 5 {
			msgs = append(msgs, fmt.Sprintf("and %d more", len(problems)-i))
			break
		}
		if p.Path != "" {
			msgs = append(msgs, p.Path+": "+p.Message)
		} else {
			msgs = append(msgs, p.Message)
		}
	}
	reason := stage + ": "
	for i, m := range msgs {
		if i > 0 {
			reason += "; "
		}
		reason += m
	}
	return Outcome{Status: order.StatusRejected, Reason: reason}
}
