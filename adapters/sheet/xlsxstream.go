package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"regexp"
	"strconv"
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
			return string(el[:k]) // one plain run: the common case
		}
		out = append(out, xmlText(el[:k])...)
		n++
		el = el[k+4:]
	}
	return string(out)
}

// xmlText unescapes XML character data.
func xmlText(b []byte) string {
	if bytes.IndexByte(b, '&') < 0 {
		return string(b)
	}
	return html.UnescapeString(string(b))
}

// readRows calls fn with each row of the worksheet at path: its number and
// its cells' values from column A (missing cells empty).
//
// textNums receives the columns (from 0) of the row's text cells whose
// text looks like a number ("1.234" typed as text): those follow the
// partner's conventions, not the workbook's notation.
func (b *book) readRows(path string, fn func(n int, cells []string, textNums []int) error) error {
	rc := b.open(path)
	if rc == nil {
		return fmt.Errorf("no part %s", path)
	}
	defer rc.Close()
	br := bufio.NewReaderSize(io.LimitReader(rc, maxUnzipped), 256<<10)
	var cells []string
	var textNums []int
	last := 0
	for {
		// Each row is read whole: up to the end of its element.
		if _, err := br.ReadSlice('<'); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			if !errors.Is(err, bufio.ErrBufferFull) {
				return err
			}
			continue
		}
		head, _ := br.Peek(10)
		if string(head) == "/sheetData" {
			return nil // the rest is merges, formats, drawings
		}
		if len(head) < 4 || (string(head[:4]) != "row " && string(head[:4]) != "row>") {
			continue
		}
		row, err := readElement(br, "row")
		if err != nil {
			return err
		}
		n := last + 1
		if v := attr(row, "r"); v != "" {
			if r, err := strconv.Atoi(v); err == nil {
				n = r
			}
		}
		last = n
		cells, textNums = cells[:0], textNums[:0]
		if err := b.rowCells(row, &cells, &textNums); err != nil {
			return fmt.Errorf("row %d: %w", n, err)
		}
		out := make([]string, len(cells))
		copy(out, cells)
		if err := fn(n, out, textNums); err != nil {
			return err
		}
	}
}

// readElement reads the rest of an element whose "<" was consumed: up to
// its end tag, or "/>" when it closes itself.
func readElement(br *bufio.Reader, name string) ([]byte, error) {
	var buf []byte
	end := []byte("</" + name + ">")
	for {
		line, err := br.ReadSlice('>')
		buf = append(buf, line...)
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("a <%s> cut short: %w", name, err)
		}
		if err != nil {
			continue
		}
		if bytes.HasSuffix(buf, end) {
			return buf, nil
		}
		// <row .../> holds no cells.
		if i := bytes.IndexByte(buf, '>'); i == len(buf)-1 && bytes.HasSuffix(buf, []byte("/>")) {
			return buf, nil
		}
		if len(buf) > 64<<20 {
			return nil, fmt.Errorf("a <%s> over 64 MiB", name)
		}
	}
}

// attr is the value of attribute name in the first tag of el.
func attr(el []byte, name string) string {
	end := bytes.IndexByte(el, '>')
	if end < 0 {
		end = len(el)
	}
	tag := el[:end]
	key := []byte(" " + name + `="`)
	i := bytes.Index(tag, key)
	if i < 0 {
		return ""
	}
	v := tag[i+len(key):]
	j := bytes.IndexByte(v, '"')
	if j < 0 {
		return ""
	}
	return string(v[:j])
}

// rowCells reads the <c> elements of a row into cells, by column.
func (b *book) rowCells(row []byte, cells *[]string, textNums *[]int) error {
	rest := row
	col := 0
	for {
		i := bytes.Index(rest, []byte("<c"))
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
		var el []byte
		if rest[tagEnd-1] == '/' {
			el, rest = rest[:tagEnd+1], rest[tagEnd+1:]
		} else {
			j := bytes.Index(rest, []byte("</c>"))
			if j < 0 {
				return errors.New("a <c> without its end")
			}
			el, rest = rest[:j+4], rest[j+4:]
		}
		if ref := attr(el, "r"); ref != "" {
			c, _, err := excelize.CellNameToCoordinates(ref)
			if err == nil {
				col = c - 1
			}
		}
		v, text := b.cellValue(el)
		// Only a separator makes a difference: "24" reads alike either way.
		if text && strings.ContainsAny(v, ".eE") && machineNumber(v) {
			*textNums = append(*textNums, col)
		}
		for len(*cells) <= col {
			*cells = append(*cells, "")
		}
		(*cells)[col] = v
		col++
	}
}

// cellValue is a cell's stored value: shared strings looked up, inline
// strings read, formulas by their cached value.
func (b *book) cellValue(el []byte) (v string, text bool) {
	t := attr(el, "t")
	if t == "inlineStr" {
		return textRuns(el), true
	}
	i := bytes.Index(el, []byte("<v>"))
	if i < 0 {
		i = bytes.Index(el, []byte("<v "))
		if i < 0 {
			return "", false
		}
		i = bytes.IndexByte(el[i:], '>') + i - 2
	}
	raw := el[i+3:]
	j := bytes.Index(raw, []byte("</v>"))
	if j < 0 {
		return "", false
	}
	raw = raw[:j]
	switch t {
	case "s":
		if k, err := strconv.Atoi(string(raw)); err == nil && k >= 0 && k < len(b.shared) {
			return b.shared[k], true
		}
		return "", true
	case "str":
		return xmlText(raw), true // a formula's text result
	case "b":
		if string(raw) == "1" {
			return "TRUE", false
		}
		return "FALSE", false
	}
	return xmlText(raw), false
}

var (
	mergeRE    = regexp.MustCompile(`<mergeCell ref="([A-Z]+[0-9]+):([A-Z]+[0-9]+)"`)
	sheetRE    = regexp.MustCompile(`<sheet [^>]*name="([^"]*)"[^>]*r:id="([^"]*)"`)
	relationRE = regexp.MustCompile(`<Relationship [^>]*Id="([^"]*)"[^>]*Target="([^"]*)"`)
)

// merges lists the merged ranges of the worksheet at path, from the end
// of its XML (they follow the rows), streaming past the rows rather than
// holding them: excelize's GetMergeCells parses the whole worksheet into
// memory to answer. At most maxMergeRanges are kept.
func (b *book) merges(path string) []mergeRange {
	rc := b.open(path)
	if rc == nil {
		return nil
	}
	defer rc.Close()
	marker := []byte("<mergeCells")
	var kept []byte
	buf := make([]byte, 256<<10)
	carry := 0
	for {
		n, err := io.ReadFull(rc, buf[carry:])
		chunk := buf[:carry+n]
		if kept != nil {
			kept = append(kept, chunk[carry:]...)
		} else if i := bytes.Index(chunk, marker); i >= 0 {
			kept = append([]byte(nil), chunk[i:]...)
		}
		if err != nil || len(kept) > 16<<20 {
			break
		}
		carry = min(len(marker)-1, len(chunk))
		copy(buf, chunk[len(chunk)-carry:])
	}
	var out []mergeRange
	for _, mm := range mergeRE.FindAllSubmatch(kept, maxMergeRanges) {
		c1, r1, err1 := excelize.CellNameToCoordinates(string(mm[1]))
		c2, r2, err2 := excelize.CellNameToCoordinates(string(mm[2]))
		if err1 == nil && err2 == nil {
			out = append(out, mergeRange{r1, c1, r2, c2})
		}
	}
	return out
}
