package edifact

import (
	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
)

// Mapping purchase orders (ORDERS) and order changes (ORDCHG) into
// canonical orders. The mapper walks one message's segments in order,
// keeping track of the segment group it is in by the group's trigger
// segment (a DTM right after BGM is the order's, one after RFF the
// reference's), and either returns the orders the message holds or adds
// located errors to its report: a message with errors is refused whole,
// as its CONTRL says. The directories D93A to D01B and their EANCOM
// subsets put the same data in the same places for everything read here;
// where they differ (BGM's C106 from D01B on) the first component is the
// value in all of them.

// MapOptions tune the mapping to a partner. The zero value is usable.
type MapOptions struct {
	// StrictTotals refuses a message whose CNT control totals (2: the
	// number of LIN segments, 1: the sum of the ordered quantities) do not
	// match its lines. By default a mismatch is only reported to Warn:
	// senders count CNT 1 over different quantities, and most translators
	// do not check it.
	StrictTotals bool
	// Warn hears of problems that do not refuse the message.
	Warn func(*Error)
}

// purposes maps BGM 1225 (message function) to canonical purposes.
var purposes = map[string]string{
	"9": order.PurposeOriginal,
	"1": order.PurposeCancel,
	"3": order.PurposeCancel, // deletion: the order is withdrawn
	"4": order.PurposeChange,
	"5": order.PurposeReplace,
	// 6 confirmation, 7 duplicate, 18 reissue, 31 copy, 42 confirmation
	// via specific means, 43 additional transmission, 46 provisional, 47
	// definitive: the order all the same, sent again or sent first;
	// dedupe tells a true repeat.
	"6":  order.PurposeOriginal,
	"7":  order.PurposeOriginal,
	"18": order.PurposeOriginal,
	"31": order.PurposeOriginal,
	"42": order.PurposeOriginal,
	"43": order.PurposeOriginal,
	"46": order.PurposeOriginal,
	"47": order.PurposeOriginal,
}

// orderTypes maps BGM C002 1001 (document name code) to canonical order
// types. 230 (purchase order change request, the BGM of an ORDCHG) names
// the message, not a kind of order: it gives no order type.
var orderTypes = map[string]string{
	"105": order.TypeStandalone, // purchase order
	"220": order.TypeStandalone, // order
	"221": order.TypeBlanket,
	"224": order.TypeRush,
	"226": order.TypeRelease,   // call-off order
	"227": order.TypeConsigned, // consignment order
	"230": "",
}

// lineChanges maps LIN 1229 (action request) to the line change words
// the X12 860 mapper uses and the pipeline applies. 4 (no action) is a
// line sent unchanged: "change" to what it already is, which the
// pipeline tells apart.
var lineChanges = map[string]string{
	"1": "add",
	"2": "delete",
	"3": "change",
	"4": "change",
}

// Canonical date fields a DTM can set, see dateUses.
const (
	dOrder = iota
	dDelivery
	dShip
	dCancel
	nDates
)

// dateUse is where a DTM qualifier's date goes: the field, its rank
// (0 wins over 1 whatever their order in the message), and whether the
// end of a range is meant rather than its start.
type dateUse struct {
	field, rank int
	latest      bool
}

// dateUses maps DTM C507 2005 (date/time qualifier) of the message header
// to canonical dates. Other qualifiers (processing date, promotion dates
// ...) are not read, nor checked.
var dateUses = map[string]dateUse{
	"137": {dOrder, 0, false},    // document date
	"4":   {dOrder, 1, false},    // order date
	"2":   {dDelivery, 0, false}, // delivery date requested
	"64":  {dDelivery, 1, false}, // delivery date, earliest
	"10":  {dShip, 0, false},     // shipment date requested
	"200": {dShip, 1, false},     // pick-up/collection date
	"63":  {dCancel, 0, true},    // delivery date, latest
	"61":  {dCancel, 1, true},    // cancel if not delivered by this date
}

// isTrigger tells whether tag opens a segment group of ORDERS or ORDCHG,
// header or line. Reading one leaves the group before: a DTM or MOA after
// it is the new group's, not the order's.
func isTrigger(tag []byte) bool {
	switch string(tag) {
	case "RFF", "NAD", "TAX", "CUX", "PAT", "TDT", "TOD", "PAC", "EQD", "SCC", "APR", "ALC", "RCS", "DGS",
		"PRI", "LOC", "LIN", "UNS", "HAN", "STG":
		return true
	}
	return false
}

// mapper holds the state of mapping one message.
type mapper struct {
	msg  *Message
	opts MapOptions
	errs []*Error
	o    *order.Order

	ordchg  bool
	bgm     *Segment
	group   string // the trigger tag of the group being read; "" in the header before any
	summary bool   // after UNS

	party      *order.Party  // the NAD group being read, header or line
	partyKinds []partyKind   // how each of o.Parties was named, for resolving fallbacks
	charge     *order.Charge // the ALC group being read
	terms      *order.PaymentTerms

	dates [nDates]struct {
		v    string
		rank int
	}
	total     *decimal.Decimal
	totalRank int

	line    *order.Line
	cur     lineState
	lineQty []*Segment // each line's QTY+21 (nil when it has none), for errors found at the end
	cnt     []*Segment

	// splits are the lines' places of delivery, when they have their own.
	splits order.Splits

	// ids is a slab the lines' item ids start in, four to a line; a
	// line with more grows its own.
	ids []order.ItemID
	// prices is a slab the lines' prices and the charges' amounts point
	// into: one allocation per message instead of one per value.
	prices []decimal.Decimal
}

// partyKind says how a header party got its role, so a fallback role
// (an ordered-by party as buyer, a store as ship-to) yields to the party
// the message names with the role's own code.
type partyKind struct {
	code     string
	fallback bool
}

// keep returns a pointer to a copy of d that lives as long as the order.
func (m *mapper) keep(d decimal.Decimal) *decimal.Decimal {
	if len(m.prices) == cap(m.prices) {
		m.prices = make([]decimal.Decimal, 0, max(8, cap(m.o.Lines)))
	}
	m.prices = append(m.prices, d)
	return &m.prices[len(m.prices)-1]
}

// MapOrders maps an ORDERS or ORDCHG message into canonical orders: one,
// or one per destination when its lines are split between delivery
// places. A problem with the message is added to m.Report.Errors and no
// orders are returned for it. The orders' partner and source are the
// caller's to set.
func MapOrders(msg *Message, opts MapOptions) []*order.Order {
	if msg.Report == nil {
		msg.Report = &MessageReport{Header: msg.Header}
	}
	m := &mapper{msg: msg, opts: opts, o: &order.Order{}}
	switch msg.Header.Type {
	case "ORDERS":
	case "ORDCHG":
		m.ordchg = true
	default:
		const f = "message type %q is not a purchase order (ORDERS) or order change (ORDCHG)"
		var e *Error
		if len(msg.Segments) > 0 {
			e = msg.Err(&msg.Segments[0], 2, 1, CodeValueNotSupported, f, msg.Header.Type) // UNH's S009 0065
		} else {
			e = msg.MessageErr(CodeValueNotSupported, f, msg.Header.Type)
		}
		msg.Report.Errors = append(msg.Report.Errors, e)
		return nil
	}
	n := 0
	for i := range msg.Segments {
		if msg.Segments[i].Is("LIN") {
			n++
		}
	}
	m.o.Lines = make([]order.Line, 0, n)
	m.lineQty = make([]*Segment, 0, n)
	m.ids = make([]order.ItemID, 4*n)
	m.o.Parties = make([]order.Party, 0, 4)
	for i := range msg.Segments {
		m.segment(&msg.Segments[i])
	}
	m.finish()
	if len(m.errs) > 0 {
		msg.Report.Errors = append(msg.Report.Errors, m.errs...)
		return nil
	}
	// An order whose lines go to several places becomes one per place,
	// as the X12 mapper does with SDQ.
	return m.splits.Split(m.o)
}

// fail records a located problem: segment s, element el, component comp
// (0 when the problem is not about one).
func (m *mapper) fail(s *Segment, el, comp int, code, format string, args ...any) {
	m.errs = append(m.errs, m.msg.Err(s, el, comp, code, format, args...))
}

// decimal reads component comp of element el as a number, or records why
// it cannot.
func (m *mapper) decimal(s *Segment, el, comp int, what string) (decimal.Decimal, bool) {
	d, ok := s.Decimal(el, comp)
	if !ok {
		m.fail(s, el, comp, CodeInvalidTypeOfChars, "want %s as a number, got %q", what, s.Raw(el, comp))
	}
	return d, ok
}

func (m *mapper) segment(s *Segment) {
	tag := s.tag()
	if isTrigger(tag) {
		m.enter(s)
	}
	// A switch on the tag's bytes compares without allocating.
	switch string(tag) {
	case "BGM":
		m.bgmSeg(s)
	case "DTM":
		// Only the header's own dates (right after BGM) are the order's.
		// A DTM in a group is its trigger's: a reference's date (SG1),
		// a currency rate's, a line's delivery date (canonical dates are
		// per order, as X12's line DTMs are not read either). Not read.
		if m.group == "" && m.line == nil && !m.summary {
			m.dtm(s)
		}
	case "FTX":
		m.ftx(s)
	case "RFF":
		// Header and party references (SG1, SG3) are the order's. A
		// line's (SG29) have no place on a canonical line: not kept.
		if m.line == nil {
			if q, v := s.Str(1, 1), s.Str(1, 2); q != "" && v != "" {
				m.o.References = append(m.o.References, order.Reference{Qualifier: q, Value: v})
			}
		}
	case "NAD":
		m.nad(s)
	case "CTA":
		m.cta(s)
	case "COM":
		m.com(s)
	case "CUX":
		m.cux(s)
	case "PAT":
		m.pat(s)
	case "PCD":
		m.pcd(s)
	case "TDT":
		if m.line == nil {
			m.tdt(s)
		}
	case "TOD":
		if m.line == nil {
			m.tod(s)
		}
	case "ALC":
		m.alc(s)
	case "MOA":
		m.moa(s)
	case "LIN":
		m.lin(s)
	case "PIA":
		m.pia(s)
	case "IMD":
		m.imd(s)
	case "QTY":
		m.qty(s)
	case "PRI":
		m.pri(s)
	case "LOC":
		m.loc(s)
	case "UNS":
		m.endLine()
		m.line, m.summary = nil, true
	case "CNT":
		m.cnt = append(m.cnt, s)
	default:
		// UNH, UNT, PAI (how payment is made, which the canonical order
		// does not carry), ALI, MEA, TAX, PAC, SCC and the rest carry
		// nothing the canonical order keeps.
	}
}

// enter notes that s opens a segment group. RFF, CTA, DOC and LOC within
// a party's group (SG3 to SG5) stay in it.
func (m *mapper) enter(s *Segment) {
	switch string(s.tag()) {
	case "RFF", "LOC":
		if m.group == "NAD" {
			return
		}
	}
	m.group = s.Tag()
	m.party, m.charge = nil, nil
}

// finish checks what can only be checked at the end and settles what
// depends on the whole message.
func (m *mapper) finish() {
	m.endLine()
	if m.bgm == nil {
		m.errs = append(m.errs, m.msg.MessageErr(CodeMissing, "no BGM segment: an order needs its document number"))
	}
	if m.ordchg && m.o.Purpose != order.PurposeCancel {
		// An ORDCHG changes the order whatever its BGM says (5 replace
		// included), unless it withdraws it.
		m.o.Purpose = order.PurposeChange
	}
	m.o.OrderDate = m.dates[dOrder].v
	m.o.RequestedDeliveryDate = m.dates[dDelivery].v
	m.o.RequestedShipDate = m.dates[dShip].v
	m.o.CancelAfter = m.dates[dCancel].v
	m.o.TotalAmount = m.total
	m.resolveParties()
	m.checkTotals()
	m.checkSplits()
}
