package sheet

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/orderhub/orderhub/order"
)

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
