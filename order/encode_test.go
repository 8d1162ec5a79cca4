package order

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/shopspring/decimal"
)

// fillAll sets every field reachable from v, so that an encoder that forgets
// a field writes something encoding/json does not.
func fillAll(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("v%d <&> \"q\" \\ \t\x01 é \u2028 \xff", *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillAll(v.Elem(), n)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fillAll(s.Index(i), n)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for i := range 3 {
			k := reflect.New(v.Type().Key()).Elem()
			k.SetString(fmt.Sprintf("K%d<", 3-i))
			e := reflect.New(v.Type().Elem()).Elem()
			fillAll(e, n)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(decimal.Decimal{}) {
			v.Set(reflect.ValueOf(decimal.New(int64(*n)*1234567-500, int32(*n%7)-4)))
			return
		}
		for i := range v.NumField() {
			fillAll(v.Field(i), n)
		}
	}
}

func TestEncoderCoversEveryField(t *testing.T) {
	var o Order
	n := 0
	fillAll(reflect.ValueOf(&o).Elem(), &n)
	want, err := json.Marshal(&o)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := Marshal(&o)
	if !bytes.Equal(got, want) {
		t.Fatalf("encoder differs from encoding/json:\n got %s\nwant %s", got, want)
	}
	// Zero values: required fields written, omitempty ones left out,
	// nil slices as null.
	for _, z := range []*Order{{}, {Lines: []Line{{}}, Pricing: &Pricing{}, Route: &Route{}, Source: &Source{}}} {
		want, _ := json.Marshal(z)
		got, _ := Marshal(z)
		if !bytes.Equal(got, want) {
			t.Errorf("zero order:\n got %s\nwant %s", got, want)
		}
	}
}

func TestDecimalText(t *testing.T) {
	for _, s := range []string{"0", "-0", "24", "2.15", "2.150", "-0.10", "0.0001", "120.5000", "1e3", "-1.2e5",
		"12345678901234567890.123456", "0.000000000000000000000001", "99999999999999999", "-999999999999999999",
		"1000000000000000000", "3.14159265358979323846"} {
		d := decimal.RequireFromString(s)
		want, _ := d.MarshalJSON()
		if got := appendDecimal(nil, d); !bytes.Equal(got, want) {
			t.Errorf("%s: got %s, want %s", s, got, want)
		}
	}
	for _, d := range []decimal.Decimal{decimal.New(5, 2), decimal.New(-7, 0), decimal.New(0, -3), decimal.New(123, -7)} {
		want, _ := d.MarshalJSON()
		if got := appendDecimal(nil, d); !bytes.Equal(got, want) {
			t.Errorf("%v: got %s, want %s", d, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "<a href=\"x\">&amp;</a>", "\x00\x1f\x7f", "é\u2028\u2029", "\xff\xfe", "a\\b\"c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}

func BenchmarkEncoder(b *testing.B) {
	o := benchOrder()
	b.ReportAllocs()
	for b.Loop() {
		Marshal(o)
	}
}
