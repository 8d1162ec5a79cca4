package edifact

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// dump describes what a Reader finds in a document: each message with its
// segments' tags and errors, each interchange report, what lay outside.
func dump(r io.Reader, name string, full bool) string {
	var b strings.Builder
	rd := NewReader(r, Options{Doc: name, OnInterchange: func(rep *InterchangeReport) {
		h := rep.Header
		fmt.Fprintf(&b, "interchange %s %s:%s from %s to %s una=%q groups=%d messages=%d\n", h.Control, h.Syntax, h.SyntaxVersion,
			Party(h.Sender, h.SenderQualifier), Party(h.Recipient, h.RecipientQualifier), h.Separators.UNA(), len(rep.Groups), len(rep.AllMessages()))
		for _, e := range rep.Errors {
			fmt.Fprintf(&b, "  interchange error %s: %s\n", e.Code, e.Error())
		}
		for _, g := range rep.Groups {
			for _, e := range g.Errors {
				fmt.Fprintf(&b, "  group error %s: %s\n", e.Code, e.Error())
			}
		}
	}})
	defer rd.Close()
	for {
		m, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintf(&b, "fatal: %v\n", err)
			break
		}
		fmt.Fprintf(&b, "message %s %s segments=%d\n", m.Header.Ref, m.Header.Identifier(), len(m.Segments))
		if full {
			for i := range m.Segments {
				fmt.Fprintf(&b, "  %s\n", describeSegment(&m.Segments[i]))
			}
		} else if len(m.Segments) > 1 {
			s := &m.Segments[1]
			fmt.Fprintf(&b, "  %s %q %q\n", s.Tag(), s.Str(1, 1), s.Str(2, 1))
		}
		for _, e := range m.Report.Errors {
			fmt.Fprintf(&b, "  error %s: %s\n", e.Code, e.Error())
		}
	}
	for _, e := range rd.Errors() {
		fmt.Fprintf(&b, "outside %s: %s\n", e.Code, e.Error())
	}
	return b.String()
}

func TestDumpCorpus(t *testing.T) {
	if os.Getenv("EDIFACT_DUMP") == "" {
		t.Skip("EDIFACT_DUMP not set")
	}
	files, _ := filepath.Glob("../../../shared/corpus/edifact/*")
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("=== %s\n%s", filepath.Base(f), dump(fh, filepath.Base(f), false))
		fh.Close()
	}
}

// describeSegment shows a segment's values as the accessors give them:
// elements split by |, components by ^, each value quoted when it is not
// plain.
func describeSegment(s *Segment) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s @%d", s.Pos(), s.Tag(), s.Offset())
	for i := 1; i <= s.Len(); i++ {
		b.WriteString(" |")
		for j := 1; j <= s.Comps(i); j++ {
			if j > 1 {
				b.WriteString("^")
			}
			v := s.Str(i, j)
			if strings.ContainsAny(v, "|^ \"") || !utf8.ValidString(v) {
				v = strconv.Quote(v)
			}
			b.WriteString(v)
		}
	}
	return b.String()
}
