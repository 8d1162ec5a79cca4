package format

import (
	"bytes"
	"context"
	"errors"
	"io"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhub/orderhub/order"
)

// prefix is a format recognising documents that start with its marker.
type prefix string

func (p prefix) Name() string            { return string(p) }
func (p prefix) Detect(head []byte) bool { return bytes.HasPrefix(head, []byte(p)) }
func (p prefix) Read(context.Context, io.Reader, Doc) iter.Seq2[*order.Order, error] {
	return func(func(*order.Order, error) bool) {}
}

func TestSetDetect(t *testing.T) {
	s := Set{prefix("ISA"), prefix("UNA")}
	tests := []struct {
		head, want, err string
	}{
		{"ISA*00*", "ISA", ""},
		{"UNA:+.? '", "UNA", ""},
		{"", "", "unrecognised document format: the document is empty"},
		{"  \n", "", "unrecognised document format: the document is empty"},
		{"hello, world", "", `unrecognised document format: starts with "hello, world"; known formats: ISA, UNA`},
		{"\xff\xfe\x00", "", "unrecognised document format: starts with bytes ff fe 00; known formats: ISA, UNA"},
	}
	for _, tt := range tests {
		f, err := s.Detect([]byte(tt.head))
		switch {
		case tt.err != "":
			if err == nil || err.Error() != tt.err || !errors.Is(err, ErrUnknown) {
				t.Errorf("Detect(%q) error = %v, want %s", tt.head, err, tt.err)
			}
		case err != nil || f.Name() != tt.want:
			t.Errorf("Detect(%q) = %v, %v; want %s", tt.head, f, err, tt.want)
		}
	}
}

// Open hands on the whole document, from a file by winding it back and
// from a stream by putting the head in front again.
func TestSetOpen(t *testing.T) {
	doc := "ISA*" + strings.Repeat("x", 2*HeadSize)
	path := filepath.Join(t.TempDir(), "doc")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	s := Set{prefix("ISA")}
	for name, r := range map[string]io.Reader{"file": file, "stream": io.MultiReader(strings.NewReader(doc))} {
		f, rest, err := s.Open(r)
		if err != nil || f.Name() != "ISA" {
			t.Fatalf("%s: Open = %v, %v", name, f, err)
		}
		if name == "file" && rest != r {
			t.Errorf("file: Open did not hand the file on")
		}
		got, _ := io.ReadAll(rest)
		if string(got) != doc {
			t.Errorf("%s: read back %d bytes, want the %d of the document", name, len(got), len(doc))
		}
	}
}

func TestFatal(t *testing.T) {
	cause := io.ErrUnexpectedEOF
	err := Fatal(cause)
	var fe *FatalError
	if !errors.As(err, &fe) || !errors.Is(err, cause) || err.Error() != cause.Error() {
		t.Errorf("Fatal(%v) = %v", cause, err)
	}
}
