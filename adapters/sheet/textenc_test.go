package sheet

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// GBK bytes of "订单号,数量\n", written out so the test does not lean on
// the encoder it checks the decoder against.
var gbkOrderHeader = []byte{0xB6, 0xA9, 0xB5, 0xA5, 0xBA, 0xC5, ',', 0xCA, 0xFD, 0xC1, 0xBF, '\n'}

func utf16Bytes(t *testing.T, s string, e unicode.Endianness) []byte {
	t.Helper()
	b, err := unicode.UTF16(e, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gbkBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readUTF8(t *testing.T, r io.Reader) (string, string) {
	t.Helper()
	out, enc, err := ToUTF8(r)
	if err != nil {
		t.Fatalf("ToUTF8: %v", err)
	}
	b, err := io.ReadAll(out)
	if err != nil {
		t.Fatalf("reading the UTF-8: %v", err)
	}
	return string(b), enc
}

func TestToUTF8(t *testing.T) {
	if got := gbkBytes(t, "订单号,数量\n"); !bytes.Equal(got, gbkOrderHeader) {
		t.Fatalf("GBK encoder gives % X, the test's bytes are % X", got, gbkOrderHeader)
	}
	tests := []struct {
		name, want, enc string
		in              []byte
	}{
		{"empty", "", "utf-8", nil},
		{"ascii", "sku,qty\nA1,2\n", "utf-8", []byte("sku,qty\nA1,2\n")},
		{"utf-8", "Größe;Stück\n", "utf-8", []byte("Größe;Stück\n")},
		{"utf-8 chinese", "订单号,数量\n", "utf-8", []byte("订单号,数量\n")},
		{"utf-8 BOM dropped", "sku,qty\n", "utf-8", []byte("\xEF\xBB\xBFsku,qty\n")},
		{"utf-8 BOM only", "", "utf-8", []byte("\xEF\xBB\xBF")},
		{"utf-8 BOM once only", "\uFEFFa", "utf-8", []byte("\xEF\xBB\xBF\xEF\xBB\xBFa")},
		{"utf-8 BOM then a stray byte", "café", "utf-8", []byte("\xEF\xBB\xBFcaf\xE9")},
		{"utf-16le", "订单号,qty\n", "utf-16le", utf16Bytes(t, "订单号,qty\n", unicode.LittleEndian)},
		{"utf-16be", "订单号,qty\n", "utf-16be", utf16Bytes(t, "订单号,qty\n", unicode.BigEndian)},
		{"utf-16le BOM only", "", "utf-16le", []byte{0xFF, 0xFE}},
		{"utf-16be BOM only", "", "utf-16be", []byte{0xFE, 0xFF}},
		{"utf-16le surrogate pair", "📦,1\n", "utf-16le", utf16Bytes(t, "📦,1\n", unicode.LittleEndian)},
		{"utf-16le odd byte at the end", "a\uFFFD", "utf-16le", []byte{0xFF, 0xFE, 'a', 0, 'b'}},
		{"utf-16be lone surrogate", "\uFFFDa", "utf-16be", []byte{0xFE, 0xFF, 0xD8, 0x00, 0, 'a'}},
		{"gbk header", "订单号,数量\n", "gbk", gbkOrderHeader},
		{"gbk rows", "订单号,数量\nPO-1,12\n", "gbk", gbkBytes(t, "订单号,数量\nPO-1,12\n")},
		{"gbk one character", "SKU,Qty,Unit\nA1,2,个\n", "gbk", gbkBytes(t, "SKU,Qty,Unit\nA1,2,个\n")},
		{"gbk with euro", "单价€\n", "gbk", append(gbkBytes(t, "单价"), 0x80, '\n')},
		{"gbk extension character", "张喆,数量\n", "gbk", gbkBytes(t, "张喆,数量\n")},
		{"gbk fullwidth punctuation", "螺丝（M6），１２个\n", "gbk", gbkBytes(t, "螺丝（M6），１２个\n")},
		{"windows-1252 café", "café\n", "windows-1252", []byte("caf\xE9\n")},
		{"windows-1252 at the end", "café", "windows-1252", []byte("caf\xE9")},
		{"windows-1252 Größe", "Größe,Menge\n", "windows-1252", []byte("Gr\xF6\xDFe,Menge\n")},
		{"windows-1252 Größe alone", "Größe", "windows-1252", []byte("Gr\xF6\xDFe")},
		{"windows-1252 umlauts together", "ÄÖÜß,Stück,Müller,Höhe\n", "windows-1252", []byte("\xC4\xD6\xDC\xDF,St\xFCck,M\xFCller,H\xF6he\n")},
		{"windows-1252 Stück", "Stück;Preis €\n", "windows-1252", []byte("St\xFCck;Preis \x80\n")},
		{"windows-1252 quotes and dash", "“a” – b\n", "windows-1252", []byte("\x93a\x94 \x96 b\n")},
		{"windows-1252 undefined byte", "a\uFFFDb", "windows-1252", []byte("a\x81b")},
		{"windows-1252 ÿ", "ÿ", "windows-1252", []byte{0xFF}},
		{"user-defined gbk area", "aª¡", "windows-1252", []byte("a\xAA\xA1")},
		{"unassigned gbk code", "ÊýÁ¿×ú\n", "windows-1252", []byte("\xCA\xFD\xC1\xBF\xD7\xFA\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, wrap := range []struct {
				name string
				f    func(io.Reader) io.Reader
			}{
				{"whole", func(r io.Reader) io.Reader { return r }},
				{"one byte at a time", iotest.OneByteReader},
				{"data with EOF", iotest.DataErrReader},
			} {
				got, enc := readUTF8(t, wrap.f(bytes.NewReader(tt.in)))
				if got != tt.want || enc != tt.enc {
					t.Errorf("%s: ToUTF8(% X) = %q in %s, want %q in %s", wrap.name, tt.in, got, enc, tt.want, tt.enc)
				}
			}
			out, _, err := ToUTF8(bytes.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if err := iotest.TestReader(out, []byte(tt.want)); err != nil {
				t.Error(err)
			}
		})
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestToUTF8ReadsAheadAtMost64KiB(t *testing.T) {
	src := &countingReader{r: bytes.NewReader(bytes.Repeat([]byte("a,b\n"), 1<<18))}
	out, enc, err := ToUTF8(src)
	if err != nil {
		t.Fatal(err)
	}
	if src.n > sniffSize {
		t.Errorf("read %d bytes before returning, want at most %d", src.n, sniffSize)
	}
	n, err := io.Copy(io.Discard, out)
	if err != nil || n != 1<<20 || enc != "utf-8" {
		t.Errorf("streamed %d bytes in %s (err %v), want %d in utf-8", n, enc, err, 1<<20)
	}
}

// TestToUTF8PastTheHead covers files longer than what decides their
// encoding: characters cut in two by the end of the head, and bytes past it
// that do not fit the encoding chosen.
func TestToUTF8PastTheHead(t *testing.T) {
	pad := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name, want, enc string
		in              []byte
	}{
		{
			name: "ascii head, windows-1252 after",
			in:   []byte(pad(sniffSize) + "\ncaf\xE9,Gr\xF6\xDFe\n"),
			want: pad(sniffSize) + "\ncafé,Größe\n", enc: "utf-8",
		},
		{
			name: "utf-8 character across the end of the head",
			in:   []byte(pad(sniffSize-1) + "é" + pad(10)),
			want: pad(sniffSize-1) + "é" + pad(10), enc: "utf-8",
		},
		{
			name: "3-byte utf-8 character across the end of the head",
			in:   []byte(pad(sniffSize-2) + "单" + pad(10)),
			want: pad(sniffSize-2) + "单" + pad(10), enc: "utf-8",
		},
		{
			name: "windows-1252 byte last in the head",
			in:   []byte(pad(sniffSize-1) + "\xE9" + pad(10)),
			want: pad(sniffSize-1) + "é" + pad(10), enc: "utf-8",
		},
		{
			name: "gbk character across the end of the head",
			in:   append(gbkBytes(t, "数量,"+pad(sniffSize-6)), gbkBytes(t, "单价\n")...),
			want: "数量," + pad(sniffSize-6) + "单价\n", enc: "gbk",
		},
		{
			name: "windows-1252 head, bytes of any kind after",
			in:   []byte("caf\xE9\n" + pad(sniffSize) + "\xE2\x82\xAC"),
			want: "café\n" + pad(sniffSize) + "â‚¬", enc: "windows-1252",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []io.Reader{bytes.NewReader(tt.in), iotest.HalfReader(bytes.NewReader(tt.in))} {
				got, enc := readUTF8(t, r)
				if got != tt.want || enc != tt.enc {
					t.Errorf("got %d bytes in %s, want %d in %s", len(got), enc, len(tt.want), tt.enc)
					for i := range min(len(got), len(tt.want)) {
						if got[i] != tt.want[i] {
							t.Errorf("first difference at byte %d: %q, want %q", i, got[i:min(i+8, len(got))], tt.want[i:min(i+8, len(tt.want))])
							break
						}
					}
				}
			}
		})
	}
}

func TestToUTF8ReadErrors(t *testing.T) {
	boom := errors.New("disk on fire")
	if _, _, err := ToUTF8(iotest.ErrReader(boom)); !errors.Is(err, boom) {
		t.Errorf("error in the head: got %v, want %v", err, boom)
	}
	// After the head the error comes from the reader returned.
	src := io.MultiReader(bytes.NewReader(bytes.Repeat([]byte("a"), sniffSize+10)), iotest.ErrReader(boom))
	out, enc, err := ToUTF8(src)
	if err != nil || enc != "utf-8" {
		t.Fatalf("ToUTF8 = %s, %v; want utf-8 and no error yet", enc, err)
	}
	if _, err := io.ReadAll(out); !errors.Is(err, boom) {
		t.Errorf("error past the head: got %v, want %v", err, boom)
	}
}

func TestUTF8FallbackOutputIsUTF8(t *testing.T) {
	// Every way of breaking UTF-8: lone continuation bytes, cut sequences,
	// overlong forms, surrogates, bytes F5–FF.
	in := []byte("a\x80b\xC3c\xE2\x82d\xF0\x9F\x93e\xC0\xAFf\xED\xA0\x80g\xF5\xFFh\xEF\xBF\xBD")
	got, enc := readUTF8(t, io.MultiReader(bytes.NewReader(bytes.Repeat([]byte{'-'}, sniffSize)), bytes.NewReader(in)))
	if enc != "utf-8" || !utf8.ValidString(got) {
		t.Fatalf("got %s, valid %v", enc, utf8.ValidString(got))
	}
	want := "a€bÃcâ‚dðŸ“eÀ¯fí\u00a0€gõÿh\uFFFD"
	if got = got[sniffSize:]; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestUTF8FallbackSmallBuffers drives the transformer with buffers too
// small for what it has to write, as no reader in the tests above does.
func TestUTF8FallbackSmallBuffers(t *testing.T) {
	in := []byte("ab\xE9cd单\xF0\x9F\x93\xA6x\x80\xE2\x82")
	want := "abécd单📦x€â‚"
	for srcSize := 1; srcSize <= len(in); srcSize++ {
		var out []byte
		dst := make([]byte, utf8.UTFMax)
		var carry []byte
		for pos := 0; pos < len(in) || len(carry) > 0; {
			end := min(pos+srcSize, len(in))
			src := append(carry, in[pos:end]...)
			pos = end
			atEOF := pos == len(in)
			nDst, nSrc, err := utf8Fallback{}.Transform(dst, src, atEOF)
			out = append(out, dst[:nDst]...)
			carry = append([]byte(nil), src[nSrc:]...)
			if err == nil && len(carry) > 0 {
				t.Fatalf("src %d: nil error with %d bytes left", srcSize, len(carry))
			}
			if atEOF && nSrc == 0 && nDst == 0 && len(carry) > 0 {
				t.Fatalf("src %d: no progress at EOF on % X (%v)", srcSize, carry, err)
			}
		}
		if string(out) != want {
			t.Errorf("src chunks of %d: got %q, want %q", srcSize, out, want)
		}
	}
}
