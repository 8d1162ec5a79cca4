package edifact

import (
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
)

// lineAnswer is what the ORDRSP says of one line.
type lineAnswer struct {
	no     string
	action string
	// qty are the QTY segments: qualifier, quantity and unit ("" none).
	qty   [][3]string
	price string // PRI AAA, "" for none
	// shipsNothing: its QTY+113 (to be delivered) is 0.
	shipsNothing bool
}

// usesSRV tells whether the message's directory names GTINs SRV (D01B
// and later, EANCOM 2002) rather than EN and UP.
func usesSRV(h *MessageHeader) bool {
	r := h.Release
	if h.Version != "D" || len(r) != 3 || r[0] < '0' || r[0] > '9' || r[1] < '0' || r[1] > '9' {
		return false
	}
	year := int(r[0]-'0')*10 + int(r[1]-'0')
	if year >= 90 {
		return false // D90A to D99B
	}
	return year > 1 || year == 1 && r[2] >= 'B'
}

func writeLine(w *Writer, l *order.Line, la *lineAnswer, srv bool) error {
	gtin := l.GTIN
	for _, q := range []string{"SRV", "EN", "UP"} {
		if gtin == "" {
			gtin = l.ItemIDs.Get(q)
		}
	}
	w.Begin("LIN")
	w.Elem(la.no)
	w.Elem(la.action)
	if gtin != "" {
		typ := "EN"
		switch {
		case srv:
			typ = "SRV"
		case len(gtin) == 12:
			typ = "UP"
		}
		w.Elem(gtin, typ)
	}
	if err := w.End(); err != nil {
		return err
	}
	sku, buyer := l.SKU, l.BuyerItem
	if sku == "" {
		sku = l.ItemIDs.Get("SA")
	}
	if buyer == "" {
		buyer = l.ItemIDs.Get("IN")
	}
	if sku != "" || buyer != "" {
		w.Begin("PIA")
		if gtin != "" {
			w.Elem("1")
		} else {
			w.Elem("5")
		}
		if sku != "" {
			w.Elem(sku, "SA")
		}
		if buyer != "" && buyer != sku {
			w.Elem(buyer, "IN")
		}
		if err := w.End(); err != nil {
			return err
		}
	}
	for _, q := range la.qty {
		w.Begin("QTY")
		w.Elem(q[0], q[1], q[2])
		if err := w.End(); err != nil {
			return err
		}
	}
	if la.price != "" {
		w.Begin("PRI")
		w.Elem("AAA", la.price)
		return w.End()
	}
	return nil
}

// answerLines decides what the ORDRSP says of each line of o, in order.
func answerLines(w *Writer, o *order.Order, rejected bool) []lineAnswer {
	dec := o.Decision()
	numbers := lineNumbers(o.Lines)

	out := make([]lineAnswer, len(o.Lines))
	for i := range o.Lines {
		l := &o.Lines[i]
		la := &out[i]
		la.no = numbers[i]
		oc := o.Outcome(l.LineNo)
		uom := l.UOM
		// answer formats quantities of the line in one unit, so that they
		// add up as written: the line's own when every one is an exact
		// number of it, else (the stock stage took the line in the
		// catalog's unit, 40 EA of a 24-pack) all in the catalog's, named
		// even when it is pieces, as the 855 does.
		answer := func(qs ...decimal.Decimal) ([]string, string) {
			out := make([]string, len(qs))
			for i, q := range qs {
				c, ok := oc.InLineUnit(q, uom)
				if !ok {
					for j, q := range qs {
						out[j] = w.Dec(q)
					}
					if oc.UOM != uom && oc.UOM != "" {
						return out, oc.UOM
					}
					return out, unitCode(oc.UOM)
				}
				out[i] = w.Dec(c)
			}
			return out, unitCode(uom)
		}
		orderedQual := "21"
		if l.Free() {
			orderedQual = "192"
		}
		ordered := [3]string{orderedQual, w.Dec(l.Quantity), unitCode(uom)}
		la.qty = append(la.qty, ordered)
		deliver := func(q, unit string, zero bool) {
			la.qty = append(la.qty, [3]string{"113", q, unit})
			la.shipsNothing = zero
		}
		pl := dec.Priced(l.LineNo)
		mismatch := pl != nil && pl.POPriceMismatch
		switch {
		case rejected || (oc != nil && oc.Outcome == order.OutcomeRejected):
			la.action = LineNotAccepted
			continue
		case oc != nil && oc.Outcome == order.OutcomeDeleted:
			// Deleted as the cancel or change asked: accepted, nothing
			// to deliver.
			la.action = LineAccepted
			deliver("0", unitCode(uom), true)
			continue
		case oc != nil && oc.Outcome == order.OutcomeQuantityChanged:
			la.action = LineChanged
			q, u := answer(oc.Quantity)
			deliver(q[0], u, oc.Quantity.IsZero())
		default:
			f := dec.Fill(l, oc, uom)
			if f.Cut && f.Ships.IsZero() && f.Back.IsZero() {
				la.action = LineNotAccepted
				continue
			}
			la.action = LineAccepted
			if f.Back.IsPositive() || f.Cut || mismatch {
				la.action = LineChanged
			}
			q, u := answer(f.Ships, f.Back)
			if !f.Ships.Equal(f.Want) {
				deliver(q[0], u, f.Ships.IsZero())
			}
			if f.Back.IsPositive() {
				la.qty = append(la.qty, [3]string{"83", q[1], u})
			}
		}
		if l.Free() {
			la.action = LineAdded
			continue // free: no price
		}
		if mismatch {
			// Our price is per the catalog's unit; PRI is per the line's.
			p, _ := oc.PriceInLineUnit(pl.UnitPrice, uom)
			la.price = w.Dec(p)
		}
	}
	return out
}

// unitCode is a line's unit as QTY 6411 writes it: nothing for a count of
// pieces, which EANCOM leaves the unit out for.
func unitCode(uom string) string {
	switch uom {
	case "", "EA", "PCE":
		return ""
	}
	return uom
}

// lineNumbers are the LIN line numbers (n..6) of lines: the order's when
// it is one, the others numbered after the largest.
func lineNumbers(lines []order.Line) []string {
	out := make([]string, len(lines))
	top := 0
	numeric := func(s string) (int, bool) {
		if len(s) == 0 || len(s) > 6 {
			return 0, false
		}
		n, err := strconv.Atoi(s)
		return n, err == nil && n > 0 && s[0] != '+' && s[0] != '-'
	}
	for _, l := range lines {
		if n, ok := numeric(l.LineNo); ok {
			top = max(top, n)
		}
	}
	used := map[int]bool{}
	for i, l := range lines {
		if n, ok := numeric(l.LineNo); ok && !used[n] {
			used[n] = true
			out[i] = strconv.Itoa(n)
			continue
		}
		top++
		out[i] = strconv.Itoa(top)
	}
	return out
}
