package sheet

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"
)

// Fuzz targets for the low-level readers. Run one with
//
//	go test -run '^$' -fuzz '^FuzzParseDecimal$' -fuzztime 60s ./adapters/sheet/
//
// Crashers land in testdata/fuzz/<target> and are replayed by go test
// from then on.

func FuzzSniffDelimiter(f *testing.F) {
	for _, s := range []string{
		"", "sku\nA1\n", "a,b,c\n1,2,3\n", "a;b\n1;\"x,y\nz\"\n", "a\tb\r\n1\t2\r\n",
		"a|b|c\r1|2|3\r", "\"x,y,z\";1\n\"p,q,r\";2\n", "\"unclosed,\n", "\"\"\"\",\"\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, sample []byte) {
		d, ok := SniffDelimiter(sample)
		switch {
		case !ok && d != ',':
			t.Fatalf("SniffDelimiter(%q) = %q, false; want ',' when not ok", sample, d)
		case ok && d != ',' && d != ';' && d != '\t' && d != '|':
			t.Fatalf("SniffDelimiter(%q) = %q, true; not a candidate", sample, d)
		}
	})
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{
		"12.5", "1,234.56", "1.234,56", "1.234", "(€ 1.234,50)", "12,5-", "$-12", "1'234.5",
		"1 234,567", "１２．５", "12abc", "-", "()", ".5", "12.", "0,125", "USD 1,200.00", "1,2,3",
	} {
		for _, sep := range []byte{DecimalUnknown, DecimalPoint, DecimalComma} {
			f.Add(s, sep)
		}
	}
	f.Fuzz(func(t *testing.T, s string, sep byte) {
		switch sep % 3 {
		case 0:
			sep = DecimalUnknown
		case 1:
			sep = DecimalPoint
		default:
			sep = DecimalComma
		}
		d, err := ParseDecimal(s, sep)
		if err != nil {
			if _, ok := err.(*ValueError); !ok {
				t.Fatalf("ParseDecimal(%q, %q): %T %v, want a *ValueError", s, sep, err, err)
			}
			return
		}
		again, err := ParseDecimal(d.String(), DecimalPoint)
		if err != nil {
			t.Fatalf("ParseDecimal(%q, %q) = %s, which does not parse again: %v", s, sep, d, err)
		}
		if !again.Equal(d) {
			t.Fatalf("ParseDecimal(%q, %q) = %s, parsed again %s", s, sep, d, again)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2026-11-20", "20261120", "20/11/2026", "05/06/26", "20.11.26 10:00", "2026年11月20日",
		"20 de noviembre de 2026", "Nov 20, 2026", "20. März 2026", "1er janvier 2026",
		"2026-11-20T14:30:00.1+01:00", "31/02/2026", "13/14/2026", "9999-12-31", "0000-01-01",
		"2026년 11월 20일", "２０２６年１１月２０日", "Fri, 20-NOV-26 2:30 PM",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, dayFirst bool) {
		got, err := ParseDate(s, dayFirst, nil)
		if err != nil {
			if _, ok := err.(*ValueError); !ok {
				t.Fatalf("ParseDate(%q): %T %v, want a *ValueError", s, err, err)
			}
			return
		}
		tm, err := time.Parse(time.DateOnly, got)
		if err != nil || tm.Format(time.DateOnly) != got {
			t.Fatalf("ParseDate(%q, %v) = %q, not an ISO date: %v", s, dayFirst, got, err)
		}
		_ = AmbiguousDate(s)
	})
}

func FuzzToUTF8(f *testing.F) {
	for _, b := range [][]byte{
		nil, []byte("a,b\n"), []byte("\xEF\xBB\xBFa"), {0xFF, 0xFE, 'a', 0, 'b'}, {0xFE, 0xFF, 0xD8, 0},
		gbkOrderHeader, []byte("caf\xE9\n"), []byte("Gr\xF6\xDFe"), []byte("a\xE2\x82"), {0x81, 0x30, 0x81, 0x30},
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, enc, err := ToUTF8(bytes.NewReader(in))
		if err != nil {
			t.Fatalf("ToUTF8(% X): %v", in, err)
		}
		got, err := io.ReadAll(out)
		if err != nil {
			t.Fatalf("ToUTF8(% X): reading: %v", in, err)
		}
		if !utf8.Valid(got) {
			t.Fatalf("ToUTF8(% X) in %s = %q, not UTF-8", in, enc, got)
		}
		switch enc {
		case "utf-8", "utf-16le", "utf-16be", "gbk", "windows-1252":
		default:
			t.Fatalf("ToUTF8(% X): encoding %q", in, enc)
		}
		// Past the head the UTF-8 path reads stray bytes as Windows-1252;
		// the input there must come out as UTF-8 as well. Only input that
		// is not UTF-8 tells anything there, and 64 KiB of padding is slow.
		if !utf8.Valid(in) {
			padded := append(bytes.Repeat([]byte{'x'}, sniffSize-2), in...)
			out3, _, err := ToUTF8(iotest.HalfReader(bytes.NewReader(padded)))
			if err != nil {
				t.Fatal(err)
			}
			if got3, err := io.ReadAll(out3); err != nil || !utf8.Valid(got3) {
				t.Fatalf("ToUTF8(64 KiB of x + % X): not UTF-8 (%v)", in, err)
			}
		}
		// Reading in small pieces gives the same text.
		out2, enc2, err := ToUTF8(iotest.OneByteReader(bytes.NewReader(in)))
		if err != nil {
			t.Fatal(err)
		}
		got2, err := io.ReadAll(out2)
		if err != nil || enc2 != enc || !bytes.Equal(got2, got) {
			t.Fatalf("ToUTF8(% X) one byte at a time = %q in %s (%v), whole = %q in %s", in, got2, enc2, err, got, enc)
		}
	})
}
