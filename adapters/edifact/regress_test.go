package edifact

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

// Regression tests for what FuzzReader found in the reader.

// readAllMessages reads every message of doc from in.
func readAllMessages(t *testing.T, in io.Reader, opts Options) ([]*Message, []*Error) {
	t.Helper()
	r := NewReader(in, opts)
	defer r.Close()
	var out []*Message
	for {
		m, err := r.Next()
		if err == io.EOF {
			return out, r.Errors()
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
}

// A byte order mark is skipped however the reads cut it: a source that
// gives one byte at a time is no junk before the interchange.
func TestBOMCutByReads(t *testing.T) {
	doc := "\xef\xbb\xbfUNB+UNOC:3+SENDER:14+ORDERHUB+261120:0930+IC1'UNH+M1+ORDERS:D:96A:UN'BGM+220+PO1+9'UNT+3+M1'UNZ+1+IC1'"
	for _, single := range []bool{false, true} {
		msgs, outside := readAllMessages(t, iotest.OneByteReader(strings.NewReader(doc)), Options{Doc: "bom", singlePass: single})
		if len(outside) > 0 {
			t.Errorf("single pass %v: %v", single, outside[0])
		}
		if len(msgs) != 1 || len(msgs[0].Report.Errors) > 0 {
			t.Fatalf("single pass %v: %d messages, want 1 without errors", single, len(msgs))
		}
	}
}

// A message past MaxMessage is handed out without its segments, refused
// by an error about the message (CONTRL's UCM: no segment to name), and
// the segments after the limit are not held either.
func TestMessageTooLarge(t *testing.T) {
	var b strings.Builder
	b.WriteString("UNB+UNOC:3+SENDER:14+ORDERHUB+261120:0930+IC1'UNH+M1+ORDERS:D:96A:UN'BGM+220+PO1+9'")
	n := 3
	for b.Len() < 3*1024 {
		b.WriteString("FTX+AAI+++SOME FREE TEXT THAT TAKES ROOM IN THE MESSAGE'")
		n++
	}
	b.WriteString("UNT+" + strconv.Itoa(n) + "+M1'UNH+M2+ORDERS:D:96A:UN'BGM+220+PO2+9'UNT+3+M2'UNZ+2+IC1'")
	msgs, _ := readAllMessages(t, strings.NewReader(b.String()), Options{Doc: "big", MaxMessage: 1024})
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2", len(msgs))
	}
	big := msgs[0]
	if len(big.Segments) != 0 {
		t.Errorf("the large message holds %d segments, the first %s at position %d", len(big.Segments), big.Segments[0].Tag(), big.Segments[0].Pos())
	}
	if len(big.Report.Errors) != 1 {
		t.Fatalf("the large message has errors %v, want one", big.Report.Errors)
	}
	if e := big.Report.Errors[0]; e.Level != LevelMessage || e.Code != CodeUnspecified || e.Message != "M1" {
		t.Errorf("the large message's error %q is level %d code %s, want a message-level %s", e, e.Level, e.Code, CodeUnspecified)
	}
	if m := msgs[1]; len(m.Report.Errors) > 0 || len(m.Segments) != 3 {
		t.Errorf("the next message: %d segments, errors %v", len(m.Segments), m.Report.Errors)
	}
}

// Str is UTF-8 whatever the bytes: those that are no character of the
// declared set (refused, but their message is still handed out and its
// values read to say what is wrong) come out as U+FFFD.
func TestStrValidUTF8(t *testing.T) {
	for _, tc := range []struct{ syntax, value, want string }{
		{"UNOY", "\xe6\x9d", "\ufffd"},
		{"UNOY", "AB\xffC", "AB\ufffdC"},
		{"UNOW", "\xc3", "\ufffd"},
		{"UNOA", "CAF\xc9", "CAF\ufffd"},
		{"UNOB", "CAF\xe9?+", "CAF\ufffd+"},
		{"UNOY", "CAF\xc3\xa9", "CAF\u00e9"},
		{"UNOC", "CAF\xe9", "CAF\u00e9"},
	} {
		doc := "UNB+" + tc.syntax + ":3+SENDER:14+ORDERHUB+261120:0930+IC1'UNH+M1+ORDERS:D:96A:UN'NAD+BY+++" + tc.value + "'UNT+3+M1'UNZ+1+IC1'"
		msgs, _ := readAllMessages(t, strings.NewReader(doc), Options{Doc: "utf8"})
		if len(msgs) != 1 || len(msgs[0].Segments) < 2 {
			t.Fatalf("%s %q: %d messages", tc.syntax, tc.value, len(msgs))
		}
		got := msgs[0].Segments[1].Str(4, 1)
		if got != tc.want || !utf8.ValidString(got) {
			t.Errorf("%s %q: Str %q, want %q", tc.syntax, tc.value, got, tc.want)
		}
		if bytes.Equal([]byte(tc.want), []byte(tc.value)) != (len(msgs[0].Report.Errors) == 0) && tc.syntax != "UNOC" && !strings.Contains(tc.value, "?") {
			t.Errorf("%s %q: errors %v", tc.syntax, tc.value, msgs[0].Report.Errors)
		}
	}
}
