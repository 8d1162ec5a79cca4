package x12

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// corpusDir is the shared corpus of real-world samples, beside the
// repository.
var corpusDir = filepath.Join("..", "..", "..", "shared", "corpus", "x12")

// readerDir holds this package's own reader cases: one input per case, its
// golden dump beside it as <name>.golden.
var readerDir = filepath.Join("testdata", "reader")

// dump reads a document and writes, in the order the Reader gives them,
// each transaction set with its segments and errors, each interchange
// report (when OnInterchange is called) and the document's own errors.
func dump(in io.Reader, name string, mod func(*Options)) (string, error) {
	var b strings.Builder
	opts := Options{Doc: name, OnInterchange: func(rep *InterchangeReport) { dumpReport(&b, rep) }}
	if mod != nil {
		mod(&opts)
	}
	r := NewReader(in, opts)
	defer r.Close()
	for {
		tx, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return b.String(), err
		}
		dumpSet(&b, tx)
	}
	for _, e := range r.Errors() {
		fmt.Fprintf(&b, "document error: %s [%s %s]\n", e, e.Level, e.Code)
	}
	return b.String(), nil
}

func dumpSet(b *strings.Builder, tx *Transaction) {
	fmt.Fprintf(b, "set %s %s (ISA %s, GS %s): %d segments\n", tx.Code, tx.Control, tx.Interchange.Control, tx.Group.Control, len(tx.Segments))
	for i := range tx.Segments {
		s := &tx.Segments[i]
		fmt.Fprintf(b, "  %3d @%-5d %s\n", s.Pos(), s.Offset(), showSegment(s))
	}
	for _, e := range tx.Report.Errors {
		fmt.Fprintf(b, "  error: %s [%s %s]\n", e, e.Level, e.Code)
	}
}

// showSegment writes the tag and elements with "|" between them, bytes
// outside printable ASCII as \xNN.
func showSegment(s *Segment) string {
	var b strings.Builder
	show := func(p []byte) {
		for _, c := range p {
			if c < ' ' || c >= 0x7F || c == '|' || c == '\\' {
				fmt.Fprintf(&b, "\\x%02X", c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	show(s.Tag())
	for i := 1; i <= s.Len(); i++ {
		b.WriteByte('|')
		show(s.Elem(i))
	}
	return b.String()
}

func dumpReport(b *strings.Builder, rep *InterchangeReport) {
	h := &rep.Header
	d := h.Delimiters
	fmt.Fprintf(b, "interchange %s version %s from %s/%s to %s/%s usage %s ack %v charset %q: delimiters element %q component %q repetition %q segment %q\n",
		h.Control, h.Version, h.SenderQualifier, h.SenderID, h.ReceiverQualifier, h.ReceiverID, h.Usage, h.AckRequested, h.Charset,
		string(rune(d.Element)), string(rune(d.Component)), string(rune(d.Repetition)), d.Segment)
	for _, e := range rep.Errors {
		fmt.Fprintf(b, "  error: %s [%s %s]\n", e, e.Level, e.Code)
	}
	for _, g := range rep.Groups {
		fmt.Fprintf(b, "  group %s %s version %s: %d sets\n", g.Header.FunctionalID, g.Header.Control, g.Header.Version, len(g.Sets))
		for _, e := range g.Errors {
			fmt.Fprintf(b, "    error: %s [%s %s]\n", e, e.Level, e.Code)
		}
		for _, s := range g.Sets {
			verdict := "accepted"
			if !s.Accepted() {
				verdict = "refused"
			}
			fmt.Fprintf(b, "    set %s %s %s\n", s.Code, s.Control, verdict)
			for _, e := range s.Errors {
				fmt.Fprintf(b, "      error: %s [%s %s]\n", e, e.Level, e.Code)
			}
		}
	}
}

// goldenCases lists the inputs whose dumps are kept: every corpus file (as
// corpus/<name>) and every file of testdata/reader.
func goldenCases(t testing.TB) (names, paths []string) {
	if ents, err := os.ReadDir(corpusDir); err == nil {
		for _, e := range ents {
			names = append(names, "corpus/"+e.Name())
			paths = append(paths, filepath.Join(corpusDir, e.Name()))
		}
	} else if !os.IsNotExist(err) {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(readerDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".golden") {
			continue
		}
		names = append(names, e.Name())
		paths = append(paths, filepath.Join(readerDir, e.Name()))
	}
	return names, paths
}

func goldenPath(name string) string {
	if c, ok := strings.CutPrefix(name, "corpus/"); ok {
		return filepath.Join(readerDir, "corpus", c+".golden")
	}
	return filepath.Join(readerDir, name+".golden")
}

func TestReaderGolden(t *testing.T) {
	names, paths := goldenCases(t)
	if !slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "corpus/") }) {
		t.Log("corpus not found at", corpusDir, "- corpus cases skipped")
	}
	for i, name := range names {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(paths[i])
			if err != nil {
				t.Fatal(err)
			}
			doc := filepath.Base(paths[i])
			got, err := dump(bytes.NewReader(data), doc, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, goldenPath(name), got)
			if *update {
				return
			}

			// The same document read a byte at a time, from a reader
			// that cannot seek (spooled), and through a file must give
			// the same.
			variants := map[string]io.Reader{
				"one byte at a time": iotest.OneByteReader(bytes.NewReader(data)),
				"not seekable":       struct{ io.Reader }{bytes.NewReader(data)},
				"half reads":         iotest.HalfReader(bytes.NewReader(data)),
			}
			for what, in := range variants {
				other, err := dump(in, doc, nil)
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				if other != got {
					t.Errorf("%s: output differs\n--- got\n%s--- want\n%s", what, other, got)
				}
			}
			f, err := os.Open(paths[i])
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if other, err := dump(f, doc, nil); err != nil || other != got {
				t.Errorf("from an *os.File: output differs (err %v)\n--- got\n%s", err, other)
			}
		})
	}
}

// TestSinglePassReports checks the first pass against the second: read in
// one pass, where trailer problems are found after the sets were handed
// out, the interchange reports must come out the same.
func TestSinglePassReports(t *testing.T) {
	names, paths := goldenCases(t)
	for i, name := range names {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(paths[i])
			if err != nil {
				t.Fatal(err)
			}
			two, one, err := reportsBothWays(data)
			if err != nil {
				t.Fatal(err)
			}
			if one != two {
				t.Errorf("reports differ\n--- one pass\n%s--- two passes\n%s", one, two)
			}
		})
	}
}

// reportsBothWays returns the interchange and document reports of data read
// in two passes and in one.
func reportsBothWays(data []byte) (two, one string, err error) {
	run := func(single bool) (string, error) {
		var b strings.Builder
		r := NewReader(bytes.NewReader(data), Options{Doc: "doc", singlePass: single,
			OnInterchange: func(rep *InterchangeReport) { dumpReport(&b, rep) }})
		defer r.Close()
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return "", err
			}
		}
		for _, e := range r.Errors() {
			fmt.Fprintf(&b, "document error: %s\n", e)
		}
		return b.String(), nil
	}
	if two, err = run(false); err != nil {
		return
	}
	one, err = run(true)
	return
}

func TestReadError(t *testing.T) {
	boom := errors.New("boom")
	data := []byte("ISA*00*          *00*          *ZZ*A              *ZZ*B              *260101*1200*U*00401*000000001*0*P*>~GS*PO*A*B*20260101*1200*1*X*004010~ST*850*0001~")
	for _, in := range []io.Reader{
		io.MultiReader(bytes.NewReader(data), iotest.ErrReader(boom)),
	} {
		r := NewReader(in, Options{Doc: "x.edi"})
		_, err := r.Next()
		if !errors.Is(err, boom) {
			t.Fatalf("Next: %v, want boom", err)
		}
		if _, err2 := r.Next(); !errors.Is(err2, boom) {
			t.Fatalf("second Next: %v, want the same error", err2)
		}
	}
}
