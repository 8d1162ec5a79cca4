package edifact

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
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
