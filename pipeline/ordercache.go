package pipeline

import (
	"bytes"
	"sync"

	"github.com/orderhub/orderhub/order"
)

// orderCache hands an order a stage published to the stage that consumes it
// next in the same process, so that stage need not decode the JSON it gets
// back from the bus: decoding is the largest cost of a stage after the
// store's writer. An entry is used only when the payload delivered is
// byte for byte the one published, so a message from another process, a
// replay or an edited message is decoded as usual; it is taken once, so a
// redelivered message is decoded too.
type orderCache struct {
	mu sync.Mutex
	m  map[string]cachedOrder
}

type cachedOrder struct {
	js []byte
	o  *order.Order
}

// orderCacheMax bounds the cache: beyond it (a backlog on the bus), orders
// are simply decoded when their turn comes.
const orderCacheMax = 2048

func newOrderCache() *orderCache { return &orderCache{m: map[string]cachedOrder{}} }

// put remembers o as the order encoded in js, to be published as message
// uuid. The caller gives o up. Entries nobody takes (the message consumed
// by another process) must not pile up: a full cache starts afresh.
func (c *orderCache) put(uuid string, js []byte, o *order.Order) {
	c.mu.Lock()
	if len(c.m) >= orderCacheMax {
		clear(c.m)
	}
	c.m[uuid] = cachedOrder{js: js, o: o}
	c.mu.Unlock()
}

// take returns the order published as message uuid with payload js, or nil.
func (c *orderCache) take(uuid string, js []byte) *order.Order {
	c.mu.Lock()
	e, ok := c.m[uuid]
	if ok {
		delete(c.m, uuid)
	}
	c.mu.Unlock()
	if !ok || !bytes.Equal(e.js, js) {
		return nil
	}
	return e.o
}
