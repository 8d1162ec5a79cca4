package sheet

import (
	"context"
	"errors"
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

// survey is what a first pass over a table's rows learns: where each
// order ends, and what each numeric and date column's values say about
// their conventions.
type survey struct {
	// keys are the orders (by PO and ship-to): each one's last row (-1
	// once the order has been handed on) and its number of rows.
	keys map[string]keyInfo
	// votes and dayFirst/monthFirst are by column, like layout.cols.
	votes                []decimalVotes
	dayFirst, monthFirst []bool
}

type keyInfo struct{ last, rows int }

// orderKey is the key of an order: its PO and ship-to.
func orderKey(vals *orderVals) string { return vals[iPO] + "\x00" + vals[iShipTo] }

// surveyRows reads the table's data rows once.
func surveyRows(ctx context.Context, t *table, l *layout, c conventions) (*survey, error) {
	s := &survey{keys: map[string]keyInfo{}, votes: make([]decimalVotes, len(l.cols)),
		dayFirst: make([]bool, len(l.cols)), monthFirst: make([]bool, len(l.cols))}
	var prev, vals orderVals
	var lastPO, lastShipTo, lastKey string
	hn := l.headerNum()
	n := 0
	err := t.scan(func(r *row) error {
		if r.num <= hn || skipReason(r) != "" {
			return nil
		}
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		l.values(r, &prev, &vals)
		if vals[iPO] != "" {
			if vals[iPO] != lastPO || vals[iShipTo] != lastShipTo || lastKey == "" {
				lastPO, lastShipTo, lastKey = vals[iPO], vals[iShipTo], orderKey(&vals)
			}
			ki := s.keys[lastKey]
			ki.last = r.num
			ki.rows++
			s.keys[lastKey] = ki
		}
		for i, col := range l.cols {
			switch {
			case col.field == fQuantity || col.field == fUnitPrice:
				if c.decimal != DecimalUnknown {
					continue
				}
				if v := r.cell(col.idx); v != "" && !(t.xlsx && machineNumber(v) && !r.textNum(col.idx)) {
					s.votes[i].add(v)
				}
			case dateFields[col.field] && c.dayFirst == nil:
				d, m, ok := dayMonthParts(r.cell(col.idx))
				if !ok {
					continue
				}
				s.dayFirst[i] = s.dayFirst[i] || d > 12
				s.monthFirst[i] = s.monthFirst[i] || m > 12
			}
		}
		return nil
	})
	return s, err
}

// decideColumns settles each numeric and date column's conventions from
// the survey of its values, unless the profile already did.
func (l *layout) decideColumns(s *survey, c conventions) {
	for i, col := range l.cols {
		switch {
		case col.field == fQuantity || col.field == fUnitPrice:
			col.decimal = c.decimal
			if col.decimal != DecimalUnknown {
				continue
			}
			sep, conflict := s.votes[i].result()
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
			switch {
			case s.dayFirst[i] && s.monthFirst[i]:
				col.undecided = "the column has dates both ways round (13/01 and 01/13)"
			case s.dayFirst[i]:
				t := true
				col.dayFirst = &t
			case s.monthFirst[i]:
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
func machineNumber(v string) bool {
	i := 0
	if i < len(v) && v[i] == '-' {
		i++
	}
	digits := func() bool {
		start := i
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
		return i > start
	}
	if !digits() {
		return false
	}
	if i < len(v) && v[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		if i < len(v) && (v[i] == '-' || v[i] == '+') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(v)
}

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

func (p Problem) String() string { return p.Where() + ": " + p.text() }

// text is the problem without its place: the column, if any, and what is
// wrong.
func (p Problem) text() string {
	if p.Column != "" {
		return p.Column + ": " + p.Msg
	}
	return p.Msg
}

// draft is an order being put together from its rows.
type draft struct {
	sheet    string
	o        *order.Order
	key      string
	firstRow int
	rows     []int
	problems []Problem
	last     int  // its last row, as the survey found it
	done     bool // its last row is read
}

// sink receives what reading a table gives, as it comes: orders (each once
// its last row is read, in the order their first rows come), problems that
// belong to no order, and rows skipped. A false from order or problem stops
// the reading.
type sink struct {
	order   func(d *draft) bool
	problem func(p Problem) bool
	skipped func(p Problem)
}

// checkColumns refuses a table without the columns an order needs.
func checkColumns(t *table, l *layout, c conventions) []Problem {
	var probs []Problem
	hn := l.headerNum()
	if l.byField[fQuantity] == nil {
		probs = append(probs, Problem{Sheet: t.name, Row: hn,
			Msg: fmt.Sprintf("no %s column: tried %s", fQuantity, strings.Join(aliasesOf(fQuantity, c.own), ", "))})
	}
	if l.byField[fSKU] == nil && l.byField[fGTIN] == nil && l.byField[fBuyerItem] == nil && l.byField[fDescription] == nil {
		var tried []string
		for _, f := range []Field{fSKU, fGTIN, fBuyerItem} {
			tried = append(tried, aliasesOf(f, c.own)...)
		}
		probs = append(probs, Problem{Sheet: t.name, Row: hn,
			Msg: "no item column (sku, gtin or buyer_item): tried " + strings.Join(tried, ", ")})
	}
	return probs
}

// buildOrders reads the table's data rows a second time and turns them
// into orders. Rows that are blank or totals are skipped and said so; a
// row with a bad cell refuses its order (a PO missing a line would be a
// wrong PO), and the problem names the cell, the column, what was wanted
// and what was found.
//
// An order is handed on as soon as its last row (which the survey found)
// is read and every order begun before it has been: a sheet of orders one
// after the other holds one order at a time, however long it is.
func buildOrders(ctx context.Context, t *table, l *layout, s *survey, c conventions, out sink) error {
	byKey := map[string]*draft{}
	var queue []*draft // begun, not yet handed on, by first row
	flush := func(all bool) bool {
		k := 0
		for ; k < len(queue) && (all || queue[k].done); k++ {
			d := queue[k]
			delete(byKey, d.key)
			s.keys[d.key] = keyInfo{last: -1}
			if !out.order(d) {
				return false
			}
			queue[k] = nil
		}
		queue = queue[k:]
		return true
	}
	var prev, vals orderVals
	hn := l.headerNum()
	n := 0
	err := t.scan(func(r *row) error {
		if r.num <= hn {
			return nil
		}
		if why := skipReason(r); why != "" {
			out.skipped(Problem{Sheet: t.name, Row: r.num, Msg: why})
			return nil
		}
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		l.values(r, &prev, &vals)
		if vals[iPO] == "" {
			where := Problem{Sheet: t.name, Row: r.num, Msg: "no PO number: give it in a column (" + strings.Join(aliasesOf(fPO, c.own)[:6], ", ") + " …) or above the table (\"PO: 4500012345\")"}
			if col := l.byField[fPO]; col != nil {
				where.Cell, where.Column = cellRef(col.idx, r.num), col.header
				where.Msg = "the PO number is empty"
			}
			if !out.problem(where) {
				return errStop
			}
			return nil
		}
		// orderKey written out: a concatenation used only as a map index
		// is built on the stack, where the function's result would not be.
		d := byKey[vals[iPO]+"\x00"+vals[iShipTo]]
		if d == nil {
			key := orderKey(&vals)
			ki := s.keys[key]
			if ki.last < 0 {
				// The survey and this pass disagree on where the
				// order's rows are: never two orders for one PO.
				if !out.problem(Problem{Sheet: t.name, Row: r.num,
					Msg: fmt.Sprintf("the row belongs to PO %s, which was already taken from the rows above: put an order's rows together", vals[iPO])}) {
					return errStop
				}
				return nil
			}
			d = &draft{sheet: t.name, o: newOrder(&vals), key: key, firstRow: r.num, last: ki.last,
				rows: make([]int, 0, ki.rows)}
			d.o.Lines = make([]order.Line, 0, ki.rows)
			byKey[key] = d
			queue = append(queue, d)
			d.problems = append(d.problems, orderDates(t, l, r, &vals, c, d.o)...)
		}
		d.rows = append(d.rows, r.num)
		line, probs := readLine(t, l, r, c, len(d.o.Lines))
		d.o.Lines = append(d.o.Lines, line)
		d.problems = append(d.problems, probs...)
		if r.num >= d.last {
			d.done = true
			if !flush(false) {
				return errStop
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !flush(true) {
		return errStop
	}
	return nil
}

// orderDates reads the order's dates from its first row (or the block, or
// the defaults) into o.
func orderDates(t *table, l *layout, r *row, vals *orderVals, c conventions, o *order.Order) []Problem {
	var probs []Problem
	for _, f := range []Field{fOrderDate, fDeliveryDate, fShipDate, fCancelAfter} {
		v := vals.get(f)
		if v == "" {
			continue
		}
		col := l.byField[f]
		iso, err := parseDateCell(t, col, v, c)
		if err != nil {
			if col != nil && r.cell(col.idx) == v {
				probs = append(probs, Problem{Sheet: t.name, Row: r.num, Cell: cellRef(col.idx, r.num), Column: col.header, Msg: err.Error()})
			} else {
				probs = append(probs, Problem{Sheet: t.name, Row: r.num, Cell: l.block[f].ref, Column: string(f), Msg: err.Error()})
			}
			continue
		}
		setDate(o, f, iso)
	}
	return probs
}

// readLine reads row r's order line; existing is how many lines its order
// has so far.
func readLine(t *table, l *layout, r *row, c conventions, existing int) (order.Line, []Problem) {
	var probs []Problem
	bad := func(col *column, format string, args ...any) {
		probs = append(probs, Problem{Sheet: t.name, Row: r.num, Cell: cellRef(col.idx, r.num), Column: col.header,
			Msg: fmt.Sprintf(format, args...)})
	}
	line := order.Line{}
	if col := l.byField[fLineNo]; col != nil {
		line.LineNo = r.cell(col.idx)
	}
	if line.LineNo == "" {
		line.LineNo = strconv.Itoa(existing + 1)
	}
	for _, f := range []Field{fSKU, fGTIN, fBuyerItem, fDescription, fUOM} {
		col := l.byField[f]
		if col == nil {
			continue
		}
		v := r.cell(col.idx)
		switch f {
		case fSKU:
			line.SKU = v
		case fGTIN:
			if t.xlsx && strings.ContainsAny(v, "eE.") && machineNumber(v) {
				// A GTIN typed into a number cell comes back as
				// 1.2345678905E+11: its leading zeros are gone.
				bad(col, "want the GTIN as text (12 to 14 digits), got the number %s: format the column as text so its leading zeros stay", v)
				continue
			}
			line.GTIN = v
		case fBuyerItem:
			line.BuyerItem = v
		case fDescription:
			line.Description = v
		case fUOM:
			line.UOM = strings.ToUpper(v)
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
	return line, probs
}

// numberCell reads a quantity or price cell; nil when empty.
func numberCell(t *table, col *column, r *row, c conventions) (*decimal.Decimal, error) {
	v := r.cell(col.idx)
	if v == "" {
		return nil, nil
	}
	sep := col.decimal
	if t.xlsx && machineNumber(v) && !r.textNum(col.idx) {
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

func newOrder(vals *orderVals) *order.Order {
	o := &order.Order{PONumber: vals[iPO], Currency: strings.ToUpper(vals.get(fCurrency))}
	if v := vals.get(fNotes); v != "" {
		o.Notes = []string{v}
	}
	st := order.Party{Role: order.RoleShipTo, ID: vals[iShipTo], Name: vals.get(fShipToName), City: vals.get(fCity),
		Region: vals.get(fRegion), PostalCode: vals.get(fPostalCode), Country: strings.ToUpper(vals.get(fCountry))}
	if a := vals.get(fAddress); a != "" {
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
