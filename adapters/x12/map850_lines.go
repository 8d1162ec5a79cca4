package x12

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/orderhub/orderhub/order"
	"github.com/shopspring/decimal"
)

// decimal reads element el as a decimal (R): digits, an optional sign and
// point, no exponent.
func (m *mapper) decimal(s *Segment, el int, what string) (decimal.Decimal, bool) {
	v := s.Elem(el)
	if d, ok := parseDecimal(v); ok {
		return d, true
	}
	m.elemErr(s, el, ElementInvalidCharacter, "want %s as a decimal number, got %q", what, v)
	return decimal.Zero, false
}

// parseDecimal parses an X12 R (or N) value: an optional sign, digits and
// at most one point, within the canonical order's limits.
func parseDecimal(v []byte) (decimal.Decimal, bool) { return order.PlainDecimal(v) }

// Product ID qualifiers (PO106, PO108 ... in pairs): VN and VP name our
// item (sku), UP, UK, EN, EO and UA a GTIN, IN and BP the buyer's item.

func (m *mapper) po1(s *Segment) {
	m.party = nil
	m.lineCount++
	l := order.Line{LineNo: s.Str(1)}
	if l.LineNo == "" {
		l.LineNo = strconv.Itoa(m.lineCount)
	}
	qtyEl, uomEl, priceEl, idEl := 2, 3, 4, 6
	if s.Is("POC") {
		// POC: line, change code, quantity ordered, quantity left, unit,
		// price, basis, then id pairs.
		code := s.Str(2)
		if w, ok := lineChanges[code]; ok {
			l.Change = w
		} else if code != "" {
			l.Change = "code:" + code
		}
		qtyEl, uomEl, priceEl, idEl = 3, 5, 6, 8
	}
	if v := s.Elem(qtyEl); len(v) > 0 {
		if q, ok := m.decimal(s, qtyEl, "the quantity"); ok {
			l.Quantity = q
		}
	} else if l.Change != "delete" {
		m.elemErr(s, qtyEl, ElementMandatoryMissing, "the quantity ordered is missing")
	}
	l.UOM = s.Str(uomEl)
	if len(s.Elem(priceEl)) > 0 {
		if p, ok := m.decimal(s, priceEl, "the unit price"); ok {
			l.UnitPrice = m.keep(p)
		}
	}
	for i := idEl; i+1 <= s.Len(); i += 2 {
		q, v := s.Str(i), s.Str(i+1)
		if q == "" && v == "" {
			continue
		}
		if q == "" || v == "" {
			m.elemErr(s, i, ElementConditionalMissing, "product id qualifier and id go in pairs: got %q and %q", q, v)
			continue
		}
		if l.ItemIDs == nil {
			l.ItemIDs = make(order.ItemIDs, 0, (s.Len()-idEl+1)/2)
		}
		if !l.ItemIDs.Has(q) {
			l.ItemIDs.Set(q, v)
		}
		switch q {
		case "VN", "VP":
			if l.SKU == "" {
				l.SKU = v
			}
		case "UP", "UK", "EN", "EO", "UA":
			if l.GTIN == "" {
				l.GTIN = v
			}
		case "IN", "BP":
			if l.BuyerItem == "" {
				l.BuyerItem = v
			}
		}
	}
	m.o.Lines = append(m.o.Lines, l)
	m.line = &m.o.Lines[len(m.o.Lines)-1]
	m.lineSegs = append(m.lineSegs, s)
}

func (m *mapper) po4(s *Segment) {
	if m.line == nil {
		return
	}
	// One allocation for the pack and its two numbers.
	a := &struct {
		p          order.Pack
		pack, size decimal.Decimal
	}{p: order.Pack{UOM: s.Str(3)}}
	if len(s.Elem(1)) > 0 {
		if d, ok := m.decimal(s, 1, "the pack"); ok {
			a.pack = d
			a.p.Pack = &a.pack
		}
	}
	if len(s.Elem(2)) > 0 {
		if d, ok := m.decimal(s, 2, "the size"); ok {
			a.size = d
			a.p.Size = &a.size
		}
	}
	m.line.Pack = &a.p
}

// sdqSeg reads destination quantities: SDQ01 unit, SDQ02 location
// qualifier, then up to ten location/quantity pairs.
func (m *mapper) sdqSeg(s *Segment) {
	if m.line == nil {
		m.segErr(s, SegmentUnexpected, "SDQ outside a PO1 loop")
		return
	}
	if q := s.Str(2); q != "" {
		m.sdqQual = q
	}
	idx := len(m.o.Lines) - 1
	for i := 3; i+1 <= s.Len(); i += 2 {
		loc := s.Str(i)
		if loc == "" {
			continue
		}
		q, ok := m.decimal(s, i+1, "the quantity for location "+loc)
		if !ok {
			continue
		}
		m.splits.Add(loc, "", idx, q)
	}
}

// checkHash compares CTT02 with the sum of the PO102 quantities. It takes
// the sum as written, the sum of the quantities with their decimal points
// dropped, and either of them truncated on the left to CTT02's length, as
// the standard says a hash total too long for the element is.
func (m *mapper) checkHash(s *Segment, v []byte) {
	h, ok := parseDecimal(v)
	sum, digits := decimal.Zero, decimal.Zero
	for i := range m.o.Lines {
		q := m.o.Lines[i].Quantity
		sum = sum.Add(q)
		digits = digits.Add(decimal.NewFromBigInt(q.Coefficient(), 0))
	}
	if ok {
		mod := decimal.New(1, int32(len(bytes.TrimLeft(v, "-+"))))
		for _, t := range []decimal.Decimal{sum, digits} {
			if h.Equal(t) || (t.IsInteger() && h.IsInteger() && h.Equal(t.Mod(mod))) {
				return
			}
		}
	}
	msg := fmt.Sprintf("CTT02 hash total says %s, the quantities add up to %s", v, sum)
	if m.opts.StrictHash {
		m.elemErr(s, 2, ElementInvalidCode, "%s", msg)
		return
	}
	if m.opts.Warn != nil {
		e := m.base()
		e.Segment, e.Tag, e.Element, e.Offset = s.Pos(), string(s.Tag()), 2, s.Offset()
		e.Level, e.Code, e.Msg = LevelElement, ElementInvalidCode, msg
		m.opts.Warn(&e)
	}
}

// checkSDQ refuses a line whose destination quantities do not add up to
// the quantity it orders: which of the two to ship would be a guess.
func (m *mapper) checkSDQ() {
	for i := range m.o.Lines {
		l := &m.o.Lines[i]
		if sum, any := m.splits.Line(i); any && !sum.Equal(l.Quantity) {
			s, el := m.lineSegs[i], 2
			if s.Is("POC") {
				el = 3
			}
			m.elemErr(s, el, ElementInvalidCode, "line %s orders %s, its SDQ destination quantities add up to %s", l.LineNo, l.Quantity, sum)
		}
	}
}
