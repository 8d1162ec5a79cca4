package x12

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// ackTestReport is an interchange BIGRETAIL sent us: three 850s in one PO
// group, all sound.
func ackTestReport(version, gs08 string) *InterchangeReport {
	return &InterchangeReport{
		Doc: "PO_20261120.edi",
		Header: InterchangeHeader{
			SenderQualifier: "01", SenderID: "BIGRETAIL",
			ReceiverQualifier: "ZZ", ReceiverID: "ORDERHUB",
			Date: "261120", Time: "0930", Version: version, Control: "000000101",
			Usage: "P", Delimiters: stdDelims,
		},
		Groups: []*GroupReport{{
			Header: GroupHeader{FunctionalID: "PO", Sender: "BIGRETAILPO", Receiver: "ORDERHUBPO",
				Date: "20261120", Time: "0930", Control: "101", Agency: "X", Version: gs08},
			Sets: []*SetReport{
				{Code: "850", Control: "0001", Taken: true},
				{Code: "850", Control: "0002", Taken: true},
				{Code: "850", Control: "0003", Taken: true},
			},
		}},
	}
}

func ackTestError(set string, level Level, seg int, tag string, elem, comp int, code, msg string) *Error {
	return &Error{Doc: "PO_20261120.edi", Interchange: "000000101", Group: "101", Transaction: set, Set: "850",
		Segment: seg, Tag: tag, Element: elem, Component: comp, Level: level, Code: code, Msg: msg}
}

// ackTestCases are the reports every functional acknowledgement test runs:
// each edits the sound report above.
var ackTestCases = []struct {
	name string
	edit func(r *InterchangeReport)
}{
	{"accepted", func(*InterchangeReport) {}},
	{"set_rejected", func(r *InterchangeReport) {
		s := r.Groups[0].Sets[1]
		s.Taken = false
		s.Errors = []*Error{
			ackTestError("0002", LevelSegment, 6, "N9", 0, 0, SegmentUnrecognized, "N9 is not a segment of this 850"),
			ackTestError("0002", LevelElement, 12, "PO1", 2, 0, ElementInvalidCharacter, "PO102: want a number, got \"1O\""),
			ackTestError("0002", LevelElement, 12, "PO1", 3, 0, ElementInvalidCode, "PO103: \"XX\" is not a unit of measure"),
			ackTestError("0002", LevelElement, 15, "SLN", 5, 2, ElementInvalidCode, "SLN05-2: bad unit"),
			ackTestError("0002", LevelTransaction, 18, "SE", 0, 0, SetSegmentCountMismatch, "SE01 says 17 segments, counted 18"),
		}
	}},
	{"all_rejected", func(r *InterchangeReport) {
		for _, s := range r.Groups[0].Sets {
			s.Taken = false
			s.Errors = []*Error{ackTestError(s.Control, LevelSegment, 3, "BEG", 0, 0, SegmentMandatoryMissing, "BEG is missing")}
		}
	}},
	{"group_rejected", func(r *InterchangeReport) {
		g := r.Groups[0]
		g.Errors = []*Error{
			{Doc: r.Doc, Interchange: "000000101", Group: "101", Tag: "GE", Level: LevelGroup, Code: GroupControlNumberMismatch, Msg: "GE02 says 102, GS06 is 101"},
			{Doc: r.Doc, Interchange: "000000101", Group: "101", Tag: "GE", Level: LevelGroup, Code: GroupSetCountMismatch, Msg: "GE01 says 4 sets, counted 3"},
		}
		for _, s := range g.Sets {
			s.Taken = false
		}
		// A second, sound group in the same interchange gets its own 997.
		r.Groups = append(r.Groups, &GroupReport{
			Header: GroupHeader{FunctionalID: "PC", Sender: "BIGRETAILPO", Receiver: "ORDERHUBPO",
				Control: "102", Agency: "X", Version: g.Header.Version},
			Sets: []*SetReport{{Code: "860", Control: "0001", Taken: true}},
		})
	}},
	{"ta1", func(r *InterchangeReport) { r.Header.AckRequested = true }},
}

// writeAckTestCase writes what answers r: its TA1 when one is needed, then
// its 997/999 unless the interchange was rejected.
func writeAckTestCase(t *testing.T, r *InterchangeReport, kind string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf, r.Header.Delimiters, WithLineBreak("\n"))
	env := ReplyEnvelope(r)
	env.Time = writeTestTime
	if NeedsTA1(r) {
		env.Control = 5001
		if err := WriteTA1(w, env, TA1For(r)); err != nil {
			t.Fatal(err)
		}
	}
	if !r.Rejected() {
		env.Control, env.GroupControl = 5002, 7002
		if err := WriteAck(w, env, r, kind); err != nil {
			t.Fatal(err)
		}
	}
	wtCheckEnvelopes(t, wtSegments(t, buf.Bytes()))
	return buf.Bytes()
}

func TestWrite997Golden(t *testing.T) { testWriteAckGolden(t, Ack997, "00401", "004010") }

func TestWrite999Golden(t *testing.T) { testWriteAckGolden(t, Ack999, "00501", "005010") }

// testWriteAckGolden checks the kind (997 or 999) written for each of
// ackTestCases, in an interchange of version isa and group version gs,
// against testdata/write/<kind>_<case>.x12.
func testWriteAckGolden(t *testing.T, kind, isa, gs string) {
	for _, tc := range ackTestCases {
		t.Run(tc.name, func(t *testing.T) {
			r := ackTestReport(isa, gs)
			tc.edit(r)
			checkWriteGolden(t, kind+"_"+tc.name+".x12", writeAckTestCase(t, r, kind))
		})
	}
}

// The AK9 and AK5 values each case must give, checked apart from the golden
// files so a careless -update cannot bless a wrong answer.
func TestFunctionalAckCodes(t *testing.T) {
	want := map[string][]string{
		"accepted":       {"AK5*A", "AK5*A", "AK5*A", "AK9*A*3*3*3"},
		"set_rejected":   {"AK5*A", "AK3*N9*6**1", "AK3*PO1*12**8", "AK4*2**6", "AK4*3**7", "AK3*SLN*15**8", "AK4*5>2**7", "AK5*R*4*5", "AK5*A", "AK9*P*3*3*2"},
		"all_rejected":   {"AK3*BEG*3**3", "AK5*R*5", "AK3*BEG*3**3", "AK5*R*5", "AK3*BEG*3**3", "AK5*R*5", "AK9*R*3*3*0"},
		"group_rejected": {"AK5*A", "AK5*A", "AK5*A", "AK9*R*3*3*0*4*5", "AK5*A", "AK9*A*1*1*1"},
		"ta1":            {"AK5*A", "AK5*A", "AK5*A", "AK9*A*3*3*3"},
	}
	for _, tc := range ackTestCases {
		for _, kind := range []string{Ack997, Ack999} {
			t.Run(tc.name+"/"+kind, func(t *testing.T) {
				r := ackTestReport("00501", "005010")
				tc.edit(r)
				var buf bytes.Buffer
				env := ReplyEnvelope(r)
				env.Control, env.Time = 1, writeTestTime
				if err := WriteAck(NewWriter(&buf, stdDelims), env, r, kind); err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, s := range wtSegments(t, buf.Bytes()) {
					line := strings.Join(s, "*")
					if kind == Ack999 {
						line = strings.NewReplacer("IK3*", "AK3*", "IK4*", "AK4*", "IK5*", "AK5*").Replace(line)
					}
					switch s[0] {
					case "AK3", "AK4", "AK5", "AK9", "IK3", "IK4", "IK5":
						got = append(got, line)
					}
				}
				if strings.Join(got, "\n") != strings.Join(want[tc.name], "\n") {
					t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want[tc.name], "\n"))
				}
			})
		}
	}
}

func TestAckEnvelopeAnswersTheSender(t *testing.T) {
	r := ackTestReport("00401", "004010VICS")
	var buf bytes.Buffer
	env := ReplyEnvelope(r)
	env.Control, env.Time = 9, writeTestTime
	if err := WriteAck(NewWriter(&buf, stdDelims), env, r, Ack997); err != nil {
		t.Fatal(err)
	}
	segs := wtSegments(t, buf.Bytes())
	isa, gs, st, ak1 := segs[0], segs[1], segs[2], segs[3]
	if isa[5] != "ZZ" || strings.TrimSpace(isa[6]) != "ORDERHUB" || isa[7] != "01" || strings.TrimSpace(isa[8]) != "BIGRETAIL" {
		t.Errorf("ISA05-08 %v: want from ZZ ORDERHUB to 01 BIGRETAIL", isa[5:9])
	}
	if gs[1] != "FA" || gs[2] != "ORDERHUBPO" || gs[3] != "BIGRETAILPO" || gs[6] != "9" || gs[8] != Version997 {
		t.Errorf("GS %v: want FA from ORDERHUBPO to BIGRETAILPO, control 9, version 004010", gs)
	}
	if strings.Join(st, "*") != "ST*997*0001" || strings.Join(ak1, "*") != "AK1*PO*101" {
		t.Errorf("got %v then %v", st, ak1)
	}
}

func TestWriteAckRefuses(t *testing.T) {
	rejected := ackTestReport("00401", "004010")
	rejected.Errors = []*Error{{Doc: rejected.Doc, Interchange: "000000101", Tag: "IEA", Level: LevelInterchange,
		Code: TA1ControlNumberMismatch, Msg: "IEA02 says 000000102, ISA13 is 000000101"}}
	noGroups := ackTestReport("00401", "004010")
	noGroups.Groups = nil
	noGS06 := ackTestReport("00401", "004010")
	noGS06.Groups[0].Header.Control = ""
	noGS08 := ackTestReport("00501", "")

	tests := []struct {
		name string
		r    *InterchangeReport
		kind string
		env  func(*Envelope)
		msg  string
	}{
		{"rejected interchange", rejected, Ack997, nil, "TA1 only"},
		{"no groups", noGroups, Ack997, nil, "no functional group"},
		{"no GS06", noGS06, Ack997, nil, "AK1 needs both"},
		{"999 without GS08", noGS08, Ack999, nil, "AK103"},
		{"unknown kind", ackTestReport("00401", "004010"), "998", nil, "want 997 or 999"},
		{"not FA", ackTestReport("00401", "004010"), Ack997, func(e *Envelope) { e.FunctionalID = "PR" }, "GS01 is FA"},
		{"delimiter in received control", func() *InterchangeReport {
			r := ackTestReport("00401", "004010")
			r.Groups[0].Sets[0].Control = "00*1"
			return r
		}(), Ack997, nil, "AK202"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := ReplyEnvelope(tt.r)
			env.Control = 1
			if tt.env != nil {
				tt.env(&env)
			}
			var buf bytes.Buffer
			err := WriteAck(NewWriter(&buf, stdDelims), env, tt.r, tt.kind)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got %v, want an error saying %q", err, tt.msg)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %q", buf.String())
			}
		})
	}
	// The interchange error is kept in the chain for errors.As.
	var buf bytes.Buffer
	err := WriteAck(NewWriter(&buf, stdDelims), Envelope{Control: 1}, rejected, Ack997)
	var xe *Error
	if !errors.As(err, &xe) || xe.Code != TA1ControlNumberMismatch {
		t.Errorf("errors.As: %v", err)
	}
}

func TestAckSkipsSetsItCannotName(t *testing.T) {
	r := ackTestReport("00401", "004010")
	r.Groups[0].Sets[2] = &SetReport{Code: "850", Errors: []*Error{
		ackTestError("", LevelTransaction, 1, "ST", 2, 0, SetControlNumberInvalid, "ST02 is missing"),
	}}
	var buf bytes.Buffer
	env := ReplyEnvelope(r)
	env.Control, env.Time = 1, writeTestTime
	if err := WriteAck(NewWriter(&buf, stdDelims), env, r, Ack997); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	if strings.Count(s, "AK2*") != 2 || !strings.Contains(s, "AK9*P*3*3*2~") {
		t.Errorf("want two AK2 loops and AK9*P*3*3*2:\n%s", s)
	}
}

// Bots (bots-edi) wrote 997s for five of the corpus's 850 files. Our 997
// for the same groups must say what Bots' says, segment for segment, from
// AK1 to AK9: the envelopes, dates and control numbers are each tool's own.
func TestAckAgreesWithBots(t *testing.T) {
	checkAgreesWithBots(t, func(t *testing.T, name string, data []byte) []string {
		var ours []string
		for i, r := range wtCorpusReports(t, data) {
			var buf bytes.Buffer
			env := ReplyEnvelope(r)
			env.Control, env.Time = int64(i+1), writeTestTime
			if err := WriteAck(NewWriter(&buf, stdDelims), env, r, Ack997); err != nil {
				t.Fatal(err)
			}
			ours = append(ours, wtAckBody(wtSegments(t, buf.Bytes()))...)
		}
		return ours
	})
}

// wtAckBody is the 997 segments between ST and SE, joined with "*".
func wtAckBody(segs [][]string) []string {
	var out []string
	for _, s := range segs {
		switch s[0] {
		case "ISA", "GS", "ST", "SE", "GE", "IEA":
		default:
			out = append(out, strings.Join(s, "*"))
		}
	}
	return out
}

// wtCorpusReports reads sound interchanges into all-accepted reports with
// the least parsing that works on the corpus's Bots files (one-byte
// terminators, optionally followed by line breaks or spaces). It stands in
// for the package's reader, which the writer's tests do not depend on.
func wtCorpusReports(t *testing.T, data []byte) []*InterchangeReport {
	t.Helper()
	elem, term := string(data[3:4]), string(data[105:106])
	var out []*InterchangeReport
	var r *InterchangeReport
	var g *GroupReport
	for _, seg := range strings.Split(string(data), term) {
		seg = strings.Trim(seg, "\r\n ")
		if seg == "" {
			continue
		}
		e := strings.Split(seg, elem)
		switch e[0] {
		case "ISA":
			r = &InterchangeReport{Header: InterchangeHeader{
				SenderQualifier: e[5], SenderID: strings.TrimSpace(e[6]),
				ReceiverQualifier: e[7], ReceiverID: strings.TrimSpace(e[8]),
				Date: e[9], Time: e[10], Version: "00401", Control: e[13], Usage: e[15],
			}}
			out = append(out, r)
		case "GS":
			g = &GroupReport{Header: GroupHeader{FunctionalID: e[1], Sender: e[2], Receiver: e[3], Control: e[6], Version: e[8]}}
			r.Groups = append(r.Groups, g)
		case "ST":
			g.Sets = append(g.Sets, &SetReport{Code: e[1], Control: e[2], Taken: true})
		}
	}
	if len(out) == 0 {
		t.Fatal("no interchange")
	}
	return out
}

func ExampleWriteAck() {
	// What the reader found: one PO group whose second 850 has a bad PO102.
	r := &InterchangeReport{
		Header: InterchangeHeader{SenderQualifier: "01", SenderID: "BIGRETAIL", ReceiverQualifier: "ZZ",
			ReceiverID: "ORDERHUB", Version: "00401", Control: "000000101", Usage: "P"},
		Groups: []*GroupReport{{
			Header: GroupHeader{FunctionalID: "PO", Sender: "BIGRETAIL", Receiver: "ORDERHUB", Control: "101", Version: "004010"},
			Sets: []*SetReport{
				{Code: "850", Control: "0001", Taken: true},
				{Code: "850", Control: "0002", Errors: []*Error{{Segment: 9, Tag: "PO1", Element: 2,
					Level: LevelElement, Code: ElementInvalidCharacter, Msg: `want a number, got "1O"`}}},
			},
		}},
	}
	env := ReplyEnvelope(r) // from ORDERHUB to BIGRETAIL
	env.Control, env.Time = 7, time.Date(2026, 11, 20, 14, 5, 0, 0, time.UTC)
	w := NewWriter(os.Stdout, Delimiters{Element: '*', Component: '>', Segment: "~"}, WithLineBreak("\n"))
	if err := WriteAck(w, env, r, Ack997); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ISA*00*          *00*          *ZZ*ORDERHUB       *01*BIGRETAIL      *261120*1405*U*00401*000000007*0*P*>~
	// GS*FA*ORDERHUB*BIGRETAIL*20261120*1405*7*X*004010~
	// ST*997*0001~
	// AK1*PO*101~
	// AK2*850*0001~
	// AK5*A~
	// AK2*850*0002~
	// AK3*PO1*9**8~
	// AK4*2**6~
	// AK5*R*5~
	// AK9*P*2*2*1~
	// SE*10*0001~
	// GE*1*7~
	// IEA*1*000000007~
}
