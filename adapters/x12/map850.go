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

	// splits collects destination quantities (SDQ), and sdqQual the
	// locations' qualifier: the last SDQ02 given stands for all of them.
	sdqQual   string
	splits    order.Splits
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
	m.splits.SetQualifier(m.sdqQual)
	return m.splits.Split(m.o)
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
		if iso, ok := order.FromCompactDate(d); ok {
			m.o.OrderDate = iso
		} else {
			m.elemErr(s, dateEl, ElementInvalidDate, "want a date CCYYMMDD, got %q", d)
		}
	} else if s.Is("BEG") {
		m.elemErr(s, 5, ElementMandatoryMissing, "the purchase order date is missing")
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
