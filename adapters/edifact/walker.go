package edifact

import (
	"fmt"
	"hash/maphash"
	"strconv"
	"unsafe"
)

// walker follows the envelopes of a document through its segments.
type walker struct {
	sc   *scanner
	opts Options
	skim bool // first pass: messages are counted, not kept
	doc  string

	onDone func(*InterchangeReport, int)

	// The interchange being read; nil between interchanges.
	ix     *InterchangeReport
	ord    int // its ordinal in the document, from 1
	count  int // messages (or groups) for UNZ 0036
	group  *GroupReport
	gord   int // the group's ordinal in its interchange
	gcount int // messages in the group, for UNE 0060
	sep    Separators
	cs     *charset
	// refs are the message references seen in the interchange, hashed:
	// a large interchange has hundreds of thousands.
	refs    map[uint64]struct{}
	seed    maphash.Seed
	scratch msgData
	// pending is a segment read while looking for something else (the
	// UNB after a message without UNT): it is handled next.
	pending *Segment
	outside []*Error
	skimMsg Message
	slabs   struct {
		bytes []byte
		seps  []int32
		segs  []Segment
	}
}

// Messages are carved one after another out of large slabs, their bytes,
// separator positions and segments each: three allocations per few hundred
// messages instead of several per message. A message's strings share its
// part of the slab, which later messages never write to.
const slabItems = 256 << 10

// slabFor returns the free rest of a slab as an empty slice to append to,
// starting a new slab when less than want is left.
func slabFor[T any](slab *[]T, want int) []T {
	if len(*slab) < want {
		*slab = make([]T, max(slabItems/int(unsafe.Sizeof(*new(T))), 4*want))
	}
	return (*slab)[:0:len(*slab)]
}

// used takes what a message kept out of its slab; a message that outgrew
// the slab was moved elsewhere by append and took nothing.
func used[T any](slab *[]T, got []T) {
	if len(got) > 0 && len(*slab) > 0 && unsafe.SliceData(got) == unsafe.SliceData(*slab) {
		*slab = (*slab)[len(got):]
	}
}

func newWalker(sc *scanner, opts Options) *walker {
	return &walker{sc: sc, opts: opts, doc: opts.Doc, seed: maphash.MakeSeed()}
}

// seenRef tells whether the interchange had a message with this reference
// before, and remembers it.
func (w *walker) seenRef(ref string) bool {
	if w.skim {
		return false
	}
	h := maphash.String(w.seed, ref)
	if _, ok := w.refs[h]; ok {
		return true
	}
	w.refs[h] = struct{}{}
	return false
}

// read reads the next segment into d. ok is false at the end.
func (w *walker) read(d *msgData, pos int) (s Segment, bad int, ok bool) {
	if d != &w.scratch && len(d.buf) > w.opts.MaxMessage {
		// The message is no longer held: read on into the scratch.
		d = &w.scratch
	}
	if d == &w.scratch {
		d.buf, d.seps = d.buf[:0], d.seps[:0]
	}
	start, sep0 := len(d.buf), len(d.seps)
	buf, seps, off, flags, bad, ok := w.sc.next(d.buf, d.seps)
	d.buf, d.seps = buf, seps
	if !ok {
		return Segment{}, 0, false
	}
	return Segment{d: d, s: int32(start), e: int32(len(buf)), sep0: int32(sep0), sep1: int32(len(seps)),
		pos: int32(pos), flags: flags, off: off}, bad, true
}

func (w *walker) errAt(level Level, s *Segment, code, format string, args ...any) *Error {
	e := &Error{Doc: w.doc, Level: level, Code: code, Msg: fmt.Sprintf(format, args...)}
	if w.ix != nil {
		e.Interchange = w.ix.Header.Control
	}
	if w.group != nil && level <= LevelGroup {
		e.Group = w.group.Header.Control
	}
	if s != nil {
		e.Tag, e.Offset = s.Tag(), s.Offset()
	}
	return e
}

// next returns the next message, or io.EOF.
func (w *walker) next() (*Message, error) {
	for {
		var s Segment
		if w.pending != nil {
			s = *w.pending
			w.pending = nil
		} else {
			if w.ix == nil {
				if err := w.startInterchange(); err != nil {
					return nil, err
				}
				continue
			}
			var ok bool
			s, _, ok = w.read(&w.scratch, 0)
			if !ok {
				if w.sc.err != nil {
					return nil, w.sc.err
				}
				w.endInterchange(nil)
				continue
			}
		}
		switch string(s.tag()) {
		case "UNH":
			if w.group == nil && len(w.ix.Groups) > 0 {
				w.ix.Errors = appendOnce(w.ix.Errors, w.errAt(LevelInterchange, &s, CodeGroupsAndMessages, "a message outside any group in an interchange with groups"))
			}
			m, err := w.message(&s)
			if err != nil {
				return nil, err
			}
			return m, nil
		case "UNG":
			w.startGroup(&s)
		case "UNE":
			w.endGroup(&s)
		case "UNZ":
			w.endInterchange(&s)
		case "UNB", "UNA":
			if w.ix != nil {
				// The next interchange: this one had no UNZ.
				w.pending = w.keep(&s)
				w.endInterchange(nil)
				continue
			}
			// Between interchanges s can only be the pending segment,
			// which is already a copy of its own.
			w.pending = &s
			if err := w.startInterchange(); err != nil {
				return nil, err
			}
		default:
			if w.ix != nil {
				w.ix.Errors = appendOnce(w.ix.Errors, w.errAt(LevelInterchange, &s, CodeInvalidOutside,
					"segment %s outside any message: want UNH, UNG, UNE or UNZ", printable(s.tag())))
			} else {
				w.outside = append(w.outside, w.errAt(LevelInterchange, &s, CodeInvalidOutside,
					"segment %s outside any interchange", printable(s.tag())))
			}
		}
	}
}

// appendOnce keeps the first error of each code at a level: one missing
// UNZ is reported, not one per message.
func appendOnce(errs []*Error, e *Error) []*Error {
	for _, x := range errs {
		if x.Code == e.Code && x.Tag == e.Tag {
			return errs
		}
	}
	return append(errs, e)
}

// keep copies a segment out of the scratch, which the next read reuses,
// or out of a message buffer it is about to be trimmed from.
func (w *walker) keep(s *Segment) *Segment {
	d := &msgData{buf: append([]byte(nil), s.bytes()...), sep: s.d.sep, cs: s.d.cs}
	for _, p := range s.d.seps[s.sep0:s.sep1] {
		d.seps = append(d.seps, p-s.s)
	}
	c := Segment{d: d, s: 0, e: int32(len(d.buf)), sep0: 0, sep1: int32(len(d.seps)), pos: s.pos, flags: s.flags, off: s.off}
	return &c
}

// printable shows a tag or value in an error message.
func printable(b []byte) string {
	if len(b) > 20 {
		b = b[:20]
	}
	return strconv.Quote(string(b))
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

func quoteOr(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}
