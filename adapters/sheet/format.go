// Package sheet reads purchase orders from the spreadsheets distributors
// export: xlsx workbooks (through excelize's streaming row iterator) and
// CSV/TSV files in whatever delimiter and encoding they come in.
//
// Nothing about the layout is assumed. The header row is found among the
// first rows by its column names, in six languages (columns.go), so title
// rows, logos and notes sheets do not matter; order-level values may be on
// every row, on an order's first row only, or in a block above the table
// ("PO: NW-88120"); rows group into one order per PO number and ship-to.
// Numbers follow each column's own convention, decided from its values
// (1.234,56 or 1,234.56) and never guessed: a value the data cannot settle
// is refused with the cell, unless the partner's sheet profile
// (mappings.SheetProfile) says. Every problem is collected with its place,
// "Orders!C14", so one round trip fixes a sheet.
package sheet

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"strings"

	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
)

// Format reads xlsx and CSV documents into canonical orders.
type Format struct {
	// Profiles hold the partners' sheet maps; nil or no map: automatic.
	Profiles *mappings.Profiles
	Log      *slog.Logger
}

// Name implements format.Format.
func (*Format) Name() string { return "sheet" }

var zipMagic = []byte("PK\x03\x04")

// Detect implements format.Format: an xlsx (a zip) or delimited text. It
// comes after the JSON and EDI formats in the set: text they do not claim
// is a sheet when its first lines split on a delimiter.
func (*Format) Detect(head []byte) bool {
	if bytes.HasPrefix(head, zipMagic) {
		return true
	}
	text, _, err := ToUTF8(bytes.NewReader(head))
	if err != nil {
		return false
	}
	b, _ := io.ReadAll(text)
	if bytes.IndexByte(b, 0) >= 0 {
		return false
	}
	t := bytes.TrimSpace(b)
	if len(t) == 0 || t[0] == '{' || t[0] == '[' || bytes.HasPrefix(t, []byte("ISA")) || bytes.HasPrefix(t, []byte("UNA")) || bytes.HasPrefix(t, []byte("UNB")) {
		return false
	}
	_, ok := SniffDelimiter(b)
	return ok
}

// SheetError refuses a whole sheet (no quantity column) or document (no
// order table anywhere).
type SheetError struct {
	Doc      string
	Problems []Problem
}

func (e *SheetError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(located(e.Doc, p))
	}
	return b.String()
}

// located names the document before the place, unless the place does (a
// CSV's one sheet is named after its file).
func located(doc string, p Problem) string {
	if p.Sheet == doc {
		return p.String()
	}
	return doc + ": " + p.String()
}

// OrderError refuses one order (a PO and ship-to): every problem of its
// rows. Its neighbours still flow unless the profile says all or nothing.
type OrderError struct {
	Doc      string
	PO       string
	Rows     []int
	Problems []Problem
}

func (e *OrderError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(located(e.Doc, p))
	}
	fmt.Fprintf(&b, " (PO %s refused)", e.PO)
	return b.String()
}

// DocPosition is where the refused order starts, for intake's report.
func (e *OrderError) DocPosition() string {
	if len(e.Problems) > 0 {
		return e.Problems[0].Where()
	}
	return ""
}

// Read implements format.Format.
func (f *Format) Read(ctx context.Context, r io.Reader, doc format.Doc) iter.Seq2[*order.Order, error] {
	return func(yield func(*order.Order, error) bool) {
		var prof *mappings.SheetProfile
		if f.Profiles != nil && doc.Partner != "" {
			if p, ok := f.Profiles.Get(doc.Partner); ok {
				prof = p.Sheet
			}
		}
		c := conventionsOf(prof)
		// The whole document is held: a workbook needs random access, a
		// sheet's rows are held while its orders are put together, and
		// the annotated copy is made from the original bytes.
		data, err := io.ReadAll(io.LimitReader(r, maxXLSX+1))
		if err == nil && len(data) > maxXLSX {
			err = fmt.Errorf("the document is over %d MiB", maxXLSX>>20)
		}
		if err != nil {
			yield(nil, format.Fatal(fmt.Errorf("%s: %w", doc.Name, err)))
			return
		}
		var tables []*table
		kind := "csv"
		if bytes.HasPrefix(data, zipMagic) {
			kind = "xlsx"
			only := ""
			if prof != nil {
				only = prof.Sheet
			}
			tables, err = readXLSX(data, doc.Name, only)
		} else {
			var t *table
			t, err = readCSV(bytes.NewReader(data), doc.Name)
			tables = []*table{t}
		}
		if err != nil {
			yield(nil, &SheetError{Doc: doc.Name, Problems: []Problem{{Sheet: doc.Name, Msg: err.Error()}}})
			return
		}
		var all []*draft
		var sheetProblems []Problem
		ann := &Annotations{Header: map[string]int{}, Accepted: map[string][]int{}}
		found := false
		total := 0
		for _, t := range tables {
			if ctx.Err() != nil {
				return
			}
			l := findLayout(t, c)
			if l == nil {
				f.log().Info("sheet: no order table", "document", doc.Name, "sheet", t.name)
				continue
			}
			found = true
			if u := sortedUnknown(l); len(u) > 0 {
				f.log().Info("sheet: columns not understood, ignored", "document", doc.Name, "sheet", t.name, "headers", strings.Join(u, ", "))
			}
			ann.Header[t.name] = t.rows[l.header].num
			res := readTable(t, l, c)
			ann.Skipped = append(ann.Skipped, res.skipped...)
			for _, p := range res.skipped {
				f.log().Debug("sheet: "+p.String(), "document", doc.Name)
			}
			sheetProblems = append(sheetProblems, res.problems...)
			for _, d := range res.orders {
				d.o.Source = &order.Source{Format: kind, Transport: doc.Transport, Document: doc.Name, DocumentID: doc.ID,
					SHA256: doc.SHA256, Position: fmt.Sprintf("%s!A%d", t.name, d.firstRow)}
				d.o.Partner = doc.Partner
				total += len(d.problems)
			}
			all = append(all, res.orders...)
		}
		if !found {
			var tried []string
			tried = aliasesOf(fQuantity, c.own)
			yield(nil, &SheetError{Doc: doc.Name, Problems: []Problem{{Sheet: doc.Name,
				Msg: fmt.Sprintf("no order table: no row among the first %d of any sheet names a quantity column and another known column (quantity: %s)", headerScan, strings.Join(tried, ", "))}}})
			return
		}
		refuseAll := c.allOrNothing && (total > 0 || len(sheetProblems) > 0)
		defer func() {
			if total > 0 || len(sheetProblems) > 0 {
				f.annotate(doc, data, ann)
			}
		}()
		ann.Problems = append(ann.Problems, sheetProblems...)
		n := 0
		for _, p := range sheetProblems {
			if n++; n > maxProblems {
				break
			}
			if !yield(nil, &SheetError{Doc: doc.Name, Problems: []Problem{p}}) {
				return
			}
		}
		for _, d := range all {
			ann.Problems = append(ann.Problems, d.problems...)
			switch {
			case len(d.problems) > 0:
				ann.Refused++
				if n += len(d.problems); n > maxProblems+len(d.problems) {
					d.problems = d.problems[:1]
				}
				if !yield(nil, &OrderError{Doc: doc.Name, PO: d.o.PONumber, Rows: d.rows, Problems: d.problems}) {
					return
				}
			case refuseAll:
				ann.Refused++
				if !yield(nil, &OrderError{Doc: doc.Name, PO: d.o.PONumber, Rows: d.rows, Problems: []Problem{{Sheet: d.sheet, Row: d.firstRow,
					Msg: "refused with the rest of the document: the partner's profile says all or nothing"}}}) {
					return
				}
			default:
				ann.Orders++
				ann.Accepted[d.sheet] = append(ann.Accepted[d.sheet], d.rows...)
				if !yield(d.o, nil) {
					return
				}
			}
		}
	}
}

// annotate hands the partner its document back with every problem marked
// (<name>.errors.xlsx), when the caller sends answers. A workbook that
// cannot be made is logged: the refusals themselves are already reported.
func (f *Format) annotate(doc format.Doc, data []byte, ann *Annotations) {
	if doc.Answer == nil || doc.Partner == "" {
		return
	}
	var buf bytes.Buffer
	if err := Annotate(&buf, data, doc.Name, ann); err != nil {
		f.log().Error("sheet: annotated workbook not made", "document", doc.Name, "error", err)
		return
	}
	doc.Answer(ordermsg.Ack{Partner: doc.Partner, Kind: "errors.xlsx", Format: "xlsx",
		Name: ordermsg.ErrorsWorkbookName(doc.Name), Key: doc.ID, Body: buf.Bytes()})
}

func (f *Format) log() *slog.Logger {
	if f.Log != nil {
		return f.Log
	}
	return slog.New(slog.DiscardHandler)
}
