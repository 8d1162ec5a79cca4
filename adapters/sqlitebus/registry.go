package sqlitebus

import (
	"context"
	"path/filepath"
	"sync"
)

// hub is what every Bus over one database file in this process shares: the
// wake-up channels of subscriptions by topic, so a Publish through any of
// them wakes subscribers without waiting for a poll, and one lock per
// consumer group and topic, so in-process subscriptions queue for the lease
// in memory instead of polling the database for it.
//
// Hubs are never freed: a process opens few bus files, and a hub is small.
type hub struct {
	mu     sync.Mutex
	wakers map[string]map[chan struct{}]struct{}
	locks  map[groupTopic]chan struct{}
}

type groupTopic struct{ group, topic string }

var hubs = struct {
	mu sync.Mutex
	m  map[string]*hub
}{m: map[string]*hub{}}

// hubKey names the file, not the spelling of its path, so that two handles
// on the same file share a hub.
func hubKey(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	return path
}

func hubFor(path string) *hub {
	key := hubKey(path)
	hubs.mu.Lock()
	defer hubs.mu.Unlock()
	h := hubs.m[key]
	if h == nil {
		h = &hub{wakers: map[string]map[chan struct{}]struct{}{}, locks: map[groupTopic]chan struct{}{}}
		hubs.m[key] = h
	}
	return h
}

// listen registers a channel that receives a token whenever topic is
// published to; cancel unregisters it.
func (h *hub) listen(topic string) (wake chan struct{}, cancel func()) {
	wake = make(chan struct{}, 1)
	h.mu.Lock()
	if h.wakers[topic] == nil {
		h.wakers[topic] = map[chan struct{}]struct{}{}
	}
	h.wakers[topic][wake] = struct{}{}
	h.mu.Unlock()
	return wake, func() {
		h.mu.Lock()
		delete(h.wakers[topic], wake)
		if len(h.wakers[topic]) == 0 {
			delete(h.wakers, topic)
		}
		h.mu.Unlock()
	}
}

func (h *hub) wake(topic string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for w := range h.wakers[topic] {
		select {
		case w <- struct{}{}:
		default: // a wake-up is already pending
		}
	}
}

// lock waits for the in-process lock of a group on a topic. It reports false
// when ctx ends first.
func (h *hub) lock(ctx context.Context, group, topic string) bool {
	h.mu.Lock()
	l := h.locks[groupTopic{group, topic}]
	if l == nil {
		l = make(chan struct{}, 1)
		h.locks[groupTopic{group, topic}] = l
	}
	h.mu.Unlock()
	select {
	case l <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (h *hub) unlock(group, topic string) {
	h.mu.Lock()
	l := h.locks[groupTopic{group, topic}]
	h.mu.Unlock()
	<-l
}
