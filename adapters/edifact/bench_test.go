package edifact

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/orderhub/orderhub/internal/bench/edifactgen/orders96a"
)

// benchSize is the size of the generated document the benchmarks read:
// several interchanges of 1,000 ORDERS, generated in a fraction of a
// second. internal/bench/edifact measures the same kind of document at
// 100 MB, each measure in its own process.
const benchSize = 16 << 20

var benchDoc = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	b.Grow(benchSize + 1<<20)
	if _, err := orders96a.Write(&b, orders96a.Config{Size: benchSize}); err != nil {
		panic(err)
	}
	return b.Bytes()
})

// readMessages reads every message of a document and returns how many
// LIN segments they hold; values, when set, reads every component of
// every segment as text, as a mapper reading everything would.
func readMessages(tb testing.TB, in io.Reader, opts Options, values bool) int {
	r := NewReader(in, opts)
	defer r.Close()
	n := 0
	for {
		m, err := r.Next()
		if err == io.EOF {
			return n
		}
		if err != nil {
			tb.Fatal(err)
		}
		if len(m.Report.Errors) > 0 {
			tb.Fatal(m.Report.Errors[0])
		}
		for i := range m.Segments {
			s := &m.Segments[i]
			if s.Is("LIN") {
				n++
			}
			if !values {
				continue
			}
			for e := 1; e <= s.Len(); e++ {
				for c := s.Comps(e); c >= 1; c-- {
					_ = s.Str(e, c)
				}
			}
		}
	}
}

// BenchmarkReader measures the reader alone, bytes to messages: with the
// envelope first pass (the default, over a seekable source), from a file,
// without the first pass, and reading every value as text besides.
func BenchmarkReader(b *testing.B) {
	doc := benchDoc()
	run := func(b *testing.B, open func() io.Reader, opts Options, values bool) {
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		for b.Loop() {
			in := open()
			if readMessages(b, in, opts, values) == 0 {
				b.Fatal("no LIN read")
			}
			if c, ok := in.(io.Closer); ok {
				c.Close()
			}
		}
	}
	mem := func() io.Reader { return bytes.NewReader(doc) }
	b.Run("two-pass", func(b *testing.B) { run(b, mem, Options{}, false) })
	b.Run("two-pass-file", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "orders.edi")
		if err := os.WriteFile(path, doc, 0o644); err != nil {
			b.Fatal(err)
		}
		run(b, func() io.Reader {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			return f
		}, Options{}, false)
	})
	b.Run("single-pass", func(b *testing.B) { run(b, mem, Options{singlePass: true}, false) })
	b.Run("two-pass-values", func(b *testing.B) { run(b, mem, Options{}, true) })
}

// BenchmarkByteScan is the yardstick: one pass over the same bytes looking
// at each through a class table, as the scanner does.
func BenchmarkByteScan(b *testing.B) {
	doc := benchDoc()
	cls := classes(DefaultSeparators, charsets["UNOC"], false)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		r := bytes.NewReader(doc)
		buf := make([]byte, bufSize)
		n := 0
		for {
			m, err := r.Read(buf)
			for _, c := range buf[:m] {
				if cls[c] != kPlain {
					n++
				}
			}
			if err != nil {
				break
			}
		}
		if n == 0 {
			b.Fatal("nothing found")
		}
	}
}
