package edifact

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// contrlTestHeader is the UNB of the interchange the CONTRLs answer: from
// a retailer's GLN to us.
func contrlTestHeader() InterchangeHeader {
	return InterchangeHeader{
		Syntax: "UNOC", SyntaxVersion: "3",
		Sender: "4012345000009", SenderQualifier: "14",
		Recipient: "ORDERHUB", RecipientQualifier: "ZZZ",
		Date: "261120", Time: "0930", Control: "00000815",
		Separators: DefaultSeparators, Enveloped: true,
	}
}

var ordersD96A = MessageHeader{Type: "ORDERS", Version: "D", Release: "96A", Agency: "UN", Association: "EAN008"}

func contrlMsg(ref string, taken bool, errs ...*Error) *MessageReport {
	h := ordersD96A
	h.Ref = ref
	return &MessageReport{Header: h, Taken: taken, Errors: errs}
}

var contrlTestCases = []struct {
	name string
	rep  func() *InterchangeReport
	want []string // the CONTRL's segments between UNH and UNT
}{
	{"accepted", func() *InterchangeReport {
		return &InterchangeReport{Header: contrlTestHeader(), Messages: []*MessageReport{contrlMsg("1", true), contrlMsg("2", true)}}
	}, []string{
		"UCI+00000815+4012345000009:14+ORDERHUB:ZZZ+7",
		"UCM+1+ORDERS:D:96A:UN:EAN008+7",
		"UCM+2+ORDERS:D:96A:UN:EAN008+7",
	}},
	{"rejected_message", func() *InterchangeReport {
		return &InterchangeReport{Header: contrlTestHeader(), Messages: []*MessageReport{
			contrlMsg("1", true),
			contrlMsg("2", false,
				&Error{Level: LevelElement, Segment: 7, Tag: "QTY", Elem: 1, Comp: 2, Code: CodeInvalidDecimal, Msg: "want a number, got 1020A"},
				&Error{Level: LevelSegment, Segment: 12, Tag: "PRI", Code: CodeNotSupported, Msg: "PRI is not expected here"},
				&Error{Level: LevelElement, Segment: 7, Tag: "QTY", Elem: 1, Comp: 3, Code: CodeInvalidValue, Msg: "unit XYZ"},
				&Error{Level: LevelElement, Segment: 9, Tag: "NAD", Elem: 4, Code: CodeElementTooLong, Msg: "36 characters"},
			),
			contrlMsg("3", true),
		}}
	}, []string{
		"UCI+00000815+4012345000009:14+ORDERHUB:ZZZ+7",
		"UCM+1+ORDERS:D:96A:UN:EAN008+7",
		"UCM+2+ORDERS:D:96A:UN:EAN008+4+19",
		"UCS+7",
		"UCD+19+2:2",
		"UCD+12+2:3",
		"UCS+9",
		"UCD+39+5",
		"UCS+12+15",
		"UCM+3+ORDERS:D:96A:UN:EAN008+7",
	}},
	{"unt_count", func() *InterchangeReport {
		return &InterchangeReport{Header: contrlTestHeader(), Messages: []*MessageReport{
			contrlMsg("1", false, &Error{Level: LevelMessage, Segment: 14, Tag: "UNT", Elem: 1, Code: CodeCountDoesNotMatch, Msg: "UNT says 15 segments, counted 14"}),
		}}
	}, []string{
		"UCI+00000815+4012345000009:14+ORDERHUB:ZZZ+7",
		"UCM+1+ORDERS:D:96A:UN:EAN008+4+29+UNT+2",
	}},
	{"interchange_rejected", func() *InterchangeReport {
		return &InterchangeReport{Header: contrlTestHeader(),
			Errors:   []*Error{{Level: LevelInterchange, Tag: "UNZ", Elem: 1, Code: CodeCountDoesNotMatch, Msg: "UNZ says 3 messages, counted 2"}},
			Messages: []*MessageReport{contrlMsg("1", false), contrlMsg("2", false)}}
	}, []string{
		"UCI+00000815+4012345000009:14+ORDERHUB:ZZZ+4+29+UNZ+2",
		"UCM+1+ORDERS:D:96A:UN:EAN008+4",
		"UCM+2+ORDERS:D:96A:UN:EAN008+4",
	}},
	{"grouped", func() *InterchangeReport {
		g1 := &GroupReport{Header: GroupHeader{ID: "ORDERS", Sender: "4012345000009", SenderQualifier: "14", Recipient: "ORDERHUB", Control: "1"},
			Messages: []*MessageReport{contrlMsg("1", true), contrlMsg("2", false,
				&Error{Level: LevelElement, Segment: 3, Tag: "DTM", Elem: 1, Comp: 3, Code: CodeValueNotSupported, Msg: "format 999"})}}
		g2 := &GroupReport{Header: GroupHeader{ID: "ORDERS", Sender: "4012345000009", SenderQualifier: "14", Recipient: "ORDERHUB", Control: "2"},
			Errors:   []*Error{{Level: LevelGroup, Tag: "UNE", Elem: 2, Code: CodeRefsDoNotMatch, Msg: "UNE reference 3, UNG 2"}},
			Messages: []*MessageReport{contrlMsg("3", false)}}
		return &InterchangeReport{Header: contrlTestHeader(), Groups: []*GroupReport{g1, g2}}
	}, []string{
		"UCI+00000815+4012345000009:14+ORDERHUB:ZZZ+7",
		"UCF+1+4012345000009:14+ORDERHUB+7",
		"UCM+1+ORDERS:D:96A:UN:EAN008+7",
		"UCM+2+ORDERS:D:96A:UN:EAN008+4+14",
		"UCS+3",
		"UCD+14+2:3",
		"UCF+2+4012345000009:14+ORDERHUB+4+28+UNE+3",
		"UCM+3+ORDERS:D:96A:UN:EAN008+4",
	}},
	{"count_after_taken", func() *InterchangeReport {
		// The UNZ count is found wrong after both messages went on: the
		// CONTRL says what was done, and still names the error.
		return &InterchangeReport{Header: contrlTestHeader(),
			Errors:   []*Error{{Level: LevelInterchange, Tag: "UNZ", Elem: 1, Code: CodeCountDoesNotMatch}},
			Messages: []*MessageReport{contrlMsg("1", true), contrlMsg("2", true)}}
	}, []string{
		"UCI+00000815+4012345000009:14+ORDERHUB:ZZZ+7+29+UNZ+2",
		"UCM+1+ORDERS:D:96A:UN:EAN008+7",
		"UCM+2+ORDERS:D:96A:UN:EAN008+7",
	}},
	{"unb_syntax", func() *InterchangeReport {
		// An error that is no UNB, UNA or UNZ's names no segment in UCI.
		h := contrlTestHeader()
		return &InterchangeReport{Header: h,
			Errors: []*Error{{Level: LevelInterchange, Tag: "FTX", Code: CodeInvalidOutside, Msg: "FTX between messages"}}}
	}, []string{
		"UCI+00000815+4012345000009:14+ORDERHUB:ZZZ+4+33",
	}},
}

func contrlTestEnvelope(h *InterchangeHeader) ReplyEnvelope {
	env := ReplyTo(h)
	env.Control, env.Time = 42, wtTime
	return env
}

func TestWriteCONTRLGolden(t *testing.T) {
	for _, tc := range contrlTestCases {
		t.Run(tc.name, func(t *testing.T) {
			rep := tc.rep()
			var buf bytes.Buffer
			w := NewWriter(&buf, rep.Header.Separators, WithLineBreak("\n"))
			if err := WriteCONTRL(w, contrlTestEnvelope(&rep.Header), rep); err != nil {
				t.Fatal(err)
			}
			checkAnswerGolden(t, "contrl", tc.name+".edi", buf.Bytes())

			// What the golden file must say, checked apart from it.
			segs := wtSegments(t, buf.Bytes(), DefaultSeparators)
			wtCheckEnvelopes(t, segs)
			if got := joinSegment(segs[0], DefaultSeparators); got != "UNB+UNOC:3+ORDERHUB:ZZZ+4012345000009:14+261120:1405+42++CONTRL" {
				t.Errorf("UNB %s", got)
			}
			if got := joinSegment(segs[1], DefaultSeparators); got != "UNH+1+CONTRL:D:3:UN" {
				t.Errorf("UNH %s", got)
			}
			var body []string
			for _, s := range segs[2 : len(segs)-2] {
				body = append(body, joinSegment(s, DefaultSeparators))
			}
			if strings.Join(body, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(body, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// joinSegment writes a split segment back with sep, unescaped: what a
// test compares.
func joinSegment(s [][]string, sep Separators) string {
	elems := make([]string, len(s))
	for i, e := range s {
		elems[i] = strings.Join(e, string(sep.Component))
	}
	return strings.Join(elems, string(sep.Element))
}

// Syntax version 4 interchanges get ISO 9735-4's CONTRL:4:1:UN, with the
// partner's own separators.
func TestWriteCONTRLVersion4(t *testing.T) {
	h := contrlTestHeader()
	h.SyntaxVersion = "4"
	h.Separators = Separators{Component: ':', Element: '+', Decimal: ',', Release: '?', Repetition: '*', Segment: '\''}
	h.HasUNA = true
	rep := &InterchangeReport{Header: h, Messages: []*MessageReport{contrlMsg("ME*1", true)}}
	var buf bytes.Buffer
	if err := WriteCONTRL(NewWriter(&buf, h.Separators), contrlTestEnvelope(&h), rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"UNA:+,?*'UNB+UNOC:4+ORDERHUB:ZZZ+4012345000009:14+20261120:1405+", "UNH+1+CONTRL:4:1:UN'", "UCM+ME?*1+"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("no %q in %s", want, buf.String())
		}
	}
}

func TestWriteCONTRLRefuses(t *testing.T) {
	h := contrlTestHeader()
	h.Sender = ""
	rep := &InterchangeReport{Header: h}
	var buf bytes.Buffer
	err := WriteCONTRL(NewWriter(&buf, DefaultSeparators), contrlTestEnvelope(&h), rep)
	if err == nil || !strings.Contains(err.Error(), "CONTRL for interchange 00000815") || !strings.Contains(err.Error(), "recipient identification") {
		t.Errorf("got %v, want the CONTRL refused for want of a recipient", err)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %q", buf.String())
	}
}

func TestAnswerName(t *testing.T) {
	if got := AnswerName("CONTRL", 42); got != "CONTRL_000000042.edi" {
		t.Errorf("got %s", got)
	}
}

// numbersFunc is a ControlNumbers from a function, for tests.
type numbersFunc func(ctx context.Context, partner, kind, ref string) (int64, error)

func (f numbersFunc) ControlNumberFor(ctx context.Context, partner, kind, ref string) (int64, error) {
	return f(ctx, partner, kind, ref)
}
