package edifact

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/orderhub/orderhub/order"
)

// The ORDRSP purchase order response answers an order once the pipeline
// has decided it (routed, backordered, applied or rejected). Codes follow
// the EANCOM 1997 ORDRSP guide (ORDRSP D:96A:UN:EAN005, GS1 EANCOM Part
// II and its Part III code sets), which the UN D96A and D01B directories
// also have; the EANCOM 2002 guide (D:01B) keeps them and names GTINs SRV:
//
//	BGM+231+<response number>+<1225>        231 = purchase order response
//	DTM+137:<today>:102                      document date
//	DTM+11:<ship date>:102                   despatch date, when known and
//	                                         anything ships
//	RFF+ON:<PO number>                       the order answered ...
//	DTM+171:<order date>:102                 ... and its date
//	NAD+BY / SU / DP+<id>::<3055>            the order's buyer, supplier and
//	                                         delivery party, coded (9 = GLN)
//	                                         when they have an id, else by
//	                                         name and address
//	CUX+2:<currency>:9                       when the order has one
//	LIN+<n>+<1229>+<GTIN>:<7143>             per line (7143 EN or UP before
//	                                         D01B, SRV from D01B on)
//	PIA+1|5+<sku>:SA+<buyer item>:IN         1 = additional identification
//	                                         (the LIN has a GTIN), 5 =
//	                                         product identification (it has
//	                                         none)
//	QTY+21:<ordered>                         ordered quantity (192, free
//	                                         goods quantity, for a line we
//	                                         added)
//	QTY+113:<to ship>                        quantity to be delivered, when
//	                                         it is not what was ordered
//	QTY+83:<backordered>                     backorder quantity
//	PRI+AAA:<our price>                      net price, when ours differs
//	                                         from the PO's
//	UNS+S, CNT+2:<LIN count>
//
// BGM 1225 (message function): 29 accepted without amendment when every
// line is (LIN 5), 4 change when any line is not (the guide's "accepts to
// supply ... but requires changes to one or more of the items"), 27 not
// accepted for a rejected order. A cancel or change applied is answered
// like an order: 29 when it was done as asked.
//
// LIN 1229 (action), of the five the 1997 guide allows (1, 3, 4, 5, 7):
//   - 5 accepted without amendment: ships as ordered at the PO's price;
//     also a line a cancel or change deleted, as asked (QTY+113:0 says
//     nothing of it ships);
//   - 3 changed: part of it is backordered (QTY+113 and QTY+83), its
//     quantity was cut or rounded to whole cases (QTY+113), or our price
//     differs from the PO's (PRI);
//   - 7 not accepted: nothing of it ships or waits for stock, and every
//     line of a rejected order;
//   - 1 added: free goods orderhub added (a buy-X-get-Y promotion), with
//     QTY+192 and no price: it is free.
//
// The line number (LIN 1082, n..6) is the order's when it is a number;
// lines orderhub numbered otherwise ("1-F" for free goods) are numbered
// after the largest. Quantities and prices are in the line's own unit
// (what the partner ordered in), and the unit (QTY 6411) is written only
// when it is not a count of pieces (EA, PCE), as EANCOM writes it for
// measured goods only; a quantity that is no exact number of the line's
// unit is answered in the catalog's, which 6411 then names. Decimals carry
// the interchange's decimal mark.
//
// Not sent: tax and allowances (the invoice's), the requested delivery
// date (the partner's own, not a promise of ours).

// ORDRSP response codes (BGM 1225).
const (
	ORDRSPAccepted    = "29"
	ORDRSPChanged     = "4"
	ORDRSPNotAccepted = "27"
)

// Line actions (LIN 1229).
const (
	LineAdded       = "1"
	LineChanged     = "3"
	LineAccepted    = "5"
	LineNotAccepted = "7"
)

// DefaultORDRSPVersion is the message version of our ORDRSP when the
// profile names none: EANCOM 1997's, the one most retail partners read.
const DefaultORDRSPVersion = "D:96A:UN:EAN005"

// ORDRSPOptions are the choices an ORDRSP leaves to us. The zero value is
// usable.
type ORDRSPOptions struct {
	// Now is the clock of the document date (DTM 137), in its location;
	// default time.Now.
	Now func() time.Time
	// ShipDate returns the date the order's lines are scheduled to ship
	// (DTM 11) as YYYY-MM-DD, or "" when unknown (no date is sent).
	// Default: Order.PlannedShipDate, the route's ship date (the primary
	// warehouse's, from its cut-off and calendar), else the order's
	// requested_ship_date; unlike the 855's default, no date is made up
	// when neither is known.
	ShipDate func(*order.Order) string
	// Version is the message version: version:release:agency[:association]
	// ("D:96A:UN:EAN005", "D:01B:UN:EAN010"); default DefaultORDRSPVersion.
	Version string
	// Number returns our response number (BGM 1004, up to 35
	// characters); default the PO number the response answers.
	Number func(*order.Order) string
}

// prepare fills in the defaults and reads the message identifier of
// Version, once for every message written with these options.
func (o *ORDRSPOptions) prepare() (MessageHeader, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Version == "" {
		o.Version = DefaultORDRSPVersion
	}
	if o.ShipDate == nil {
		o.ShipDate = (*order.Order).PlannedShipDate
	}
	if o.Number == nil {
		o.Number = func(ord *order.Order) string { return ord.PONumber }
	}
	return ORDRSPHeader(o.Version)
}

// ORDRSPHeader is the UNH message identifier of an ORDRSP of version
// ("D:96A:UN:EAN005").
func ORDRSPHeader(version string) (MessageHeader, error) {
	p := strings.Split(version, ":")
	if len(p) < 3 || len(p) > 4 || p[0] == "" || p[1] == "" || p[2] == "" {
		return MessageHeader{}, fmt.Errorf("ORDRSP version %q: want version:release:agency[:association], such as %q", version, DefaultORDRSPVersion)
	}
	h := MessageHeader{Type: "ORDRSP", Version: p[0], Release: p[1], Agency: p[2]}
	if len(p) == 4 {
		h.Association = p[3]
	}
	return h, nil
}

// WriteORDRSP writes the body of the ORDRSP (BGM to CNT) answering o, which
// must be routed, backordered, acknowledged, applied or rejected. Use it as
// an Outgoing's Body, or WriteORDRSPInterchange for whole interchanges.
func WriteORDRSP(w *Writer, o *order.Order, opts ORDRSPOptions) error {
	h, err := opts.prepare()
	if err != nil {
		return err
	}
	return writeORDRSP(w, o, &opts, &h)
}

// WriteORDRSPInterchange writes one interchange with an ORDRSP for each
// order, numbered 1, 2, ... env.Application defaults to ORDRSP and
// env.Time to opts.Now().
func WriteORDRSPInterchange(w *Writer, env ReplyEnvelope, orders []*order.Order, opts ORDRSPOptions) error {
	h, err := opts.prepare()
	if err != nil {
		return err
	}
	if env.Application == "" {
		env.Application = "ORDRSP"
	}
	if env.Time.IsZero() {
		env.Time = opts.Now()
	}
	msgs := make([]Outgoing, len(orders))
	for i, o := range orders {
		msgs[i] = Outgoing{Header: h, Body: func(w *Writer) error { return writeORDRSP(w, o, &opts, &h) }}
	}
	return WriteInterchange(w, env, msgs)
}

// writeORDRSP writes the body answering o, with opts prepared and h the
// message identifier; its errors name the PO and the order.
func writeORDRSP(w *Writer, o *order.Order, opts *ORDRSPOptions, h *MessageHeader) error {
	if err := ordrspBody(w, o, opts, h); err != nil {
		return fmt.Errorf("ORDRSP for PO %s (order %s): %w", o.PONumber, o.ID, err)
	}
	return nil
}

func ordrspBody(w *Writer, o *order.Order, opts *ORDRSPOptions, h *MessageHeader) error {
	ok, rejected := order.Answerable(o.Status)
	if !ok {
		return fmt.Errorf("status %q: an ORDRSP answers a routed, backordered, applied or rejected order", o.Status)
	}
	if o.PONumber == "" {
		return errors.New("no PO number for RFF+ON")
	}
	number := opts.Number(o)
	if n := utf8.RuneCountInString(number); n < 1 || n > 35 {
		return fmt.Errorf("response number %q (BGM 1004): want 1 to 35 characters", number)
	}
	today := opts.Now()
	var orderDate, shipDate string
	if o.OrderDate != "" {
		d, err := order.ToCompactDate(o.OrderDate)
		if err != nil {
			return fmt.Errorf("order_date: %w", err)
		}
		orderDate = d
	}

	lines := answerLines(w, o, rejected)
	bgm := ORDRSPAccepted
	ships := false
	for _, la := range lines {
		if la.action != LineAccepted {
			bgm = ORDRSPChanged
		}
		if la.action != LineNotAccepted && !la.shipsNothing {
			ships = true
		}
	}
	if rejected {
		bgm = ORDRSPNotAccepted
	}
	if ships {
		if s := opts.ShipDate(o); s != "" {
			d, err := order.ToCompactDate(s)
			if err != nil {
				return fmt.Errorf("ship date: %w", err)
			}
			shipDate = d
		}
	}

	if err := w.Segment("BGM", "231", number, bgm); err != nil {
		return err
	}
	if err := dtm(w, "137", today.Format("20060102")); err != nil {
		return err
	}
	if shipDate != "" {
		if err := dtm(w, "11", shipDate); err != nil {
			return err
		}
	}
	w.Begin("RFF")
	w.Elem("ON", o.PONumber)
	if err := w.End(); err != nil {
		return err
	}
	if orderDate != "" {
		if err := dtm(w, "171", orderDate); err != nil {
			return err
		}
	}
	for _, r := range []struct{ role, qual string }{{order.RoleBuyer, "BY"}, {order.RoleSupplier, "SU"}, {order.RoleShipTo, "DP"}} {
		if p := o.Party(r.role); p != nil {
			if err := nad(w, r.qual, p); err != nil {
				return err
			}
		}
	}
	if o.Currency != "" {
		w.Begin("CUX")
		w.Elem("2", o.Currency, "9")
		if err := w.End(); err != nil {
			return err
		}
	}
	srv := usesSRV(h)
	for i, la := range lines {
		l := &o.Lines[i]
		if err := writeLine(w, l, &la, srv); err != nil {
			return fmt.Errorf("line %s: %w", l.LineNo, err)
		}
	}
	if err := w.Segment("UNS", "S"); err != nil {
		return err
	}
	w.Begin("CNT")
	w.Elem("2", strconv.Itoa(len(lines)))
	return w.End()
}

func dtm(w *Writer, qual, date string) error {
	w.Begin("DTM")
	w.Elem(qual, date, "102")
	return w.End()
}

// nad writes a party: coded when it has an id (the code list agency the
// order gave, or 9 for a GLN), else by name and address.
func nad(w *Writer, qual string, p *order.Party) error {
	w.Begin("NAD")
	w.Elem(qual)
	if p.ID != "" {
		agency := p.IDQualifier
		if !agencyCode(agency) {
			agency = ""
		}
		if agency == "" && gln(p.ID) {
			agency = "9"
		}
		w.Elem(p.ID, "", agency)
		return w.End()
	}
	w.Elem()
	w.Elem()
	// C080 party name: five components of up to 35 characters.
	var name [5]string
	rest := p.Name
	for i := 0; i < len(name) && rest != ""; i++ {
		name[i], rest = cut35(rest)
	}
	w.Elem(name[:]...)
	var street [4]string
	for i := 0; i < len(street) && i < len(p.Address); i++ {
		street[i], _ = cut35(p.Address[i])
	}
	w.Elem(street[:]...)
	w.Elem(p.City)
	w.Elem(p.Region)
	w.Elem(p.PostalCode)
	w.Elem(p.Country)
	return w.End()
}

// cut35 splits s after its first 35 characters, EDIFACT's an..35.
func cut35(s string) (string, string) {
	n := 0
	for i := range s {
		if n == 35 {
			return s[:i], s[i:]
		}
		n++
	}
	return s, ""
}

// agencyCode tells whether q can be a code list responsible agency (3055,
// an..3): what the order's NAD gave, kept for the answer.
func agencyCode(q string) bool {
	if q == "" || len(q) > 3 {
		return false
	}
	for i := 0; i < len(q); i++ {
		if !isAlnum(q[i]) {
			return false
		}
	}
	return true
}

func gln(id string) bool {
	if len(id) != 13 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}
