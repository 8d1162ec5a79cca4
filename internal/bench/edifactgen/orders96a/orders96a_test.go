package orders96a_test

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/orderhub/orderhub/adapters/edifact"
	"github.com/orderhub/orderhub/internal/bench/edifactgen/orders96a"
)

// read reads a generated document with orderhub's own reader and checks
// what must hold of every one: no error anywhere, envelopes counted and
// referenced right (the reader checks UNT, UNZ), message references unique
// in each interchange, ten LIN groups per message, every value valid UTF-8
// once read, and the stats saying what is there.
func read(t *testing.T, doc []byte, st orders96a.Stats, cfg orders96a.Config) {
	t.Helper()
	var reports []*edifact.InterchangeReport
	r := edifact.NewReader(bytes.NewReader(doc), edifact.Options{Doc: "gen", OnInterchange: func(rep *edifact.InterchangeReport) {
		reports = append(reports, rep)
	}})
	defer r.Close()
	msgs, lines, segs, latin1, released := 0, 0, 0, 0, 0
	for {
		m, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Report.Errors) > 0 {
			t.Fatalf("message %s: %v", m.Header.Ref, m.Report.Errors[0])
		}
		if got := m.Header.Identifier(); got != "ORDERS:D:96A:UN:EAN008" {
			t.Fatalf("message %s is %s", m.Header.Ref, got)
		}
		msgs++
		segs += len(m.Segments)
		n := 0
		for i := range m.Segments {
			s := &m.Segments[i]
			for e := 1; e <= s.Len(); e++ {
				for c := 1; c <= s.Comps(e); c++ {
					v := s.Str(e, c)
					if !utf8.ValidString(v) {
						t.Fatalf("message %s segment %d: %q is not UTF-8", m.Header.Ref, s.Pos(), v)
					}
					for _, ch := range v {
						if ch >= 0x80 {
							latin1++
							break
						}
					}
				}
			}
			if bytes.IndexByte(s.Bytes(), '?') >= 0 {
				released++
			}
			switch {
			case s.Is("LIN"):
				n++
				if g := s.Str(3, 1); !validGTIN(g) || s.Str(3, 2) != "EN" {
					t.Fatalf("message %s: LIN %q", m.Header.Ref, s.Bytes())
				}
			case s.Is("CNT"):
				if s.Str(1, 2) != strconv.Itoa(cfg.Lines) {
					t.Fatalf("message %s: CNT %q with %d lines", m.Header.Ref, s.Bytes(), cfg.Lines)
				}
			case s.Is("NAD"):
				if !validGTIN(s.Str(2, 1)) || s.Str(2, 3) != "9" {
					t.Fatalf("message %s: NAD %q", m.Header.Ref, s.Bytes())
				}
			}
		}
		if n != cfg.Lines {
			t.Fatalf("message %s: %d LIN, want %d", m.Header.Ref, n, cfg.Lines)
		}
		lines += n
	}
	for _, e := range r.Errors() {
		t.Fatalf("outside: %v", e)
	}
	if len(reports) != st.Interchanges || msgs != st.Messages || lines != st.Lines {
		t.Fatalf("read %d interchanges, %d messages, %d lines; stats say %+v", len(reports), msgs, lines, st)
	}
	// UNB and UNZ are no message's segments.
	if segs+2*st.Interchanges != st.Segments {
		t.Fatalf("read %d segments in messages and %d interchanges; stats say %d", segs, st.Interchanges, st.Segments)
	}
	for i, rep := range reports {
		if len(rep.Errors) > 0 {
			t.Fatalf("interchange %d: %v", i+1, rep.Errors[0])
		}
		h := rep.Header
		if h.Syntax != "UNOC" || h.SyntaxVersion != "3" || h.SenderQualifier != "14" || h.RecipientQualifier != "14" ||
			!validGTIN(h.Sender) || !validGTIN(h.Recipient) || !h.HasUNA {
			t.Fatalf("interchange %d: header %+v", i+1, h)
		}
		want := cfg.MessagesPerInterchange
		if want < 0 || i == len(reports)-1 {
			want = len(rep.Messages)
		}
		if len(rep.Messages) != want {
			t.Fatalf("interchange %d: %d messages, want %d", i+1, len(rep.Messages), want)
		}
		seen := map[string]bool{}
		for _, m := range rep.Messages {
			if seen[m.Header.Ref] {
				t.Fatalf("interchange %d: message reference %s twice", i+1, m.Header.Ref)
			}
			seen[m.Header.Ref] = true
		}
	}
	if st.Messages > 20 && (latin1 == 0 || released == 0) {
		t.Fatalf("%d messages, %d values past ASCII, %d segments with release characters: want some of each", st.Messages, latin1, released)
	}
}

// validGTIN checks a GTIN-13 or GLN's check digit, from the right: the
// digit before the check digit weighs 3, the one before it 1, and so on.
func validGTIN(s string) bool {
	if len(s) != 13 {
		return false
	}
	sum := 0
	for i := 11; i >= 0; i-- {
		d := int(s[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if (11-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return int(s[12]-'0') == (10-sum%10)%10
}

func TestWrite(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  orders96a.Config
	}{
		{"defaults", orders96a.Config{}},
		{"one interchange", orders96a.Config{Size: 300 << 10, MessagesPerInterchange: -1}},
		{"many small interchanges", orders96a.Config{Size: 200 << 10, MessagesPerInterchange: 7}},
		{"no line breaks, 3 lines", orders96a.Config{Size: 100 << 10, Terminator: "'", Lines: 3, Seed: 42}},
		{"CRLF", orders96a.Config{Size: 100 << 10, Terminator: "'\r\n", MessagesPerInterchange: 50}},
		{"one message", orders96a.Config{Size: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			st, err := orders96a.Write(&b, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			cfg := tc.cfg
			if cfg.Size <= 0 {
				cfg.Size = 1 << 20
			}
			if cfg.Lines <= 0 {
				cfg.Lines = 10
			}
			if cfg.MessagesPerInterchange == 0 {
				cfg.MessagesPerInterchange = 1000
			}
			if st.Bytes != int64(b.Len()) || st.Bytes < cfg.Size || st.Messages == 0 {
				t.Fatalf("stats %+v, %d bytes written, want at least %d", st, b.Len(), cfg.Size)
			}
			// Whole messages until the size is reached, no more: less
			// than one message and UNZ past it.
			if per := st.Bytes / int64(st.Messages); st.Bytes-cfg.Size > 2*per {
				t.Fatalf("%d bytes for a size of %d, with messages of about %d", st.Bytes, cfg.Size, per)
			}
			read(t, b.Bytes(), st, cfg)
		})
	}
}

func TestWriteDeterministic(t *testing.T) {
	gen := func(seed uint64) []byte {
		var b bytes.Buffer
		if _, err := orders96a.Write(&b, orders96a.Config{Size: 64 << 10, Seed: seed}); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	if !bytes.Equal(gen(7), gen(7)) {
		t.Error("the same seed wrote different documents")
	}
	if bytes.Equal(gen(7), gen(8)) {
		t.Error("different seeds wrote the same document")
	}
}

func TestWriteTerminator(t *testing.T) {
	_, err := orders96a.Write(io.Discard, orders96a.Config{Terminator: "~\n"})
	if !errors.Is(err, orders96a.ErrTerminator) {
		t.Fatalf("terminator ~: %v, want ErrTerminator", err)
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n -= len(p); w.n < 0 {
		return 0, io.ErrShortWrite
	}
	return len(p), nil
}

func TestWriteError(t *testing.T) {
	if _, err := orders96a.Write(&failWriter{n: 10 << 10}, orders96a.Config{}); !errors.Is(err, io.ErrShortWrite) {
		t.Fatalf("a failing writer: %v", err)
	}
}
