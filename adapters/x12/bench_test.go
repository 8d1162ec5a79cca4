package x12

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/internal/bench/x12gen/po850"
)

// benchSize is the size of the generated document the benchmarks read:
// large enough to hold several interchanges of 1000-set groups, small
// enough to generate in a second. internal/bench/x12gen writes the same
// kind of document at any size.
const benchSize = 64 << 20

var benchDoc = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	b.Grow(benchSize + 1<<20)
	if _, err := po850.Write(&b, po850.Config{Size: benchSize}); err != nil {
		panic(err)
	}
	return b.Bytes()
})

// readAll reads every set of a document, touching every segment's tag as
// a caller would, and returns how many sets it read.
func readAll(tb testing.TB, in io.Reader, opts Options) int {
	r := NewReader(in, opts)
	defer r.Close()
	n := 0
	for {
		tx, err := r.Next()
		if err == io.EOF {
			return n
		}
		if err != nil {
			tb.Fatal(err)
		}
		if len(tx.Report.Errors) > 0 {
			tb.Fatal(tx.Report.Errors[0])
		}
		for i := range tx.Segments {
			if tx.Segments[i].Is("PO1") {
				n++
			}
		}
	}
}

// BenchmarkReader measures the reader alone, bytes to transaction sets,
// with the envelope first pass (the default) and without it.
func BenchmarkReader(b *testing.B) {
	doc := benchDoc()
	b.Run("two-pass", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		for b.Loop() {
			readAll(b, bytes.NewReader(doc), Options{})
		}
	})
	b.Run("two-pass-file", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "po.edi")
		if err := os.WriteFile(path, doc, 0o644); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			readAll(b, f, Options{})
			f.Close()
		}
	})
	b.Run("single-pass", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		for b.Loop() {
			readAll(b, bytes.NewReader(doc), Options{singlePass: true})
		}
	})
	b.Run("first-pass-only", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		for b.Loop() {
			opts := Options{}
			opts.setDefaults()
			p := newPrescan(bytes.NewReader(doc), opts, "")
			for ord := 0; ; ord++ {
				if _, err := p.verdictFor(ord); err != nil {
					break
				}
			}
		}
	})
}

// BenchmarkByteScan is the yardstick: one pass over the same bytes looking
// at each one, as any reader must.
func BenchmarkByteScan(b *testing.B) {
	doc := benchDoc()
	var cls [256]uint8
	cls['~'], cls['*'] = 1, 2
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		r := bytes.NewReader(doc)
		buf := make([]byte, 128<<10)
		n := 0
		for {
			m, err := r.Read(buf)
			for _, c := range buf[:m] {
				if cls[c] != 0 {
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

// BenchmarkMapOrders measures bytes to canonical order structs: the reader
// and the 850 mapper together, the figure the issue sets a goal for.
func BenchmarkMapOrders(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(doc), Options{})
		n := 0
		for {
			tx, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n += len(MapOrders(tx, MapOptions{}))
		}
		r.Close()
		if n == 0 {
			b.Fatal("no orders")
		}
	}
}

// BenchmarkFormat is what orderhub does with a document: read, map in
// parallel workers, yield canonical orders in document order.
func BenchmarkFormat(b *testing.B) {
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
