package x12

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
	nd.seps = append(make([]int32, 0, shi-slo), d.seps[slo:shi]...)
	c.Segments = make([]Segment, len(tx.Segments))
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
