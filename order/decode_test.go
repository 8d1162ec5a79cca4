package order

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ from the current output")

// golden compares got with the golden file path, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./order -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test ./order -update and review the diff)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// decodeOutput is what a decode golden file holds: the order re-marshalled,
// or the error and its problems one per line.
func decodeOutput(o *Order, err error) []byte {
	if err != nil {
		var b bytes.Buffer
		fmt.Fprintf(&b, "error: %s\n", err)
		var de *DecodeError
		if errors.As(err, &de) {
			if de.Line > 0 {
				fmt.Fprintf(&b, "offset %d, line %d, column %d\n", de.Offset, de.Line, de.Column)
			}
			for _, p := range de.Problems {
				fmt.Fprintf(&b, "- path=%q message=%q\n", p.Path, p.Message)
			}
		}
		return b.Bytes()
	}
	out, merr := json.MarshalIndent(o, "", "  ")
	if merr != nil {
		return []byte("marshal error: " + merr.Error() + "\n")
	}
	return append(out, '\n')
}

func TestDecodeGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/decode/*.json")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			o, err := Decode(data)
			if err != nil {
				var de *DecodeError
				if !errors.As(err, &de) || len(de.Problems) == 0 {
					t.Errorf("error %T %v: want a *DecodeError with problems", err, err)
				}
			} else {
				assertRoundTrip(t, o)
			}
			golden(t, strings.TrimSuffix(in, ".json")+".golden", decodeOutput(o, err))
		})
	}
}

// assertRoundTrip checks that o survives Marshal → Decode unchanged, as
// every pipeline stage relies on.
func assertRoundTrip(t testing.TB, o *Order) {
	t.Helper()
	b1, err := json.Marshal(o)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	o2, err := Decode(b1)
	if err != nil {
		t.Fatalf("decode of own output %s: %v", b1, err)
	}
	b2, err := json.Marshal(o2)
	if err != nil {
		t.Fatalf("marshal again: %v", err)
	}
	if !bytes.Equal(b1, b2) {
		t.Fatalf("round trip changed the order:\n%s\n%s", b1, b2)
	}
	if h1, h2 := ContentHash(o), ContentHash(o2); h1 != h2 {
		t.Fatalf("round trip changed the content hash: %s, %s", h1, h2)
	}
	if e1, e2 := fmt.Sprint(o.Validate()), fmt.Sprint(o2.Validate()); e1 != e2 {
		t.Fatalf("round trip changed validation:\n%s\n%s", e1, e2)
	}
}

func TestDecodeErrors(t *testing.T) {
	// The exact wording of the messages partners see, beside the golden files
	// that hold whole documents.
	tests := []struct {
		name, in string
		want     string
	}{
		{"decimal comma", `{"po_number":"1","lines":[{"line_no":"1","quantity":"2,15"}]}`,
			`lines[0].quantity: want a decimal such as "24" or "2.15", got "2,15"`},
		{"decimal word", `{"po_number":"1","lines":[{"line_no":"1","quantity":"abc"}]}`,
			`lines[0].quantity: want a decimal such as "24" or "2.15", got "abc"`},
		{"decimal bool", `{"po_number":"1","lines":[{"line_no":"1","quantity":true}]}`,
			`lines[0].quantity: want a decimal such as "24" or "2.15", got true`},
		{"decimal empty", `{"po_number":"1","lines":[{"line_no":"1","quantity":""}]}`,
			`lines[0].quantity: want a decimal such as "24" or "2.15", got ""`},
		{"decimal exponent bomb", `{"po_number":"1","lines":[{"line_no":"1","quantity":"1e-9999"}]}`,
			`lines[0].quantity: decimal out of range: at most 40 digits before and 40 after the point, got "1e-9999"`},
		{"pricing decimal out of range", `{"po_number":"1","lines":[],"pricing":{"lines":[],"subtotal":"1","discount_total":"0","total":1e41}}`,
			`pricing.total: decimal out of range: at most 40 digits before and 40 after the point, got 1e41`},
		{"unknown with suggestion", `{"po_numbr":"1","lines":[]}`,
			`po_numbr: unknown field (did you mean "po_number"?)`},
		{"unknown odd key", `{"po_number":"1","lines":[],"a b":1}`,
			`["a b"]: unknown field`},
		{"map path", `{"po_number":"1","lines":[{"line_no":"1","item_ids":{"UP":1}}]}`,
			`lines[0].item_ids.UP: want a string, got 1`},
		{"address path", `{"po_number":"1","lines":[],"parties":[{"role":"ship_to","address":["a",{}]}]}`,
			`parties[0].address[1]: want a string, got an object`},
		{"top level array", `[{"po_number":"1"}]`, `want an object, got an array`},
		{"top level string", `"PO"`, `want an object, got "PO"`},
		{"null", `null`, `want a JSON object, the order; got null`},
		{"empty", ``, `empty input: want one JSON object, the order`},
		{"syntax", "{\n  \"po_number\": \"1\",\n  \"lines\": [1,}\n}",
			`line 3, column 15: invalid character '}' looking for beginning of value`},
		{"cut short", "{\"po_number\": \"1\"", `line 1, column 18: unexpected end of input: the JSON is cut short`},
		{"trailing", `{"po_number":"1","lines":[]} x`,
			`line 1, column 30: unexpected 'x' after the order object; a document holds one order (several go in NDJSON or a JSON array)`},
		{"trailing after BOM", "\xef\xbb\xbf{\"po_number\":\"1\",\"lines\":[]}}",
			`line 1, column 29: unexpected '}' after the order object; a document holds one order (several go in NDJSON or a JSON array)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := Decode([]byte(tt.in))
			if err == nil {
				t.Fatalf("decoded %+v, want error %q", o, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestDecodeSyntaxOffset(t *testing.T) {
	in := "{\n  \"po_number\": \"1\",\n  \"lines\": [1,}\n}"
	_, err := Decode([]byte(in))
	var de *DecodeError
	if !errors.As(err, &de) || !de.Syntax() {
		t.Fatalf("err = %v, want a syntax *DecodeError", err)
	}
	if in[de.Offset] != '}' {
		t.Errorf("Offset %d points at %q, want the '}'", de.Offset, in[de.Offset])
	}
}

// TestDecodeLongDecimalIsCheap guards against big.Int's quadratic parsing:
// 4 MiB of digits must be refused before anything parses them. Parsing them
// takes about half a minute; refusing them well under a second, so the
// bound below holds on a loaded machine and under -race.
func TestDecodeLongDecimalIsCheap(t *testing.T) {
	in := `{"po_number":"1","lines":[{"line_no":"1","quantity":` + strings.Repeat("7", 4<<20) + `}]}`
	start := time.Now()
	_, err := Decode([]byte(in))
	if err == nil || !strings.Contains(err.Error(), "lines[0].quantity: decimal too long") {
		t.Fatalf("err = %v, want decimal too long", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestDecodeManyProblemsCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"po_number":"1","lines":[`)
	for i := range 500 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"line_no":"1","quantity":"x"}`)
	}
	b.WriteString(`]}`)
	_, err := Decode([]byte(b.String()))
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v", err)
	}
	if n := len(de.Problems); n != maxDecodeProblems+1 {
		t.Errorf("%d problems, want %d and a note", n, maxDecodeProblems+1)
	}
	if !strings.HasSuffix(err.Error(), "; and 51 more problems") {
		t.Errorf("message does not say how many more: ...%s", err.Error()[len(err.Error())-60:])
	}
}

func TestDecodeDecimalsExact(t *testing.T) {
	o, err := Decode([]byte(`{"po_number":"1","lines":[{"line_no":"1","quantity":0.1,"unit_price":12345678901234567890.123456}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := o.Lines[0].Quantity.String(); got != "0.1" {
		t.Errorf("quantity %s", got)
	}
	if got := o.Lines[0].UnitPrice.String(); got != "12345678901234567890.123456" {
		t.Errorf("unit_price %s, want it exact", got)
	}
}

// The fuzz target's seeds are the golden inputs, so every case a crasher
// turned into stays a seed.
func FuzzDecode(f *testing.F) {
	inputs, _ := filepath.Glob("testdata/decode/*.json")
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := Decode(data)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) || len(de.Problems) == 0 || err.Error() == "" {
				t.Fatalf("error %T %q: want a *DecodeError with problems", err, err)
			}
			if de.Syntax() && (de.Offset < 0 || de.Offset > int64(len(data))) {
				t.Fatalf("offset %d outside the input of %d bytes", de.Offset, len(data))
			}
			return
		}
		// The fast path (goccy/go-json) must accept nothing that
		// encoding/json, the reference, refuses, and read it the same.
		std := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, utf8BOM)))
		std.DisallowUnknownFields()
		var ref Order
		if err := std.Decode(&ref); err != nil {
			t.Fatalf("Decode accepted what encoding/json refuses (%v)", err)
		}
		if std.More() {
			t.Fatalf("Decode accepted trailing data encoding/json sees")
		}
		gotJSON, _ := json.Marshal(o)
		refJSON, _ := json.Marshal(&ref)
		if !bytes.Equal(gotJSON, refJSON) {
			t.Fatalf("Decode and encoding/json read it differently:\n%s\n%s", gotJSON, refJSON)
		}
		if fast, _ := Marshal(o); !bytes.Equal(fast, gotJSON) {
			t.Fatalf("Marshal and encoding/json write it differently:\n%s\n%s", fast, gotJSON)
		}
		assertRoundTrip(t, o)
		c := o.Clone()
		b1, _ := json.Marshal(o)
		b2, _ := json.Marshal(c)
		if !bytes.Equal(b1, b2) {
			t.Fatalf("clone differs:\n%s\n%s", b1, b2)
		}
	})
}

// benchOrder is a typical 10-line order.
func benchOrder() *Order {
	o := &Order{
		Partner: "BIGRETAIL", PONumber: "4500012345", Purpose: PurposeOriginal, OrderType: TypeStandalone,
		OrderDate: "2026-11-20", Currency: "USD", RequestedDeliveryDate: "2026-12-01",
		References: []Reference{{Qualifier: "DP", Value: "042"}},
		Parties: []Party{{Role: RoleShipTo, ID: "0007", IDQualifier: "92", Name: "BIGRETAIL DC 7",
			Address: []string{"1200 DISTRIBUTION WAY"}, City: "COLUMBUS", Region: "OH", PostalCode: "43215", Country: "US"}},
	}
	for i := range 10 {
		p := decimal.RequireFromString("2.15")
		o.Lines = append(o.Lines, Line{
			LineNo: fmt.Sprint(i + 1), SKU: fmt.Sprintf("SKU-%04d", 1000+i), GTIN: "012345678905",
			ItemIDs:     ItemIDs{{"UP", "012345678905"}, {"VN", fmt.Sprintf("SKU-%04d", 1000+i)}},
			Description: "COLA CLASSIC 12OZ CAN", Quantity: decimal.NewFromInt(int64(24 + i)), UOM: "EA", UnitPrice: &p,
		})
	}
	return o
}

func BenchmarkDecode(b *testing.B) {
	data, err := json.Marshal(benchOrder())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnmarshalBaseline is plain json.Unmarshal of the same order,
// with no strictness: what Decode's checks cost is the difference.
func BenchmarkUnmarshalBaseline(b *testing.B) {
	data, err := json.Marshal(benchOrder())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var o Order
		if err := json.Unmarshal(data, &o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshal(b *testing.B) {
	o := benchOrder()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkContentHash(b *testing.B) {
	o := benchOrder()
	b.ReportAllocs()
	for b.Loop() {
		ContentHash(o)
	}
}

// Marshal (goccy/go-json) must write exactly what encoding/json writes, for
// every golden input.
func TestMarshalMatchesEncodingJSON(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/decode/*.json")
	orders := []*Order{benchOrder()}
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		if o, err := Decode(data); err == nil {
			orders = append(orders, o)
		}
	}
	for i, o := range orders {
		want, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("order %d:\n got %s\nwant %s", i, got, want)
		}
	}
}
