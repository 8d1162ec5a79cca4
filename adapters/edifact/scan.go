package edifact

import (
	"bytes"
	"errors"
	"io"
)

// bufSize is the scanner's read size.
const bufSize = 256 << 10

// errSegmentTooLong is a segment past Options.MaxSegment.
var errSegmentTooLong = errors.New("segment too long")

// segment flags.
const (
	fRelease uint8 = 1 << iota // the segment has release characters
	fBad                       // a byte outside the repertoire
	fHigh                      // bytes whose validity depends on their value
	fWide                      // bytes past ASCII: values need decoding
	fNoTerm                    // the document ended before its terminator
	fTooLong                   // cut at MaxSegment
)

// scanner cuts a document into segments. It copies each segment, without
// its terminator and without line breaks, onto the end of a buffer the
// caller owns, and notes where its data element separators are: the bytes
// are looked at once, through a table of byte classes.
type scanner struct {
	src  io.Reader
	buf  []byte
	r, w int   // unread bytes are buf[r:w]
	base int64 // document offset of buf[0]
	eof  bool
	err  error // a read error other than io.EOF
	max  int
	cls  *[256]uint8
	term byte // the segment terminator and release character, for skip
	rel  byte
}

func newScanner(src io.Reader, max int) *scanner {
	return &scanner{src: src, buf: make([]byte, bufSize), max: max}
}

// offset is the document offset of the next unread byte.
func (s *scanner) offset() int64 { return s.base + int64(s.r) }

// fill reads more, keeping buf[s.r:s.w] (moved to the front when there is
// no room behind it). False when nothing more can come.
func (s *scanner) fill() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.r > 0 && (s.w == len(s.buf) || s.r == s.w) {
		n := copy(s.buf, s.buf[s.r:s.w])
		s.base += int64(s.r)
		s.r, s.w = 0, n
	}
	if s.w == len(s.buf) {
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.w])
		s.buf = nb
	}
	for {
		n, err := s.src.Read(s.buf[s.w:])
		s.w += n
		if err == io.EOF {
			s.eof = true
		} else if err != nil {
			s.err = err
		}
		if n > 0 || err != nil {
			return n > 0
		}
	}
}

// peek returns at least n unread bytes when the document has them (fewer
// at its end).
func (s *scanner) peek(n int) []byte {
	for s.w-s.r < n && s.fill() {
	}
	return s.buf[s.r:min(s.w, s.r+n)]
}

// skipSpace skips line breaks, spaces and tabs between segments (and a
// UTF-8 byte order mark), and reports whether anything is left.
func (s *scanner) skipSpace() bool {
	for {
		for s.r < s.w {
			switch s.buf[s.r] {
			case '\r', '\n', ' ', '\t', 0:
				s.r++
				continue
			}
			if s.buf[s.r] == 0xef && s.w-s.r < 3 && s.fill() {
				continue // a read may cut the byte order mark: see all of it
			}
			if s.w-s.r >= 3 && s.buf[s.r] == 0xef && s.buf[s.r+1] == 0xbb && s.buf[s.r+2] == 0xbf {
				s.r += 3
				continue
			}
			return true
		}
		if !s.fill() {
			return false
		}
	}
}

// seek looks for the start of an interchange or message ("UNA", "UNB" or
// "UNH" followed by a character that is not a letter or digit) and skips to
// it. It returns how many bytes other than blanks it skipped, and whether
// one was found.
func (s *scanner) seek() (junk int64, found bool) {
	for {
		b := s.buf[s.r:s.w]
		i := 0
		for {
			j := bytes.Index(b[i:], []byte("UN"))
			if j < 0 {
				break
			}
			j += i
			if j+3 >= len(b) {
				// Too close to the end to tell: keep it for the next read.
				i = j
				goto more
			}
			if c := b[j+2]; (c == 'A' || c == 'B' || c == 'H') && !isAlnum(b[j+3]) {
				junk += countJunk(b[:j])
				s.r += j
				return junk, true
			}
			i = j + 1
		}
		i = max(len(b)-3, 0)
	more:
		junk += countJunk(b[:i])
		s.r += i
		if !s.fill() {
			junk += countJunk(s.buf[s.r:s.w])
			s.r = s.w
			return junk, false
		}
	}
}

func countJunk(b []byte) int64 {
	var n int64
	for _, c := range b {
		switch c {
		case '\r', '\n', ' ', '\t', 0:
		default:
			n++
		}
	}
	return n
}

// next appends the next segment to dst and the positions of its data
// element separators (indexes into dst) to seps. It returns the
// segment's document offset and flags, and bad, the index in dst of the
// first byte outside the repertoire (when fBad is set). ok is false at the
// end of the document.
func (s *scanner) next(dst []byte, seps []int32) (_ []byte, _ []int32, off int64, flags uint8, bad int, ok bool) {
	if !s.skipSpace() {
		return dst, seps, s.offset(), 0, 0, false
	}
	off = s.offset()
	cls := s.cls
	start := len(dst)
	run := s.r
	i := s.r
	bad = -1
	for {
		buf := s.buf[:s.w]
		for i < len(buf) {
			k := cls[buf[i]]
			if k == kPlain {
				i++
				continue
			}
			switch k {
			case kElem:
				seps = append(seps, int32(len(dst)+i-run))
			case kRelease:
				j := i + 1
				for j < len(buf) && cls[buf[j]] == kBreak {
					j++ // a hard wrap after the release character
				}
				if j >= len(buf) {
					goto refill
				}
				flags |= fRelease
				if j > i+1 {
					dst = append(dst, buf[run:i+1]...)
					run = j
				}
				i = j // the escaped byte is data whatever it is
				switch cls[buf[i]] {
				case kBad:
					if bad < 0 {
						bad = len(dst) + i - run
					}
					flags |= fBad
				case kHigh:
					flags |= fHigh | fWide
				case kWide:
					flags |= fWide
				}
			case kTerm:
				dst = append(dst, buf[run:i]...)
				i++
				s.r = i
				return dst, seps, off, flags, bad, true
			case kBreak:
				dst = append(dst, buf[run:i]...)
				run = i + 1
			case kBad:
				if bad < 0 {
					bad = len(dst) + i - run
				}
				flags |= fBad
			case kHigh:
				flags |= fHigh | fWide
			case kWide:
				flags |= fWide
			}
			i++
		}
	refill:
		dst = append(dst, buf[run:i]...)
		s.r, run = i, i
		if len(dst)-start > s.max {
			// Cut the segment here and skip to its terminator.
			flags |= fTooLong
			for {
				if j := bytes.IndexByte(s.buf[s.r:s.w], s.term); j >= 0 {
					s.r += j + 1
					return dst, seps, off, flags, bad, true
				}
				s.r = s.w
				if !s.fill() {
					return dst, seps, off, flags | fNoTerm, bad, true
				}
			}
		}
		if !s.fill() {
			if s.r < s.w {
				// A release character as the document's last byte.
				dst = append(dst, s.buf[s.r:s.w]...)
				s.r = s.w
			}
			return dst, seps, off, flags | fNoTerm, bad, len(dst) > start
		}
		i, run = s.r, s.r
	}
}

// skip passes over the next segment without copying it, unless its tag
// starts with "UN" (a service segment, which the caller reads). It is the
// first pass's way through a message: memchr to the terminator, then a
// look back for release characters. ok is false at the end.
func (s *scanner) skip() (service, ok bool) {
	if !s.skipSpace() {
		return false, false
	}
	if p := s.peek(2); len(p) == 2 && p[0] == 'U' && p[1] == 'N' {
		return true, true
	}
	term, rel := s.term, s.rel
	for {
		b := s.buf[s.r:s.w]
		from := 0
		for {
			i := bytes.IndexByte(b[from:], term)
			if i < 0 {
				break
			}
			i += from
			n := 0
			for j := i - 1; j >= 0 && rel != 0 && b[j] == rel; j-- {
				n++
			}
			if n%2 == 0 {
				s.r += i + 1
				return false, true
			}
			from = i + 1
		}
		// Keep a trailing run of release characters: what they escape
		// comes with the next read.
		keep := 0
		for rel != 0 && keep < len(b) && b[len(b)-1-keep] == rel {
			keep++
		}
		s.r = s.w - keep
		if !s.fill() {
			s.r = s.w
			return false, true
		}
	}
}

// setClasses sets the byte classes and the separators skip needs.
func (s *scanner) setClasses(cls *[256]uint8, sep Separators) {
	s.cls, s.term, s.rel = cls, sep.Segment, sep.Release
}
