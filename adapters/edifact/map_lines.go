package edifact

import (
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
)

// Item number types (7143) of LIN and PIA: SA, the supplier's article
// number, is our item (sku); IN, the buyer's item number, or failing it
// BP, the buyer's part number, the buyer's; EN (EAN), SRV (GTIN) and UP
// (UPC) a GTIN. Every one is kept in item_ids under its own code.
var gtinTypes = [...]string{"EN", "SRV", "UP"}

// lineState is what is known of the line being read.
type lineState struct {
	lin, qty *Segment
	// descType and descQual are 7077 and 7081 of the IMD the description
	// came from: a later IMD of the same kind continues it (long names
	// over several IMDs); one of another kind (a coded description, a
	// physical description) does not.
	descType, descQual string
	net                bool // the unit price is the net one (PRI AAA)
	// locs are the line's delivery places (LOC+7) and their split
	// quantities (QTY+11); kept from line to line for its array.
	locs []lineLoc
	// dpID and dpQual identify a line-level delivery party (the first
	// NAD+DP in the line with an id), which some guides use instead of
	// LOC+7 to send the whole line elsewhere; dpID is "" when there is none.
	dpID, dpQual string
}

type lineLoc struct {
	s        *Segment
	id, qual string
	qty      decimal.Decimal
	has      bool
}

func (m *mapper) lin(s *Segment) {
	m.endLine()
	l := order.Line{LineNo: s.Str(1, 1)}
	if l.LineNo == "" {
		l.LineNo = strconv.Itoa(len(m.o.Lines) + 1)
	}
	// Action codes say what a change does to the line. An ORDCHG lists
	// only the lines it changes, so its lines without one are changed
	// ("change") rather than left bare, which the pipeline would read as
	// a restatement of the whole order, dropping the lines not sent. In
	// an ORDERS they are read only when BGM says it changes an order.
	if m.ordchg || m.o.Purpose == order.PurposeChange {
		code := s.Str(2, 1)
		if w, ok := lineChanges[code]; ok {
			l.Change = w
		} else if code != "" {
			l.Change = "code:" + code
		} else if m.ordchg {
			l.Change = "change"
		}
	}
	m.o.Lines = append(m.o.Lines, l)
	m.line = &m.o.Lines[len(m.o.Lines)-1]
	m.cur = lineState{lin: s, locs: m.cur.locs[:0]}
	if id := s.Str(3, 1); id != "" {
		m.itemID(s, 3, id)
	}
}

// itemID adds item number id, with its type in component 2 of element el
// of s, to the line. A number without a type is taken as a GTIN when it
// is one by its shape (EANCOM senders leave EN out), else refused: what
// else it is would be a guess.
func (m *mapper) itemID(s *Segment, el int, id string) {
	q := s.Str(el, 2)
	if q == "" {
		if !order.GTINShaped(id) {
			m.fail(s, el, 2, CodeMissing, "item number %q has no type (7143): want EN, SA, IN, BP ...", id)
			return
		}
		q = "EN"
	}
	l := m.line
	if l.ItemIDs == nil {
		if len(m.ids) >= 4 {
			l.ItemIDs, m.ids = m.ids[:0:4], m.ids[4:]
		} else {
			l.ItemIDs = make(order.ItemIDs, 0, 4)
		}
	}
	if !l.ItemIDs.Has(q) {
		l.ItemIDs.Set(q, id)
	}
}

// pia reads additional item numbers: 4347 = 1 (additional
// identification) or 5 (product identification), then up to five C212.
// Other functions name substitutes and successors, not this line's item.
func (m *mapper) pia(s *Segment) {
	if m.line == nil {
		return
	}
	switch string(s.Raw(1, 1)) {
	case "", "1", "5":
	default:
		return
	}
	for el := 2; el <= min(s.Len(), 6); el++ {
		if id := s.Str(el, 1); id != "" {
			m.itemID(s, el, id)
		}
	}
}

// imd reads the description: C273's 7008 texts, the first IMD with text
// and those continuing it.
func (m *mapper) imd(s *Segment) {
	if m.line == nil {
		return
	}
	if !m.textFits(s, 3) {
		return
	}
	text := joinComps(s, 3, 4, 5)
	if text == "" {
		return
	}
	t, q := s.Str(1, 1), s.Str(2, 1)
	switch l := m.line; {
	case l.Description == "":
		l.Description, m.cur.descType, m.cur.descQual = text, t, q
	case t == m.cur.descType && q == m.cur.descQual:
		l.Description += " " + text
	}
}

// qty reads a line's quantities: 21 ordered (with its unit, kept as the
// sender writes it: PCE, KGM, CT ...), 59 the consumer units in a traded
// unit (the pack), and in a LOC+7 group 11, the quantity for that place.
// Others (192 free goods among them: free goods are orderhub's to add)
// are not kept.
func (m *mapper) qty(s *Segment) {
	if m.line == nil {
		return
	}
	q := s.Raw(1, 1)
	switch m.group {
	case "LOC":
		if n := len(m.cur.locs); n > 0 && string(q) == "11" {
			if d, ok := m.decimal(s, 1, 2, "the split quantity"); ok {
				lc := &m.cur.locs[n-1]
				lc.qty, lc.has = lc.qty.Add(d), true
			}
		}
		return
	case "ALC", "PAC", "SCC", "EQD", "TDT", "RCS", "DGS", "NAD", "TOD", "HAN":
		return // those groups' own quantities
	}
	switch string(q) {
	case "21":
		if m.cur.qty != nil {
			return // the first ordered quantity is the line's
		}
		m.cur.qty = s
		if len(s.Raw(1, 2)) == 0 {
			m.fail(s, 1, 2, CodeMissing, "the ordered quantity (6060) is missing")
			return
		}
		if d, ok := m.decimal(s, 1, 2, "the ordered quantity"); ok {
			m.line.Quantity = d
		}
		m.line.UOM = s.Str(1, 3)
	case "59":
		if m.line.Pack != nil || len(s.Raw(1, 2)) == 0 {
			return
		}
		if d, ok := m.decimal(s, 1, 2, "the number of consumer units"); ok {
			m.line.Pack = &order.Pack{Pack: m.keep(d)}
		}
	}
}

// pri reads the unit price: AAA (net, calculation net) wins over AAB
// (gross). C509 5284 is the quantity the price is for (a price per 10
// pieces, per 100 kg): the unit price is the price divided by it, to six
// places.
func (m *mapper) pri(s *Segment) {
	if m.line == nil {
		return
	}
	switch string(s.Raw(1, 1)) {
	case "AAA":
	case "AAB":
		if m.cur.net {
			return
		}
	default:
		return
	}
	if len(s.Raw(1, 2)) == 0 {
		return
	}
	d, ok := m.decimal(s, 1, 2, "the price")
	if !ok {
		return
	}
	if len(s.Raw(1, 5)) > 0 {
		b, ok := m.decimal(s, 1, 5, "the unit price basis")
		switch {
		case !ok:
			return
		case b.Sign() <= 0:
			m.fail(s, 1, 5, CodeInvalidValue, "want a unit price basis (5284) above 0, got %q", s.Raw(1, 5))
			return
		case !b.Equal(decimal.New(1, 0)):
			d = d.DivRound(b, 6)
		}
	}
	m.line.UnitPrice = m.keep(d)
	m.cur.net = string(s.Raw(1, 1)) == "AAA"
}

// loc reads a line's place of delivery (LOC+7, C517 3225 with its code
// list agency 3055), whose QTY+11 follows. Header and party locations
// have no place in the canonical order.
func (m *mapper) loc(s *Segment) {
	if m.line == nil || m.group == "NAD" || s.Str(1, 1) != "7" {
		return
	}
	id := s.Str(2, 1)
	if id == "" {
		m.fail(s, 2, 1, CodeMissing, "the place of delivery (3225) is missing")
		return
	}
	m.cur.locs = append(m.cur.locs, lineLoc{s: s, id: id, qual: s.Str(2, 3)})
}

// lineNAD reads a party in a line's group: a delivery party with an id is
// where the line goes (a split for its whole quantity), other parties
// with a canonical role are the line's own.
func (m *mapper) lineNAD(s *Segment, code string) {
	role, ok := partyRoles[code]
	if !ok {
		role = fallbackRoles[code]
	}
	if role == "" {
		return
	}
	p := party(s, role)
	if empty(&p) {
		return
	}
	if code == "DP" && p.ID != "" && m.cur.dpID == "" {
		m.cur.dpID, m.cur.dpQual = p.ID, p.IDQualifier
		return
	}
	l := m.line
	for i := range l.Parties {
		if l.Parties[i].Role == role {
			return
		}
	}
	l.Parties = append(l.Parties, p)
	m.party = &l.Parties[len(l.Parties)-1]
}

// endLine checks the line just read and settles its item and its
// delivery places.
func (m *mapper) endLine() {
	l := m.line
	if l == nil {
		return
	}
	m.line = nil
	c := &m.cur
	idx := len(m.o.Lines) - 1
	m.lineQty = append(m.lineQty, c.qty)
	if len(l.ItemIDs) == 0 {
		m.fail(c.lin, 3, 1, CodeMissing, "line %s names no item: LIN has no item number (C212) and no PIA follows", l.LineNo)
	}
	if c.qty == nil && l.Change != "delete" {
		m.fail(c.lin, 0, 0, CodeMissing, "line %s has no ordered quantity (QTY+21)", l.LineNo)
	}
	l.SKU = l.ItemIDs.Get("SA")
	if l.BuyerItem = l.ItemIDs.Get("IN"); l.BuyerItem == "" {
		l.BuyerItem = l.ItemIDs.Get("BP")
	}
	for _, q := range gtinTypes {
		if v := l.ItemIDs.Get(q); v != "" {
			l.GTIN = v
			break
		}
	}
	switch {
	case len(c.locs) > 0:
		if len(c.locs) == 1 && !c.locs[0].has {
			// One place of delivery and no split quantity: all of it.
			c.locs[0].qty, c.locs[0].has = l.Quantity, true
		}
		whole := true
		for i := range c.locs {
			if lc := &c.locs[i]; !lc.has {
				m.fail(lc.s, 0, 0, CodeMissing, "line %s: place of delivery %s has no quantity (QTY+11)", l.LineNo, lc.id)
				whole = false
			}
		}
		for i := 0; whole && i < len(c.locs); i++ {
			m.splits.Add(c.locs[i].id, c.locs[i].qual, idx, c.locs[i].qty)
		}
	case c.dpID != "":
		if st := m.o.Party(order.RoleShipTo); st == nil || st.ID != c.dpID {
			m.splits.Add(c.dpID, c.dpQual, idx, l.Quantity)
		}
	}
}

// checkSplits refuses a line whose split quantities do not add up to the
// quantity it orders: which of the two to ship would be a guess.
func (m *mapper) checkSplits() {
	for i := range m.o.Lines {
		l := &m.o.Lines[i]
		sum, any := m.splits.Line(i)
		if !any || sum.Equal(l.Quantity) {
			continue
		}
		if s := m.lineQty[i]; s != nil {
			m.fail(s, 1, 2, CodeInvalidValue, "line %s orders %s, its places of delivery (LOC+7, QTY+11) add up to %s", l.LineNo, l.Quantity, sum)
		}
	}
}

// checkTotals compares CNT's control totals with the lines: 2 the number
// of line items (LIN segments), 1 the sum of the ordered quantities.
func (m *mapper) checkTotals() {
	for _, s := range m.cnt {
		q := s.Str(1, 1)
		if q != "1" && q != "2" {
			continue
		}
		v, ok := m.decimal(s, 1, 2, "the control total")
		if !ok {
			continue
		}
		var e *Error
		if q == "2" {
			if v.Equal(decimal.NewFromInt(int64(len(m.o.Lines)))) {
				continue
			}
			e = m.msg.Err(s, 1, 2, CodeInvalidValue, "CNT+2 says %s line items, the message has %d", s.Raw(1, 2), len(m.o.Lines))
		} else {
			sum := decimal.Zero
			for i := range m.o.Lines {
				sum = sum.Add(m.o.Lines[i].Quantity)
			}
			if v.Equal(sum) {
				continue
			}
			e = m.msg.Err(s, 1, 2, CodeInvalidValue, "CNT+1 says the quantities add up to %s, they add up to %s", s.Raw(1, 2), sum)
		}
		if m.opts.StrictTotals {
			m.errs = append(m.errs, e)
		} else if m.opts.Warn != nil {
			m.opts.Warn(e)
		}
	}
}
