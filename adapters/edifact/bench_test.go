package edifact

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/orderhub/orderhub/adapters/format"
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

// BenchmarkRead is what orderhub does with a document and what the
// issue's goal is about: bytes to canonical orders through Format.Read,
// messages mapped in workers (one, and one per CPU) while the reader
// reads ahead, orders yielded in document order.
func BenchmarkRead(b *testing.B) {
	doc := benchDoc()
	for _, workers := range []int{1, 0} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				for o, err := range (&Format{Workers: workers}).Read(context.Background(), bytes.NewReader(doc), format.Doc{Name: "bench"}) {
					if err != nil || o == nil {
						b.Fatal(err)
					}
					n++
				}
				if n == 0 {
					b.Fatal("no orders")
				}
			}
		})
	}
}

// benchOrder writes an interchange of n ORDERS messages of ten lines
// each, the shape the figures are measured on.
func benchOrder(n int) []byte {
	var b bytes.Buffer
	b.WriteString("UNA:+.? 'UNB+UNOC:3+4012345000009:14+4098765000003:14+261120:0930+BENCH'")
	for i := 1; i <= n; i++ {
		segs := []string{
			"UNH+" + strconv.Itoa(i) + "+ORDERS:D:96A:UN:EAN008", "BGM+220+PO-" + strconv.Itoa(i) + "+9",
			"DTM+137:20261120:102", "DTM+2:20261201:102", "RFF+CT:CONTRACT-77",
			"NAD+BY+4012345000009::9", "NAD+SU+4098765000003::9", "NAD+DP+4012345000108::9++EXAMPLE MARKT DC NORD+LAGERWEG 5+HAMBURG++20095+DE",
			"CUX+2:EUR:9",
		}
		for l := 1; l <= 10; l++ {
			segs = append(segs, "LIN+"+strconv.Itoa(l)+"++4006381333931:EN", "PIA+5+SKU-"+strconv.Itoa(1000+l)+":SA",
				"IMD+F++:::COLA CLASSIC 24 X 0.33 L", "QTY+21:24:PCE", "PRI+AAA:0.65")
		}
		segs = append(segs, "UNS+S", "CNT+2:10")
		segs = append(segs, "UNT+"+strconv.Itoa(len(segs)+1)+"+"+strconv.Itoa(i))
		for _, s := range segs {
			b.WriteString(s)
			b.WriteByte('\'')
		}
	}
	fmt.Fprintf(&b, "UNZ+%d+BENCH'", n)
	return b.Bytes()
}

// BenchmarkMapOrders maps one 10-line ORDERS message, read once.
func BenchmarkMapOrders(b *testing.B) {
	rd := NewReader(bytes.NewReader(benchOrder(1)), Options{Doc: "bench"})
	defer rd.Close()
	m, err := rd.Next()
	if err != nil || len(m.Report.Errors) > 0 {
		b.Fatal(err, m.Report.Errors)
	}
	b.ReportAllocs()
	for b.Loop() {
		if os := MapOrders(m, MapOptions{}); len(os) != 1 {
			b.Fatal(m.Report.Errors)
		}
	}
}

// BenchmarkReadMap reads a document of 10-line orders, alone and mapped:
// MB/s from bytes to messages, and to canonical order structs.
func BenchmarkReadMap(b *testing.B) {
	doc := benchOrder(5000)
	for _, mapping := range []bool{false, true} {
		name := "read"
		if mapping {
			name = "read+map"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				rd := NewReader(bytes.NewReader(doc), Options{Doc: "bench"})
				n := 0
				for {
					m, err := rd.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					if mapping {
						n += len(MapOrders(m, MapOptions{}))
					} else {
						n++
					}
				}
				rd.Close()
				if n != 5000 {
					b.Fatalf("%d orders", n)
				}
			}
		})
	}
}
