package edifact

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"

	"github.com/orderhub/orderhub/internal/bench/edifactgen/orders96a"
)

// Fuzz targets for the reader, seeded from the shared corpus, this
// package's reader inputs and generated EANCOM ORDERS. Run one with
//
//	go test -run '^$' -fuzz '^FuzzReader$' -fuzztime 60s ./adapters/edifact/
//
// (or make fuzz for all of them). Crashers land in testdata/fuzz/<target>
// and are replayed by go test from then on.

// fuzzDoc is the document name the targets read under: every error must
// start with it.
const fuzzDoc = "fuzz"

// Small limits keep the memory of one run bounded and reach the code that
// cuts long segments (MaxSegment cannot go below 1024) and refuses large
// messages.
const (
	fuzzMaxSegment = 1024
	fuzzMaxMessage = 4 << 10
)

// fuzzHang is how long one read of one input may take before the target
// says the reader loops: inputs are small, a read takes microseconds.
const fuzzHang = 10 * time.Second

// fuzzSeeds returns every file of the corpus (none when it is missing) and
// of testdata/reader, golden files left out, and a few generated
// documents: one message, several interchanges, segments on one line.
func fuzzSeeds(f *testing.F) [][]byte {
	var out [][]byte
	for _, dir := range []string{corpusDir, filepath.Join("testdata", "reader")} {
		ents, err := os.ReadDir(dir)
		if err != nil {
			if os.IsNotExist(err) && dir == corpusDir {
				continue
			}
			f.Fatal(err)
		}
		for _, e := range ents {
			if e.IsDir() || strings.HasSuffix(e.Name(), ".golden") {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				f.Fatal(err)
			}
			out = append(out, data)
		}
	}
	for _, cfg := range []orders96a.Config{
		{Size: 1, Lines: 2},
		{Size: 1, Lines: 10, Terminator: "'", Seed: 2},
		{Size: 4 << 10, Lines: 1, MessagesPerInterchange: 2, Terminator: "'\r\n", Seed: 3},
	} {
		var b bytes.Buffer
		if _, err := orders96a.Write(&b, cfg); err != nil {
			f.Fatal(err)
		}
		out = append(out, b.Bytes())
	}
	return out
}

// FuzzReader reads any input in every way the Reader can be driven and
// checks what must hold whatever the input: no panic, no endless loop,
// no error but io.EOF from an in-memory source and io.EOF for good once
// returned; every *Error named after the document, with a level, a code
// and a place inside it; every message handed out reported once in its
// interchange's report; segments at increasing offsets where their bytes
// are, their elements joined by the separator giving them back, every
// value valid UTF-8, all of it unchanged while later messages are read;
// and the same messages read from memory, spooled, a byte at a time, in
// one pass and in two.
func FuzzReader(f *testing.F) {
	for _, data := range fuzzSeeds(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := Options{MaxSegment: fuzzMaxSegment, MaxMessage: fuzzMaxMessage}
		two := fuzzRead(t, data, bytes.NewReader(data), opts)
		spooled := fuzzRead(t, data, iotest.HalfReader(bytes.NewReader(data)), opts)
		if spooled.full != two.full {
			t.Errorf("not seekable (spooled): output differs\n--- got\n%s--- want\n%s", spooled.full, two.full)
		}
		opts.singlePass = true
		one := fuzzRead(t, data, bytes.NewReader(data), opts)
		if one.messages != two.messages {
			t.Errorf("messages differ\n--- one pass\n%s--- two passes\n%s", one.messages, two.messages)
		}
		if bytes := fuzzRead(t, data, iotest.OneByteReader(bytes.NewReader(data)), opts); bytes.full != one.full {
			t.Errorf("one byte at a time, one pass: output differs\n--- got\n%s--- want\n%s", bytes.full, one.full)
		}
		// And with the default limits.
		fuzzRead(t, data, bytes.NewReader(data), Options{})
	})
}

// fuzzResult is what one read of a document gave.
type fuzzResult struct {
	// full is everything in the order the Reader gave it: the messages
	// with their segments, values and errors, the interchange reports,
	// the errors outside every interchange.
	full string
	// messages are the messages with their segments and their own errors,
	// not those saying their envelope refused them, which a single pass
	// cannot know.
	messages string
}

// fuzzRead reads data from in, in another goroutine so that a reader
// that loops fails the target rather than hanging it.
func fuzzRead(t *testing.T, data []byte, in io.Reader, opts Options) fuzzResult {
	t.Helper()
	type result struct {
		res  fuzzResult
		errs []string
	}
	done := make(chan result, 1)
	go func() {
		var c fuzzChecker
		res := c.read(data, in, opts)
		done <- result{res, c.errs}
	}()
	select {
	case r := <-done:
		for _, e := range r.errs {
			t.Error(e)
		}
		if len(r.errs) > 0 {
			t.FailNow()
		}
		return r.res
	case <-time.After(fuzzHang):
		t.Fatalf("the reader has not finished after %v: it loops (single pass %v)", fuzzHang, opts.singlePass)
		return fuzzResult{}
	}
}

// fuzzChecker collects what is wrong, so that the checks can run in a
// goroutine of their own (t.Fatal may not be called from one).
type fuzzChecker struct {
	mode string
	errs []string
}

func (c *fuzzChecker) errorf(format string, args ...any) {
	if len(c.errs) < 20 {
		c.errs = append(c.errs, c.mode+": "+fmt.Sprintf(format, args...))
	}
}

func (c *fuzzChecker) read(data []byte, in io.Reader, opts Options) fuzzResult {
	c.mode = "two passes"
	if opts.singlePass {
		c.mode = "one pass"
	}
	opts.Doc = fuzzDoc
	var full, msgs strings.Builder
	var handed []*MessageReport
	var kept []*Message
	var dumps []string
	reported := map[*MessageReport]int{}
	opts.OnInterchange = func(rep *InterchangeReport) {
		c.checkReport(data, rep)
		if !opts.singlePass {
			c.checkVerdict(rep)
		}
		dumpFuzzReport(&full, rep)
		for _, m := range rep.AllMessages() {
			reported[m]++
		}
	}
	r := NewReader(in, opts)
	defer r.Close()
	last := int64(-1)
	for n := 0; ; n++ {
		if n > len(data) {
			// Every message takes at least one byte of its own.
			c.errorf("%d messages from %d bytes: the reader loops", n, len(data))
			return fuzzResult{}
		}
		m, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			c.errorf("Next: %v", err)
			return fuzzResult{}
		}
		if m.Offset <= last {
			c.errorf("message %q at offset %d, after one at %d", m.Header.Ref, m.Offset, last)
		}
		last = m.Offset
		c.checkMessage(data, m)
		d := dumpFuzzMessage(m, false)
		full.WriteString(dumpFuzzMessage(m, true))
		msgs.WriteString(d)
		kept = append(kept, m)
		dumps = append(dumps, d)
		handed = append(handed, m.Report)
	}
	for range 3 {
		if m, err := r.Next(); m != nil || err != io.EOF {
			c.errorf("Next after io.EOF: %v, %v", m, err)
		}
	}
	for _, e := range r.Errors() {
		c.checkError(data, e)
		fmt.Fprintf(&full, "outside: %s [%d %s]\n", e, e.Level, e.Code)
	}
	if err := r.Close(); err != nil {
		c.errorf("Close: %v", err)
	}
	// Values share the message's buffer: reading on must not change them.
	for i, m := range kept {
		if d := dumpFuzzMessage(m, false); d != dumps[i] {
			c.errorf("message %d changed once later ones were read\n--- then\n%s--- now\n%s", i+1, dumps[i], d)
			break
		}
	}
	if len(reported) != len(handed) {
		c.errorf("%d messages handed out, %d in the interchange reports", len(handed), len(reported))
	}
	for i, rep := range handed {
		if reported[rep] != 1 {
			c.errorf("message %d (UNH %q) is in %d interchange reports, want 1", i+1, rep.Header.Ref, reported[rep])
		}
	}
	return fuzzResult{full: full.String(), messages: msgs.String()}
}

// checkError checks what every error must be: named after the document,
// with a level, a code and a message, located inside it.
func (c *fuzzChecker) checkError(data []byte, e *Error) {
	if e == nil {
		c.errorf("nil *Error")
		return
	}
	msg := e.Error()
	if e.Doc != fuzzDoc || !strings.HasPrefix(msg, fuzzDoc+": ") {
		c.errorf("error %q (Doc %q) does not start with the document name", msg, e.Doc)
	}
	if e.Level < LevelInterchange || e.Level > LevelElement || e.Code == "" || e.Msg == "" {
		c.errorf("error %q: level %d, code %q: want both, and a message", msg, e.Level, e.Code)
	}
	if e.DocPosition() == "" {
		c.errorf("error %q has no position", msg)
	}
	// A segment whose tag is empty ("+..." or "'") has only its position.
	if e.Level >= LevelSegment && e.Tag == "" && e.Segment == 0 {
		c.errorf("error %q is about a segment and does not say which", msg)
	}
	if e.Level == LevelElement && e.Elem < 1 {
		c.errorf("error %q is about an element and does not say which", msg)
	}
	if e.Offset < 0 || e.Offset > int64(len(data)) {
		c.errorf("error %q: offset %d outside the document (%d bytes)", msg, e.Offset, len(data))
	}
}

func (c *fuzzChecker) checkReport(data []byte, rep *InterchangeReport) {
	for _, e := range rep.Errors {
		c.checkError(data, e)
	}
	for _, g := range rep.Groups {
		for _, e := range g.Errors {
			c.checkError(data, e)
		}
		for _, m := range g.Messages {
			for _, e := range m.Errors {
				c.checkError(data, e)
			}
		}
	}
	for _, m := range rep.Messages {
		for _, e := range m.Errors {
			c.checkError(data, e)
		}
	}
}

// checkVerdict checks, in two passes, that the first pass's verdict on an
// interchange and its groups is the second's: a refused interchange or
// group refuses every message in it, and no message is refused with an
// envelope the second pass found sound.
func (c *fuzzChecker) checkVerdict(rep *InterchangeReport) {
	check := func(envelope string, envErrs []*Error, msgs []*MessageReport) {
		for _, m := range msgs {
			refusedWith := ""
			for _, e := range m.Errors {
				if rest, ok := strings.CutPrefix(e.Msg, "refused with its "); ok {
					refusedWith, _, _ = strings.Cut(rest, " ")
					refusedWith = strings.TrimSuffix(refusedWith, ":")
				}
			}
			switch {
			case len(envErrs) > 0 && len(m.Errors) == 0:
				c.errorf("UNB %q: message %q accepted in a refused %s (%v)", rep.Header.Control, m.Header.Ref, envelope, envErrs[0])
			case refusedWith == "interchange" && !rep.Rejected():
				c.errorf("UNB %q: message %q refused with its interchange, which the second pass found sound", rep.Header.Control, m.Header.Ref)
			case refusedWith == "group" && envelope == "group" && len(envErrs) == 0:
				c.errorf("UNB %q: message %q refused with its group, which the second pass found sound", rep.Header.Control, m.Header.Ref)
			}
		}
	}
	check("interchange", rep.Errors, rep.Messages)
	for _, g := range rep.Groups {
		errs := g.Errors
		if rep.Rejected() {
			errs = rep.Errors
		}
		check("group", errs, g.Messages)
	}
}

// checkMessage checks a message as handed out.
func (c *fuzzChecker) checkMessage(data []byte, m *Message) {
	if m.Doc != fuzzDoc || m.Report == nil || m.Interchange == nil {
		c.errorf("message %q: doc %q, report %v, interchange %v", m.Header.Ref, m.Doc, m.Report, m.Interchange)
		return
	}
	if m.Report.Header != m.Header {
		c.errorf("message %q: its report's header is %+v", m.Header.Ref, m.Report.Header)
	}
	for _, e := range m.Report.Errors {
		c.checkError(data, e)
	}
	sep := m.Interchange.Separators
	last := int64(-1)
	for i := range m.Segments {
		s := &m.Segments[i]
		b := s.Bytes()
		if s.Pos() != i+1 {
			c.errorf("message %q: segment %d has position %d", m.Header.Ref, i+1, s.Pos())
		}
		off := s.Offset()
		if off <= last || off >= int64(len(data)) {
			c.errorf("message %q: segment %d at offset %d, after %d, in %d bytes", m.Header.Ref, i+1, off, last, len(data))
			return
		}
		last = off
		if i == 0 && off != m.Offset {
			c.errorf("message %q at offset %d, its UNH at %d", m.Header.Ref, m.Offset, off)
		}
		// The segment starts where it says: blanks and line breaks are
		// skipped before it, never kept.
		if len(b) > 0 && data[off] != b[0] {
			c.errorf("message %q: segment %d %q is at offset %d, where the document has %q", m.Header.Ref, i+1, b, off, data[off])
		}
		if bytes.ContainsAny(b, "\r\n") && sep.Release == 0 {
			c.errorf("message %q: segment %d %q holds a line break", m.Header.Ref, i+1, b)
		}
		// The tag and elements, joined with the element separator, are
		// the segment.
		re := append([]byte(nil), s.tag()...)
		for j := 1; j <= s.Len(); j++ {
			re = append(re, sep.Element)
			re = append(re, s.Elem(j)...)
		}
		if !bytes.Equal(re, b) {
			c.errorf("message %q: segment %d %q reads back as %q", m.Header.Ref, i+1, b, re)
		}
		if s.Elem(0) != nil || s.Elem(s.Len()+1) != nil || s.Raw(s.Len()+1, 1) != nil || s.Str(s.Len()+1, 1) != "" {
			c.errorf("message %q: segment %d has elements outside 1..%d", m.Header.Ref, i+1, s.Len())
		}
		for j := 1; j <= s.Len(); j++ {
			n := s.Comps(j)
			if n < 1 || s.Raw(j, n+1) != nil || s.Str(j, n+1) != "" {
				c.errorf("message %q: segment %d element %d: %d components, yet component %d is %q", m.Header.Ref, i+1, j, n, n+1, s.Raw(j, n+1))
			}
			for k := 0; k <= n; k++ {
				if v := s.Str(j, k); !utf8.ValidString(v) {
					c.errorf("message %q: segment %d element %d component %d %q is not UTF-8 (%s)", m.Header.Ref, i+1, j, k, v, m.Interchange.Syntax)
				}
				_, _ = s.Decimal(j, k)
			}
		}
	}
	if len(m.Report.Errors) > 0 {
		return
	}
	// An accepted message is UNH..UNT, counted right.
	n := len(m.Segments)
	if n < 2 || !m.Segments[0].Is("UNH") || !m.Segments[n-1].Is("UNT") {
		c.errorf("message %q accepted with %d segments, not UNH..UNT", m.Header.Ref, n)
		return
	}
	unt := &m.Segments[n-1]
	if unt.Str(1, 1) != fmt.Sprint(n) || unt.Str(2, 1) != m.Header.Ref || m.Header.Ref == "" {
		c.errorf("message %q accepted with UNT %q and %d segments", m.Header.Ref, unt.Bytes(), n)
	}
}

// dumpFuzzMessage describes a message: its header, each segment with its
// offset and values, its errors (all, or those of its own).
func dumpFuzzMessage(m *Message, all bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "message %q %s @%d (UNB %q", m.Header.Ref, m.Header.Identifier(), m.Offset, m.Interchange.Control)
	if m.Group != nil {
		fmt.Fprintf(&b, ", UNG %q", m.Group.Control)
	}
	fmt.Fprintf(&b, "): %d segments\n", len(m.Segments))
	for i := range m.Segments {
		s := &m.Segments[i]
		fmt.Fprintf(&b, "  %3d @%-5d %q", s.Pos(), s.Offset(), s.Tag())
		for j := 1; j <= s.Len(); j++ {
			b.WriteString(" |")
			for k := 1; k <= s.Comps(j); k++ {
				fmt.Fprintf(&b, " %q", s.Str(j, k))
			}
		}
		b.WriteByte('\n')
	}
	for _, e := range m.Report.Errors {
		if all || !strings.HasPrefix(e.Msg, "refused with its ") {
			fmt.Fprintf(&b, "  error: %s [%d %s]\n", e, e.Level, e.Code)
		}
	}
	return b.String()
}

func dumpFuzzReport(b *strings.Builder, rep *InterchangeReport) {
	h := rep.Header
	fmt.Fprintf(b, "interchange %q %s:%s una=%q enveloped=%v groups=%d messages=%d\n", h.Control, h.Syntax, h.SyntaxVersion,
		h.Separators.UNA(), h.Enveloped, len(rep.Groups), len(rep.AllMessages()))
	for _, e := range rep.Errors {
		fmt.Fprintf(b, "  interchange error: %s [%d %s]\n", e, e.Level, e.Code)
	}
	for _, g := range rep.Groups {
		for _, e := range g.Errors {
			fmt.Fprintf(b, "  group error: %s [%d %s]\n", e, e.Level, e.Code)
		}
	}
	for _, m := range rep.AllMessages() {
		fmt.Fprintf(b, "  message %q: %d errors, taken %v\n", m.Header.Ref, len(m.Errors), m.Taken)
	}
}
