package order

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// maxDecodeProblems stops the diagnosis of a hopeless document: past this
// many problems the sender has to look at the whole thing anyway.
const maxDecodeProblems = 100

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
