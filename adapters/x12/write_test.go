package x12

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	writeTestTime = time.Date(2026, 11, 20, 14, 5, 0, 0, time.UTC)
	stdDelims     = Delimiters{Element: '*', Component: '>', Repetition: '^', Segment: "~"}
)

func testEnvelope() Envelope {
	return Envelope{
		SenderQualifier: "ZZ", SenderID: "ORDERHUB",
		ReceiverQualifier: "01", ReceiverID: "BIGRETAIL",
		Control: 1201, GroupControl: 301, FunctionalID: "PR",
		Time: writeTestTime,
	}
}

// wtSegments splits well-formed output the simple way, which is all a
// writer test needs: the ISA gives the element separator at byte 3 and the
// terminator right after ISA16; line breaks after terminators are dropped.
// (A round trip through the package's reader is a separate test.)
func wtSegments(t *testing.T, b []byte) [][]string {
	t.Helper()
	if len(b) < 106 || string(b[:3]) != "ISA" {
		t.Fatalf("does not start with an ISA: %q", b)
	}
	elem := b[3]
	term := string(b[105:106])
	var out [][]string
	for _, s := range strings.Split(string(b), term) {
		s = strings.TrimLeft(s, "\r\n")
		if s == "" {
			continue
		}
		out = append(out, strings.Split(s, string([]byte{elem})))
	}
	return out
}

// wtCheckEnvelopes checks every count and control number of one or more
// interchanges: what a partner's translator checks first.
func wtCheckEnvelopes(t *testing.T, segs [][]string) {
	t.Helper()
	var isa13, gs06, st02 string
	groups, sets, segsInSet := 0, 0, 0
	for i, s := range segs {
		if st02 != "" {
			segsInSet++
		}
		switch s[0] {
		case "ISA":
			isa13, groups = s[13], 0
		case "GS":
			gs06, sets = s[6], 0
			groups++
		case "ST":
			st02, segsInSet = s[2], 1
			sets++
			if len(st02) < 4 {
				t.Errorf("segment %d: ST02 %q is shorter than four digits", i, st02)
			}
		case "SE":
			if s[2] != st02 {
				t.Errorf("segment %d: SE02 %s, ST02 %s", i, s[2], st02)
			}
			if s[1] != strconv.Itoa(segsInSet) {
				t.Errorf("segment %d: SE01 %s, counted %d", i, s[1], segsInSet)
			}
			st02 = ""
		case "GE":
			if s[2] != gs06 || s[1] != strconv.Itoa(sets) {
				t.Errorf("segment %d: GE %v after GS06 %s with %d sets", i, s, gs06, sets)
			}
		case "IEA":
			if s[2] != isa13 || s[1] != strconv.Itoa(groups) {
				t.Errorf("segment %d: IEA %v after ISA13 %s with %d groups", i, s, isa13, groups)
			}
		}
	}
}

func oneSet(tag string, elems ...string) []Set {
	return []Set{{Code: "855", Body: func(w *Writer) error { return w.Segment(tag, elems...) }}}
}

func TestISAIs106Bytes(t *testing.T) {
	tests := []struct {
		name    string
		d       Delimiters
		version string
		isa11   byte
	}{
		{"star tilde 4010", stdDelims, "00401", 'U'},
		{"star tilde 5010", stdDelims, "00501", '^'},
		{"pipe caret newline", Delimiters{Element: '|', Component: '^', Segment: "\n"}, "00401", 'U'},
		{"pipe newline 5010", Delimiters{Element: '|', Component: '\\', Repetition: '^', Segment: "\n"}, "00501", '^'},
		{"DEL NAK (VICS)", Delimiters{Element: 0x7f, Component: ':', Segment: "\x15"}, "00401", 'U'},
		{"tilde element", Delimiters{Element: '~', Component: '|', Segment: "\n"}, "00401", 'U'},
		{"high byte delimiters", Delimiters{Element: 0x1d, Component: 0x1f, Repetition: 0x85, Segment: "\x1c"}, "00403", 0x85},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			env := testEnvelope()
			env.Version = tt.version
			env.SenderID = "A" // short IDs are padded, long ones must fit
			env.ReceiverID = "RECEIVER1234567"
			if err := WriteInterchange(NewWriter(&buf, tt.d), env, oneSet("BAK", "00", "AD")); err != nil {
				t.Fatal(err)
			}
			b := buf.Bytes()
			end := bytes.Index(b, []byte(tt.d.Segment))
			if end+len(tt.d.Segment) != 106 {
				t.Fatalf("ISA is %d bytes: %q", end+len(tt.d.Segment), b[:end+1])
			}
			if b[3] != tt.d.Element || b[104] != tt.d.Component || b[82] != tt.isa11 {
				t.Errorf("element %q at 3, component %q at 104, ISA11 %q at 82: %q", b[3], b[104], b[82], b[:106])
			}
			for i := 3; i < 104; i++ {
				if b[i] == tt.d.Element && !slicesContainsInt([]int{3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103}, i) {
					t.Errorf("element separator at %d", i)
				}
			}
			wtCheckEnvelopes(t, wtSegments(t, b))
		})
	}
}

func slicesContainsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestISAWithMultiByteTerminator(t *testing.T) {
	var buf bytes.Buffer
	d := Delimiters{Element: '*', Component: ':', Repetition: '^', Segment: "\u2026"}
	if err := WriteInterchange(NewWriter(&buf, d, WithLineBreak("\n")), testEnvelope(), oneSet("BAK", "00")); err != nil {
		t.Fatal(err)
	}
	if got := strings.Index(buf.String(), "\u2026"); got != 105 {
		t.Errorf("terminator at %d, want 105", got)
	}
	if strings.Count(buf.String(), "\u2026\n") != 7 {
		t.Errorf("want 7 segments each ending in the terminator and a line break:\n%s", buf.String())
	}
}

func TestWriterRefuses(t *testing.T) {
	tests := []struct {
		name  string
		write func(w *Writer) error
		tag   string
		elem  int
		comp  int
		msg   string
	}{
		{"element separator", func(w *Writer) error { return w.Segment("PO1", "1", "2*3") }, "PO1", 2, 0, "element separator '*'"},
		{"component separator", func(w *Writer) error { return w.Segment("PO1", "1", "A>B") }, "PO1", 2, 0, "component separator '>'"},
		{"repetition separator", func(w *Writer) error { return w.Segment("N1", "ST", "A^B") }, "N1", 2, 0, "repetition separator '^'"},
		{"segment terminator", func(w *Writer) error { return w.Segment("N1", "ST", "ACME~") }, "N1", 2, 0, "segment terminator"},
		{"line break", func(w *Writer) error { return w.Segment("N3", "LINE 1\nLINE 2") }, "N3", 1, 0, "control character"},
		{"delimiter in a component", func(w *Writer) error {
			return w.Segment("AK4", w.Comp("2", "1*"), "", "7")
		}, "AK4", 1, 2, "element separator"},
		{"component separator in a component", func(w *Writer) error {
			return w.Segment("AK4", "1", w.Comp("2", ">"))
		}, "AK4", 2, 2, "component separator"},
		{"lower-case tag", func(w *Writer) error { return w.Segment("po1", "1") }, "po1", 0, 0, "segment ID"},
		{"long tag", func(w *Writer) error { return w.Segment("PO12", "1") }, "PO12", 0, 0, "segment ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := NewWriter(&buf, stdDelims)
			err := tt.write(w)
			var ve *ValueError
			if !errors.As(err, &ve) {
				t.Fatalf("want a *ValueError, got %v", err)
			}
			if ve.Tag != tt.tag || ve.Element != tt.elem || ve.Component != tt.comp || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got %+v (%v), want %s element %d component %d saying %q", ve, err, tt.tag, tt.elem, tt.comp, tt.msg)
			}
			if buf.Len() != 0 || w.Count() != 0 {
				t.Errorf("wrote %q (%d segments) despite the error", buf.String(), w.Count())
			}
			// The writer goes on: a refused value is not a broken stream.
			if err := w.Segment("CTT", "1"); err != nil || buf.String() != "CTT*1~" {
				t.Errorf("after a refusal: %v, %q", err, buf.String())
			}
		})
	}
}

func TestWriterSegments(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, stdDelims, WithLineBreak("\r\n"))
	steps := []func() error{
		func() error { return w.Segment("BAK", "00", "AD", "PO1", "20261120", "", "", "") },
		func() error { return w.Segment("AK4", w.Comp("2", "1"), "", "7") },
		func() error { return w.Segment("AK4", w.Comp("3", ""), "66", "1") },
		func() error { return w.Segment("N1", "ST", "", "92", "0007") },
		func() error { return w.Segment("CTT") },
	}
	for i, s := range steps {
		if err := s(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	want := "BAK*00*AD*PO1*20261120~\r\nAK4*2>1**7~\r\nAK4*3*66*1~\r\nN1*ST**92*0007~\r\nCTT~\r\n"
	if buf.String() != want {
		t.Errorf("got\n%q\nwant\n%q", buf.String(), want)
	}
	if w.Count() != 5 {
		t.Errorf("Count %d, want 5", w.Count())
	}
}

func TestRepetitionSeparatorIsDataBefore00402(t *testing.T) {
	// Partner profiles default to ^ as repetition separator; in a 4010
	// interchange ISA11 is U, so ^ is an ordinary character.
	var buf bytes.Buffer
	if err := WriteInterchange(NewWriter(&buf, stdDelims), testEnvelope(), oneSet("N1", "ST", "A^B")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "N1*ST*A^B~") || buf.Bytes()[82] != 'U' {
		t.Errorf("got %s", buf.String())
	}
	buf.Reset()
	env := testEnvelope()
	env.Version = "00501"
	err := WriteInterchange(NewWriter(&buf, stdDelims), env, oneSet("N1", "ST", "A^B"))
	if err == nil || !strings.Contains(err.Error(), "repetition separator") || buf.Len() != 0 {
		t.Errorf("5010: got %v and %q", err, buf.String())
	}
}

func TestBadDelimiters(t *testing.T) {
	tests := []struct {
		name string
		d    Delimiters
	}{
		{"no element separator", Delimiters{Component: '>', Segment: "~"}},
		{"no terminator", Delimiters{Element: '*', Component: '>'}},
		{"letter", Delimiters{Element: 'X', Component: '>', Segment: "~"}},
		{"space", Delimiters{Element: '*', Component: ' ', Segment: "~"}},
		{"same twice", Delimiters{Element: '*', Component: '*', Segment: "~"}},
		{"repetition is component", Delimiters{Element: '*', Component: '>', Repetition: '>', Segment: "~"}},
		{"terminator is element", Delimiters{Element: '*', Component: '>', Segment: "*"}},
		{"two-character terminator", Delimiters{Element: '*', Component: '>', Segment: "~\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := NewWriter(&buf, tt.d)
			if err := w.Segment("CTT", "1"); err == nil || !strings.Contains(err.Error(), "delimiters") {
				t.Errorf("Segment: %v", err)
			}
			if err := WriteInterchange(w, testEnvelope(), oneSet("CTT", "1")); err == nil {
				t.Error("WriteInterchange: no error")
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %q", buf.String())
			}
		})
	}
}

func TestEnvelopeRefused(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Envelope)
		sets []Set
		msg  string
	}{
		{"no sender", func(e *Envelope) { e.SenderID = "" }, nil, "SenderID"},
		{"sender too long", func(e *Envelope) { e.SenderID = "ABCDEFGHIJKLMNOP" }, nil, "ISA06"},
		{"sender with delimiter", func(e *Envelope) { e.SenderID = "A*B" }, nil, "ISA06"},
		{"sender not ASCII", func(e *Envelope) { e.SenderID = "CAFÉ" }, nil, "not ASCII"},
		{"no control", func(e *Envelope) { e.Control = 0 }, nil, "Control 0"},
		{"control too big", func(e *Envelope) { e.Control = 1_000_000_000 }, nil, "Control 1000000000"},
		{"bad version", func(e *Envelope) { e.Version = "004010" }, nil, "five digits"},
		{"bad usage", func(e *Envelope) { e.Usage = "X" }, nil, "ISA15"},
		{"no functional id", func(e *Envelope) { e.FunctionalID = "" }, nil, "GS01"},
		{"no sets", func(*Envelope) {}, []Set{}, "at least one"},
		{"body fails", func(*Envelope) {}, []Set{{Code: "855", Body: func(w *Writer) error {
			if err := w.Segment("BAK", "00"); err != nil {
				return err
			}
			return w.Segment("PO1", "1", "*")
		}}}, "transaction set 1 of 1: ST 855 0001: PO102 \"*\": holds the element separator"},
		{"body writes SE", func(*Envelope) {}, []Set{{Code: "855", Body: func(w *Writer) error {
			return w.Segment("SE", "1", "0001")
		}}}, "envelope segments"},
		{"set control too big", func(*Envelope) {}, []Set{{Code: "855", Control: 1_000_000_000, Body: func(*Writer) error { return nil }}}, "control number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := testEnvelope()
			tt.edit(&env)
			sets := tt.sets
			if sets == nil {
				sets = oneSet("BAK", "00")
			}
			var buf bytes.Buffer
			w := NewWriter(&buf, stdDelims)
			err := WriteInterchange(w, env, sets)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got %v, want an error saying %q", err, tt.msg)
			}
			if buf.Len() != 0 || w.Count() != 0 {
				t.Errorf("wrote %q", buf.String())
			}
		})
	}
}

type failingWriter struct{ n int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("disk full")
	}
	f.n--
	return len(p), nil
}

func TestWriteFailureIsSticky(t *testing.T) {
	w := NewWriter(&failingWriter{n: 1}, stdDelims)
	if err := w.Segment("CTT", "1"); err != nil {
		t.Fatal(err)
	}
	err := w.Segment("CTT", "2")
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("got %v", err)
	}
	if err2 := WriteInterchange(w, testEnvelope(), oneSet("CTT", "1")); !errors.Is(err2, err) {
		t.Errorf("after a failed write: %v", err2)
	}
	if w.Count() != 1 {
		t.Errorf("Count %d, want 1", w.Count())
	}
}

func TestWriteInterchangeGolden(t *testing.T) {
	var buf bytes.Buffer
	env := testEnvelope()
	env.AckRequested = true
	env.Usage = "T"
	sets := []Set{
		{Code: "855", Body: func(w *Writer) error { return w.Segment("BAK", "00", "AD", "PO-1", "20261120") }},
		{Code: "855", Body: func(w *Writer) error {
			if err := w.Segment("BAK", "00", "AD", "PO-2", "20261120"); err != nil {
				return err
			}
			return w.Segment("CTT", "0")
		}},
		{Code: "855", Control: 123456, Body: func(w *Writer) error { return w.Segment("BAK", "00", "AD", "PO-3", "20261120") }},
	}
	if err := WriteInterchange(NewWriter(&buf, stdDelims), env, sets); err != nil {
		t.Fatal(err)
	}
	wtCheckEnvelopes(t, wtSegments(t, buf.Bytes()))
	checkWriteGolden(t, "interchange.x12", buf.Bytes())

	// The same with line breaks differs only by them.
	var lines bytes.Buffer
	if err := WriteInterchange(NewWriter(&lines, stdDelims, WithLineBreak("\n")), env, sets); err != nil {
		t.Fatal(err)
	}
	if strings.ReplaceAll(lines.String(), "~\n", "~") != buf.String() {
		t.Errorf("with line breaks:\n%s", lines.String())
	}
}

func TestValueErrorMessage(t *testing.T) {
	w := NewWriter(&bytes.Buffer{}, Delimiters{Element: 0x7f, Component: ':', Segment: "\x15"})
	err := w.Segment("PO1", "1", "", "", "", "", "VN", "AB\x7fC")
	want := `PO107 "AB\x7fC": holds the element separator '\x7f'`
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

// Any value either is refused or reads back as written: splitting the
// output on the delimiters gives back exactly the elements.
func FuzzWriterSegment(f *testing.F) {
	for _, s := range []string{"", "ABC", "1*2", "A>B", "x~", "A^B", "LINE\n2", "CAFÉ", "\x7f", "…"} {
		f.Add(s, "PO-1")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, d := range []Delimiters{stdDelims, {Element: 0x7f, Component: ':', Segment: "\x15"}, {Element: '*', Component: ':', Repetition: '^', Segment: "…"}} {
			var buf bytes.Buffer
			w := NewWriter(&buf, d)
			comp := w.Comp(a, b)
			err := w.Segment("REF", a, comp, b)
			if err != nil {
				var ve *ValueError
				if !errors.As(err, &ve) || buf.Len() != 0 {
					t.Fatalf("refused with %v after writing %q", err, buf.String())
				}
				continue
			}
			out, ok := strings.CutSuffix(buf.String(), d.Segment)
			if !ok || strings.Contains(out, d.Segment) {
				t.Fatalf("%q is not one segment", buf.String())
			}
			got := strings.Split(out, string([]byte{d.Element}))
			want := []string{"REF", a, comp, b}
			for len(want) > 1 && want[len(want)-1] == "" {
				want = want[:len(want)-1]
			}
			if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
				t.Fatalf("wrote %q, reads back as %q", buf.String(), got)
			}
			if parts := strings.Split(comp, string([]byte{d.Component})); len(parts) > 2 || parts[0] != a && comp != "" {
				t.Fatalf("composite %q of %q and %q reads back as %q", comp, a, b, parts)
			}
		}
	})
}

func ExampleWriteInterchange() {
	w := NewWriter(os.Stdout, Delimiters{Element: '*', Component: '>', Repetition: '^', Segment: "~"}, WithLineBreak("\n"))
	env := Envelope{
		SenderID: "ORDERHUB", ReceiverQualifier: "01", ReceiverID: "BIGRETAIL",
		Control: 42, FunctionalID: "PR", Time: time.Date(2026, 11, 20, 14, 5, 0, 0, time.UTC),
	}
	err := WriteInterchange(w, env, []Set{{Code: "855", Body: func(w *Writer) error {
		return w.Segment("BAK", "00", "AK", "4500012345", "20261120")
	}}})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// ISA*00*          *00*          *ZZ*ORDERHUB       *01*BIGRETAIL      *261120*1405*U*00401*000000042*0*P*>~
	// GS*PR*ORDERHUB*BIGRETAIL*20261120*1405*42*X*004010~
	// ST*855*0001~
	// BAK*00*AK*4500012345*20261120~
	// SE*3*0001~
	// GE*1*42~
	// IEA*1*000000042~
}

func ExampleWriter_Segment() {
	w := NewWriter(os.Stdout, Delimiters{Element: '*', Component: '>', Segment: "~"}, WithLineBreak("\n"))
	fmt.Println(w.Segment("AK4", w.Comp("5", "2"), "", "7", ""))
	fmt.Println(w.Segment("N1", "ST", "ACME*CO"))
	// Output:
	// AK4*5>2**7~
	// <nil>
	// N102 "ACME*CO": holds the element separator '*'
}
