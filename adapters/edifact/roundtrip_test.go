package edifact

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
)

// readBack reads an answer we wrote with the package's reader and fails
// the test on any error it finds: every envelope, count and character must
// be as a partner's translator wants them. It returns the messages and the
// interchange reports.
func readBack(t *testing.T, b []byte) ([]*Message, []*InterchangeReport) {
	t.Helper()
	var reps []*InterchangeReport
	r := NewReader(bytes.NewReader(b), Options{Doc: "answer.edi", OnInterchange: func(rep *InterchangeReport) { reps = append(reps, rep) }})
	defer r.Close()
	var msgs []*Message
	for {
		m, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("reading back: %v\n%s", err, b)
		}
		for _, e := range m.Report.Errors {
			t.Errorf("reading back: %v", e)
		}
		msgs = append(msgs, m)
	}
	for _, e := range r.Errors() {
		t.Errorf("reading back: %v", e)
	}
	for _, rep := range reps {
		for _, e := range rep.Errors {
			t.Errorf("reading back: interchange %s: %v", rep.Header.Control, e)
		}
		for _, g := range rep.Groups {
			for _, e := range g.Errors {
				t.Errorf("reading back: group %s: %v", g.Header.Control, e)
			}
		}
	}
	if len(reps) != 1 {
		t.Fatalf("%d interchanges read back, want 1", len(reps))
	}
	return msgs, reps
}

// sameValues checks that the reader sees, in every segment of the
// messages, the values the simple splitter of the writer tests sees:
// element by element, component by component, release characters
// removed.
func sameValues(t *testing.T, msgs []*Message, want [][][]string) {
	t.Helper()
	// want holds the whole interchange; the messages are UNH to UNT.
	var body [][][]string
	for _, s := range want {
		if tag := s[0][0]; tag != "UNB" && tag != "UNZ" {
			body = append(body, s)
		}
	}
	i := 0
	for _, m := range msgs {
		for k := range m.Segments {
			s := &m.Segments[k]
			if i == len(body) {
				t.Fatalf("the reader found more segments than were written: %s", s.Tag())
			}
			w := body[i]
			i++
			if s.Tag() != w[0][0] || s.Len() != len(w)-1 {
				t.Errorf("segment %d: reader %s with %d elements, written %s with %d", i, s.Tag(), s.Len(), w[0][0], len(w)-1)
				continue
			}
			for e := 1; e < len(w); e++ {
				if s.Comps(e) != len(w[e]) && !(len(w[e]) == 1 && w[e][0] == "" && s.Comps(e) == 0) {
					t.Errorf("%s element %d: reader %d components, written %d", s.Tag(), e, s.Comps(e), len(w[e]))
				}
				for c := 1; c <= len(w[e]); c++ {
					if got := s.Str(e, c); got != w[e][c-1] {
						t.Errorf("%s element %d component %d: read %q, wrote %q", s.Tag(), e, c, got, w[e][c-1])
					}
				}
			}
		}
	}
	if i != len(body) {
		t.Errorf("the reader found %d segments, %d were written", i, len(body))
	}
}

// Every CONTRL we write reads back cleanly, with the same separators and
// values.
func TestCONTRLRoundTrip(t *testing.T) {
	for _, tc := range contrlTestCases {
		t.Run(tc.name, func(t *testing.T) {
			rep := tc.rep()
			var buf bytes.Buffer
			w := NewWriter(&buf, rep.Header.Separators)
			env := contrlTestEnvelope(&rep.Header)
			if err := WriteCONTRL(w, env, rep); err != nil {
				t.Fatal(err)
			}
			msgs, reps := readBack(t, buf.Bytes())
			h := reps[0].Header
			if h.Control != "42" || h.Sender != "ORDERHUB" || h.Recipient != "4012345000009" || h.RecipientQualifier != "14" || h.Separators != w.Separators() {
				t.Errorf("interchange read back: %+v", h)
			}
			if len(msgs) != 1 || msgs[0].Header.Identifier() != "CONTRL:D:3:UN" {
				t.Errorf("messages read back: %d", len(msgs))
			}
			sameValues(t, msgs, wtSegments(t, buf.Bytes(), w.Separators()))
		})
	}
}

// Every ORDRSP we write reads back cleanly with the separators it was
// written with: decimal commas, other UNA characters and values that need
// the release character survive.
func TestORDRSPRoundTrip(t *testing.T) {
	for _, tc := range ordrspTestCases {
		t.Run(tc.name, func(t *testing.T) {
			o := ordrspTestOrder()
			tc.edit(o)
			var buf bytes.Buffer
			w := NewWriter(&buf, tc.sep)
			if err := WriteORDRSPInterchange(w, ordrspTestEnvelope(), []*order.Order{o}, ORDRSPOptions{Now: ordrspNow}); err != nil {
				t.Fatal(err)
			}
			msgs, reps := readBack(t, buf.Bytes())
			if got := reps[0].Header.Separators; got != w.Separators() {
				t.Errorf("separators read back %+v, written %+v", got, w.Separators())
			}
			if len(msgs) != 1 || msgs[0].Header.Identifier() != "ORDRSP:D:96A:UN:EAN005" {
				t.Fatalf("messages read back: %d", len(msgs))
			}
			sameValues(t, msgs, wtSegments(t, buf.Bytes(), w.Separators()))
			// Quantities read back as the numbers written.
			for k := range msgs[0].Segments {
				s := &msgs[0].Segments[k]
				if !s.Is("QTY") {
					continue
				}
				if _, ok := s.Decimal(1, 2); !ok {
					t.Errorf("QTY %q does not read back as a number", s.Raw(1, 2))
				}
			}
		})
	}
}

// The values that need release characters, and letters beyond ASCII in
// a Latin-1 interchange, come back as they were.
func TestORDRSPRoundTripValues(t *testing.T) {
	o := ordrspTestOrder()
	o.PONumber = "PO+7'7:8?12"
	o.Parties[2] = order.Party{Role: order.RoleShipTo, Name: "GROOT MARKT+CO", City: "Düsseldorf"}
	o.Lines[2].Quantity = ordrspDec("2.5")
	for _, sep := range []Separators{
		DefaultSeparators,
		{Component: ':', Element: '+', Decimal: ',', Release: '?', Segment: '\''},
		{Component: '^', Element: '*', Decimal: ',', Release: '!', Segment: '~'},
	} {
		var buf bytes.Buffer
		w := NewWriter(&buf, sep, WithLineBreak("\r\n"))
		if err := WriteORDRSPInterchange(w, ordrspTestEnvelope(), []*order.Order{o}, ORDRSPOptions{Now: ordrspNow}); err != nil {
			t.Fatal(err)
		}
		msgs, _ := readBack(t, buf.Bytes())
		found := map[string]string{}
		for k := range msgs[0].Segments {
			s := &msgs[0].Segments[k]
			switch {
			case s.Is("RFF"):
				found["po"] = s.Str(1, 2)
			case s.Is("NAD") && s.Str(1, 1) == "DP":
				found["name"], found["city"] = s.Str(4, 1), s.Str(6, 1)
			case s.Is("QTY") && s.Str(1, 3) == "KGM":
				d, _ := s.Decimal(1, 2)
				found["qty"] = d.String()
			}
		}
		want := map[string]string{"po": "PO+7'7:8?12", "name": "GROOT MARKT+CO", "city": "Düsseldorf", "qty": "2.5"}
		for k, v := range want {
			if found[k] != v {
				t.Errorf("separators %q: %s read back %q, want %q\n%s", sep.UNA(), k, found[k], v, buf.Bytes())
			}
		}
		if !strings.Contains(buf.String(), "D\xfcsseldorf") {
			t.Errorf("not written in ISO 8859-1: %q", buf.String())
		}
	}
}

func ordrspNow() time.Time { return wtTime }

func ordrspDec(s string) decimal.Decimal { return odec(s) }
