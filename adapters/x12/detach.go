package x12

import (
	"slices"
	"sync"
)

// Detach returns a copy of the set that stays valid after the Reader moves
// on: its segments' bytes and element positions are copied into one new
// buffer, so another goroutine can map it while the Reader reads the next
// set. The headers and the Report are shared, not copied.
func (tx *Transaction) Detach() *Transaction {
	c := *tx
	if len(tx.Segments) == 0 {
		c.Segments = nil
		return &c
	}
	d := tx.Segments[0].d
	lo, hi := tx.Segments[0].s, tx.Segments[0].e
	slo, shi := tx.Segments[0].sep0, tx.Segments[0].sep1
	for i := range tx.Segments {
		s := &tx.Segments[i]
		if s.d != d {
			return tx.detachEach()
		}
		lo, hi = min(lo, s.s), max(hi, s.e)
		slo, shi = min(slo, s.sep0), max(shi, s.sep1)
	}
	nd := &setData{comp: d.comp, rep: d.rep, latin1: d.latin1, frozen: true}
	nd.buf = append(make([]byte, 0, hi-lo), d.buf[lo:hi]...)
	// The segment and separator indexes are only read while the set is
	// mapped (orders keep strings of buf, never segments): they are
	// pooled, and Release gives them back.
	ix := indexPool.Get().(*setIndex)
	ix.seps = append(ix.seps[:0], d.seps[slo:shi]...)
	ix.segs = slices.Grow(ix.segs[:0], len(tx.Segments))[:len(tx.Segments)]
	nd.seps, nd.index = ix.seps, ix
	c.Segments = ix.segs
	for i, s := range tx.Segments {
		s.d = nd
		s.s, s.e = s.s-lo, s.e-lo
		s.sep0, s.sep1 = s.sep0-slo, s.sep1-slo
		c.Segments[i] = s
	}
	return &c
}

// detachEach copies segment by segment, for segments that do not share
// one buffer.
func (tx *Transaction) detachEach() *Transaction {
	c := *tx
	c.Segments = make([]Segment, len(tx.Segments))
	for i, s := range tx.Segments {
		nd := &setData{comp: s.d.comp, rep: s.d.rep, latin1: s.d.latin1, frozen: true,
			buf: append([]byte(nil), s.bytes()...), seps: append([]int32(nil), s.seps()...)}
		s.d, s.s, s.e, s.sep0, s.sep1 = nd, 0, int32(len(nd.buf)), 0, int32(len(nd.seps))
		c.Segments[i] = s
	}
	return &c
}

// setIndex holds a detached set's segments and separator offsets.
type setIndex struct {
	segs []Segment
	seps []int32
}

var indexPool = sync.Pool{New: func() any { return new(setIndex) }}

// Release gives a detached set's segments back for reuse: tx and its
// segments must not be used afterwards. Strings taken from it stay valid.
func (tx *Transaction) Release() {
	if len(tx.Segments) == 0 {
		return
	}
	d := tx.Segments[0].d
	ix := d.index
	if ix == nil {
		return
	}
	d.index, d.seps = nil, nil
	clear(ix.segs) // they point at d: let it go with its orders
	ix.segs = ix.segs[:0]
	tx.Segments = nil
	indexPool.Put(ix)
}
