package format

import (
	"context"
	"sync"
)

// Ordered is how a format reads a document on several cores yet yields in
// document order: next, in one goroutine, reads the document unit by unit
// (a transaction set, a message) a little ahead; work, in up to workers
// goroutines, turns each unit into orders; emit, in the caller's
// goroutine, takes the units in the order next made them, each once its
// work is done. The unit for which next says last (the end, or a failure
// to read) gets no work and is emitted last. emit returning false stops
// everything. With workers ≤ 1 the three take turns in the caller's
// goroutine. Ordered returns once every goroutine it started has stopped.
func Ordered[T any](ctx context.Context, workers int, next func() (unit T, last bool), work func(T), emit func(T) bool) {
	if workers <= 1 {
		for ctx.Err() == nil {
			u, last := next()
			if !last {
				work(u)
			}
			if !emit(u) || last {
				return
			}
		}
		return
	}
	type slot struct {
		unit T
		done chan struct{} // closed once worked; nil for the last unit
	}
	ctx, cancel := context.WithCancel(ctx)
	ordered := make(chan slot, 8*workers)
	todo := make(chan slot, 8*workers)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		for range ordered {
		}
		wg.Wait()
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(ordered)
		defer close(todo)
		for {
			u, last := next()
			s := slot{unit: u}
			if !last {
				s.done = make(chan struct{})
			}
			select {
			case ordered <- s:
			case <-ctx.Done():
				return
			}
			if last {
				return
			}
			select {
			case todo <- s:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range todo {
				work(s.unit)
				close(s.done)
			}
		}()
	}
	for s := range ordered {
		if s.done != nil {
			select {
			case <-s.done:
			case <-ctx.Done():
				return
			}
		}
		if ctx.Err() != nil || !emit(s.unit) {
			return
		}
	}
}
