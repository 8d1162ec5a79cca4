package x12

import (
	"bytes"
	"strings"
	"testing"
)

func TestTA1For(t *testing.T) {
	r := ackTestReport("00401", "004010")
	if NeedsTA1(r) {
		t.Error("a sound interchange that asked for no TA1 needs none")
	}
	if got := TA1For(r); got != (TA1{Control: "000000101", Date: "261120", Time: "0930", Status: "A", Note: TA1NoError}) {
		t.Errorf("accepted: %+v", got)
	}
	r.Header.AckRequested = true
	if !NeedsTA1(r) {
		t.Error("ISA14 = 1 asks for a TA1")
	}
	r.Header.AckRequested = false
	r.Errors = []*Error{
		{Level: LevelInterchange, Code: TA1ControlNumberMismatch, Msg: "IEA02 differs"},
		{Level: LevelInterchange, Code: TA1InvalidGroupCount, Msg: "IEA01 says 2"},
	}
	if !NeedsTA1(r) {
		t.Error("a rejected interchange needs a TA1")
	}
	if got := TA1For(r); got.Status != "R" || got.Note != TA1ControlNumberMismatch {
		t.Errorf("rejected: %+v", got)
	}
}

func TestWriteTA1Golden(t *testing.T) {
	tests := []struct {
		name string
		d    Delimiters
		acks []TA1
	}{
		{"rejected", stdDelims, []TA1{{Control: "000000101", Date: "261120", Time: "0930", Status: "R", Note: TA1ControlNumberMismatch}}},
		{"two_pipe", Delimiters{Element: '|', Component: '\\', Segment: "\n"}, []TA1{
			{Control: "000000101", Date: "261120", Time: "0930", Status: "A", Note: TA1NoError},
			{Control: "000000102", Date: "261120", Time: "0931", Status: "R", Note: TA1InvalidGroupCount},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ackTestReport("00401", "004010")
			env := ReplyEnvelope(r)
			env.Control, env.Time = 5001, writeTestTime
			var buf bytes.Buffer
			if err := WriteTA1(NewWriter(&buf, tt.d), env, tt.acks...); err != nil {
				t.Fatal(err)
			}
			segs := wtSegments(t, buf.Bytes())
			wtCheckEnvelopes(t, segs)
			if len(segs) != len(tt.acks)+2 || segs[len(segs)-1][1] != "0" {
				t.Errorf("want ISA, the TA1s and IEA*0: %v", segs)
			}
			checkWriteGolden(t, "ta1_"+tt.name+".x12", buf.Bytes())
		})
	}
}

func TestWriteTA1Refuses(t *testing.T) {
	good := TA1{Control: "000000101", Date: "261120", Time: "0930", Status: "A", Note: "000"}
	tests := []struct {
		name string
		edit func(*TA1)
		msg  string
	}{
		{"short control", func(a *TA1) { a.Control = "101" }, "TA101"},
		{"bad date", func(a *TA1) { a.Date = "2611" }, "TA102"},
		{"bad time", func(a *TA1) { a.Time = "9:30" }, "TA103"},
		{"bad status", func(a *TA1) { a.Status = "P" }, "TA104"},
		{"bad note", func(a *TA1) { a.Note = "1" }, "TA105"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := good
			tt.edit(&a)
			var buf bytes.Buffer
			err := WriteTA1(NewWriter(&buf, stdDelims), Envelope{SenderID: "A", ReceiverID: "B", Control: 1}, a)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got %v, want an error about %s", err, tt.msg)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %q", buf.String())
			}
		})
	}
	var buf bytes.Buffer
	if err := WriteTA1(NewWriter(&buf, stdDelims), Envelope{SenderID: "A", ReceiverID: "B", Control: 1}); err == nil {
		t.Error("no TA1: no error")
	}
}
