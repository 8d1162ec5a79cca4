package canonical

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/order"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ from the current output")

func testDoc(name string) format.Doc {
	return format.Doc{ID: "doc_TEST", Name: name, Transport: "inbox", SHA256: "5ha256"}
}

// render writes what Read yields, one item per line, as golden files hold it.
func render(t testing.TB, f Format, r io.Reader, doc format.Doc) []byte {
	t.Helper()
	var b bytes.Buffer
	i := 0
	for o, err := range f.Read(context.Background(), r, doc) {
		switch {
		case err != nil:
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("item %d: error %T %v, want *canonical.Error", i, err, err)
			}
			if e.Index != i {
				t.Errorf("item %d: Index %d", i, e.Index)
			}
			fmt.Fprintf(&b, "#%d error at %s: %s\n", i, e.DocPosition(), err)
		case o == nil:
			t.Fatalf("item %d: nil order and nil error", i)
		default:
			js, merr := json.Marshal(o)
			if merr != nil {
				t.Fatal(merr)
			}
			fmt.Fprintf(&b, "#%d order %s\n", i, js)
		}
		i++
	}
	if i == 0 {
		b.WriteString("(nothing)\n")
	}
	return b.Bytes()
}

func inputs(t testing.TB) []string {
	all, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	var in []string
	for _, p := range all {
		if !strings.HasSuffix(p, ".golden") {
			in = append(in, p)
		}
	}
	if len(in) == 0 {
		t.Fatal("no inputs")
	}
	return in
}

func TestReadGolden(t *testing.T) {
	for _, in := range inputs(t) {
		t.Run(filepath.Base(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got := render(t, Format{}, bytes.NewReader(data), testDoc(filepath.Base(in)))
			path := in + ".golden"
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./adapters/canonical -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (run with -update and review the diff)\n--- got\n%s--- want\n%s", path, got, want)
			}

			// The same document trickling in a byte at a time must read the
			// same: no assumption about where reads end.
			if slow := render(t, Format{}, iotest.OneByteReader(bytes.NewReader(data)), testDoc(filepath.Base(in))); !bytes.Equal(slow, got) {
				t.Errorf("read a byte at a time:\n%s", slow)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		head string
		want bool
	}{
		{`{"po_number":"1"}`, true},
		{"[\n{", true},
		{"  \r\n\t{", true},
		{"\xef\xbb\xbf{", true},
		{"\xef\xbb\xbf \n[", true},
		{"", false},
		{"   \n", false},
		{"ISA*00*", false},
		{"UNA:+.? '", false},
		{"po_number,sku\n", false},
		{"\xef\xbb\xbfpo_number", false},
		{"PK\x03\x04", false},
	}
	for _, tt := range tests {
		if got := (Format{}).Detect([]byte(tt.head)); got != tt.want {
			t.Errorf("Detect(%q) = %v, want %v", tt.head, got, tt.want)
		}
	}
	if (Format{}).Name() != "json" {
		t.Error("name")
	}
}

func TestReadSource(t *testing.T) {
	const in = "\n" + `{"po_number":"1","partner":"FROMBODY","lines":[]}` + "\n"
	doc := format.Doc{ID: "doc_1", Name: "po.json", Transport: "sftp", SHA256: "abc", Partner: "BIGRETAIL"}
	var got []*order.Order
	for o, err := range (Format{}).Read(context.Background(), strings.NewReader(in), doc) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, o)
	}
	if len(got) != 1 {
		t.Fatalf("%d orders", len(got))
	}
	want := order.Source{Format: "json", Transport: "sftp", Document: "po.json", DocumentID: "doc_1", SHA256: "abc", Position: "line 2"}
	if *got[0].Source != want {
		t.Errorf("source %+v, want %+v", *got[0].Source, want)
	}
	if got[0].Partner != "BIGRETAIL" {
		t.Errorf("partner %q: the transport's partner must win", got[0].Partner)
	}

	doc.Partner = ""
	for o, err := range (Format{}).Read(context.Background(), strings.NewReader(in), doc) {
		if err != nil || o.Partner != "FROMBODY" {
			t.Errorf("without a transport partner: %v, %q; want the body's", err, o.Partner)
		}
	}
}

func TestErrorMessage(t *testing.T) {
	in := `{"po_number":"1","lines":[]}` + "\n\n" + `{"po_number":"2","lines":[{"line_no":"1","quantity":"2,15"}]}` + "\n"
	var errs []error
	for _, err := range (Format{}).Read(context.Background(), strings.NewReader(in), testDoc("orders.ndjson")) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) != 1 {
		t.Fatalf("errors %v", errs)
	}
	const want = `orders.ndjson: line 3 (order 2): lines[0].quantity: want a decimal such as "24" or "2.15", got "2,15"`
	if errs[0].Error() != want {
		t.Errorf("got  %s\nwant %s", errs[0], want)
	}
	var de *order.DecodeError
	if !errors.As(errs[0], &de) || de.Problems[0].Path != "lines[0].quantity" {
		t.Errorf("the order's problems are not reachable with errors.As: %v", de)
	}
	var pe interface{ DocPosition() string }
	if !errors.As(errs[0], &pe) || pe.DocPosition() != "line 3" {
		t.Error("no DocPosition")
	}
}

// TestSyntaxErrorPlace checks that a syntax error inside an order is placed
// in the document, not in the order: line and column, and the byte offset.
func TestSyntaxErrorPlace(t *testing.T) {
	doc := "[\n  {\"po_number\": \"1\", \"lines\": []},\n  {\"po_number\": \"é\",\n   \"lines\": [1 2]}\n]"
	for _, err := range (Format{}).Read(context.Background(), strings.NewReader(doc), testDoc("a.json")) {
		if err == nil {
			continue
		}
		var e *Error
		var de *order.DecodeError
		if !errors.As(err, &e) || !errors.As(err, &de) {
			t.Fatalf("%v", err)
		}
		if e.Line != 4 || e.Column != 16 {
			t.Errorf("line %d column %d, want 4, 16: %v", e.Line, e.Column, err)
		}
		if doc[de.Offset] != '2' {
			t.Errorf("offset %d points at %q", de.Offset, doc[de.Offset])
		}
		return
	}
	t.Fatal("no error")
}

func TestMaxOrderBytes(t *testing.T) {
	big := `{"po_number":"2","lines":[{"line_no":"1","sku":"` + strings.Repeat("x", 500) + `","quantity":"1"}]}`
	in := `{"po_number":"1","lines":[]}` + "\n" + big + "\n" + `{"po_number":"3","lines":[]}` + "\n"
	got := render(t, Format{MaxOrderBytes: 200}, strings.NewReader(in), testDoc("big.ndjson"))
	want := `#0 order {"po_number":"1","lines":[],"source":{"format":"json","transport":"inbox","document":"big.ndjson","document_id":"doc_TEST","sha256":"5ha256","position":"line 1"}}
#1 error at line 2: big.ndjson: line 2 (order 2): order too large: more than 200 bytes of JSON
#2 order {"po_number":"3","lines":[],"source":{"format":"json","transport":"inbox","document":"big.ndjson","document_id":"doc_TEST","sha256":"5ha256","position":"line 3"}}
`
	if string(got) != want {
		t.Errorf("got\n%s", got)
	}
}

// ndjsonSource generates an NDJSON document of n orders without holding it,
// and counts what has been read of it.
type ndjsonSource struct {
	n, next  int
	pending  []byte
	read     int64
	lineEnds []int64 // offset after each line handed out
}

func (s *ndjsonSource) Read(p []byte) (int, error) {
	for len(s.pending) == 0 {
		if s.next == s.n {
			return 0, io.EOF
		}
		if s.next == s.n/2 {
			s.pending = []byte(`{"po_number":"BAD","lines":[{"line_no":"1","quantity":"x"}]}` + "\n")
		} else {
			s.pending = fmt.Appendf(nil, `{"po_number":"PO-%07d","purpose":"original","lines":[{"line_no":"1","sku":"SKU-1001","gtin":"012345678905","description":"COLA CLASSIC 12OZ CAN","quantity":"24","uom":"EA","unit_price":"2.15"}]}`+"\n", s.next)
		}
		s.next++
		end := int64(len(s.pending))
		if k := len(s.lineEnds); k > 0 {
			end += s.lineEnds[k-1]
		}
		s.lineEnds = append(s.lineEnds, end)
	}
	n := copy(p, s.pending)
	s.pending = s.pending[n:]
	s.read += int64(n)
	return n, nil
}

// TestReadStreams reads a 10 MB NDJSON document and checks that the reader
// is never far ahead of the orders handed out: the document is streamed,
// not slurped.
func TestReadStreams(t *testing.T) {
	const orders = 55_000 // about 10 MB
	src := &ndjsonSource{n: orders}
	good, bad := 0, 0
	var maxLead int64
	for o, err := range (Format{}).Read(context.Background(), src, testDoc("big.ndjson")) {
		consumed := src.lineEnds[good+bad]
		maxLead = max(maxLead, src.read-consumed)
		if err != nil {
			bad++
			if !strings.Contains(err.Error(), fmt.Sprintf("line %d (order %d)", orders/2+1, orders/2+1)) {
				t.Errorf("error %v", err)
			}
			continue
		}
		if want := fmt.Sprintf("PO-%07d", good+bad); o.PONumber != want {
			t.Fatalf("order %s, want %s", o.PONumber, want)
		}
		good++
	}
	if src.read < 10_000_000 {
		t.Fatalf("document only %d bytes", src.read)
	}
	if good != orders-1 || bad != 1 {
		t.Errorf("%d orders and %d errors, want %d and 1", good, bad, orders-1)
	}
	if maxLead > 256<<10 {
		t.Errorf("the reader ran %d bytes ahead of the orders: not streaming", maxLead)
	}
	t.Logf("%d bytes, reader at most %d bytes ahead", src.read, maxLead)
}

func TestReadStopsWhenAsked(t *testing.T) {
	src := &ndjsonSource{n: 1000}
	n := 0
	for range (Format{}).Read(context.Background(), src, testDoc("x")) {
		n++
		if n == 3 {
			break
		}
	}
	if src.read > 128<<10 {
		t.Errorf("read %d bytes for 3 orders", src.read)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n = 0
	for _, err := range (Format{}).Read(ctx, &ndjsonSource{n: 1000}, testDoc("x")) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 5 {
			cancel()
		}
	}
	if n != 5 {
		t.Errorf("%d orders after cancel at 5", n)
	}
}

func TestReadIOError(t *testing.T) {
	boom := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader(`{"po_number":"1","lines":[]}`+"\n"+`{"po_num`), iotest.ErrReader(boom))
	var items []error
	for _, err := range (Format{}).Read(context.Background(), r, testDoc("x.ndjson")) {
		items = append(items, err)
	}
	if len(items) != 2 || items[0] != nil {
		t.Fatalf("items %v", items)
	}
	var e *Error
	if !errors.Is(items[1], boom) || !errors.As(items[1], &e) || e.Line != 2 {
		t.Errorf("error %v, want a located *Error wrapping the read error", items[1])
	}
}

// FuzzRead feeds Read anything: it must not panic or loop, and every error
// it yields must be a located *Error.
func FuzzRead(f *testing.F) {
	for _, in := range inputs(f) {
		data, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, maxBytes uint8) {
		fm := Format{MaxOrderBytes: int(maxBytes) * 4}
		n := 0
		var first *order.Order
		for o, err := range fm.Read(context.Background(), bytes.NewReader(data), testDoc("fuzz")) {
			if n == 0 {
				first = o
			}
			n++
			if n > len(data)+1 {
				t.Fatalf("more items (%d) than bytes (%d)", n, len(data))
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Line < 1 || e.Index != n-1 {
					t.Fatalf("error %T %v: want a *canonical.Error with a line", err, err)
				}
				if o != nil {
					t.Fatal("order and error together")
				}
				continue
			}
			if o == nil || o.Source == nil {
				t.Fatal("order without source")
			}
		}

		// A document that is one valid order reads as exactly that order,
		// however it is laid out.
		if want, err := order.Decode(data); err == nil && fm.MaxOrderBytes == 0 {
			if n != 1 || first == nil {
				t.Fatalf("one valid order read as %d items, first %v", n, first)
			}
			first.Source = nil
			a, _ := json.Marshal(want)
			b, _ := json.Marshal(first)
			if !bytes.Equal(a, b) {
				t.Fatalf("read\n%s\nwant\n%s", b, a)
			}
		}

		// Where reads end must not matter.
		fast := render(t, fm, bytes.NewReader(data), testDoc("fuzz"))
		slow := render(t, fm, iotest.OneByteReader(bytes.NewReader(data)), testDoc("fuzz"))
		if !bytes.Equal(fast, slow) {
			t.Fatalf("a byte at a time:\n%s\nat once:\n%s", slow, fast)
		}
	})
}

func BenchmarkReadNDJSON(b *testing.B) {
	var buf bytes.Buffer
	src := &ndjsonSource{n: 1000}
	if _, err := io.Copy(&buf, src); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		for _, err := range (Format{}).Read(context.Background(), bytes.NewReader(data), testDoc("x")) {
			_ = err
		}
	}
}
