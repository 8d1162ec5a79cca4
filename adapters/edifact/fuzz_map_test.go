package edifact

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/orderhub/orderhub/order"
)

// FuzzMapOrdersBody fuzzes the mapper rather than the envelopes (as
// FuzzMapOrders, beside the mapper, does from whole documents): the input is
// the body of a message, the segments between UNH and UNT with the
// default service characters, put in a sound UNOC interchange with the
// right UNT count; an ORDCHG when change is set, mapped with StrictTotals
// when strict is. Whatever the body: no panic, and each message gives
// orders or located errors, never both nor neither; each order has a PO
// number and a canonical JSON that decodes, and encodes again the same;
// warnings are located too.
func FuzzMapOrdersBody(f *testing.F) {
	var seeds [][]byte
	seeds = append(seeds, fuzzSeeds(f)...)
	files, err := filepath.Glob(filepath.Join("testdata", "map", "*.edi"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	for _, data := range seeds {
		for _, b := range fuzzBodies(data) {
			f.Add(b.body, b.change, false)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, change, strict bool) {
		doc := fuzzEnvelope(body, change)
		var c fuzzChecker
		c.mode = "map"
		r := NewReader(bytes.NewReader(doc), Options{Doc: fuzzDoc})
		defer r.Close()
		for {
			m, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			before := len(m.Report.Errors)
			orders := MapOrders(m, MapOptions{StrictTotals: strict, Warn: func(e *Error) { c.checkError(doc, e) }})
			added := m.Report.Errors[before:]
			if (len(orders) == 0) == (len(added) == 0) {
				c.errorf("message %q: %d orders and %d errors", m.Header.Ref, len(orders), len(added))
			}
			for _, e := range added {
				c.checkError(doc, e)
			}
			for _, o := range orders {
				fuzzCheckOrder(t, o)
			}
		}
		for _, e := range c.errs {
			t.Error(e)
		}
	})
}

// fuzzCheckOrder checks an order the mapper gave: it has a PO number and
// its canonical JSON decodes, and encodes again the same.
func fuzzCheckOrder(t *testing.T, o *order.Order) {
	t.Helper()
	if o == nil {
		t.Fatal("nil order without an error")
	}
	if o.PONumber == "" {
		t.Errorf("order without a PO number: %+v", o)
	}
	js, err := order.Marshal(o)
	if err != nil {
		t.Fatalf("PO %q: Marshal: %v", o.PONumber, err)
	}
	back, err := order.Decode(js)
	if err != nil {
		t.Fatalf("PO %q: its JSON does not decode: %v\n%s", o.PONumber, err, js)
	}
	js2, err := order.Marshal(back)
	if err != nil {
		t.Fatalf("PO %q: Marshal after Decode: %v", o.PONumber, err)
	}
	if !bytes.Equal(js, js2) {
		t.Fatalf("PO %q: JSON changes through Decode\n--- before\n%s\n--- after\n%s", o.PONumber, js, js2)
	}
}

// fuzzEnvelope puts body, the segments of a message between UNH and UNT,
// in an interchange with sound envelopes. UNT counts the segments as the
// reader will: one per terminator that no release character escapes; a
// last segment without its terminator gets one, and a release character
// with nothing after it to escape is dropped (it would escape that
// terminator).
func fuzzEnvelope(body []byte, change bool) []byte {
	typ := "ORDERS"
	if change {
		typ = "ORDCHG"
	}
	n, tail := 0, false
	for i := 0; i < len(body); i++ {
		switch c := body[i]; c {
		case '?':
			j := i + 1
			for j < len(body) && (body[j] == '\r' || body[j] == '\n') {
				j++
			}
			if j >= len(body) {
				body = body[:i:i]
				break
			}
			i, tail = j, true
		case '\'':
			n++
			tail = false
		case '\r', '\n', ' ', '\t', 0:
		default:
			tail = true
		}
	}
	var b bytes.Buffer
	b.WriteString("UNA:+.? 'UNB+UNOC:3+5412345000013:14+4012345000009:14+261120:0930+1'")
	fmt.Fprintf(&b, "UNH+1+%s:D:96A:UN:EAN008'", typ)
	b.Write(body)
	if tail {
		b.WriteByte('\'')
		n++
	}
	fmt.Fprintf(&b, "UNT+%d+1'UNZ+1+1'", n+2)
	return b.Bytes()
}

type fuzzBody struct {
	body   []byte
	change bool
}

// fuzzBodies returns the bodies (between UNH and UNT) of the ORDERS and
// ORDCHG messages of a document, those written with the default service
// characters.
func fuzzBodies(data []byte) []fuzzBody {
	r := NewReader(bytes.NewReader(data), Options{})
	defer r.Close()
	var out []fuzzBody
	for {
		m, err := r.Next()
		if err != nil {
			return out
		}
		sep := m.Interchange.Separators
		if sep.Component != ':' || sep.Element != '+' || sep.Release != '?' || sep.Segment != '\'' ||
			(m.Header.Type != "ORDERS" && m.Header.Type != "ORDCHG") || len(m.Segments) < 2 {
			continue
		}
		var body []byte
		for i := 1; i < len(m.Segments)-1; i++ {
			body = append(append(body, m.Segments[i].Bytes()...), '\'')
		}
		out = append(out, fuzzBody{body: body, change: m.Header.Type == "ORDCHG"})
	}
}

// TestFuzzBodies checks the seeds FuzzMapOrdersBody starts from: the bodies
// of the mapper's test orders, in a fresh envelope, map as they did in
// theirs; and UNT counts what the reader reads.
func TestFuzzBodies(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "map", "d96a_*.edi"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		bodies := fuzzBodies(data)
		if len(bodies) == 0 {
			t.Fatalf("%s: no body found", path)
		}
		for i, b := range bodies {
			msgs, _ := readAllMessages(t, bytes.NewReader(fuzzEnvelope(b.body, b.change)), Options{Doc: fuzzDoc})
			if len(msgs) != 1 || len(msgs[0].Report.Errors) > 0 {
				t.Fatalf("%s: body %d: %d messages, errors %v", path, i+1, len(msgs), msgs[0].Report.Errors)
			}
			if orders := MapOrders(msgs[0], MapOptions{}); len(orders) == 0 {
				t.Errorf("%s: body %d: no orders, errors %v", path, i+1, msgs[0].Report.Errors)
			}
		}
	}
	for _, tc := range []struct {
		body string
		segs int
	}{
		{"BGM+220+1+9'", 3},
		{"BGM+220+1+9'\r\n FTX+AAI+++A?'B'", 4},
		{"BGM+220+1+9'FTX+AAI+++A??'", 4},
		{"BGM+220+1+9'FTX+AAI+++AB", 4},
		{"BGM+220+1+9'FTX+AAI+++AB?", 4},
		{"BGM+220+1+9'FTX+AAI+++AB?\n", 4},
		{"''", 4},
		{"\n", 2},
	} {
		doc := fuzzEnvelope([]byte(tc.body), false)
		msgs, _ := readAllMessages(t, bytes.NewReader(doc), Options{Doc: fuzzDoc})
		if len(msgs) != 1 || len(msgs[0].Report.Errors) > 0 || len(msgs[0].Segments) != tc.segs {
			t.Errorf("%q in %q: %d messages, want 1 of %d segments without errors", tc.body, doc, len(msgs), tc.segs)
			for _, m := range msgs {
				t.Logf("  %d segments, errors %v", len(m.Segments), m.Report.Errors)
			}
		}
	}
}

// FuzzMapOrders maps whatever the reader makes of arbitrary bytes: no
// panic, and either orders with a PO number and lines' numbers, or
// refusals with a code.
func FuzzMapOrders(f *testing.F) {
	for _, pat := range []string{"testdata/map/*.edi", filepath.Join(corpusDir, "*")} {
		files, _ := filepath.Glob(pat)
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := NewReader(bytes.NewReader(data), Options{Doc: "fuzz", MaxMessage: 1 << 20})
		defer rd.Close()
		for {
			m, err := rd.Next()
			if err != nil {
				return
			}
			before := len(m.Report.Errors)
			orders := MapOrders(m, MapOptions{StrictTotals: true})
			if len(m.Report.Errors) > before && len(orders) > 0 {
				t.Fatalf("orders and refusals for one message")
			}
			for _, e := range m.Report.Errors[before:] {
				if e.Code == "" {
					t.Fatalf("refusal without a code: %v", e)
				}
			}
			for _, o := range orders {
				if o.PONumber == "" {
					t.Fatalf("order without a PO number")
				}
				for _, l := range o.Lines {
					if l.LineNo == "" {
						t.Fatalf("line without a number")
					}
				}
			}
		}
	})
}
