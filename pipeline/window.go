package pipeline

import (
	"context"
	"sync"
	"time"

	"github.com/orderhub/orderhub/rules"
)

// allocWindow gathers the orders that reach allocation within a short
// time of each other (a batch) so that a lower tier's order does not take
// stock a higher tier's order of the same moment needs: when the window
// closes, the batch's orders of the highest tier present go first, and
// each lower tier goes once every order above it in the batch is done.
//
// Orders of one tier still go together, as they would without a window:
// holding them to a strict one-by-one arrival order would give up the
// store's group commit for nothing, since the guarded reservations already
// keep any two from promising the same units. And the top tier never waits:
// nobody can come before it.
//
// The window is per process: with several orderhub processes sharing a
// topic, each sorts the orders it is given.
type allocWindow struct {
	mu  sync.Mutex
	cur *batch
	// maxWait bounds how long an order waits for those above it, so one
	// stuck order (a handler retrying against a store that is down) does
	// not stop every lower tier for good.
	maxWait time.Duration
}

// batch is the orders of one window.
type batch struct {
	closed chan struct{} // closed when the window ends
	// pending counts, per tier rank, the members not yet done.
	pending [8]int
	// changed is closed, and replaced, whenever a member is done.
	changed chan struct{}
}

// rankOf is a tier's rank in a batch: rules.TierRank, kept within pending.
func rankOf(tier string) int {
	r := rules.TierRank(tier)
	if r >= len(batch{}.pending) {
		r = len(batch{}.pending) - 1
	}
	return r
}

// join enters an order of tier into the current window (opening one of
// length span if there is none) and waits for its turn. The caller must
// call done once its allocation is committed or abandoned; join calls it
// itself when it returns an error.
func (w *allocWindow) join(ctx context.Context, tier string, span time.Duration) (done func(), err error) {
	if span <= 0 {
		return func() {}, nil
	}
	rank := rankOf(tier)
	w.mu.Lock()
	b := w.cur
	if b == nil {
		b = &batch{closed: make(chan struct{}), changed: make(chan struct{})}
		w.cur = b
		time.AfterFunc(span, func() {
			w.mu.Lock()
			if w.cur == b {
				w.cur = nil
			}
			w.mu.Unlock()
			close(b.closed)
		})
	}
	b.pending[rank]++
	w.mu.Unlock()
	var once sync.Once
	done = func() {
		once.Do(func() {
			w.mu.Lock()
			b.pending[rank]--
			close(b.changed)
			b.changed = make(chan struct{})
			w.mu.Unlock()
		})
	}
	if rank == 0 {
		return done, nil
	}
	maxWait := w.maxWait
	if maxWait <= 0 {
		maxWait = span + 30*time.Second
	}
	give := time.NewTimer(maxWait)
	defer give.Stop()
	select {
	case <-b.closed:
	case <-ctx.Done():
		done()
		return nil, ctx.Err()
	}
	for {
		w.mu.Lock()
		ahead := 0
		for r := 0; r < rank; r++ {
			ahead += b.pending[r]
		}
		changed := b.changed
		w.mu.Unlock()
		if ahead == 0 {
			return done, nil
		}
		select {
		case <-changed:
		case <-give.C:
			return done, nil // go on: the guarded commit keeps it safe, only the order of turns is lost
		case <-ctx.Done():
			done()
			return nil, ctx.Err()
		}
	}
}
