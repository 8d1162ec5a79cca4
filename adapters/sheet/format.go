// Package sheet reads purchase orders from the spreadsheets distributors
// export: xlsx workbooks (their sheets scanned as bytes straight out of the
// zip; excelize for what the scanner does not follow, and to write the
// annotated copy) and CSV/TSV files in whatever delimiter and encoding they
// come in. A sheet is read in two passes, never held: one to find its
// layout and settle its columns' conventions, one to build its orders.
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
	"errors"
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

func (e *SheetError) Error() string { return joinLocated(e.Doc, e.Problems) }

// joinLocated is problems, each located in document doc, joined by "; ".
func joinLocated(doc string, problems []Problem) string {
	var b strings.Builder
	for i, p := range problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(located(doc, p))
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
	return joinLocated(e.Doc, e.Problems) + " (PO " + e.PO + " refused)"
}

// Located implements format.LocatedError: each problem at its cell.
func (e *SheetError) Located() []format.Located { return locatedEach(e.Problems, "") }

// Located implements format.LocatedError: each problem at its cell, saying
// which PO it refused.
func (e *OrderError) Located() []format.Located {
	return locatedEach(e.Problems, " (PO "+e.PO+" refused)")
}

// locatedEach is each problem at its cell, its message followed by suffix.
func locatedEach(problems []Problem, suffix string) []format.Located {
	out := make([]format.Located, len(problems))
	for i, p := range problems {
		out[i] = format.Located{Position: p.Where(), Message: p.text() + suffix}
	}
	return out
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
		data, err := readAll(r, doc.Size, maxXLSX+1)
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
			tables, err = xlsxTables(data, doc.Name, only)
		} else {
			var t *table
			t, err = csvTable(data, doc.Name)
			tables = []*table{t}
		}
		if err != nil {
			yield(nil, &SheetError{Doc: doc.Name, Problems: []Problem{{Sheet: doc.Name, Msg: err.Error()}}})
			return
		}
		note := func(p Problem) {
			if doc.Note != nil {
				doc.Note(p.Where(), p.Msg)
			}
		}
		ann := &Annotations{Header: map[string]int{}, Accepted: map[string][]int{}}
		var held []*draft // all or nothing: every order waits for the end
		heldProblems := 0
		refused := 0 // problems so far
		annotateAtEnd := func() {
			if refused > 0 {
				f.annotate(doc, data, ann)
			}
		}
		problem := func(p Problem) bool {
			ann.Problems = append(ann.Problems, p)
			if refused++; refused > maxProblems {
				return true
			}
			return yield(nil, &SheetError{Doc: doc.Name, Problems: []Problem{p}})
		}
		// send yields a finished order, or its refusal.
		send := func(d *draft, refuseAll bool) bool {
			switch {
			case len(d.problems) > 0:
				ann.Problems = append(ann.Problems, d.problems...)
				ann.Refused++
				if refused += len(d.problems); refused > maxProblems+len(d.problems) {
					d.problems = d.problems[:1]
				}
				return yield(nil, &OrderError{Doc: doc.Name, PO: d.o.PONumber, Rows: d.rows, Problems: d.problems})
			case refuseAll:
				ann.Refused++
				return yield(nil, &OrderError{Doc: doc.Name, PO: d.o.PONumber, Rows: d.rows, Problems: []Problem{{Sheet: d.sheet, Row: d.firstRow,
					Msg: "refused with the rest of the document: the partner's profile says all or nothing"}}})
			}
			ann.Orders++
			ann.Accepted[d.sheet] = append(ann.Accepted[d.sheet], d.rows...)
			return yield(d.o, nil)
		}
		found := false
		for _, t := range tables {
			if ctx.Err() != nil {
				return
			}
			l, s, err := readLayout(ctx, t, c)
			if err == nil && l == nil {
				f.log().Info("sheet: no order table", "document", doc.Name, "sheet", t.name)
				continue
			}
			if err == nil {
				found = true
				if u := sortedUnknown(l); len(u) > 0 {
					f.log().Info("sheet: columns not understood, ignored", "document", doc.Name, "sheet", t.name, "headers", strings.Join(u, ", "))
					note(Problem{Sheet: t.name, Row: l.headerNum(), Msg: "columns not understood, ignored: " + strings.Join(u, ", ")})
				}
				ann.Header[t.name] = l.headerNum()
				if probs := checkColumns(t, l, c); len(probs) > 0 {
					for _, p := range probs {
						if !problem(p) {
							return
						}
					}
					continue
				}
				l.decideColumns(s, c)
				err = buildOrders(ctx, t, l, s, c, sink{
					order: func(d *draft) bool {
						d.o.Source = &order.Source{Format: kind, Transport: doc.Transport, Document: doc.Name, DocumentID: doc.ID,
							SHA256: doc.SHA256, Position: fmt.Sprintf("%s!A%d", t.name, d.firstRow)}
						d.o.Partner = doc.Partner
						if c.allOrNothing {
							held = append(held, d)
							heldProblems += len(d.problems)
							return true
						}
						return send(d, false)
					},
					problem: problem,
					skipped: func(p Problem) {
						ann.Skipped = append(ann.Skipped, p)
						f.log().Debug("sheet: "+p.String(), "document", doc.Name)
						note(p)
					},
				})
			}
			switch {
			case errors.Is(err, errStop):
				annotateAtEnd()
				return
			case ctx.Err() != nil:
				return
			case err != nil:
				// The sheet could not be read to its end (a row cut
				// short, too many rows): what it gave so far stands.
				if !problem(Problem{Sheet: t.name, Msg: err.Error()}) {
					annotateAtEnd()
					return
				}
			}
		}
		if !found && refused == 0 {
			yield(nil, &SheetError{Doc: doc.Name, Problems: []Problem{{Sheet: doc.Name,
				Msg: fmt.Sprintf("no order table: no row among the first %d of any sheet names a quantity column and another known column (quantity: %s)", headerScan, strings.Join(aliasesOf(fQuantity, c.own), ", "))}}})
			return
		}
		defer annotateAtEnd()
		if c.allOrNothing {
			refuseAll := refused > 0 || heldProblems > 0
			for _, d := range held {
				if !send(d, refuseAll) {
					return
				}
			}
		}
	}
}

// readLayout finds a table's layout and surveys its rows. In a workbook,
// merged ranges are learnt only once the survey has read to the end of
// the sheet; when they touch the header or span columns (where filling
// them differs from carrying a value down), the layout is found and the
// rows surveyed again with them filled. nil layout: no order table.
func readLayout(ctx context.Context, t *table, c conventions) (*layout, *survey, error) {
	for attempt := 0; ; attempt++ {
		head, err := headRows(t, c)
		if err != nil {
			return nil, nil, err
		}
		l := findLayout(head, c)
		var s *survey
		if l != nil {
			s, err = surveyRows(ctx, t, l, c)
		} else if t.xlsx && !t.mergesKnown {
			err = t.scan(func(*row) error { return nil })
		}
		if err != nil {
			return nil, nil, err
		}
		headEnd := 0
		if len(head) > 0 {
			headEnd = head[len(head)-1].num
		}
		if attempt > 0 || !t.mergesMatter(headEnd) {
			return l, s, nil
		}
	}
}

// readAll reads r to its end, at most limit bytes, into a buffer of the
// size the caller knows (io.ReadAll grows its buffer step by step, which
// on a large workbook is more copying and zeroing than the reading).
func readAll(r io.Reader, size, limit int64) ([]byte, error) {
	if size <= 0 || size >= limit {
		return io.ReadAll(io.LimitReader(r, limit))
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	_, err := buf.ReadFrom(io.LimitReader(r, limit))
	return buf.Bytes(), err
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
