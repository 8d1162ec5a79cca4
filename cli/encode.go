package cli

import (
	"io"
	"sync"

	"github.com/orderhub/orderhub/order"
)

// orderedEncoder turns orders into output lines in parallel workers and
// writes the lines in the order the orders came: on a large file, tidying,
// resolving and encoding each order is as much work as reading it, and
// would otherwise run on the reading goroutine alone.
type orderedEncoder struct {
	encode func(o *order.Order, buf []byte) ([]byte, error)
	w      io.Writer

	queue, work chan *encodeJob
	workers     sync.WaitGroup
	written     chan struct{} // closed when the writer has drained the queue

	mu  sync.Mutex
	err error // the first encoding or writing error
}

type encodeJob struct {
	o     *order.Order
	buf   []byte
	err   error
	ready chan struct{}
}

var lineBufs = sync.Pool{New: func() any { return new([]byte) }}

func newOrderedEncoder(w io.Writer, workers int, encode func(*order.Order, []byte) ([]byte, error)) *orderedEncoder {
	e := &orderedEncoder{encode: encode, w: w,
		queue: make(chan *encodeJob, 8*workers), work: make(chan *encodeJob, 8*workers),
		written: make(chan struct{})}
	for range workers {
		e.workers.Add(1)
		go func() {
			defer e.workers.Done()
			for j := range e.work {
				if e.failed() == nil {
					b := lineBufs.Get().(*[]byte)
					j.buf, j.err = e.encode(j.o, (*b)[:0])
				}
				j.o = nil
				close(j.ready)
			}
		}()
	}
	go func() {
		defer close(e.written)
		for j := range e.queue {
			<-j.ready
			if e.failed() != nil {
				continue // drain, so that add never blocks
			}
			err := j.err
			if err == nil {
				_, err = e.w.Write(j.buf)
			}
			if j.buf != nil {
				b := j.buf[:0]
				lineBufs.Put(&b)
			}
			if err != nil {
				e.fail(err)
			}
		}
	}()
	return e
}

func (e *orderedEncoder) failed() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

func (e *orderedEncoder) fail(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err == nil {
		e.err = err
	}
}

// add queues o; it returns the first error met so far, if any.
func (e *orderedEncoder) add(o *order.Order) error {
	if err := e.failed(); err != nil {
		return err
	}
	j := &encodeJob{o: o, ready: make(chan struct{})}
	e.queue <- j
	e.work <- j
	return nil
}

// close waits until every queued order is written and returns the first
// error.
func (e *orderedEncoder) close() error {
	close(e.work)
	close(e.queue)
	e.workers.Wait()
	<-e.written
	return e.failed()
}
