package order

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// notContent are the Order fields ContentHash leaves out: what orderhub
// adds, as opposed to what the partner sent.
var notContent = map[string]bool{
	"ID": true, "Source": true, "Status": true, "Problems": true,
	"Allocations": true, "Backorders": true, "Outcomes": true, "Pricing": true, "Route": true, "Routes": true,
	"Holds":   true,
	"Applied": true,
}

func mustDecode(t *testing.T, s string) *Order {
	t.Helper()
	o, err := Decode([]byte(s))
	if err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return o
}

func TestContentHashStable(t *testing.T) {
	same := []struct{ name, a, b string }{
		{"decimal scale",
			`{"po_number":"1","lines":[{"line_no":"1","quantity":"24","unit_price":"2.1"}]}`,
			`{"po_number":"1","lines":[{"line_no":"1","quantity":"24.000","unit_price":2.10}]}`},
		{"decimal exponent",
			`{"po_number":"1","lines":[{"line_no":"1","quantity":"2.4e1"}]}`,
			`{"po_number":"1","lines":[{"line_no":"1","quantity":24}]}`},
		{"item_ids order",
			`{"po_number":"1","lines":[{"line_no":"1","item_ids":{"UP":"1","VN":"2","IN":"3"}}]}`,
			`{"po_number":"1","lines":[{"line_no":"1","item_ids":{"IN":"3","VN":"2","UP":"1"}}]}`},
		{"empty values absent",
			`{"po_number":"1","purpose":"","references":[],"parties":[{"role":"ship_to","address":[]}],"lines":[{"line_no":"1","sku":"","item_ids":{},"quantity":"1"}]}`,
			`{"po_number":"1","parties":[{"role":"ship_to"}],"lines":[{"line_no":"1","quantity":"1"}]}`},
		{"empty item id",
			`{"po_number":"1","lines":[{"line_no":"1","item_ids":{"UP":"1","VN":""}}]}`,
			`{"po_number":"1","lines":[{"line_no":"1","item_ids":{"UP":"1"}}]}`},
		{"lines null or empty",
			`{"po_number":"1","purpose":"cancel","lines":null}`,
			`{"po_number":"1","purpose":"cancel","lines":[]}`},
		{"added by orderhub",
			`{"po_number":"1","lines":[{"line_no":"1","quantity":"1"}]}`,
			`{"id":"ord_1","po_number":"1","lines":[{"line_no":"1","quantity":"1"}],"source":{"format":"json"},"status":"routed",
			  "problems":[{"message":"x"}],"allocations":[{"line_no":"1","warehouse":"W","quantity":"1"}],"backorders":[{"line_no":"1","quantity":"1"}],
			  "pricing":{"lines":[],"subtotal":"1","discount_total":"0","total":"1"},"route":{"warehouse":"W","topic":"t"}}`},
	}
	for _, tt := range same {
		t.Run(tt.name, func(t *testing.T) {
			if a, b := ContentHash(mustDecode(t, tt.a)), ContentHash(mustDecode(t, tt.b)); a != b {
				t.Errorf("hashes differ: %s %s", a, b)
			}
		})
	}

	differ := []struct{ name, a, b string }{
		{"price zero is a price",
			`{"po_number":"1","lines":[{"line_no":"1","quantity":"1"}]}`,
			`{"po_number":"1","lines":[{"line_no":"1","quantity":"1","unit_price":"0"}]}`},
		{"partner",
			`{"partner":"A","po_number":"1","lines":[]}`,
			`{"partner":"B","po_number":"1","lines":[]}`},
		{"line order",
			`{"po_number":"1","lines":[{"line_no":"1"},{"line_no":"2"}]}`,
			`{"po_number":"1","lines":[{"line_no":"2"},{"line_no":"1"}]}`},
		{"field boundaries",
			`{"po_number":"1","references":[{"qualifier":"A"},{"value":"B"}],"lines":[]}`,
			`{"po_number":"1","references":[{"qualifier":"A","value":"B"},{}],"lines":[]}`},
		{"string boundaries",
			`{"po_number":"1","parties":[{"role":"ab","name":"c"}],"lines":[]}`,
			`{"po_number":"1","parties":[{"role":"a","name":"bc"}],"lines":[]}`},
	}
	for _, tt := range differ {
		t.Run(tt.name, func(t *testing.T) {
			if a, b := ContentHash(mustDecode(t, tt.a)), ContentHash(mustDecode(t, tt.b)); a == b {
				t.Errorf("same hash %s", a)
			}
		})
	}
}

// TestContentHashCoversEveryField changes each field of a full order in
// turn, by reflection so that a field added later is covered too: a field
// that is not in notContent must change the hash. Adding a business field
// without adding it to ContentHash fails here.
func TestContentHashCoversEveryField(t *testing.T) {
	base := filled()
	h0 := ContentHash(base)
	check := func(name string, o *Order, excluded bool) {
		t.Helper()
		changed := ContentHash(o) != h0
		if changed == excluded {
			t.Errorf("%s: hash changed=%v, want %v", name, changed, !excluded)
		}
	}
	ot := reflect.TypeFor[Order]()
	for i := range ot.NumField() {
		f := ot.Field(i)
		o := base.Clone()
		mutate(reflect.ValueOf(o).Elem().Field(i))
		check(f.Name, o, notContent[f.Name])
		if notContent[f.Name] || f.Type.Kind() != reflect.Slice || f.Type.Elem().Kind() != reflect.Struct {
			continue
		}
		et := f.Type.Elem()
		for j := range et.NumField() {
			o := base.Clone()
			mutate(reflect.ValueOf(o).Elem().Field(i).Index(0).Field(j))
			check(f.Name+"."+et.Field(j).Name, o, false)
		}
	}
}

// filled returns an order with every field, at every depth, set.
func filled() *Order {
	o := new(Order)
	fill(reflect.ValueOf(o).Elem(), 0)
	return o
}

func fill(v reflect.Value, n int) {
	if v.Type() == decimalType {
		v.Set(reflect.ValueOf(decimal.New(int64(15+n), -1)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("v%d", n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n+1)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n+i+1)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		v.SetMapIndex(reflect.ValueOf("K1"), reflect.ValueOf("x1"))
		v.SetMapIndex(reflect.ValueOf("K2"), reflect.ValueOf("x2"))
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n+i+1)
			}
		}
	}
}

// mutate changes v to a different value of its type.
func mutate(v reflect.Value) {
	if v.Type() == decimalType {
		v.Set(reflect.ValueOf(v.Interface().(decimal.Decimal).Add(decimal.NewFromInt(1))))
		return
	}
	if v.Type() == itemIDsType {
		ids := slices.Clone(v.Interface().(ItemIDs))
		ids.Set("ZZ", "new")
		v.Set(reflect.ValueOf(ids))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		} else {
			e := reflect.New(v.Type().Elem())
			e.Elem().Set(v.Elem())
			mutate(e.Elem())
			v.Set(e)
		}
	case reflect.Slice:
		v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for _, k := range v.MapKeys() {
			m.SetMapIndex(k, v.MapIndex(k))
		}
		m.SetMapIndex(reflect.ValueOf("ZZ"), reflect.ValueOf("new"))
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				mutate(v.Field(i))
				return
			}
		}
	}
}

// TestContentHashGolden pins the hashes of the golden inputs: a change here
// means every stored hash changes and duplicates slip through once, so it
// must come with a new contentHashVersion.
func TestContentHashGolden(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/decode/*.json")
	var b strings.Builder
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		if o, err := Decode(data); err == nil {
			fmt.Fprintf(&b, "%s %s\n", filepath.Base(in), ContentHash(o))
		}
	}
	golden(t, "testdata/hash.golden", []byte(b.String()))
}

func TestContentHashNil(t *testing.T) {
	if ContentHash(nil) == ContentHash(&Order{PONumber: "1"}) {
		t.Error("nil hashes like an order")
	}
}

func TestCanonicalDecimal(t *testing.T) {
	show := func(d decimal.Decimal) string {
		c, e := canonicalDecimal(d)
		return fmt.Sprintf("%se%d", c, e)
	}
	for in, want := range map[string]string{
		"24": "24e0", "24.0": "24e0", "2.4e1": "24e0", "2400": "24e2", "0": "0e0", "0.000": "0e0",
		"-0.10": "-1e-1", "0.125": "125e-3", "100.5000": "1005e-1",
		"1234567890123456789012345.000": "1234567890123456789012345e0",
		"-12345678901234567890000":      "-1234567890123456789e4",
	} {
		if got := show(dec(in)); got != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
	if got := show(decimal.Decimal{}); got != "0e0" {
		t.Errorf("zero value: %s", got)
	}
}

// TestClone checks that a clone equals its original and shares no memory
// with it but the immutable decimals, field by field by reflection so that
// fields added later are covered.
func TestClone(t *testing.T) {
	o := filled()
	c := o.Clone()
	if !reflect.DeepEqual(o, c) {
		t.Fatalf("clone differs:\n%+v\n%+v", o, c)
	}
	noShared(t, "order", reflect.ValueOf(o), reflect.ValueOf(c))

	var nilOrder *Order
	if nilOrder.Clone() != nil {
		t.Error("nil clone is not nil")
	}
	empty := &Order{Lines: []Line{}, References: nil}
	ec := empty.Clone()
	if ec.Lines == nil || ec.References != nil {
		t.Error("clone changed nil-ness")
	}
}

func noShared(t *testing.T, path string, a, b reflect.Value) {
	t.Helper()
	if a.Type() == decimalType {
		return
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return
		}
		if a.Pointer() == b.Pointer() {
			t.Errorf("%s: pointer shared", path)
		}
		noShared(t, path, a.Elem(), b.Elem())
	case reflect.Slice:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			t.Errorf("%s: slice shared", path)
		}
		for i := range a.Len() {
			noShared(t, fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i))
		}
	case reflect.Map:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			t.Errorf("%s: map shared", path)
		}
	case reflect.Struct:
		for i := range a.NumField() {
			if a.Type().Field(i).IsExported() {
				noShared(t, path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i))
			}
		}
	}
}
