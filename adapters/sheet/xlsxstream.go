package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"

	"github.com/xuri/excelize/v2"
)

// The workbook reader streams each worksheet's XML straight out of the zip
// and scans it as bytes: excelize's row iterator decodes it token by token
// with encoding/xml, which was two thirds of the time on a large sheet, and
// holds the unzipped sheet. Only what an order needs is read: each cell's
// stored value (shared strings looked up, formulas by their cached value)
// and whether it is text.

// book is a workbook's parts that say what its sheets are.
type book struct {
	zr       *zip.Reader
	sheets   []bookSheet
	date1904 bool
	shared   []string
}

type bookSheet struct{ name, path string }

var (
	date1904RE = regexp.MustCompile(`<workbookPr[^>]*date1904="(1|true)"`)
	siRE       = regexp.MustCompile(`(?s)<si>(.*?)</si>`)
	tRE        = regexp.MustCompile(`(?s)<t(?: [^>]*)?>(.*?)</t>`)
)

func openBook(data []byte) (*book, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	b := &book{zr: zr}
	wb := b.part("xl/workbook.xml", 16<<20)
	if wb == nil {
		return nil, errors.New("no xl/workbook.xml: not an xlsx workbook")
	}
	b.date1904 = date1904RE.Match(wb)
	targets := map[string]string{}
	for _, m := range relationRE.FindAllSubmatch(b.part("xl/_rels/workbook.xml.rels", 16<<20), -1) {
		t := strings.TrimPrefix(string(m[2]), "/")
		if !strings.HasPrefix(t, "xl/") {
			t = "xl/" + t
		}
		targets[string(m[1])] = t
	}
	for _, m := range sheetRE.FindAllSubmatch(wb, -1) {
		if p := targets[string(m[2])]; p != "" && strings.Contains(p, "worksheets/") {
			b.sheets = append(b.sheets, bookSheet{html.UnescapeString(string(m[1])), p})
		}
	}
	for _, si := range siRE.FindAllSubmatch(b.part("xl/sharedStrings.xml", maxUnzipped), -1) {
		// A rich-text string is runs of <t>: joined, they are the text.
		var s strings.Builder
		for _, t := range tRE.FindAllSubmatch(si[1], -1) {
			s.WriteString(xmlText(t[1]))
		}
		b.shared = append(b.shared, s.String())
	}
	return b, nil
}

func (b *book) open(name string) io.ReadCloser {
	for _, f := range b.zr.File {
		if f.Name == name {
			if rc, err := f.Open(); err == nil {
				return rc
			}
		}
	}
	return nil
}

func (b *book) part(name string, max int64) []byte {
	rc := b.open(name)
	if rc == nil {
		return nil
	}
	defer rc.Close()
	data, _ := io.ReadAll(io.LimitReader(rc, max))
	return data
}

// textRuns joins the text of the <t> elements in el (a rich text's runs),
// without a regular expression: inline strings are most cells of some
// generators' sheets.
func textRuns(el []byte) string {
	raw, s := textRunsRaw(el)
	if raw != nil {
		return string(raw)
	}
	return s
}

// textRunsRaw is textRuns, with the common case of one plain run given as
// its bytes in el (raw non-nil) rather than copied into a string.
func textRunsRaw(el []byte) (raw []byte, s string) {
	var out []byte
	n := 0
	for {
		i := bytes.Index(el, []byte("<t"))
		if i < 0 {
			break
		}
		el = el[i+2:]
		if len(el) == 0 || (el[0] != '>' && el[0] != ' ') {
			continue // <tc>, <tr>…: not a text element
		}
		j := bytes.IndexByte(el, '>')
		if j < 0 {
			break
		}
		if j > 0 && el[j-1] == '/' { // <t/>
			el = el[j+1:]
			continue
		}
		el = el[j+1:]
		k := bytes.Index(el, []byte("</t>"))
		if k < 0 {
			break
		}
		if n == 0 && bytes.IndexByte(el[:k], '&') < 0 && !bytes.Contains(el[k:], []byte("<t")) {
			return el[:k:k], "" // one plain run: the common case
		}
		out = append(out, xmlText(el[:k])...)
		n++
		el = el[k+4:]
	}
	return nil, string(out)
}

// xmlText unescapes XML character data.
func xmlText(b []byte) string {
	if bytes.IndexByte(b, '&') < 0 {
		return string(b)
	}
	return html.UnescapeString(string(b))
}

// Tags the scanner looks for.
var (
	rowOpen      = []byte("<row")
	rowClose     = []byte("</row>")
	sheetDataEnd = []byte("</sheetData")
	cellOpen     = []byte("<c")
	cellClose    = []byte("</c>")
	vOpen        = []byte("<v")
	vClose       = []byte("</v>")
	attrRef      = []byte(` r="`)
	attrType     = []byte(` t="`)
)

// maxRowBytes bounds one <row> element: the scanner holds a row whole.
const maxRowBytes = 64 << 20

// scanSheet streams the worksheet at path and calls fn with each row: its
// number and its cells' values from column A (missing cells empty), formulas
// by their cached value. The row is reused by the next call.
//
// The sheet is read in large chunks and scanned as bytes, a row at a time,
// so memory stays flat whatever the sheet's length. When it reads to the
// end (fn never stopped it), it returns the merged ranges listed after the
// rows: Excel writes them there, so they are known only once every row has
// gone by.
func (b *book) scanSheet(path string, fn func(r *row) error) (merges []mergeRange, err error) {
	rc := b.open(path)
	if rc == nil {
		return nil, fmt.Errorf("no part %s", path)
	}
	defer rc.Close()
	src := io.LimitReader(rc, maxUnzipped)
	buf := make([]byte, 0, 1<<20)
	off := 0
	eof := false
	// more compacts the buffer and reads into it; false at the end.
	more := func() (bool, error) {
		if eof {
			return false, nil
		}
		if off > 0 {
			n := copy(buf, buf[off:])
			buf, off = buf[:n], 0
		}
		if len(buf) == cap(buf) {
			if cap(buf) >= maxRowBytes {
				return false, fmt.Errorf("a <row> over %d MiB", maxRowBytes>>20)
			}
			buf = append(buf, make([]byte, cap(buf))...)[:len(buf)]
		}
		n, err := io.ReadAtLeast(src, buf[len(buf):cap(buf)], 1)
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			eof = true
			return n > 0, nil
		}
		return true, err
	}
	var r row
	last := 0
rows:
	for {
		win := buf[off:]
		i := bytes.Index(win, rowOpen)
		for i >= 0 && i+4 < len(win) && win[i+4] != ' ' && win[i+4] != '>' && win[i+4] != '/' {
			// <rowBreaks>, <rows…>: not a row.
			j := bytes.Index(win[i+4:], rowOpen)
			if j < 0 {
				i = -1
				break
			}
			i += 4 + j
		}
		if i >= 0 && bytes.Contains(win[:i], sheetDataEnd) {
			break rows
		}
		if i < 0 || i+4 >= len(win) {
			if bytes.Contains(win, sheetDataEnd) {
				break rows
			}
			// Keep a tail that may hold the start of a tag.
			off = max(off, len(buf)-16)
			ok, err := more()
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, nil // no </sheetData>: the rows were all there were
			}
			continue
		}
		// The row element, whole: "<row …/>" or "<row …>…</row>".
		tagEnd := bytes.IndexByte(win[i:], '>')
		end := -1
		if tagEnd > 0 {
			if win[i+tagEnd-1] == '/' {
				end = i + tagEnd + 1
			} else if j := bytes.Index(win[i+tagEnd:], rowClose); j >= 0 {
				end = i + tagEnd + j + len(rowClose)
			}
		}
		if end < 0 {
			off += i
			ok, err := more()
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, errors.New("a <row> cut short")
			}
			continue
		}
		el := win[i:end]
		off += end
		n := last + 1
		if v := attr(el[:tagEnd+1], attrRef); len(v) > 0 {
			if k, ok := atoiBytes(v); ok {
				n = k
			}
		}
		last = n
		r.num = n
		r.cells, r.textNums = r.cells[:0], r.textNums[:0]
		if err := b.rowCells(el[tagEnd+1:], &r); err != nil {
			return nil, fmt.Errorf("row %d: %w", n, err)
		}
		if err := fn(&r); err != nil {
			return nil, err
		}
	}
	// The rest of the sheet: merged ranges, formats, drawings. A few
	// kilobytes, unless the sheet is mostly merges.
	rest := append([]byte(nil), buf[off:]...)
	for len(rest) < 16<<20 {
		off = len(buf)
		ok, err := more()
		if err != nil || !ok {
			break
		}
		rest = append(rest, buf[off:]...)
	}
	return mergesIn(rest), nil
}

// atoiBytes reads a non-negative decimal integer.
func atoiBytes(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// attr is the value of the attribute whose ` name="` is key, in tag.
func attr(tag, key []byte) []byte {
	i := bytes.Index(tag, key)
	if i < 0 {
		return nil
	}
	v := tag[i+len(key):]
	j := bytes.IndexByte(v, '"')
	if j < 0 {
		return nil
	}
	return v[:j]
}

// column of a cell reference ("AB12" → 27), from 0; -1 when it has none.
func refColumn(ref []byte) int {
	c := 0
	for _, ch := range ref {
		switch {
		case ch >= 'A' && ch <= 'Z':
			c = c*26 + int(ch-'A'+1)
		case ch >= 'a' && ch <= 'z':
			c = c*26 + int(ch-'a'+1)
		default:
			if c == 0 || c > 16384 {
				return -1
			}
			return c - 1
		}
	}
	return -1
}

// rowCells reads the <c> elements of a row's content into r, by column.
func (b *book) rowCells(rest []byte, r *row) error {
	col := 0
	for {
		i := bytes.Index(rest, cellOpen)
		if i < 0 {
			return nil
		}
		rest = rest[i:]
		if len(rest) < 3 || (rest[2] != ' ' && rest[2] != '>' && rest[2] != '/') {
			rest = rest[2:]
			continue
		}
		tagEnd := bytes.IndexByte(rest, '>')
		if tagEnd < 0 {
			return errors.New("a <c> cut short")
		}
		tag := rest[:tagEnd+1]
		var body []byte
		if rest[tagEnd-1] == '/' {
			rest = rest[tagEnd+1:]
		} else {
			j := bytes.Index(rest[tagEnd+1:], cellClose)
			if j < 0 {
				return errors.New("a <c> without its end")
			}
			j += tagEnd + 1
			body, rest = rest[tagEnd+1:j], rest[j+len(cellClose):]
		}
		if ref := attr(tag, attrRef); len(ref) > 0 {
			if c := refColumn(ref); c >= 0 {
				col = c
			}
		}
		if col >= 16384 {
			return errors.New("a cell past column XFD")
		}
		v, raw, text := b.cellValue(attr(tag, attrType), body)
		if raw != nil {
			// A column's value is often the one above it (an order's
			// PO, store and date on each of its rows): the string is
			// made once.
			for len(r.last) <= col {
				r.last = append(r.last, "")
			}
			if r.last[col] == string(raw) {
				v = r.last[col]
			} else {
				v = string(raw)
				r.last[col] = v
			}
		}
		// Only a separator makes a difference: "24" reads alike either way.
		if text && strings.ContainsAny(v, ".eE") && machineNumber(v) {
			r.textNums = append(r.textNums, col)
		}
		for len(r.cells) <= col {
			r.cells = append(r.cells, "")
		}
		r.cells[col] = v
		col++
	}
}

// cellValue is a cell's stored value, from its type attribute and its
// content: shared strings looked up, inline strings read, formulas by their
// cached value. When the value is the content's bytes as they stand, it
// comes as raw (a slice of body) instead of v, for the caller to make a
// string of only if it must.
func (b *book) cellValue(t, body []byte) (v string, raw []byte, text bool) {
	if string(t) == "inlineStr" {
		raw, v = textRunsRaw(body)
		return v, raw, true
	}
	i := bytes.Index(body, vOpen)
	if i < 0 || i+2 >= len(body) || (body[i+2] != '>' && body[i+2] != ' ') {
		return "", nil, false
	}
	k := bytes.IndexByte(body[i:], '>')
	val := body[i+k+1:]
	j := bytes.Index(val, vClose)
	if j < 0 {
		return "", nil, false
	}
	val = val[:j:j]
	switch string(t) {
	case "s":
		if k, ok := atoiBytes(val); ok && k < len(b.shared) {
			return b.shared[k], nil, true
		}
		return "", nil, true
	case "b":
		if string(val) == "1" {
			return "TRUE", nil, false
		}
		return "FALSE", nil, false
	}
	text = string(t) == "str" // a formula's text result
	if bytes.IndexByte(val, '&') >= 0 {
		return xmlText(val), nil, text
	}
	return "", val, text
}

var (
	mergeRE    = regexp.MustCompile(`<mergeCell ref="([A-Z]+[0-9]+):([A-Z]+[0-9]+)"`)
	sheetRE    = regexp.MustCompile(`<sheet [^>]*name="([^"]*)"[^>]*r:id="([^"]*)"`)
	relationRE = regexp.MustCompile(`<Relationship [^>]*Id="([^"]*)"[^>]*Target="([^"]*)"`)
)

// mergesIn lists the merged ranges in the XML after a worksheet's rows, at
// most maxMergeRanges.
func mergesIn(rest []byte) []mergeRange {
	var out []mergeRange
	for _, mm := range mergeRE.FindAllSubmatch(rest, maxMergeRanges) {
		c1, r1, err1 := excelize.CellNameToCoordinates(string(mm[1]))
		c2, r2, err2 := excelize.CellNameToCoordinates(string(mm[2]))
		if err1 == nil && err2 == nil {
			out = append(out, mergeRange{r1, c1, r2, c2})
		}
	}
	return out
}
