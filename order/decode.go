package order

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"
	"github.com/shopspring/decimal"
)

// Limits on decimals. They are far beyond any real quantity or price; they
// exist because a decimal's cost grows with its text: big.Int parses a long
// digit string in quadratic time, and a short "1e-9999" prints as ten
// thousand characters. Every decimal the package accepts therefore prints
// back in a few dozen bytes.
const (
	// maxDecimalText is the longest decimal text accepted, without quotes.
	maxDecimalText = 64
	// maxDecimalDigits bounds the digits on either side of the point.
	maxDecimalDigits = 40
)

// maxDecodeProblems stops the diagnosis of a hopeless document: past this
// many problems the sender has to look at the whole thing anyway.
const maxDecodeProblems = 100

// maxShownProblems is how many problems an error message spells out; the
// Problems slice still holds them all.
const maxShownProblems = 50

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// DecodeError is why Decode refused its input: a syntax error (invalid JSON,
// data after the object, empty input) or the content problems of well-formed
// JSON (unknown fields, wrong types, malformed decimals), each with its path.
type DecodeError struct {
	Problems []Problem
	// Offset is the byte offset in the input of a syntax error: the offending
	// byte, or the input's length when it ends too soon. Line and Column
	// (from 1; the column counts characters) say the same for people. All
	// three are 0 when the JSON is well-formed and the problems are about
	// its content.
	Offset       int64
	Line, Column int
}

func (e *DecodeError) Error() string {
	msg := joinProblems(e.Problems)
	if e.Line > 0 {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, msg)
	}
	return msg
}

// Syntax tells whether the input was not well-formed JSON, as opposed to
// well-formed JSON with the wrong content.
func (e *DecodeError) Syntax() bool { return e.Line > 0 }

// joinProblems renders problems as "path: message; path: message".
func joinProblems(ps []Problem) string {
	if len(ps) == 0 {
		return "invalid order"
	}
	var b strings.Builder
	for i, p := range ps {
		if i == maxShownProblems {
			fmt.Fprintf(&b, "; and %d more problems", len(ps)-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// String renders the problem as "path: message", or just the message when
// it is about the order as a whole.
func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// Decode reads exactly one canonical order from data, strictly: unknown
// fields, values of the wrong type, malformed decimals and anything after
// the object are refused with a *DecodeError that names every problem by its
// JSON path ("lines[2].quantity"). A leading UTF-8 byte order mark is
// skipped. Decimals may be JSON strings ("2.15") or JSON numbers (2.15); they
// are read exactly, never through a float.
//
// Like encoding/json, which does the work on the happy path, Decode treats
// null as an absent value and matches field names case-insensitively when
// there is no exact match; the diagnosis of a refused order follows the same
// rules so that it finds what made the decoder fail.
func Decode(data []byte) (*Order, error) {
	start := 0
	if bytes.HasPrefix(data, utf8BOM) {
		start = len(utf8BOM)
	}
	body := data[start:]
	first := skipSpace(body, 0)
	if first == len(body) {
		return nil, &DecodeError{Problems: []Problem{{Message: "empty input: want one JSON object, the order"}}}
	}

	// A long digit run may be a decimal that would take seconds to parse;
	// check the lengths of the decimals before letting the decoder near them.
	if hasDigitRun(body, maxDecimalText) {
		if err := diagnose(data, start); err != nil {
			return nil, err
		}
	}

	o := new(Order)
	// goccy/go-json decodes an order about three times faster than
	// encoding/json; every pipeline stage decodes every order, so that is
	// the difference that counts. Any error is re-examined by
	// encoding/json, whose errors explain() and the diagnosis understand.
	dec := gojson.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(o); err != nil {
		std := json.NewDecoder(bytes.NewReader(body))
		std.DisallowUnknownFields()
		if serr := std.Decode(new(Order)); serr != nil {
			err = serr
		}
		return nil, explain(data, start, err)
	}
	if i := skipSpace(data, start+int(dec.InputOffset())); i < len(data) {
		return nil, syntaxError(data, start, i, fmt.Sprintf("unexpected %s after the order object; a document holds one order (several go in NDJSON or a JSON array)", describeByte(data[i])))
	}
	if body[first] != '{' {
		// Only null gets here: encoding/json accepts it for a struct.
		return nil, &DecodeError{Problems: []Problem{{Message: "want a JSON object, the order; got null"}}}
	}
	if !decimalsInRange(o) {
		// The decoder took them; the diagnosis says which and why not.
		return nil, diagnose(data, start)
	}
	return o, nil
}

// explain turns the decoder's first error into the full list of problems.
func explain(data []byte, start int, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		// Offset counts the bytes read up to and including the bad one.
		off := start + int(se.Offset) - 1
		off = max(start, min(off, len(data)))
		return syntaxError(data, start, off, se.Error())
	case errors.Is(err, io.ErrUnexpectedEOF):
		return syntaxError(data, start, len(data), "unexpected end of input: the JSON is cut short")
	}
	if derr := diagnose(data, start); derr != nil {
		return derr
	}
	// The diagnosis found nothing the decoder did: report the decoder's own
	// words rather than nothing.
	return &DecodeError{Problems: []Problem{{Message: strings.TrimPrefix(err.Error(), "json: ")}}}
}

// diagnose walks well-formed or malformed data and returns a *DecodeError
// with every problem it finds, or nil when there is none.
func diagnose(data []byte, start int) error {
	body := data[start:]
	var raw json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off := max(start, min(start+int(se.Offset)-1, len(data)))
			return syntaxError(data, start, off, se.Error())
		}
		return syntaxError(data, start, len(data), "unexpected end of input: the JSON is cut short")
	}
	var w walker
	w.value(raw, orderType, "")
	if len(w.problems) == 0 {
		return nil
	}
	return &DecodeError{Problems: w.problems}
}

// syntaxError locates a syntax error at byte off of data, whose first start
// bytes are a byte order mark that no editor shows.
func syntaxError(data []byte, start, off int, msg string) *DecodeError {
	line, col := position(data, start, off)
	return &DecodeError{
		Problems: []Problem{{Message: msg}},
		Offset:   int64(off),
		Line:     line,
		Column:   col,
	}
}

// position returns the line and character column (both from 1) of byte off.
func position(data []byte, start, off int) (line, col int) {
	before := data[start:off]
	line = 1 + bytes.Count(before, []byte{'\n'})
	if i := bytes.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	return line, utf8.RuneCount(before) + 1
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// isSpace is JSON's idea of whitespace.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func describeByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// hasDigitRun tells whether b holds more than n digits in a row.
func hasDigitRun(b []byte, n int) bool {
	run := 0
	for _, c := range b {
		if c >= '0' && c <= '9' {
			run++
			if run > n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// parseDecimal reads a decimal exactly as the decoder does on the happy path
// (decimal.Decimal's UnmarshalJSON) and applies the limits above. raw is the
// JSON text: a string or a number.
func parseDecimal(raw []byte) (decimal.Decimal, string) {
	text := raw
	if len(text) >= 2 && text[0] == '"' && text[len(text)-1] == '"' {
		text = text[1 : len(text)-1]
	}
	if len(text) > maxDecimalText {
		return decimal.Decimal{}, fmt.Sprintf("decimal too long: at most %d characters, got %d", maxDecimalText, len(text))
	}
	var d decimal.Decimal
	if err := d.UnmarshalJSON(raw); err != nil {
		return d, fmt.Sprintf(`want a decimal such as "24" or "2.15", got %s`, describe(raw))
	}
	if !decimalInRange(d) {
		return d, fmt.Sprintf("decimal out of range: at most %d digits before and %d after the point, got %s", maxDecimalDigits, maxDecimalDigits, describe(raw))
	}
	return d, ""
}

func decimalInRange(d decimal.Decimal) bool {
	e := int(d.Exponent())
	if e < -maxDecimalDigits || e > maxDecimalDigits {
		return false
	}
	return d.NumDigits()+e <= maxDecimalDigits
}

func decPtrInRange(d *decimal.Decimal) bool { return d == nil || decimalInRange(*d) }

func decimalsInRange(o *Order) bool {
	for i := range o.Lines {
		l := &o.Lines[i]
		if !decimalInRange(l.Quantity) || (l.UnitPrice != nil && !decimalInRange(*l.UnitPrice)) {
			return false
		}
	}
	for _, a := range o.Allocations {
		if !decimalInRange(a.Quantity) {
			return false
		}
	}
	for _, b := range o.Backorders {
		if !decimalInRange(b.Quantity) {
			return false
		}
	}
	for _, oc := range o.Outcomes {
		if !decimalInRange(oc.Quantity) || !decimalInRange(oc.Short) || !decimalInRange(oc.PackSize) {
			return false
		}
	}
	if p := o.Pricing; p != nil {
		if !decimalInRange(p.Subtotal) || !decimalInRange(p.DiscountTotal) || !decimalInRange(p.Total) {
			return false
		}
		if !decPtrInRange(p.TaxTotal) || !decPtrInRange(p.TotalWithTax) {
			return false
		}
		for _, l := range p.Lines {
			if !decimalInRange(l.UnitPrice) || !decimalInRange(l.ListPrice) ||
				!decPtrInRange(l.TaxBase) || !decPtrInRange(l.TaxRate) || !decPtrInRange(l.Tax) {
				return false
			}
			for _, a := range l.Adjustments {
				if !decimalInRange(a.Amount) {
					return false
				}
			}
			if c := l.PriceCheck; c != nil && (!decimalInRange(c.POPrice) || !decimalInRange(c.OurPrice) || !decimalInRange(c.Difference)) {
				return false
			}
		}
	}
	return true
}

// The diagnostic walker. It runs only when the decoder refused an order, so
// it can afford to re-read every value: it reflects over the json tags of
// the target type, the same ones encoding/json obeys, and keeps going past
// each problem to find the next.

var (
	orderType   = reflect.TypeFor[Order]()
	decimalType = reflect.TypeFor[decimal.Decimal]()
	itemIDsType = reflect.TypeFor[ItemIDs]()
)

type walker struct {
	problems []Problem
}

func (w *walker) add(path, msg string) {
	if len(w.problems) < maxDecodeProblems {
		w.problems = append(w.problems, Problem{Path: path, Message: msg})
	} else if len(w.problems) == maxDecodeProblems {
		w.problems = append(w.problems, Problem{Message: fmt.Sprintf("more problems not listed: stopped after %d", maxDecodeProblems)})
	}
}

func (w *walker) full() bool { return len(w.problems) > maxDecodeProblems }

// value checks one JSON value against type t.
func (w *walker) value(raw []byte, t reflect.Type, path string) {
	if w.full() || len(raw) == 0 {
		return
	}
	if string(raw) == "null" {
		// encoding/json leaves the target as it is: an absent value.
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == decimalType {
		if raw[0] != '"' && !isNumberStart(raw[0]) {
			w.add(path, fmt.Sprintf(`want a decimal such as "24" or "2.15", got %s`, describe(raw)))
			return
		}
		if _, msg := parseDecimal(raw); msg != "" {
			w.add(path, msg)
		}
		return
	}
	if t == itemIDsType {
		// An object of strings, whatever Go type holds it.
		t = reflect.TypeFor[map[string]string]()
	}
	switch t.Kind() {
	case reflect.String:
		if raw[0] != '"' {
			w.add(path, "want a string, got "+describe(raw))
		}
	case reflect.Bool:
		if s := string(raw); s != "true" && s != "false" {
			w.add(path, "want true or false, got "+describe(raw))
		}
	case reflect.Struct:
		if raw[0] != '{' {
			w.add(path, "want an object, got "+describe(raw))
			return
		}
		fields := fieldsOf(t)
		w.members(raw, path, func(key string, v []byte) {
			f, ok := fields.lookup(key)
			if !ok {
				w.add(joinKey(path, key), "unknown field"+fields.suggest(key))
				return
			}
			w.value(v, t.Field(f).Type, joinKey(path, key))
		})
	case reflect.Map:
		if raw[0] != '{' {
			w.add(path, "want an object, got "+describe(raw))
			return
		}
		w.members(raw, path, func(key string, v []byte) {
			w.value(v, t.Elem(), joinKey(path, key))
		})
	case reflect.Slice, reflect.Array:
		if raw[0] != '[' {
			w.add(path, "want an array, got "+describe(raw))
			return
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		if _, err := dec.Token(); err != nil {
			w.add(path, err.Error())
			return
		}
		for i := 0; dec.More() && !w.full(); i++ {
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				w.add(path, err.Error())
				return
			}
			w.value(v, t.Elem(), path+"["+strconv.Itoa(i)+"]")
		}
	default:
		// Not a kind the order uses today; let encoding/json judge it.
		if err := json.Unmarshal(raw, reflect.New(t).Interface()); err != nil {
			w.add(path, strings.TrimPrefix(err.Error(), "json: "))
		}
	}
}

// members calls fn for each member of the JSON object raw, in order.
func (w *walker) members(raw []byte, path string, fn func(key string, v []byte)) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		w.add(path, err.Error())
		return
	}
	for dec.More() && !w.full() {
		tok, err := dec.Token()
		if err != nil {
			w.add(path, err.Error())
			return
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			w.add(path, err.Error())
			return
		}
		fn(key, v)
	}
}

func isNumberStart(c byte) bool { return c == '-' || (c >= '0' && c <= '9') }

// describe shows a JSON value in a message: an object or an array by its
// kind, anything else as written, cut short when long.
func describe(raw []byte) string {
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	const maxShown = 40
	if len(raw) <= maxShown {
		return string(raw)
	}
	cut := maxShown
	for cut > 0 && !utf8.RuneStart(raw[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d characters)", raw[:cut], utf8.RuneCount(raw))
}

// joinKey extends a path by an object key: "lines[0]" and "sku" give
// "lines[0].sku"; a key that is not a plain name is quoted: item_ids["A B"].
func joinKey(path, key string) string {
	if !plainKey(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func plainKey(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// structFields is what the walker knows of a struct: its JSON names.
type structFields struct {
	names []string       // JSON names in declaration order
	index map[string]int // JSON name → field index
}

var fieldCache sync.Map // reflect.Type → *structFields

func fieldsOf(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	f := &structFields{index: map[string]int{}}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		f.names = append(f.names, name)
		f.index[name] = i
	}
	fieldCache.Store(t, f)
	return f
}

// lookup finds a field the way encoding/json does: the exact name first,
// then a case-insensitive match.
func (f *structFields) lookup(key string) (int, bool) {
	if i, ok := f.index[key]; ok {
		return i, true
	}
	for _, n := range f.names {
		if strings.EqualFold(n, key) {
			return f.index[n], true
		}
	}
	return 0, false
}

// suggest names the known field closest to a misspelt key, if one is close.
func (f *structFields) suggest(key string) string {
	best, bestDist := "", 3
	for _, n := range f.names {
		// Two edits turn any three-letter key into any other: a
		// suggestion must keep most of what was typed.
		if len(n) <= 4 && bestDist > 2 {
			if d := editDistance(strings.ToLower(key), n, 2); d < 2 {
				best, bestDist = n, d
			}
			continue
		}
		if d := editDistance(strings.ToLower(key), n, bestDist); d < bestDist {
			best, bestDist = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance of a and b, or limit when it is
// at least limit (keys are short; the bound keeps it cheap on long ones).
func editDistance(a, b string, limit int) int {
	if len(a) > 64 || len(b) > 64 {
		return limit
	}
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}
