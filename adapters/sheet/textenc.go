package sheet

import (
	"bytes"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// sniffSize is how much of a file decides its encoding: enough for the
// header and many rows, little enough to hold in memory for every file.
const sniffSize = 64 << 10

// ToUTF8 returns r as UTF-8 text and the name of the encoding it was in:
// "utf-8" (a UTF-8 BOM is dropped), "utf-16le"/"utf-16be" (only with a BOM),
// else when the bytes are not valid UTF-8 a fallback decided on the first 64 KiB:
// "gbk" when they decode as GBK with Chinese characters in them, else "windows-1252".
// Reads ahead at most 64 KiB before returning; streams the rest.
//
// The text read is always valid UTF-8. In a "utf-8" file, bytes past the
// first 64 KiB that are not UTF-8 are read one by one as Windows-1252: an
// export whose first rows are plain ASCII and whose row 3000 has "café"
// from a European system keeps its é rather than a U+FFFD. Invalid
// sequences in UTF-16 and GBK become U+FFFD, and so do the five bytes
// Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D).
//
// "With Chinese characters in them" is stricter than it reads: Windows-1252
// text such as "Größe" is valid GBK too (ö and ß make one GB2312 character).
// GBK is chosen only when three in four two-byte characters are in GB2312
// (its ideographs and its fullwidth punctuation) and at least one ideograph
// is plainly not a European letter inside a word: two in a row, or one not
// wedged between ASCII letters.
//
// A read error before the first 64 KiB are in is returned as is; later ones
// come from the returned reader.
func ToUTF8(r io.Reader) (io.Reader, string, error) {
	head := make([]byte, sniffSize)
	n, err := io.ReadFull(r, head)
	head = head[:n]
	truncated := err == nil // the file may go on past the head
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, "", err
	}
	rest := func(skip int) io.Reader {
		if !truncated {
			return bytes.NewReader(head[skip:])
		}
		return io.MultiReader(bytes.NewReader(head[skip:]), r)
	}

	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return transform.NewReader(rest(3), utf8Fallback{}), "utf-8", nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()
		return transform.NewReader(rest(2), dec), "utf-16le", nil
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		dec := unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder()
		return transform.NewReader(rest(2), dec), "utf-16be", nil
	}

	if validUTF8Head(head, truncated) {
		if !truncated {
			return bytes.NewReader(head), "utf-8", nil // all of it checked
		}
		return transform.NewReader(rest(0), utf8Fallback{}), "utf-8", nil
	}
	if looksGBK(head, truncated) {
		return transform.NewReader(rest(0), simplifiedchinese.GBK.NewDecoder()), "gbk", nil
	}
	return transform.NewReader(rest(0), charmap.Windows1252.NewDecoder()), "windows-1252", nil
}

// validUTF8Head tells whether head is UTF-8, not counting a character cut
// in two by the end of the head when the file goes on.
func validUTF8Head(head []byte, truncated bool) bool {
	if truncated {
		for i := len(head) - 1; i >= 0 && i >= len(head)-utf8.UTFMax; i-- {
			if utf8.RuneStart(head[i]) {
				if !utf8.FullRune(head[i:]) {
					head = head[:i]
				}
				break
			}
		}
	}
	return utf8.Valid(head)
}

// looksGBK tells whether head reads as Chinese text in GBK (see ToUTF8).
// The byte ranges are GBK's: a lead byte 0x81–0xFE then a trail byte
// 0x40–0x7E or 0x80–0xFE; GB2312 is leads 0xA1–0xF7 with trails 0xA1–0xFE,
// its ideographs from lead 0xB0 on. 0x80 alone is the euro sign of code
// page 936.
func looksGBK(head []byte, truncated bool) bool {
	isLetter := func(i int) bool {
		if i < 0 || i >= len(head) {
			return false
		}
		c := head[i] | 0x20
		return 'a' <= c && c <= 'z'
	}
	var pairs, gb2312 int
	chinese := false
	runStart, runHan := -1, 0 // the current run of two-byte characters
	endRun := func(end int) {
		if runStart >= 0 && (runHan >= 2 || runHan == 1 && !(isLetter(runStart-1) && isLetter(end))) {
			chinese = true
		}
		runStart, runHan = -1, 0
	}
	end := len(head)
	for i := 0; i < len(head); {
		c := head[i]
		if c <= 0x80 {
			endRun(i)
			i++
			continue
		}
		if c == 0xFF {
			return false
		}
		if i+1 == len(head) {
			if !truncated {
				return false
			}
			end = i // a lead byte whose trail is past the head
			break
		}
		t := head[i+1]
		if t < 0x40 || t == 0x7F || t == 0xFF {
			return false
		}
		pairs++
		if runStart < 0 {
			runStart = i
		}
		if 0xA1 <= c && c <= 0xF7 && t >= 0xA1 {
			gb2312++
			if c >= 0xB0 {
				runHan++
			}
		}
		i += 2
	}
	endRun(end)
	if !chinese || gb2312*4 < pairs*3 {
		return false
	}
	// The ranges above let through codes GBK leaves unassigned; the decoder
	// makes those U+FFFD.
	out, _, err := transform.Bytes(simplifiedchinese.GBK.NewDecoder(), head[:end])
	return err == nil && !bytes.ContainsRune(out, utf8.RuneError)
}

// utf8Fallback passes UTF-8 through and reads each byte that is not part
// of a valid sequence as Windows-1252.
type utf8Fallback struct{ transform.NopResetter }

func (utf8Fallback) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		c := src[nSrc]
		if c < utf8.RuneSelf {
			// Runs of ASCII, most of any sheet, go in one copy.
			end := nSrc + 1
			for end < len(src) && src[end] < utf8.RuneSelf {
				end++
			}
			n := copy(dst[nDst:], src[nSrc:end])
			if n == 0 {
				return nDst, nSrc, transform.ErrShortDst
			}
			nDst += n
			nSrc += n
			continue
		}
		r, size := utf8.DecodeRune(src[nSrc:])
		if r == utf8.RuneError && size <= 1 {
			if !atEOF && !utf8.FullRune(src[nSrc:]) {
				// The rest of the sequence is in the next chunk.
				return nDst, nSrc, transform.ErrShortSrc
			}
			r, size = charmap.Windows1252.DecodeByte(c), 1
			if nDst+utf8.RuneLen(r) > len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			nDst += utf8.EncodeRune(dst[nDst:], r)
			nSrc++
			continue
		}
		if nDst+size > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += copy(dst[nDst:], src[nSrc:nSrc+size])
		nSrc += size
	}
	return nDst, nSrc, nil
}
