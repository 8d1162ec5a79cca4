package sheet

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// fromText builds the workbook for a CSV/TSV document: one sheet named
// after the file, the records as text cells, row n holding record n as the
// reader numbers them.
func (an *annotator) fromText(doc []byte) error {
	// The same decoding and delimiter as the reader, so that row n here is
	// the row n its problems name.
	r, _, err := ToUTF8(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("annotate %s: %w", an.doc, err)
	}
	text, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("annotate %s: %w", an.doc, err)
	}
	sheet := annSheetName(an.doc)
	if err := an.f.SetSheetName(an.f.GetSheetName(0), sheet); err != nil {
		return fmt.Errorf("annotate %s: name the sheet %q: %w", an.doc, sheet, err)
	}
	delim, ok := SniffDelimiter(text[:min(len(text), 32<<10)])
	if !ok {
		delim = ','
	}
	last := 0
	vals := []any{}
	err = csvRecords(bytes.NewReader(text), delim, func(n int, rec []string) error {
		if n > excelize.TotalRows {
			return fmt.Errorf("more than %d rows", excelize.TotalRows)
		}
		for len(rec) > 0 && rec[len(rec)-1] == "" {
			rec = rec[:len(rec)-1]
		}
		if len(rec) == 0 {
			return nil
		}
		if len(rec) > excelize.MaxColumns {
			return fmt.Errorf("row %d: more than %d fields", n, excelize.MaxColumns)
		}
		last = max(last, len(rec))
		vals = vals[:0]
		for _, v := range rec {
			if v == "" {
				vals = append(vals, nil) // no cell
			} else {
				vals = append(vals, v)
			}
		}
		if err := an.f.SetSheetRow(sheet, fmt.Sprintf("A%d", n), &vals); err != nil {
			return fmt.Errorf("sheet %s: row %d: %w", sheet, n, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("annotate %s: %w", an.doc, err)
	}
	an.lastCol[sheet] = last
	return nil
}

// annSheetName makes a sheet name of a file name: no directory, no .csv
// (.tsv, .txt) extension, none of the characters Excel forbids ([]:*?/\,
// control characters, an apostrophe at either end), at most 31 UTF-16
// units, and not the reserved "History".
func annSheetName(file string) string {
	if i := strings.LastIndexAny(file, `/\`); i >= 0 {
		file = file[i+1:]
	}
	if i := strings.LastIndexByte(file, '.'); i >= 0 {
		switch strings.ToLower(file[i:]) {
		case ".csv", ".tsv", ".txt", ".tab":
			file = file[:i]
		}
	}
	var b strings.Builder
	for _, r := range file {
		switch {
		case strings.ContainsRune(`[]:*?/\`, r):
			b.WriteByte('_')
		case unicode.IsControl(r), r == utf8.RuneError:
		default:
			b.WriteRune(r)
		}
	}
	name := strings.TrimSpace(strings.Trim(b.String(), "'"))
	units, end := 0, 0
	for i, r := range name {
		n := utf16.RuneLen(r)
		if units+n > 31 {
			break
		}
		units += n
		end = i + utf8.RuneLen(r)
	}
	name = strings.TrimSpace(strings.TrimRight(name[:end], "'"))
	switch {
	case name == "":
		return "Sheet1"
	case strings.EqualFold(name, "History"):
		return name + "_"
	}
	return name
}
