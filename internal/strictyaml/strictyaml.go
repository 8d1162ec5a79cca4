// Package strictyaml decodes YAML onto Go structs strictly: every unknown
// key, wrong kind and bad value is reported, all of them at once, as
// file:line: path: message ("orderhub.yaml:4: http.max_body: unknown key
// (known: addr, max_body_bytes, ...)"). yaml.v3's own KnownFields decoding
// stops at the first problem and names Go types rather than paths.
package strictyaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// MaxProblems caps what one Decode reports: a file of the wrong shape
// altogether (a YAML list of a thousand things) needs one screenful.
const MaxProblems = 100

// Decode reads the one YAML document in data onto v (a pointer to a struct
// holding the defaults), by yaml tags; name stands for the file in
// messages. An empty document leaves v as it is. Then validate, when not
// nil, checks the result: the problems it returns (an *Error whose
// Problems carry paths) are given the file and the line their path was set
// on. Every problem comes back as one *Error.
func Decode(data []byte, name string, v any, validate func() error) (err error) {
	defer func() {
		// yaml.v3 has panicked on malformed input before (CVE-2022-28948);
		// a bad file must be an error, never a crash.
		if r := recover(); r != nil {
			err = &Error{Problems: []*Problem{{File: name, Msg: fmt.Sprintf("unreadable YAML: %v", r)}}}
		}
	}()
	yd := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := yd.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return check(validate, name, nil)
		}
		return &Error{Problems: []*Problem{syntaxProblem(name, err)}}
	}
	var next yaml.Node
	switch err := yd.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return &Error{Problems: []*Problem{syntaxProblem(name, err)}}
	default:
		return &Error{Problems: []*Problem{{File: name, Line: next.Line,
			Msg: "a second YAML document (after ---); want one document"}}}
	}
	d := &decoder{file: name, lines: map[string]int{}, failed: map[string]bool{}}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return check(validate, name, nil) // only comments
		}
		root = root.Content[0]
	}
	d.decode(root, reflect.ValueOf(v).Elem(), "")
	// Validate even when decoding failed somewhere: a value that could not
	// be read kept its default, which validates, so nothing is reported
	// twice and the user sees every problem at once.
	probs := d.probs
	if validate != nil {
		if err := validate(); err != nil {
			var e *Error
			if !errors.As(err, &e) {
				return fmt.Errorf("%s: %w", name, err)
			}
			for _, p := range e.Problems {
				if d.failedAt(p.Path) {
					continue // already reported as unreadable
				}
				p.File, p.Line = name, d.line(p.Path)
				probs = append(probs, p)
			}
		}
	}
	if len(probs) == 0 {
		return nil
	}
	// File order; problems with defaults (no line) last.
	sort.SliceStable(probs, func(i, j int) bool {
		li, lj := probs[i].Line, probs[j].Line
		return li != 0 && (lj == 0 || li < lj)
	})
	if d.more > 0 {
		probs = append(probs, &Problem{File: name, Msg: fmt.Sprintf("... and %d more problems", d.more)})
	}
	return &Error{Problems: probs}
}

// check runs validate on an empty document, naming the file.
func check(validate func() error, name string, _ any) error {
	if validate == nil {
		return nil
	}
	err := validate()
	var e *Error
	if errors.As(err, &e) {
		for _, p := range e.Problems {
			p.File = name
		}
	}
	return err
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxProblem puts yaml.v3's "yaml: line 3: ..." in our file:line form.
func syntaxProblem(name string, err error) *Problem {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Problem{File: name, Line: line, Msg: "invalid YAML: " + m[2], Err: err}
	}
	return &Problem{File: name, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: "), Err: err}
}

// decoder walks a YAML node tree against a struct by its yaml tags. yaml.v3's own KnownFields decoding stops at the first problem and
// says "field x not found in type config.HTTP"; walking ourselves lets us
// name the key's path and report every problem in one go.
type decoder struct {
	file  string
	probs []*Problem
	more  int
	// lines is where each path was set, so Validate's problems can point
	// into the file.
	lines map[string]int
	// failed holds the paths that could not be read.
	failed map[string]bool
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.failed[path] = true
	if len(d.probs) >= MaxProblems {
		d.more++
		return
	}
	d.probs = append(d.probs, &Problem{File: d.file, Line: n.Line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// failedAt tells whether path or one of its parents could not be read.
func (d *decoder) failedAt(path string) bool {
	for {
		if d.failed[path] {
			return true
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return false
		}
		path = path[:i]
	}
}

// line is where path, or failing that its nearest parent, was set.
func (d *decoder) line(path string) int {
	for path != "" {
		if l, ok := d.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

// resolve follows aliases (*name) to the node they stand for.
func resolve(n *yaml.Node) *yaml.Node {
	// yaml.v3 refuses alias cycles when parsing; the bound is a guard.
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// Describe names what a node holds, for "want X, got Y".
func Describe(n *yaml.Node) string {
	n = resolve(n)
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a sequence"
	case yaml.ScalarNode:
		if isNull(n) {
			return "null"
		}
		v := n.Value
		if r := []rune(v); len(r) > 40 {
			v = string(r[:40]) + "…"
		}
		return strconv.Quote(v)
	}
	return "an alias"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// decode sets v from n. A null leaves v as it is: the default stays.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	n = resolve(n)
	if n.Kind == yaml.AliasNode {
		d.fail(n, path, "alias to nothing")
		return
	}
	if path != "" {
		d.lines[path] = n.Line
	}
	if isNull(n) {
		return
	}
	// A type that reads itself (a duration) does: its error is the
	// message.
	if v.CanAddr() {
		if u, ok := v.Addr().Interface().(yaml.Unmarshaler); ok {
			if err := u.UnmarshalYAML(n); err != nil {
				d.fail(n, path, "%v", err)
			}
			return
		}
	}
	switch v.Kind() {
	case reflect.Struct:
		d.mapping(n, v, path)
	case reflect.Pointer:
		// A fresh value, never the default's: Default() hands out
		// pointers that must not be written through.
		nv := reflect.New(v.Type().Elem())
		if !v.IsNil() {
			nv.Elem().Set(v.Elem())
		}
		d.decode(n, nv.Elem(), path)
		v.Set(nv)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.fail(n, path, "want a sequence, got %s", Describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, e := range n.Content {
			d.decode(e, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			d.fail(n, path, "cannot read a %s", v.Type())
			return
		}
		if n.Kind != yaml.MappingNode {
			d.fail(n, path, "want a mapping, got %s", Describe(n))
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := resolve(n.Content[i])
			if k.Kind != yaml.ScalarNode {
				d.fail(k, path, "want a key, got %s", Describe(k))
				continue
			}
			kp := fmt.Sprintf("%s[%q]", path, k.Value)
			if first, dup := seen[k.Value]; dup {
				d.fail(k, kp, "duplicate key (first on line %d)", first)
				continue
			}
			seen[k.Value] = k.Line
			e := reflect.New(v.Type().Elem()).Elem()
			d.decode(n.Content[i+1], e, kp)
			m.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), e)
		}
		v.Set(m)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.fail(n, path, "want a string, got %s", Describe(n))
			return
		}
		// Like yaml.v3, any scalar is a string here (client_id: 42);
		// Validate catches values that only look wrong as text.
		v.SetString(n.Value)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			d.fail(n, path, "want true or false, got %s", Describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		var i int64
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&i) != nil || v.OverflowInt(i) {
			d.fail(n, path, "want an integer, got %s", Describe(n))
			return
		}
		v.SetInt(i)
	default:
		// Only reachable for a field of a kind not handled above; say so
		// instead of silently ignoring the key.
		d.fail(n, path, "cannot read a %s", v.Type())
	}
}

// mapping sets the fields of struct v from mapping n, by yaml tag.
func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		if path == "" {
			d.fail(n, path, "want a mapping of settings at the top level, got %s", Describe(n))
		} else {
			d.fail(n, path, "want a mapping, got %s", Describe(n))
		}
		return
	}
	fields, names := fieldsOf(v.Type())
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "want a key name, got %s", Describe(k))
			continue
		}
		kp := join(path, k.Value)
		if k.ShortTag() == "!!merge" {
			d.fail(k, kp, "merge keys are not supported; write the keys out")
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.fail(k, kp, "duplicate key (first on line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		idx, ok := fields[k.Value]
		if !ok {
			msg := "unknown key (known: " + strings.Join(names, ", ") + ")"
			if j := slices.IndexFunc(names, func(s string) bool { return strings.EqualFold(s, k.Value) }); j >= 0 {
				msg += fmt.Sprintf("; did you mean %q?", names[j])
			}
			d.fail(k, kp, "%s", msg)
			continue
		}
		d.lines[kp] = k.Line
		d.decode(val, v.Field(idx), kp)
	}
}

// fieldsOf maps a struct's yaml keys to field indexes, and lists the keys
// sorted for messages.
func fieldsOf(t reflect.Type) (map[string]int, []string) {
	fields := map[string]int{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		fields[name] = i
		names = append(names, name)
	}
	sort.Strings(names)
	return fields, names
}

// Problem is one thing wrong with a file.
type Problem struct {
	File string // empty for problems found by Validate on its own
	Line int    // 0 when unknown (a default, or the file as a whole)
	Path string // the key's path: "http.addr", "bus.kafka.brokers[1]"
	Msg  string
	Err  error // the underlying error, if any (a YAML syntax error)
}

// Error reads "file:line: path: msg", leaving out what is unknown.
func (p *Problem) Error() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

func (p *Problem) Unwrap() error { return p.Err }

// Error is every problem found in a file, in file order.
type Error struct {
	Problems []*Problem
}

// Error is the problems one per line.
func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find a *Problem.
func (e *Error) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

// Duration is a length of time written as Go writes it: 250ms, 1.5s, 0.
// A bare number other than 0 is refused: "5" could mean seconds or
// nanoseconds.
type Duration struct{ time.Duration }

// UnmarshalYAML reads "250ms", "2s" or 0.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v := strings.TrimSpace(n.Value)
	if n.Kind == yaml.ScalarNode && v == "0" {
		d.Duration = 0
		return nil
	}
	t, err := time.ParseDuration(v)
	if n.Kind != yaml.ScalarNode || err != nil {
		return fmt.Errorf("want a duration such as 250ms or 2s, got %s", Describe(n))
	}
	d.Duration = t
	return nil
}
