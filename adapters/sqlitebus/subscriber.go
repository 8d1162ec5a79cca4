package sqlitebus

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
)

// Subscriber reads the bus as one consumer group. It implements
// message.Subscriber.
type Subscriber struct {
	bus *Bus
	cfg SubscriberConfig

	ctx    context.Context // cancelled by Close: ends every subscription
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
}

var _ message.Subscriber = (*Subscriber)(nil)

func newSubscriber(b *Bus, cfg SubscriberConfig) *Subscriber {
	ctx, cancel := context.WithCancel(context.Background())
	return &Subscriber{bus: b, cfg: cfg, ctx: ctx, cancel: cancel}
}

// Subscribe starts consuming topic as the subscriber's group. Messages come
// on the returned channel, which closes when ctx ends or the subscriber
// closes. If another subscription of the group holds the topic, this one
// waits and takes over from the committed offset when that one ends.
func (s *Subscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if topic == "" {
		return nil, fmt.Errorf("sqlitebus: group %s: subscribe to empty topic", s.cfg.ConsumerGroup)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fmt.Errorf("sqlitebus: group %s: subscribe to %s: %w", s.cfg.ConsumerGroup, topic, ErrClosed)
	}
	s.wg.Add(1)
	subCtx, cancel := context.WithCancel(ctx)
	stopOnClose := context.AfterFunc(s.ctx, cancel)
	out := make(chan *message.Message)
	go func() {
		defer s.wg.Done()
		defer cancel()
		defer stopOnClose()
		defer close(out)
		s.run(subCtx, topic, out)
	}()
	return out, nil
}

// Close ends every subscription, closes their channels and waits for them.
// Messages not acked by then are delivered again later.
func (s *Subscriber) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	s.bus.forget(s)
	return nil
}

// run consumes topic until ctx ends: wait for the group's in-process lock,
// then for its lease in the database, then deliver until ctx ends or the
// lease is lost (and then start over).
func (s *Subscriber) run(ctx context.Context, topic string, out chan<- *message.Message) {
	group := s.cfg.ConsumerGroup
	log := s.bus.logger.With(watermill.LogFields{"topic": topic, "consumer_group": group})
	// Listen before the first read, so a publish between that read and the
	// wait is not missed.
	wake, unlisten := s.bus.hub.listen(topic)
	defer unlisten()
	for ctx.Err() == nil {
		if !s.bus.hub.lock(ctx, group, topic) {
			return
		}
		l := newLease(group, topic)
		pos, ok := s.waitLease(ctx, l, log)
		lost := false
		if ok {
			sess := newSession(s, l, pos, out, wake, log)
			lost = sess.run(ctx)
			if !lost {
				rctx, cancel := context.WithTimeout(context.Background(), finalWriteTimeout)
				if err := s.bus.releaseLease(rctx, l); err != nil {
					log.Error("Releasing lease failed; it expires by itself", err, nil)
				}
				cancel()
			}
		}
		s.bus.hub.unlock(group, topic)
		if lost {
			log.Info("Lease lost, waiting to take it back", nil)
			sleep(ctx, leaseRetryEvery)
		}
	}
}

// finalWriteTimeout bounds the last commit and the lease release when a
// subscription ends, so Close cannot hang on a stuck database.
const finalWriteTimeout = 5 * time.Second

// waitLease takes the group's lease on the topic, waiting while another
// process holds it. It reports false when ctx ends first.
func (s *Subscriber) waitLease(ctx context.Context, l lease, log watermill.LoggerAdapter) (position, bool) {
	var bo backoff
	lastHolder := ""
	for {
		pos, holder, err := s.bus.takeLease(ctx, l, s.cfg.StartFrom)
		switch {
		case err == nil:
			return pos, true
		case ctx.Err() != nil:
			return position{}, false
		case errors.Is(err, errLeaseHeld):
			if holder != lastHolder {
				log.Info("Waiting for lease held by another process", watermill.LogFields{"holder": holder})
				lastHolder = holder
			}
			if !sleep(ctx, leaseRetryEvery) {
				return position{}, false
			}
		default:
			log.Error("Taking lease failed, retrying", err, nil)
			if !sleep(ctx, bo.next()) {
				return position{}, false
			}
		}
	}
}

// backoff spaces retries after database errors: 50ms doubling to 5s.
type backoff struct{ d time.Duration }

func (b *backoff) next() time.Duration {
	b.d = min(max(2*b.d, 50*time.Millisecond), 5*time.Second)
	return b.d
}

func (b *backoff) reset() { b.d = 0 }

// sleep waits d and reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
