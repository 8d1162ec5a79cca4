package edifact

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// The golden files of the answers are rewritten with -update. The flag is
// registered here only when no other test file of the package has: the
// reader's golden tests use the same one.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata/ from the current output")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// checkAnswerGolden compares got with testdata/<dir>/<name>, or rewrites
// it under -update.
func checkAnswerGolden(t *testing.T, dir, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", dir, name)
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run with -update and review the diff)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

var wtTime = time.Date(2026, 11, 20, 14, 5, 0, 0, time.UTC)

func wtEnvelope() ReplyEnvelope {
	return ReplyEnvelope{
		Syntax: "UNOC", SyntaxVersion: "3",
		Sender: "ORDERHUB", Recipient: "4012345000009", RecipientQualifier: "14",
		Control: 42, Time: wtTime,
	}
}

// wtSegments splits well-formed output with separators sep the simple way
// (release characters taken into account), which is all a writer test
// needs; the round trip through the package's reader is a test of its
// own. Each segment is its elements, each element its components, values
// unescaped.
func wtSegments(t *testing.T, b []byte, sep Separators) [][][]string {
	t.Helper()
	s := string(b)
	if strings.HasPrefix(s, "UNA") {
		s = strings.TrimLeft(s[9:], "\r\n")
	}
	var segs [][][]string
	var seg [][]string
	var elem []string
	var val []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case sep.Release != 0 && c == sep.Release:
			i++
			if i == len(s) {
				t.Fatalf("release character at the end of %q", b)
			}
			val = append(val, s[i])
		case c == sep.Component:
			elem = append(elem, string(val))
			val = val[:0]
		case c == sep.Element:
			seg = append(seg, append(elem, string(val)))
			elem, val = nil, val[:0]
		case c == sep.Segment:
			seg = append(seg, append(elem, string(val)))
			segs = append(segs, seg)
			seg, elem, val = nil, nil, val[:0]
			for i+1 < len(s) && (s[i+1] == '\n' || s[i+1] == '\r') {
				i++
			}
		default:
			val = append(val, c)
		}
	}
	if len(val) > 0 || len(seg) > 0 {
		t.Fatalf("output does not end with a segment terminator: %q", b)
	}
	return segs
}

// wtCheckEnvelopes checks every count and reference of the interchanges
// in segs: what a partner's translator checks first.
func wtCheckEnvelopes(t *testing.T, segs [][][]string) {
	t.Helper()
	var unb, unh string
	msgs, inMsg := 0, 0
	for i, s := range segs {
		if unh != "" {
			inMsg++
		}
		switch s[0][0] {
		case "UNB":
			unb, msgs = s[5][0], 0
		case "UNH":
			unh, inMsg = s[1][0], 1
			msgs++
		case "UNT":
			if s[2][0] != unh {
				t.Errorf("segment %d: UNT reference %s, UNH %s", i, s[2][0], unh)
			}
			if got := s[1][0]; got != itoa(inMsg) {
				t.Errorf("segment %d: UNT count %s, counted %d", i, got, inMsg)
			}
			unh = ""
		case "UNZ":
			if s[2][0] != unb {
				t.Errorf("segment %d: UNZ reference %s, UNB %s", i, s[2][0], unb)
			}
			if s[1][0] != itoa(msgs) {
				t.Errorf("segment %d: UNZ count %s, counted %d messages", i, s[1][0], msgs)
			}
			unb = ""
		}
	}
	if unb != "" || unh != "" {
		t.Errorf("unclosed envelope: UNB %q UNH %q", unb, unh)
	}
}

func itoa(n int) string { return decimal.NewFromInt(int64(n)).String() }

func TestWriterSegments(t *testing.T) {
	tests := []struct {
		name  string
		sep   Separators
		write func(w *Writer) error
		want  string
	}{
		{"trailing empty components and elements dropped", DefaultSeparators, func(w *Writer) error {
			w.Begin("QTY")
			w.Elem("21", "5", "", "")
			w.Elem()
			w.Elem("", "")
			return w.End()
		}, "QTY+21:5'"},
		{"empty elements inside kept", DefaultSeparators, func(w *Writer) error {
			w.Begin("NAD")
			w.Elem("BY")
			w.Elem("4012345000009", "", "9")
			w.Elem()
			w.Elem()
			return w.End()
		}, "NAD+BY+4012345000009::9'"},
		{"service characters released", DefaultSeparators, func(w *Writer) error {
			return w.Segment("NAD", "SU", "GROOT MARKT+CO", "A:B", "IT'S", "WHY?")
		}, "NAD+SU+GROOT MARKT?+CO+A?:B+IT?'S+WHY??'"},
		{"other separators released", Separators{Component: '^', Element: '*', Decimal: ',', Release: '!', Segment: '~'}, func(w *Writer) error {
			w.Begin("FTX")
			w.Elem("AAI")
			w.Elem("A*B", "C^D", "E~F", "G!H", "I+J:K'L")
			return w.End()
		}, "FTX*AAI*A!*B^C!^D^E!~F^G!!H^I+J:K'L~"},
		{"decimal comma", Separators{Component: ':', Element: '+', Decimal: ',', Release: '?', Segment: '\''}, func(w *Writer) error {
			w.Begin("PRI")
			w.Elem("AAA", w.Dec(decimal.RequireFromString("2.15")))
			return w.End()
		}, "PRI+AAA:2,15'"},
		{"decimal point", DefaultSeparators, func(w *Writer) error {
			return w.Segment("QTY", w.Dec(decimal.RequireFromString("-0.50")))
		}, "QTY+-0.5'"},
		{"segment with no elements", DefaultSeparators, func(w *Writer) error {
			return w.Segment("UNS", "S")
		}, "UNS+S'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := NewWriter(&buf, tt.sep)
			if err := tt.write(w); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Errorf("got %q, want %q", buf.String(), tt.want)
			}
			if w.Count() != 1 {
				t.Errorf("Count %d, want 1", w.Count())
			}
		})
	}
}

func TestWriterRefuses(t *testing.T) {
	noRelease := DefaultSeparators
	noRelease.Release = 0
	tests := []struct {
		name       string
		sep        Separators
		write      func(w *Writer) error
		tag        string
		elem, comp int
		msg        string
	}{
		{"service character without release", noRelease, func(w *Writer) error {
			w.Begin("NAD")
			w.Elem("BY")
			w.Elem("1", "", "9")
			w.Elem()
			w.Elem("GROOT MARKT+CO")
			return w.End()
		}, "NAD", 4, 1, "holds the data element separator '+' and no release character is in force"},
		{"line break", DefaultSeparators, func(w *Writer) error {
			return w.Segment("FTX", "AAI", "", "", "TWO\nLINES")
		}, "FTX", 4, 1, "control character"},
		{"service segment in a body", DefaultSeparators, func(w *Writer) error {
			return w.Segment("UNT", "2", "1")
		}, "UNT", 0, 0, "envelope methods"},
		{"bad tag", DefaultSeparators, func(w *Writer) error {
			return w.Segment("Qty", "21")
		}, "Qty", 0, 0, "three upper-case letters"},
		{"not UTF-8", DefaultSeparators, func(w *Writer) error {
			return w.Segment("FTX", "AAI", "", "", "M\xfcller")
		}, "FTX", 4, 1, "not UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := NewWriter(&buf, tt.sep)
			err := tt.write(w)
			var ve *ValueError
			if !errors.As(err, &ve) || ve.Tag != tt.tag || ve.Element != tt.elem || ve.Component != tt.comp || !strings.Contains(ve.Msg, tt.msg) {
				t.Fatalf("got %v, want a ValueError at %s element %d component %d saying %q", err, tt.tag, tt.elem, tt.comp, tt.msg)
			}
			if buf.Len() != 0 || w.Count() != 0 {
				t.Errorf("wrote %q (%d segments)", buf.String(), w.Count())
			}
			// The writer goes on: a refused segment is not sticky.
			if err := w.Segment("UNS", "S"); err != nil || buf.String() != "UNS+S'" {
				t.Errorf("after a refused segment: %v, %q", err, buf.String())
			}
		})
	}
}

func TestWriterBadSeparators(t *testing.T) {
	for _, sep := range []Separators{
		{Component: ':', Element: ':', Decimal: '.', Release: '?', Segment: '\''},
		{Component: 'A', Element: '+', Decimal: '.', Release: '?', Segment: '\''},
		{Component: ':', Element: '+', Decimal: '.', Release: '?'},
		{Component: ':', Element: '+', Decimal: ';', Release: '?', Segment: '\''},
	} {
		var buf bytes.Buffer
		w := NewWriter(&buf, sep)
		if err := w.Segment("UNS", "S"); err == nil || buf.Len() != 0 {
			t.Errorf("%+v: got %v, wrote %q", sep, err, buf.String())
		}
	}
}

func TestWriterRepertoire(t *testing.T) {
	tests := []struct {
		syntax, value, want, err string
	}{
		{"UNOA", "Groot Markt (B.V.)", "GROOT MARKT (B.V.)", ""},
		{"UNOA", "sales@example.com", "", "'@' is not in the UNOA repertoire"},
		{"UNOB", "sales@example.com", "sales@example.com", ""},
		{"UNOB", "Müller", "", "'ü' is not in the UNOB repertoire"},
		{"UNOC", "Müller", "M\xfcller", ""},
		{"UNOC", "5 €", "", "'€' is not in the UNOC repertoire"},
		{"UNOE", "Жук", "\xb6\xe3\xda", ""},
		{"UNOW", "5 € Müller", "5 € Müller", ""},
		{"UNOY", "東京", "東京", ""},
	}
	for _, tt := range tests {
		t.Run(tt.syntax+" "+tt.value, func(t *testing.T) {
			var buf bytes.Buffer
			w := NewWriter(&buf, DefaultSeparators)
			env := wtEnvelope()
			env.Syntax = tt.syntax
			err := WriteInterchange(w, env, []Outgoing{{
				Header: MessageHeader{Type: "ORDRSP", Version: "D", Release: "96A", Agency: "UN"},
				Body:   func(w *Writer) error { return w.Segment("FTX", "AAI", "", "", tt.value) },
			}})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "FTX element 4") {
					t.Errorf("got %v, want an error at FTX element 4 saying %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := "FTX+AAI+++" + tt.want + "'"; !strings.Contains(buf.String(), want) {
				t.Errorf("no %q in %q", want, buf.String())
			}
		})
	}
}

func TestWriteInterchange(t *testing.T) {
	body := func(w *Writer) error {
		if err := w.Segment("BGM", "231", "1", "29"); err != nil {
			return err
		}
		return w.Segment("UNS", "S")
	}
	hdr := MessageHeader{Type: "ORDRSP", Version: "D", Release: "96A", Agency: "UN", Association: "EAN005"}
	tests := []struct {
		name string
		sep  Separators
		opts []WriterOption
		edit func(*ReplyEnvelope)
		want string
	}{
		{"defaults: no UNA", DefaultSeparators, nil, func(*ReplyEnvelope) {},
			"UNB+UNOC:3+ORDERHUB+4012345000009:14+261120:1405+42'" +
				"UNH+1+ORDRSP:D:96A:UN:EAN005'BGM+231+1+29'UNS+S'UNT+4+1'" +
				"UNH+2+ORDRSP:D:96A:UN:EAN005'BGM+231+1+29'UNS+S'UNT+4+2'UNZ+2+42'"},
		{"UNA asked for, line breaks", DefaultSeparators, []WriterOption{WithUNA(), WithLineBreak("\n")}, func(*ReplyEnvelope) {},
			"UNA:+.? '\nUNB+UNOC:3+ORDERHUB+4012345000009:14+261120:1405+42'\n" +
				"UNH+1+ORDRSP:D:96A:UN:EAN005'\nBGM+231+1+29'\nUNS+S'\nUNT+4+1'\n" +
				"UNH+2+ORDRSP:D:96A:UN:EAN005'\nBGM+231+1+29'\nUNS+S'\nUNT+4+2'\nUNZ+2+42'\n"},
		{"other separators: UNA", Separators{Component: ':', Element: '+', Decimal: ',', Release: '?', Segment: '\''}, nil, func(*ReplyEnvelope) {},
			"UNA:+,? 'UNB+UNOC:3+ORDERHUB+4012345000009:14+261120:1405+42'" +
				"UNH+1+ORDRSP:D:96A:UN:EAN005'BGM+231+1+29'UNS+S'UNT+4+1'" +
				"UNH+2+ORDRSP:D:96A:UN:EAN005'BGM+231+1+29'UNS+S'UNT+4+2'UNZ+2+42'"},
		{"syntax 4: century, test, application", DefaultSeparators, nil, func(e *ReplyEnvelope) {
			e.SyntaxVersion, e.Test, e.Application, e.AckRequested = "4", true, "ORDRSP", true
		}, "UNB+UNOC:4+ORDERHUB+4012345000009:14+20261120:1405+42++ORDRSP++1++1'" +
			"UNH+1+ORDRSP:D:96A:UN:EAN005'BGM+231+1+29'UNS+S'UNT+4+1'" +
			"UNH+2+ORDRSP:D:96A:UN:EAN005'BGM+231+1+29'UNS+S'UNT+4+2'UNZ+2+42'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := NewWriter(&buf, tt.sep, tt.opts...)
			env := wtEnvelope()
			tt.edit(&env)
			if err := WriteInterchange(w, env, []Outgoing{{Header: hdr, Body: body}, {Header: hdr, Body: body}}); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", buf.String(), tt.want)
			}
			if w.Count() != 10 {
				t.Errorf("Count %d, want 10", w.Count())
			}
			wtCheckEnvelopes(t, wtSegments(t, buf.Bytes(), w.Separators()))
		})
	}
}

// In syntax version 4 '*' is the repetition separator (unless a UNA says
// otherwise) and is released in data; before, it is data.
func TestWriterRepetition(t *testing.T) {
	for _, v := range []struct{ version, want string }{{"3", "FTX+AAI+++A*B'"}, {"4", "FTX+AAI+++A?*B'"}} {
		var buf bytes.Buffer
		env := wtEnvelope()
		env.SyntaxVersion = v.version
		err := WriteInterchange(NewWriter(&buf, DefaultSeparators), env, []Outgoing{{
			Header: MessageHeader{Type: "ORDRSP", Version: "D", Release: "96A", Agency: "UN"},
			Body:   func(w *Writer) error { return w.Segment("FTX", "AAI", "", "", "A*B") },
		}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), v.want) {
			t.Errorf("version %s: no %q in %q", v.version, v.want, buf.String())
		}
		if v.version == "4" && strings.HasPrefix(buf.String(), "UNA") {
			t.Errorf("version 4 with the default repetition separator needs no UNA: %q", buf.String())
		}
	}
}

func TestWriteInterchangeRefuses(t *testing.T) {
	hdr := MessageHeader{Type: "ORDRSP", Version: "D", Release: "96A", Agency: "UN"}
	ok := func(w *Writer) error { return w.Segment("UNS", "S") }
	tests := []struct {
		name string
		edit func(*ReplyEnvelope)
		msgs []Outgoing
		msg  string
	}{
		{"control reference 0", func(e *ReplyEnvelope) { e.Control = 0 }, []Outgoing{{Header: hdr, Body: ok}}, "0020"},
		{"control reference too long", func(e *ReplyEnvelope) { e.Control = 123456789012345 }, []Outgoing{{Header: hdr, Body: ok}}, "14 digits"},
		{"sender too long", func(e *ReplyEnvelope) { e.Sender = strings.Repeat("X", 36) }, []Outgoing{{Header: hdr, Body: ok}}, "S002 0004"},
		{"no recipient", func(e *ReplyEnvelope) { e.Recipient = "" }, []Outgoing{{Header: hdr, Body: ok}}, "S003 0010"},
		{"qualifier too long", func(e *ReplyEnvelope) { e.RecipientQualifier = "12345" }, []Outgoing{{Header: hdr, Body: ok}}, "S003 0007"},
		{"unknown syntax", func(e *ReplyEnvelope) { e.Syntax = "UNOX" }, []Outgoing{{Header: hdr, Body: ok}}, "syntax identifier"},
		{"syntax version", func(e *ReplyEnvelope) { e.SyntaxVersion = "5" }, []Outgoing{{Header: hdr, Body: ok}}, "syntax version"},
		{"message reference too long", func(*ReplyEnvelope) {}, []Outgoing{{Header: MessageHeader{Ref: "123456789012345", Type: "ORDRSP", Version: "D", Release: "96A", Agency: "UN"}, Body: ok}}, "0062"},
		{"no message identifier", func(*ReplyEnvelope) {}, []Outgoing{{Header: MessageHeader{Type: "ORDRSP"}, Body: ok}}, "message identifier"},
		{"no messages", func(*ReplyEnvelope) {}, nil, "at least one message"},
		{"failing body", func(*ReplyEnvelope) {}, []Outgoing{{Header: hdr, Body: ok}, {Header: hdr, Body: func(w *Writer) error {
			return w.Segment("NAD", "BY", "A\x01B")
		}}}, "UNH 2 (ORDRSP): NAD element 2"},
		{"body closes the envelope", func(*ReplyEnvelope) {}, []Outgoing{{Header: hdr, Body: func(w *Writer) error { return w.Segment("UNZ", "1", "42") }}}, "UNZ: service segments"},
		{"segment left open", func(*ReplyEnvelope) {}, []Outgoing{{Header: hdr, Body: func(w *Writer) error { w.Begin("BGM"); return nil }}}, "not ended"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := NewWriter(&buf, DefaultSeparators)
			env := wtEnvelope()
			tt.edit(&env)
			err := WriteInterchange(w, env, tt.msgs)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("got %v, want an error saying %q", err, tt.msg)
			}
			if buf.Len() != 0 || w.Count() != 0 {
				t.Errorf("wrote %q", buf.String())
			}
		})
	}
}

func TestReplyTo(t *testing.T) {
	h := InterchangeHeader{Syntax: "UNOB", SyntaxVersion: "2", Sender: "4012345000009", SenderQualifier: "14", SenderRouting: "EDI",
		Recipient: "ORDERHUB", RecipientQualifier: "ZZZ", Test: true}
	env := ReplyTo(&h)
	want := ReplyEnvelope{Syntax: "UNOB", SyntaxVersion: "2", Sender: "ORDERHUB", SenderQualifier: "ZZZ",
		Recipient: "4012345000009", RecipientQualifier: "14", RecipientRouting: "EDI", Test: true}
	if env != want {
		t.Errorf("got %+v, want %+v", env, want)
	}
}

// Writing a message allocates nothing per element: the segment is built in
// the writer's own buffer.
func TestWriterAllocations(t *testing.T) {
	w := NewWriter(discard{}, DefaultSeparators)
	q := decimal.RequireFromString("24")
	qs := w.Dec(q)
	n := testing.AllocsPerRun(100, func() {
		w.Begin("QTY")
		w.Elem("21", qs, "PCE")
		w.Elem()
		if err := w.End(); err != nil {
			t.Fatal(err)
		}
	})
	if n > 0 {
		t.Errorf("%v allocations per segment", n)
	}
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }
