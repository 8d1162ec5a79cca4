package sheet

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// headerScan is how many rows from the top may hold the header.
const headerScan = 30

// layout is where a table's order data is.
type layout struct {
	// head are the rows down to the header row and the one after it, as
	// read when the layout was found; header is the header row's index
	// in head.
	head    []row
	header  int
	cols    []*column
	byField map[Field]*column
	unknown []string // headers recognised as nothing
	// block holds the header-level values given above the table
	// ("PO: NW-88120"), with the cell they came from.
	block map[Field]blockValue
	// orderCols and fallback are, per order-level field (orderFields),
	// its column and the value a row without one gets: the block's,
	// else the profile's default.
	orderCols [nOrderFields]*column
	fallback  [nOrderFields]string
}

// headerNum is the header row's number.
func (l *layout) headerNum() int { return l.head[l.header].num }

type blockValue struct{ v, ref string }

// orderFields are the order-level fields in a fixed order: orderVals
// holds a row's values of them.
var orderFields = [...]Field{fPO, fShipTo, fOrderDate, fCurrency, fDeliveryDate, fShipDate, fCancelAfter,
	fShipToName, fAddress, fCity, fRegion, fPostalCode, fCountry, fNotes}

const (
	nOrderFields = len(orderFields)
	iPO          = 0
	iShipTo      = 1
)

type orderVals [nOrderFields]string

func (v *orderVals) get(f Field) string {
	for i, of := range orderFields {
		if of == f {
			return v[i]
		}
	}
	return ""
}

// headRows reads the rows where the header may be: the first headerScan
// (and the one after, for a two-level header), or down to the profile's
// header row.
func headRows(t *table, c conventions) ([]row, error) {
	var head []row
	err := t.scan(func(r *row) error {
		if c.headerRow > 0 {
			if r.num > c.headerRow+1 {
				return errStop
			}
		} else if len(head) > headerScan {
			return errStop
		}
		head = append(head, r.clone())
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	return head, nil
}

// findLayout finds the header row among head: the first row whose cells
// name a quantity and at least one other known field. nil when there is
// none (a notes sheet, a cover page).
func findLayout(head []row, c conventions) *layout {
	first, last := 0, min(len(head), headerScan)
	if c.headerRow > 0 {
		first, last = -1, -1
		for i, r := range head {
			if r.num == c.headerRow {
				first, last = i, i+1
			}
		}
		if first < 0 {
			return nil
		}
	}
	for i := first; i < last; i++ {
		l := headerAt(head, i, c)
		if l.isHeader() || c.headerRow > 0 {
			// A two-level header (a merged "Item" over "SKU" and
			// "GTIN"): the row below names more, and is the one.
			if c.headerRow == 0 && i+1 < len(head) {
				if next := headerAt(head, i+1, c); next.isHeader() && len(next.cols) >= len(l.cols) {
					l = next
				}
			}
			l.readBlock(c)
			for k, f := range orderFields {
				l.orderCols[k] = l.byField[f]
				l.fallback[k] = l.block[f].v
				if l.fallback[k] == "" {
					l.fallback[k] = c.defaults[f]
				}
			}
			return l
		}
	}
	return nil
}

// isHeader: a quantity column and at least one other known column. A
// sheet without quantities (an item list, a price list beside the orders)
// is not an order table.
func (l *layout) isHeader() bool {
	return len(l.cols) >= 2 && l.byField[fQuantity] != nil
}

// headerAt reads head[i] as a header row.
func headerAt(head []row, i int, c conventions) *layout {
	l := &layout{head: head, header: i, byField: map[Field]*column{}, block: map[Field]blockValue{}}
	for ci, h := range head[i].cells {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		f, ok := fieldOf(h, c.own)
		if !ok {
			l.unknown = append(l.unknown, h)
			continue
		}
		if f == fIgnore || l.byField[f] != nil {
			continue // a second column for a field: the first is taken
		}
		col := &column{idx: ci, field: f, header: h}
		l.cols = append(l.cols, col)
		l.byField[f] = col
	}
	return l
}

// readBlock reads "Label: value" (in one cell or two) above the header.
func (l *layout) readBlock(c conventions) {
	for _, r := range l.head[:l.header] {
		for ci := 0; ci < len(r.cells); ci++ {
			cell := strings.TrimSpace(r.cells[ci])
			if cell == "" {
				continue
			}
			label, value, inline := cutLabel(cell)
			f, ok := fieldOf(label, c.own)
			if !ok || !headerFields[f] {
				continue
			}
			ref := cellRef(ci, r.num)
			if !inline || value == "" {
				// The value is in the next non-empty cell of the row.
				value = ""
				for cj := ci + 1; cj < len(r.cells); cj++ {
					if v := strings.TrimSpace(r.cells[cj]); v != "" {
						value, ref, ci = v, cellRef(cj, r.num), cj
						break
					}
				}
			}
			if value != "" {
				if _, seen := l.block[f]; !seen {
					l.block[f] = blockValue{value, ref}
				}
			}
		}
	}
}

// values fills vals with row r's order-level values: the row's own, else
// the row above's (an export that writes them on an order's first row
// only; prev carries them), else the block above the table, else the
// profile's default.
func (l *layout) values(r *row, prev, vals *orderVals) {
	for i := range orderFields {
		v := ""
		if col := l.orderCols[i]; col != nil {
			v = r.cell(col.idx)
			if v != "" {
				prev[i] = v
			} else if orderFields[i] != fNotes {
				v = prev[i]
			}
		}
		if v == "" {
			v = l.fallback[i]
		}
		vals[i] = v
	}
}

// skipReason says why a data row is skipped (blank, a total), "" when it
// is not.
func skipReason(r *row) string {
	first := ""
	for _, c := range r.cells {
		if s := strings.TrimSpace(c); s != "" {
			first = s
			break
		}
	}
	if first == "" {
		return "blank row skipped"
	}
	if maybeTotal(first) && subtotalRE.MatchString(first) {
		return fmt.Sprintf("total row skipped (%q)", first)
	}
	return ""
}

// maybeTotal is a cheap test before subtotalRE: every word it matches
// starts with one of these letters (any case) or is Chinese.
func maybeTotal(s string) bool {
	switch s[0] | 0x20 {
	case 's', 't', 'z', 'g':
		return true
	}
	return s[0] >= 0x80
}

// cutLabel splits "PO: NW-88120" (or "PO：…" with a full-width colon).
func cutLabel(s string) (label, value string, ok bool) {
	i := strings.IndexAny(s, ":：")
	if i < 0 {
		return s, "", false
	}
	_, w := firstRune(s[i:])
	return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+w:]), true
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}

// subtotalRE matches the first cell of a total row a sheet may carry.
var subtotalRE = regexp.MustCompile(`(?i)^\s*(?:(?:sub\s*-?\s*total|total|totaal|subtotaal|summe|zwischensumme|gesamt|sous-total|total général|subtotal)\b|合计|小计|总计)`)

// sortedUnknown lists the unknown headers once each.
func sortedUnknown(l *layout) []string {
	u := slices.Clone(l.unknown)
	slices.Sort(u)
	return slices.Compact(u)
}
