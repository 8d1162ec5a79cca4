package sqlitebus

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
)

// session is one subscription's tenure of a group's lease on a topic: it
// reads rows after the committed position, hands them out and commits acks.
// All but delivery runs on one goroutine, so its state needs no locks.
type session struct {
	bus   *Bus
	cfg   SubscriberConfig
	lease lease
	out   chan<- *message.Message
	wake  <-chan struct{}
	log   watermill.LoggerAdapter

	pos       position           // last committed
	window    []*entry           // read and not retired, by offset; the head is never acked
	readPos   int64              // highest offset read
	skip      map[int64]struct{} // acked before this session and not read yet
	pending   int                // entries not handed out yet
	inFlight  int                // handed out and not committed
	keys      map[string]struct{}
	maxWindow int
	atEnd     bool // the last read reached the end of the topic

	acked   []*entry    // acked, not committed yet
	results chan *entry // deliveries report acks here
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

type entry struct {
	env   Envelope
	state int
}

const (
	statePending = iota
	stateOut
	stateAcked
)

// minWindow bounds how far reading may run ahead of a message that keeps
// being nacked, and with it the size of acked_above.
const minWindow = 1024

func newSession(s *Subscriber, l lease, pos position, out chan<- *message.Message, wake <-chan struct{}, log watermill.LoggerAdapter) *session {
	sess := &session{
		bus: s.bus, cfg: s.cfg, lease: l, out: out, wake: wake, log: log,
		pos: pos, readPos: pos.acked, skip: map[int64]struct{}{}, keys: map[string]struct{}{},
		maxWindow: max(minWindow, 2*s.cfg.BatchSize+s.cfg.MaxInFlight),
		results:   make(chan *entry, s.cfg.MaxInFlight),
	}
	for _, o := range pos.above {
		sess.skip[o] = struct{}{}
	}
	return sess
}

// run delivers until ctx ends (false) or the lease is lost (true).
func (s *session) run(ctx context.Context) (lost bool) {
	s.ctx, s.cancel = context.WithCancel(ctx)
	defer func() { s.stop(lost) }()
	poll := time.NewTicker(s.bus.cfg.PollInterval)
	defer poll.Stop()
	renew := time.NewTicker(leaseRenewEvery)
	defer renew.Stop()
	var bo backoff
	for {
		err := s.step(poll.C, renew.C)
		switch {
		case s.ctx.Err() != nil:
			return false
		case errors.Is(err, errLeaseLost):
			return true
		case err != nil:
			s.log.Error("Subscription step failed, retrying", err, nil)
			if !sleep(s.ctx, bo.next()) {
				return false
			}
		default:
			bo.reset()
		}
	}
}

// step does the next thing there is: commit acks, hand out messages and
// read more, or wait for an ack, a publish, a poll or a lease renewal.
func (s *session) step(poll, renew <-chan time.Time) error {
	if len(s.acked) > 0 {
		return s.commit(s.ctx)
	}
	s.dispatch()
	// Read when fewer rows are pending than could go out, or when slots are
	// free but every pending row waits for its key.
	n := s.cfg.MaxInFlight
	if !s.atEnd && (s.pending < n || s.inFlight < n) && len(s.window)+s.cfg.BatchSize <= s.maxWindow {
		return s.read()
	}
	select {
	case e := <-s.results:
		s.ack(e)
		s.drain() // acks arriving together commit together
	case <-s.wake:
		s.atEnd = false
	case <-poll:
		s.atEnd = false
	case <-renew:
		return s.bus.commit(s.ctx, s.lease, s.pos)
	case <-s.ctx.Done():
	}
	return nil
}

// stop ends the deliveries and commits the acks that made it in, so that an
// acked message is not delivered again after a clean close.
func (s *session) stop(lost bool) {
	s.cancel()
	s.wg.Wait()
	s.drain()
	if lost || len(s.acked) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), finalWriteTimeout)
	defer cancel()
	if err := s.commit(ctx); err != nil {
		s.log.Error("Committing last acks failed; those messages will be delivered again", err, nil)
	}
}

func (s *session) drain() {
	for {
		select {
		case e := <-s.results:
			s.ack(e)
		default:
			return
		}
	}
}

func (s *session) ack(e *entry) {
	e.state = stateAcked
	s.acked = append(s.acked, e)
}

func (s *session) read() error {
	rows, err := s.bus.db.Read().QueryContext(s.ctx, selectMessages+` AND "offset" > ? ORDER BY "offset" LIMIT ?`,
		s.lease.topic, s.readPos, s.cfg.BatchSize)
	var envs []Envelope
	if err == nil {
		envs, err = scanEnvelopes(rows, s.lease.topic)
	}
	if err != nil {
		return fmt.Errorf("sqlitebus: read topic %s for group %s: %w", s.lease.topic, s.lease.group, err)
	}
	for _, env := range envs {
		e := &entry{env: env}
		if _, ok := s.skip[env.Offset]; ok {
			// Acked before: it stays in the window so that the position
			// keeps recording it until the offset passes it.
			e.state = stateAcked
			delete(s.skip, env.Offset)
		} else {
			s.pending++
		}
		s.window = append(s.window, e)
		s.readPos = env.Offset
	}
	s.atEnd = len(envs) < s.cfg.BatchSize
	// Drop acked rows from the head now, not at the next commit, which never
	// comes if nothing is pending.
	s.retire()
	return nil
}

func (s *session) retire() {
	i := 0
	for i < len(s.window) && s.window[i].state == stateAcked {
		i++
	}
	s.window = s.window[i:]
}

// dispatch hands out pending entries in offset order while there is room,
// passing over those whose key is out already.
func (s *session) dispatch() {
	for _, e := range s.window {
		if s.inFlight >= s.cfg.MaxInFlight || s.pending == 0 {
			return
		}
		if _, busy := s.keys[e.env.Key]; e.state != statePending || busy {
			continue
		}
		e.state = stateOut
		s.pending--
		s.inFlight++
		if e.env.Key != "" {
			s.keys[e.env.Key] = struct{}{}
		}
		s.wg.Add(1)
		go s.deliver(e)
	}
}

// commit writes the position the acks make and only then frees their slots
// and keys: with MaxInFlight 1 the next message goes out once the ack is
// durable, and a key's next message never overtakes an ack a crash could
// still undo.
func (s *session) commit(ctx context.Context) error {
	s.retire()
	pos := position{acked: s.readPos}
	if len(s.window) > 0 {
		pos.acked = s.window[0].env.Offset - 1
	}
	for _, e := range s.window {
		if e.state == stateAcked {
			pos.above = append(pos.above, e.env.Offset)
		}
	}
	for o := range s.skip {
		if o <= pos.acked {
			delete(s.skip, o) // pruned before it was read
		}
	}
	pos.above = append(pos.above, slices.Sorted(maps.Keys(s.skip))...)
	if err := s.bus.commit(ctx, s.lease, pos); err != nil {
		return err
	}
	s.pos = pos
	for _, e := range s.acked {
		s.inFlight--
		delete(s.keys, e.env.Key)
	}
	s.acked = s.acked[:0]
	return nil
}

// deliver sends e until it is acked, again after each nack, and gives up
// when the session ends (the message then stays unacked).
func (s *session) deliver(e *entry) {
	defer s.wg.Done()
	for {
		// A fresh copy each time: a handler may change a message it nacks.
		msg := message.NewMessage(e.env.UUID, slices.Clone(e.env.Payload))
		for k, v := range e.env.Metadata {
			msg.Metadata.Set(k, v)
		}
		ctx, cancel := context.WithCancel(context.WithValue(s.ctx, offsetKey{}, e.env.Offset))
		msg.SetContext(ctx)
		select {
		case s.out <- msg:
		case <-s.ctx.Done():
			cancel()
			return
		}
		select {
		case <-msg.Acked():
		case <-msg.Nacked():
		case <-s.ctx.Done():
		}
		cancel()
		select {
		case <-msg.Acked(): // also when acked just as the session ended
			s.results <- e // never blocks: a slot per message in flight
			return
		default:
		}
		if !sleep(s.ctx, s.cfg.NackResendDelay) {
			return
		}
	}
}

type offsetKey struct{}

// OffsetFromContext returns the offset of the message whose context this
// is, for consumers that report where they are (orderhub consume).
func OffsetFromContext(ctx context.Context) (int64, bool) {
	o, ok := ctx.Value(offsetKey{}).(int64)
	return o, ok
}
