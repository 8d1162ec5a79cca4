package sheet

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
)

// headerScan is how many rows from the top may hold the header.
const headerScan = 30

// maxProblems caps the problems collected per document: enough to fix a
// sheet in one go, not so many that a wrong file floods the report.
const maxProblems = 1000

// conventions are what the partner's profile says about its sheets.
type conventions struct {
	own          map[string]Field // normalised header → field
	decimal      byte             // DecimalUnknown: decide per column
	dayFirst     *bool            // nil: decide per column, refuse what stays ambiguous
	layouts      []string
	defaults     map[Field]string
	headerRow    int
	allOrNothing bool
}

func conventionsOf(p *mappings.SheetProfile) conventions {
	c := conventions{own: map[string]Field{}, defaults: map[Field]string{}}
	if p == nil {
		return c
	}
	for f, h := range p.Columns {
		c.own[normHeader(h)] = Field(f)
	}
	switch strings.ToLower(p.Decimal) {
	case "comma":
		c.decimal = DecimalComma
	case "point":
		c.decimal = DecimalPoint
	}
	switch strings.ToLower(p.Dates) {
	case "day_first":
		t := true
		c.dayFirst = &t
	case "month_first":
		f := false
		c.dayFirst = &f
	}
	c.layouts = p.DateLayouts
	for f, v := range p.Defaults {
		c.defaults[Field(f)] = v
	}
	c.headerRow = p.HeaderRow
	c.allOrNothing = p.AllOrNothing
	return c
}

// column is a recognised column of the table.
type column struct {
	idx    int
	field  Field
	header string
	// decimal is the column's decimal separator, decided from its values
	// or the profile; dayFirst its date convention.
	decimal  byte
	dayFirst *bool
	// undecided says why the column's convention could not be decided,
	// for the errors of the values it leaves ambiguous.
	undecided string
}

// layout is where a table's order data is.
type layout struct {
	header  int // index in table.rows of the header row
	cols    []*column
	byField map[Field]*column
	unknown []string // headers recognised as nothing
	// block holds the header-level values given above the table
	// ("PO: NW-88120"), with the cell they came from.
	block map[Field]blockValue
}

type blockValue struct{ v, ref string }

// findLayout finds the header row: the first of the first rows whose cells
// name a quantity and at least one other known field. nil
// when the table has none (a notes sheet, a cover page).
func findLayout(t *table, c conventions) *layout {
	first, last := 0, min(len(t.rows), headerScan)
	if c.headerRow > 0 {
		first, last = -1, -1
		for i, r := range t.rows {
			if r.num == c.headerRow {
				first, last = i, i+1
			}
		}
		if first < 0 {
			return nil
		}
	}
	for i := first; i < last; i++ {
		l := headerAt(t, i, c)
		if l.isHeader() || c.headerRow > 0 {
			// A two-level header (a merged "Item" over "SKU" and
			// "GTIN"): the row below names more, and is the one.
			if c.headerRow == 0 && i+1 < len(t.rows) {
				if next := headerAt(t, i+1, c); next.isHeader() && len(next.cols) >= len(l.cols) {
					l = next
				}
			}
			l.readBlock(t, c)
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

// headerAt reads row i as a header row.
func headerAt(t *table, i int, c conventions) *layout {
	l := &layout{header: i, byField: map[Field]*column{}, block: map[Field]blockValue{}}
	for ci, h := range t.rows[i].cells {
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
func (l *layout) readBlock(t *table, c conventions) {
	for _, r := range t.rows[:l.header] {
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

// decideColumns settles each numeric and date column's conventions from
// its values, unless the profile already did.
func (l *layout) decideColumns(t *table, c conventions) {
	for _, col := range l.cols {
		switch {
		case col.field == fQuantity || col.field == fUnitPrice:
			col.decimal = c.decimal
			if col.decimal != DecimalUnknown {
				continue
			}
			var vals []string
			for _, r := range t.rows[l.header+1:] {
				if v := r.cell(col.idx); v != "" && !(t.xlsx && machineNumber(v) && !t.textNums[[2]int{r.num, col.idx}]) {
					vals = append(vals, v)
				}
			}
			sep, conflict := DecideDecimal(vals)
			col.decimal = sep
			if conflict {
				col.decimal = DecimalUnknown
				col.undecided = "the column mixes decimal commas and points"
			}
		case dateFields[col.field]:
			col.dayFirst = c.dayFirst
			if col.dayFirst != nil {
				continue
			}
			dayFirst, monthFirst := false, false
			for _, r := range t.rows[l.header+1:] {
				d, m, ok := dayMonthParts(r.cell(col.idx))
				if !ok {
					continue
				}
				if d > 12 {
					dayFirst = true
				}
				if m > 12 {
					monthFirst = true
				}
			}
			switch {
			case dayFirst && monthFirst:
				col.undecided = "the column has dates both ways round (13/01 and 01/13)"
			case dayFirst:
				t := true
				col.dayFirst = &t
			case monthFirst:
				f := false
				col.dayFirst = &f
			}
		}
	}
}

// dayMonthParts reads the first two numbers of an a/b/y date.
var abyRE = regexp.MustCompile(`^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})\s*$`)

func dayMonthParts(s string) (a, b int, ok bool) {
	m := abyRE.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, false
	}
	a, _ = strconv.Atoi(m[1])
	b, _ = strconv.Atoi(m[2])
	return a, b, true
}

// machineNumber tells whether an xlsx raw value is a number as the
// workbook stores it: digits, at most one point, maybe an exponent.
var machineRE = regexp.MustCompile(`^-?\d+(\.\d+)?([eE][-+]?\d+)?$`)

func machineNumber(v string) bool { return machineRE.MatchString(v) }

// Problem is one thing wrong in a sheet, at a cell.
type Problem struct {
	Sheet  string
	Row    int    // from 1; 0 for the sheet as a whole
	Cell   string // "C14"; "" for a whole row or sheet
	Column string // the sheet's own header, when about a column
	Msg    string
}

// Where is the problem's place: "Orders!C14", "Orders!14" or "Orders".
func (p Problem) Where() string {
	switch {
	case p.Cell != "":
		return p.Sheet + "!" + p.Cell
	case p.Row > 0:
		return fmt.Sprintf("%s!%d", p.Sheet, p.Row)
	}
	return p.Sheet
}

func (p Problem) String() string {
	if p.Column != "" {
		return fmt.Sprintf("%s: %s: %s", p.Where(), p.Column, p.Msg)
	}
	return p.Where() + ": " + p.Msg
}

// draft is an order being put together from its rows.
type draft struct {
	sheet    string
	o        *order.Order
	key      string
	firstRow int
	rows     []int
	problems []Problem
}

// result is what reading one table gave.
type result struct {
	orders  []*draft // in the order their first row came
	skipped []Problem
	// problems about the table or about rows that belong to no order.
	problems []Problem
	rowsRead int
}

// readTable turns a table's rows into orders. Rows that are blank or
// totals are skipped and said so; a row with a bad cell refuses its order
// (a PO missing a line would be a wrong PO), and the problem names the
// cell, the column, what was wanted and what was found.
func readTable(t *table, l *layout, c conventions) *result {
	res := &result{}
	l.decideColumns(t, c)
	for _, f := range []Field{fQuantity} {
		if l.byField[f] == nil {
			res.problems = append(res.problems, Problem{Sheet: t.name, Row: t.rows[l.header].num,
				Msg: fmt.Sprintf("no %s column: tried %s", f, strings.Join(aliasesOf(f, c.own), ", "))})
		}
	}
	if l.byField[fSKU] == nil && l.byField[fGTIN] == nil && l.byField[fBuyerItem] == nil && l.byField[fDescription] == nil {
		var tried []string
		for _, f := range []Field{fSKU, fGTIN, fBuyerItem} {
			tried = append(tried, aliasesOf(f, c.own)...)
		}
		res.problems = append(res.problems, Problem{Sheet: t.name, Row: t.rows[l.header].num,
			Msg: "no item column (sku, gtin or buyer_item): tried " + strings.Join(tried, ", ")})
	}
	if len(res.problems) > 0 {
		return res
	}
	byKey := map[string]*draft{}
	prev := map[Field]string{} // the last row's header-level values, for continuation rows left blank
	for _, r := range t.rows[l.header+1:] {
		if r.blank() {
			res.skipped = append(res.skipped, Problem{Sheet: t.name, Row: r.num, Msg: "blank row skipped"})
			continue
		}
		if first := firstCell(r); subtotalRE.MatchString(first) {
			res.skipped = append(res.skipped, Problem{Sheet: t.name, Row: r.num, Msg: fmt.Sprintf("total row skipped (%q)", first)})
			continue
		}
		res.rowsRead++
		var probs []Problem
		bad := func(col *column, format string, args ...any) {
			probs = append(probs, Problem{Sheet: t.name, Row: r.num, Cell: cellRef(col.idx, r.num), Column: col.header,
				Msg: fmt.Sprintf(format, args...)})
		}
		// Header-level values: the row's own, else the row above's (an
		// export that writes them on an order's first row only), else
		// the block above the table, else the profile's default.
		vals := map[Field]string{}
		for f := range headerFields {
			v := ""
			if col := l.byField[f]; col != nil {
				v = r.cell(col.idx)
				if v == "" && f != fNotes {
					v = prev[f]
				}
			}
			if v == "" {
				v = l.block[f].v
			}
			if v == "" {
				v = c.defaults[f]
			}
			vals[f] = v
		}
		for f := range headerFields {
			if col := l.byField[f]; col != nil && r.cell(col.idx) != "" {
				prev[f] = r.cell(col.idx)
			}
		}
		if vals[fPO] == "" {
			where := Problem{Sheet: t.name, Row: r.num, Msg: "no PO number: give it in a column (" + strings.Join(aliasesOf(fPO, c.own)[:6], ", ") + " …) or above the table (\"PO: 4500012345\")"}
			if col := l.byField[fPO]; col != nil {
				where.Cell, where.Column = cellRef(col.idx, r.num), col.header
				where.Msg = "the PO number is empty"
			}
			res.problems = append(res.problems, where)
			continue
		}
		key := vals[fPO] + "\x00" + vals[fShipTo]
		d := byKey[key]
		if d == nil {
			d = &draft{sheet: t.name, o: newOrder(vals), key: key, firstRow: r.num}
			byKey[key] = d
			res.orders = append(res.orders, d)
			for _, f := range []Field{fOrderDate, fDeliveryDate, fShipDate, fCancelAfter} {
				v := vals[f]
				if v == "" {
					continue
				}
				col := l.byField[f]
				iso, err := parseDateCell(t, col, v, c)
				if err != nil {
					if col != nil && r.cell(col.idx) == v {
						bad(col, "%v", err)
					} else {
						probs = append(probs, Problem{Sheet: t.name, Row: r.num, Cell: l.block[f].ref, Column: string(f), Msg: err.Error()})
					}
					continue
				}
				setDate(d.o, f, iso)
			}
		}
		d.rows = append(d.rows, r.num)
		line := order.Line{}
		if col := l.byField[fLineNo]; col != nil {
			line.LineNo = r.cell(col.idx)
		}
		if line.LineNo == "" {
			line.LineNo = strconv.Itoa(len(d.o.Lines) + 1)
		}
		for _, f := range []Field{fSKU, fGTIN, fBuyerItem, fDescription, fUOM} {
			if col := l.byField[f]; col != nil {
				v := r.cell(col.idx)
				if f == fGTIN && t.xlsx && machineNumber(v) && strings.ContainsAny(v, "eE.") {
					// A GTIN typed into a number cell comes back as
					// 1.2345678905E+11: its leading zeros are gone.
					bad(col, "want the GTIN as text (12 to 14 digits), got the number %s: format the column as text so its leading zeros stay", v)
					continue
				}
				switch f {
				case fSKU:
					line.SKU = v
				case fGTIN:
					line.GTIN = v
				case fBuyerItem:
					line.BuyerItem = v
				case fDescription:
					line.Description = v
				case fUOM:
					line.UOM = strings.ToUpper(v)
				}
			}
		}
		if line.SKU == "" && line.GTIN == "" && line.BuyerItem == "" && line.Description == "" {
			probs = append(probs, Problem{Sheet: t.name, Row: r.num, Msg: "no item on the row: give a sku, gtin or buyer item"})
		}
		if col := l.byField[fQuantity]; col != nil {
			if q, err := numberCell(t, col, r, c); err != nil {
				bad(col, "%v", err)
			} else if q == nil {
				bad(col, "the quantity is empty")
			} else {
				line.Quantity = *q
			}
		}
		if col := l.byField[fUnitPrice]; col != nil {
			if p, err := numberCell(t, col, r, c); err != nil {
				bad(col, "%v", err)
			} else if p != nil {
				line.UnitPrice = p
			}
		}
		d.o.Lines = append(d.o.Lines, line)
		d.problems = append(d.problems, probs...)
	}
	return res
}

func firstCell(r row) string {
	for _, c := range r.cells {
		if s := strings.TrimSpace(c); s != "" {
			return s
		}
	}
	return ""
}

// numberCell reads a quantity or price cell; nil when empty.
func numberCell(t *table, col *column, r row, c conventions) (*decimal.Decimal, error) {
	v := r.cell(col.idx)
	if v == "" {
		return nil, nil
	}
	sep := col.decimal
	if t.xlsx && machineNumber(v) && !t.textNums[[2]int{r.num, col.idx}] {
		sep = DecimalPoint // a number cell: the workbook's own notation
	}
	d, err := ParseDecimal(v, sep)
	if err != nil {
		var ve *ValueError
		if col.undecided != "" && asValueError(err, &ve) && ve.Hint == "" {
			ve.Hint = col.undecided + `: set decimal: comma or point in the partner's sheet profile`
		}
		return nil, err
	}
	return &d, nil
}

func asValueError(err error, target **ValueError) bool {
	ve, ok := err.(*ValueError)
	if ok {
		*target = ve
	}
	return ok
}

// parseDateCell reads a date: an Excel serial in a workbook (or a CSV that
// was saved from one), else text in the column's convention.
func parseDateCell(t *table, col *column, v string, c conventions) (string, error) {
	if n, err := strconv.ParseFloat(v, 64); err == nil && machineNumber(v) && (t.xlsx || (n >= 20000 && n < 80000)) {
		return ExcelSerialDate(n, t.date1904)
	}
	var dayFirst *bool
	undecided := ""
	if col != nil {
		dayFirst, undecided = col.dayFirst, col.undecided
	} else {
		dayFirst = c.dayFirst
	}
	if dayFirst == nil && strings.Count(v, ".") == 2 {
		// 01.12.2026: dotted dates are written day first wherever they
		// are written (Germany, the Netherlands, Scandinavia, Russia).
		t := true
		dayFirst = &t
	}
	if dayFirst == nil && AmbiguousDate(v) {
		msg := "a date such as 2026-11-20"
		hint := "the day and month could be either way round: set dates: day_first or month_first in the partner's sheet profile"
		if undecided != "" {
			hint = undecided + "; " + hint
		}
		return "", &ValueError{Value: v, Want: msg, Hint: hint}
	}
	df := dayFirst != nil && *dayFirst
	return ParseDate(v, df, c.layouts)
}

func newOrder(vals map[Field]string) *order.Order {
	o := &order.Order{PONumber: vals[fPO], Currency: strings.ToUpper(vals[fCurrency])}
	if v := vals[fNotes]; v != "" {
		o.Notes = []string{v}
	}
	st := order.Party{Role: order.RoleShipTo, ID: vals[fShipTo], Name: vals[fShipToName], City: vals[fCity],
		Region: vals[fRegion], PostalCode: vals[fPostalCode], Country: strings.ToUpper(vals[fCountry])}
	if a := vals[fAddress]; a != "" {
		st.Address = []string{a}
	}
	if st.ID != "" || st.Name != "" || st.City != "" || len(st.Address) > 0 || st.PostalCode != "" || st.Country != "" {
		o.Parties = []order.Party{st}
	}
	return o
}

func setDate(o *order.Order, f Field, iso string) {
	switch f {
	case fOrderDate:
		o.OrderDate = iso
	case fDeliveryDate:
		o.RequestedDeliveryDate = iso
	case fShipDate:
		o.RequestedShipDate = iso
	case fCancelAfter:
		o.CancelAfter = iso
	}
}

// sortedUnknown lists the unknown headers once each.
func sortedUnknown(l *layout) []string {
	u := slices.Clone(l.unknown)
	slices.Sort(u)
	return slices.Compact(u)
}
