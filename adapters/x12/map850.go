package x12

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
)

// Mapping purchase orders (850) and purchase order changes (860) into
// canonical orders. The mapper reads one transaction set at a time (the
// Reader holds it), walks its segments in order, and either returns the
// orders it holds or adds located errors to the set's report: a set with
// errors is refused whole, as its 997/999 says.

// Mapped is what one transaction set gave.
type Mapped struct {
	Orders []*order.Order
}

// purposes maps BEG01/BCH01 to canonical purposes.
var purposes = map[string]string{
	"00": order.PurposeOriginal,
	"01": order.PurposeCancel,
	"04": order.PurposeChange,
	"05": order.PurposeReplace,
	// 06 confirmation, 07 duplicate, 18 reissue, 22 information copy:
	// an order all the same, sent again; dedupe tells a true repeat.
	"06": order.PurposeOriginal,
	"07": order.PurposeOriginal,
	"18": order.PurposeOriginal,
	"22": order.PurposeOriginal,
}

// orderTypes maps BEG02/BCH02 to canonical order types.
var orderTypes = map[string]string{
	"SA": order.TypeStandalone,
	"NE": order.TypeStandalone, // new order
	"DS": order.TypeDropship,
	"RL": order.TypeRelease,
	"BK": order.TypeBlanket,
	"RO": order.TypeRush,
	"CN": order.TypeConsigned,
}

// roles maps N101 entity codes to canonical party roles.
var roles = map[string]string{
	"ST": order.RoleShipTo,
	"BT": order.RoleBillTo,
	"BY": order.RoleBuyer,
	"SU": order.RoleSupplier,
	"VN": order.RoleSupplier, // vendor
	"SO": order.RoleSoldTo,
	"SF": order.RoleShipFrom,
}

// lineChanges maps 860 POC02 to canonical line change words.
var lineChanges = map[string]string{
	"AI": "add",
	"DI": "delete",
	"CA": "change",
	"PC": "price_change",
	"QD": "quantity_decrease",
	"QI": "quantity_increase",
	"RZ": "replace",
}

// mapper holds the state of mapping one transaction set.
type mapper struct {
	tx   *Transaction
	opts MapOptions
	errs []*Error

	o     *order.Order
	party *order.Party // the N1 loop being read, header or line level
	line  *order.Line  // the PO1/POC loop being read
	inN1  bool

	// sdq collects destination quantities: location → line index →
	// quantity, in the order locations first appear.
	sdqQual   string
	sdqOrder  []string
	sdq       map[string]map[int]decimal.Decimal
	lineCount int
	ctt       *Segment
	lineSegs  []*Segment // each line's PO1, for errors found at the end
	// prices is a slab the lines' unit prices point into, one
	// allocation per order instead of one per line.
	prices []decimal.Decimal
}

// keep returns a pointer to a copy of d that lives as long as the order.
func (m *mapper) keep(d decimal.Decimal) *decimal.Decimal {
	if len(m.prices) == cap(m.prices) {
		m.prices = make([]decimal.Decimal, 0, max(8, cap(m.o.Lines)))
	}
	m.prices = append(m.prices, d)
	return &m.prices[len(m.prices)-1]
}

// MapOptions tune the mapping to a partner.
type MapOptions struct {
	// StrictHash refuses a set whose CTT02 hash total is not the sum of
	// its PO102 quantities. By default a mismatch is only reported to
	// Warn: senders compute hash totals in several ways (with or without
	// decimal points, truncated), and most translators do not check them.
	StrictHash bool
	// Warn hears of problems that do not refuse the set.
	Warn func(*Error)
}

// MapOrders maps an 850 or 860 transaction set into canonical orders. A
// problem with the set is added to tx.Report.Errors and no orders are
// returned for it. The orders' partner and source are the caller's to set.
func MapOrders(tx *Transaction, opts MapOptions) []*order.Order {
	m := &mapper{tx: tx, o: &order.Order{}, opts: opts}
	switch tx.Code {
	case "850", "860":
	default:
		m.setErr(SetNotSupported, "transaction set %s is not a purchase order (850) or change (860)", tx.Code)
		tx.Report.Errors = append(tx.Report.Errors, m.errs...)
		return nil
	}
	n := 0
	for i := range tx.Segments {
		if s := &tx.Segments[i]; s.Is("PO1") || s.Is("POC") {
			n++
		}
	}
	m.o.Lines = make([]order.Line, 0, n)
	m.lineSegs = make([]*Segment, 0, n)
	for i := range tx.Segments {
		m.segment(&tx.Segments[i])
	}
	m.finish()
	if len(m.errs) > 0 {
		tx.Report.Errors = append(tx.Report.Errors, m.errs...)
		return nil
	}
	return m.split()
}

func (m *mapper) base() Error {
	return Error{Doc: m.tx.Doc, Interchange: m.tx.Interchange.Control, Group: m.tx.Group.Control,
		Transaction: m.tx.Control, Set: m.tx.Code}
}

// setErr records a transaction-set-level problem.
func (m *mapper) setErr(code, format string, args ...any) {
	e := m.base()
	e.Level, e.Code, e.Msg = LevelTransaction, code, fmt.Sprintf(format, args...)
	m.errs = append(m.errs, &e)
}

// segErr records a problem with a segment as a whole.
func (m *mapper) segErr(s *Segment, code, format string, args ...any) {
	e := m.base()
	e.Segment, e.Tag, e.Offset = s.Pos(), string(s.Tag()), s.Offset()
	e.Level, e.Code, e.Msg = LevelSegment, code, fmt.Sprintf(format, args...)
	m.errs = append(m.errs, &e)
}

// elemErr records a problem with one element.
func (m *mapper) elemErr(s *Segment, el int, code, format string, args ...any) {
	e := m.base()
	e.Segment, e.Tag, e.Element, e.Offset = s.Pos(), string(s.Tag()), el, s.Offset()
	e.Level, e.Code, e.Msg = LevelElement, code, fmt.Sprintf(format, args...)
	m.errs = append(m.errs, &e)
}

func (m *mapper) segment(s *Segment) {
	// A switch on the tag's bytes compares without allocating.
	switch string(s.Tag()) {
	case "ST", "SE":
	case "BEG", "BCH":
		m.beg(s)
	case "CUR":
		if c := s.Str(2); c != "" {
			m.o.Currency = c
		}
	case "REF":
		v := s.Str(2)
		if v == "" {
			v = s.Str(3)
		}
		if q := s.Str(1); q != "" && v != "" {
			m.o.References = append(m.o.References, order.Reference{Qualifier: q, Value: v})
		}
	case "PER":
		c := contact(s)
		if m.party != nil {
			m.party.Contacts = append(m.party.Contacts, c)
		} else if m.line == nil {
			m.o.Contacts = append(m.o.Contacts, c)
		}
	case "FOB":
		m.o.FOB = s.Str(1)
	case "ITD":
		m.itd(s)
	case "DTM":
		m.dtm(s)
	case "TD5":
		m.td5(s)
	case "MSG", "MTX":
		text := s.Str(1)
		if s.Is("MTX") {
			text = s.Str(2)
		}
		if text != "" {
			if m.line != nil {
				m.line.Notes = append(m.line.Notes, text)
			} else {
				m.o.Notes = append(m.o.Notes, text)
			}
		}
	case "N1":
		m.n1(s)
	case "N2":
		if m.party != nil {
			for _, n := range []string{s.Str(1), s.Str(2)} {
				if n != "" {
					m.party.Name = strings.TrimSpace(m.party.Name + " " + n)
				}
			}
		}
	case "N3":
		if m.party != nil {
			for _, a := range []string{s.Str(1), s.Str(2)} {
				if a != "" {
					m.party.Address = append(m.party.Address, a)
				}
			}
		}
	case "N4":
		if m.party != nil {
			m.party.City, m.party.Region, m.party.PostalCode, m.party.Country = s.Str(1), s.Str(2), s.Str(3), s.Str(4)
		}
	case "SAC":
		m.sac(s)
	case "PO1", "POC":
		m.po1(s)
	case "PID":
		if m.line != nil {
			if d := s.Str(5); d != "" {
				if m.line.Description == "" {
					m.line.Description = d
				} else {
					m.line.Description += " " + d
				}
			}
		}
	case "PO4":
		m.po4(s)
	case "SDQ":
		m.sdqSeg(s)
	case "AMT":
		if s.Str(1) == "TT" {
			if d, ok := m.decimal(s, 2, "the total amount"); ok {
				m.o.TotalAmount = &d
			}
		}
	case "CTT":
		m.ctt = s
	default:
		// other segments (N9, CTP, MEA, TC2, PKG, SLN ...) carry nothing the canonical order keeps
	}
}

func (m *mapper) beg(s *Segment) {
	m.party, m.line = nil, nil
	code := s.Str(1)
	p, ok := purposes[code]
	if !ok {
		m.elemErr(s, 1, ElementInvalidCode, "want a transaction set purpose code (00 original, 01 cancel, 04 change, 05 replace), got %q", code)
	}
	if s.Is("BCH") && code == "04" {
		p = order.PurposeChange
	}
	m.o.Purpose = p
	if t := s.Str(2); t != "" {
		if w, ok := orderTypes[t]; ok {
			m.o.OrderType = w
		} else {
			m.o.OrderType = "code:" + t
		}
	}
	m.o.PONumber = s.Str(3)
	if m.o.PONumber == "" {
		m.elemErr(s, 3, ElementMandatoryMissing, "the purchase order number is missing")
	}
	if r := s.Str(4); r != "" {
		m.o.References = append(m.o.References, order.Reference{Qualifier: "RE", Value: r})
	}
	dateEl := 5
	if s.Is("BCH") {
		dateEl = 6
	}
	if d := s.Elem(dateEl); len(d) > 0 {
		if iso, ok := isoDate(d); ok {
			m.o.OrderDate = iso
		} else {
			m.elemErr(s, dateEl, ElementInvalidDate, "want a date CCYYMMDD, got %q", d)
		}
	} else if s.Is("BEG") {
		m.elemErr(s, 5, ElementMandatoryMissing, "the purchase order date is missing")
	}
}

// isoDate reads CCYYMMDD (or YYMMDD, from 3010 and older) as YYYY-MM-DD.
func isoDate(d []byte) (string, bool) {
	switch len(d) {
	case 6:
		century := "20"
		if d[0] >= '5' {
			century = "19"
		}
		d = append([]byte(century), d...)
	case 8:
	default:
		return "", false
	}
	for _, c := range d {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	y, _ := strconv.Atoi(string(d[:4]))
	mo, _ := strconv.Atoi(string(d[4:6]))
	day, _ := strconv.Atoi(string(d[6:8]))
	if mo < 1 || mo > 12 || day < 1 || day > daysIn(y, mo) {
		return "", false
	}
	var out [10]byte
	copy(out[:4], d[:4])
	out[4], out[7] = '-', '-'
	copy(out[5:7], d[4:6])
	copy(out[8:], d[6:8])
	return string(out[:]), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func contact(s *Segment) order.Contact {
	c := order.Contact{Function: s.Str(1), Name: s.Str(2)}
	for i := 3; i+1 <= s.Len(); i += 2 {
		v := s.Str(i + 1)
		switch s.Str(i) {
		case "TE":
			c.Phone = v
		case "EM":
			c.Email = v
		case "FX":
			c.Fax = v
		}
	}
	return c
}

func (m *mapper) itd(s *Segment) {
	t := &order.PaymentTerms{Type: s.Str(1), Description: s.Str(12)}
	if len(s.Elem(3)) > 0 {
		if d, ok := m.decimal(s, 3, "the discount percent"); ok {
			t.DiscountPercent = &d
		}
	}
	t.DiscountDays = m.days(s, 5)
	t.NetDays = m.days(s, 7)
	m.o.PaymentTerms = t
}

func (m *mapper) days(s *Segment, el int) int {
	v := s.Elem(el)
	if len(v) == 0 {
		return 0
	}
	n, err := strconv.Atoi(string(v))
	if err != nil || n < 0 {
		m.elemErr(s, el, ElementInvalidCharacter, "want a number of days, got %q", v)
		return 0
	}
	return n
}

func (m *mapper) dtm(s *Segment) {
	if m.line != nil {
		return // line-level dates: the canonical order has dates per order
	}
	d := s.Elem(2)
	iso, ok := isoDate(d)
	if !ok {
		m.elemErr(s, 2, ElementInvalidDate, "want a date CCYYMMDD, got %q", d)
		return
	}
	switch s.Str(1) {
	case "002": // delivery requested
		m.o.RequestedDeliveryDate = iso
	case "010": // requested ship
		m.o.RequestedShipDate = iso
	case "037": // ship not before
		if m.o.RequestedShipDate == "" {
			m.o.RequestedShipDate = iso
		}
	case "001": // cancel after
		m.o.CancelAfter = iso
	case "038": // ship no later
		if m.o.CancelAfter == "" {
			m.o.CancelAfter = iso
		}
	case "004": // purchase order date
		if m.o.OrderDate == "" {
			m.o.OrderDate = iso
		}
	}
}

func (m *mapper) td5(s *Segment) {
	c := m.o.Carrier
	if c == nil {
		c = &order.Carrier{}
		m.o.Carrier = c
	}
	if s.Str(2) == "2" && c.SCAC == "" {
		c.SCAC = s.Str(3)
	}
	if v := s.Str(4); v != "" && c.Method == "" {
		c.Method = v
	}
	if v := s.Str(5); v != "" && c.Name == "" {
		c.Name = v
	}
	if v := s.Str(12); v != "" && c.ServiceLevel == "" {
		c.ServiceLevel = v
	}
}

func (m *mapper) n1(s *Segment) {
	code := s.Str(1)
	role, ok := roles[code]
	if !ok {
		// A party the canonical order has no role for (mark-for,
		// ultimate consignee ...): kept as a reference, not guessed.
		m.party = nil
		if v := firstNonEmpty(s.Str(4), s.Str(2)); v != "" {
			m.o.References = append(m.o.References, order.Reference{Qualifier: "N1 " + code, Value: v})
		}
		return
	}
	p := order.Party{Role: role, Name: s.Str(2), IDQualifier: s.Str(3), ID: s.Str(4)}
	if m.line != nil {
		m.line.Parties = append(m.line.Parties, p)
		m.party = &m.line.Parties[len(m.line.Parties)-1]
		return
	}
	m.o.Parties = append(m.o.Parties, p)
	m.party = &m.o.Parties[len(m.o.Parties)-1]
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func (m *mapper) sac(s *Segment) {
	c := order.Charge{Code: s.Str(2), Description: s.Str(15)}
	switch s.Str(1) {
	case "A":
		c.Kind = "allowance"
	case "C":
		c.Kind = "charge"
	case "N":
		return // no charge: nothing to carry
	default:
		m.elemErr(s, 1, ElementInvalidCode, "want A (allowance), C (charge) or N, got %q", s.Elem(1))
		return
	}
	if v := s.Elem(5); len(v) > 0 {
		// SAC05 is N2: two implied decimal places.
		n, ok := parseDecimal(v)
		if !ok || bytes.ContainsAny(v, ".eE") {
			m.elemErr(s, 5, ElementInvalidCharacter, "want an amount in cents (N2), got %q", v)
			return
		}
		a := n.Shift(-2)
		c.Amount = &a
	}
	if len(s.Elem(7)) > 0 {
		if d, ok := m.decimal(s, 7, "the percent"); ok {
			c.Percent = &d
		}
	}
	if m.line != nil {
		m.line.Charges = append(m.line.Charges, c)
	} else {
		m.o.Charges = append(m.o.Charges, c)
	}
}

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
	if m.sdq == nil {
		m.sdq = map[string]map[int]decimal.Decimal{}
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
		byLine, seen := m.sdq[loc]
		if !seen {
			byLine = map[int]decimal.Decimal{}
			m.sdq[loc] = byLine
			m.sdqOrder = append(m.sdqOrder, loc)
		}
		byLine[idx] = byLine[idx].Add(q)
	}
}

// finish checks what can only be checked at the end.
func (m *mapper) finish() {
	if m.o.PONumber == "" && len(m.errs) == 0 {
		m.setErr(SetSegmentsInError, "no BEG (or BCH) segment: a purchase order needs one")
	}
	if s := m.ctt; s != nil {
		if v := s.Elem(1); len(v) > 0 {
			n, err := strconv.Atoi(strings.TrimLeft(string(v), "0"))
			if string(bytes.TrimLeft(v, "0")) == "" {
				n, err = 0, nil
			}
			if err != nil || n != m.lineCount {
				m.elemErr(s, 1, ElementInvalidCode, "CTT01 says %s line items, counted %d", v, m.lineCount)
			}
		}
		if v := s.Elem(2); len(v) > 0 {
			m.checkHash(s, v)
		}
	}
	m.checkSDQ()
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
	if len(m.sdqOrder) == 0 {
		return
	}
	for i := range m.o.Lines {
		l := &m.o.Lines[i]
		sum, any := decimal.Zero, false
		for _, loc := range m.sdqOrder {
			if q, ok := m.sdq[loc][i]; ok {
				sum, any = sum.Add(q), true
			}
		}
		if any && !sum.Equal(l.Quantity) {
			s, el := m.lineSegs[i], 2
			if s.Is("POC") {
				el = 3
			}
			m.elemErr(s, el, ElementInvalidCode, "line %s orders %s, its SDQ destination quantities add up to %s", l.LineNo, l.Quantity, sum)
		}
	}
}

// split turns a purchase order with destination quantities (SDQ) into one
// order per destination: same PO number and header, each with its own
// ship-to and the lines' quantities for that location. Lines with no SDQ
// stay on an order for the PO's own ship-to.
func (m *mapper) split() []*order.Order {
	if len(m.sdqOrder) == 0 {
		return []*order.Order{m.o}
	}
	var out []*order.Order
	rest := m.o.Clone()
	rest.Lines = nil
	for i, l := range m.o.Lines {
		covered := false
		for _, loc := range m.sdqOrder {
			if _, ok := m.sdq[loc][i]; ok {
				covered = true
				break
			}
		}
		if !covered {
			rest.Lines = append(rest.Lines, l)
		}
	}
	if len(rest.Lines) > 0 {
		out = append(out, rest)
	}
	for _, loc := range m.sdqOrder {
		o := m.o.Clone()
		o.Lines = nil
		for i, l := range m.o.Lines {
			q, ok := m.sdq[loc][i]
			if !ok {
				continue
			}
			l := l
			l.Quantity = q
			o.Lines = append(o.Lines, l)
		}
		shipTo := order.Party{Role: order.RoleShipTo, ID: loc, IDQualifier: m.sdqQual}
		replaced := false
		for j := range o.Parties {
			if o.Parties[j].Role == order.RoleShipTo {
				// The PO's ship-to (usually the distribution centre the
				// goods go through) is kept as a reference.
				o.References = append(o.References, order.Reference{Qualifier: "DC", Value: firstNonEmpty(o.Parties[j].ID, o.Parties[j].Name)})
				o.Parties[j] = shipTo
				replaced = true
			}
		}
		if !replaced {
			o.Parties = append(o.Parties, shipTo)
		}
		out = append(out, o)
	}
	return out
}
