package x12

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
)

// The 855 purchase order acknowledgement answers an order once the pipeline
// has decided it (routed, backordered or rejected):
//
//	BAK*00*AD|AC|RJ*<PO number>*<PO date>****<ack date>
//	CUR*SE*<currency>                               when the order has one
//	PO1*<line>*<ordered qty>*<unit>*<our price>*[NC]*BP*..*VN*..*UP*..
//	ACK*<status>*<qty>*<unit>[*068*<ship date>]     one or two per line
//	CTT*<PO1 count>*<sum of ordered quantities>
//
// BAK02 is AD when every line ships as ordered at the PO's price, AC when
// any line is backordered or priced differently or free goods were added,
// and RJ (or RD, see PO855Options.RejectCode) for a rejected order.
//
// Free goods (a buy-X-get-Y promotion's line, which the PO did not have)
// get a PO1 of their own like any line, numbered as orderhub numbered them
// ("1-F"), with price 0 and PO105 NC (no charge), and their ACKs. Tax is not
// sent: the 855 acknowledges items, quantities and prices; tax belongs on
// the invoice (810 TXI), and partners' 855 guides rarely take it.
//
// BAK01 echoes the purpose of the document answered (see bak01): a cancel
// applied is answered BAK*01*AT with ACK*ID (item deleted) on each of its
// lines, a change BAK*04 with its lines as they now stand (ID for a line it
// deleted).
//
// Line status, following common retail (VICS) practice of one ACK per
// quantity with its own status, so the ACK02 quantities of a line always
// add up to the PO102 ordered quantity:
//   - IA for the quantity allocated, with the scheduled ship date;
//   - IP instead of IA when our price differs from the PO's: PO104 carries
//     our price (the ACK segment has no price of its own);
//   - IB for the quantity backordered, without a date (none is known);
//     a line partly allocated gets IA (or IP) and IB rather than a single
//     IQ, which would say the quantity changed without saying what became
//     of the rest;
//   - IQ for the quantity that ships when it is less than ordered and the
//     rest is not backordered (cut, not kept waiting);
//   - IR for a line of which nothing ships and nothing is backordered;
//   - IR for every line of a rejected order, for its whole quantity:
//     nothing of a rejected order ships.
//
// Quantities and PO104 are in the line's own unit (PO103) even when the
// stock stage took the line in the catalog's (2 CA of a 24-pack sold in
// EA is allocated as 48 EA and answered as 2 CA at the case price); a
// quantity that is no exact number of the line's unit is answered in the
// catalog's, which ACK03 names.

// bak01 is the 855's purpose (BAK01) for the purpose of the document it
// answers: an original 00; a cancel 01, a change 04 and a replace 05, so
// the partner's system files the answer with the right document. An
// unknown purpose is an original's.
var bak01 = map[string]string{
	"": "00", order.PurposeOriginal: "00", order.PurposeCancel: "01", order.PurposeChange: "04", order.PurposeReplace: "05",
}

// PO855Options are the choices an 855 leaves to us. The zero value is
// usable.
type PO855Options struct {
	// Now is the clock for the acknowledgement date (BAK09), for BAK04 when
	// the order has no date and for the default ship date; default
	// time.Now. Dates are taken in its location.
	Now func() time.Time
	// ShipDate returns the date the order's allocated lines are scheduled
	// to ship (ACK04 068, ACK05) as YYYY-MM-DD, or "" when unknown (no date
	// is sent). Default: the route's ship date (the primary warehouse's,
	// from its cut-off and calendar), else the order's
	// requested_ship_date, else two days after the later of its order
	// date and today.
	ShipDate func(*order.Order) string
	// RejectCode is BAK02 for a rejected order; default "RJ". Some
	// partners' guides read RJ as "rejected, no detail" and want "RD"
	// (reject with detail) when the 855 carries lines, as ours does.
	RejectCode string
}

func (o *PO855Options) setDefaults() {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RejectCode == "" {
		o.RejectCode = "RJ"
	}
	if o.ShipDate == nil {
		now := o.Now
		o.ShipDate = func(ord *order.Order) string {
			if d := ord.PlannedShipDate(); d != "" {
				return d
			}
			today := now()
			from := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
			if d, err := time.Parse("2006-01-02", ord.OrderDate); err == nil && d.After(from) {
				from = d
			}
			return from.AddDate(0, 0, 2).Format("2006-01-02")
		}
	}
}

// Write855 writes the body of the 855 (BAK to CTT) acknowledging o, which
// must be routed, backordered, acknowledged or rejected. Use it as a Set's
// Body, or Write855Interchange for whole interchanges.
func Write855(w *Writer, o *order.Order, opts PO855Options) error {
	opts.setDefaults()
	where := fmt.Sprintf("855 for PO %s (order %s)", o.PONumber, o.ID)
	if err := write855(w, o, &opts); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	return nil
}

func write855(w *Writer, o *order.Order, opts *PO855Options) error {
	ok, rejected := order.Answerable(o.Status)
	if !ok {
		return fmt.Errorf("status %q: an 855 answers a routed, backordered, applied or rejected order", o.Status)
	}
	if o.PONumber == "" {
		return errors.New("no PO number for BAK03")
	}
	today := opts.Now()
	poDate := today.Format("20060102")
	if o.OrderDate != "" {
		d, err := order.ToCompactDate(o.OrderDate)
		if err != nil {
			return fmt.Errorf("order_date: %w", err)
		}
		poDate = d
	}
	shipDate := ""
	if !rejected {
		if s := opts.ShipDate(o); s != "" {
			d, err := order.ToCompactDate(s)
			if err != nil {
				return fmt.Errorf("ship date: %w", err)
			}
			shipDate = d
		}
	}

	dec := o.Decision()

	bak02 := "AD"
	switch {
	case rejected:
		bak02 = opts.RejectCode
	case o.Purpose == order.PurposeCancel:
		bak02 = "AT" // the cancellation is accepted
	case o.Status == order.StatusBackordered || len(o.Backorders) > 0 || changedFromPO(o, dec):
		bak02 = "AC"
	}
	purpose, ok := bak01[o.Purpose]
	if !ok {
		purpose = "00"
	}
	if err := w.Segment("BAK", purpose, bak02, o.PONumber, poDate, "", "", "", "", today.Format("20060102")); err != nil {
		return err
	}
	if o.Currency != "" {
		if err := w.Segment("CUR", "SE", o.Currency); err != nil {
			return err
		}
	}
	// The ship-to tells apart the 855s of one PO split by destination
	// (SDQ): each answers the order for one location.
	if st := o.Party(order.RoleShipTo); st != nil && (st.ID != "" || st.Name != "") {
		qual, id := st.IDQualifier, st.ID
		if id == "" {
			qual = ""
		} else if qual == "" {
			qual = "92"
		}
		if err := w.Segment("N1", "ST", st.Name, qual, id); err != nil {
			return err
		}
	}

	hash := decimal.Zero
	for i := range o.Lines {
		l := &o.Lines[i]
		lineNo := l.LineNo
		if lineNo == "" {
			lineNo = fmt.Sprint(i + 1)
		}
		uom := l.UOM
		if uom == "" {
			uom = "EA"
		}
		oc := o.Outcome(l.LineNo)
		price := ""
		pl := dec.Priced(l.LineNo)
		switch {
		case pl != nil:
			// Our price is per the catalog's unit; PO104 is per PO103.
			p, _ := oc.PriceInLineUnit(pl.UnitPrice, uom)
			price = p.String()
		case l.UnitPrice != nil:
			price = l.UnitPrice.String()
		}
		basis := ""
		if l.Free() {
			basis = "NC" // PO105 basis of unit price: no charge
			if price == "" {
				price = "0"
			}
		}
		po1 := []string{lineNo, l.Quantity.String(), uom, price, basis}
		for _, id := range po1ItemIDs(l) {
			po1 = append(po1, id[0], id[1])
		}
		if err := w.Segment("PO1", po1...); err != nil {
			return fmt.Errorf("line %s: %w", lineNo, err)
		}
		hash = hash.Add(l.Quantity)

		var acks [][]string
		// When the stock stage took the line in the catalog's unit (2 CA
		// as 48 EA), its outcome, allocations and backorders are in that
		// unit, and the answer tells them in the line's own (answer), or,
		// for a quantity that is no exact number of it (40 EA of a
		// 24-pack), in the catalog's, which ACK03 names.
		answer := func(qs ...decimal.Decimal) ([]string, string) {
			out := make([]string, len(qs))
			for i, q := range qs {
				c, ok := oc.InLineUnit(q, uom)
				if !ok {
					for j, q := range qs {
						out[j] = q.String()
					}
					return out, oc.UOM
				}
				out[i] = c.String()
			}
			return out, uom
		}
		switch {
		case rejected || (oc != nil && oc.Outcome == order.OutcomeRejected):
			acks = append(acks, []string{"IR", l.Quantity.String(), uom})
		case oc != nil && oc.Outcome == order.OutcomeDeleted:
			acks = append(acks, []string{"ID", l.Quantity.String(), uom})
		case oc != nil && oc.Outcome == order.OutcomeQuantityChanged:
			// Rounded to whole cases, or cut: the quantity in force.
			q, unit := answer(oc.Quantity)
			ack := []string{"IQ", q[0], unit}
			if shipDate != "" {
				ack = append(ack, "068", shipDate)
			}
			acks = append(acks, ack)
		default:
			f := dec.Fill(l, oc, uom)
			ships, back, cut := f.Ships, f.Back, f.Cut
			qs, unit := answer(ships, back)
			switch {
			case cut && ships.IsZero() && back.IsZero():
				acks = append(acks, []string{"IR", l.Quantity.String(), uom})
			case ships.IsPositive() || back.IsZero():
				status := "IA"
				switch {
				case cut:
					status = "IQ"
				case pl != nil && pl.POPriceMismatch:
					status = "IP"
				}
				ack := []string{status, qs[0], unit}
				if shipDate != "" {
					ack = append(ack, "068", shipDate)
				}
				acks = append(acks, ack)
			}
			if back.IsPositive() {
				acks = append(acks, []string{"IB", qs[1], unit})
			}
		}
		for _, a := range acks {
			if err := w.Segment("ACK", a...); err != nil {
				return fmt.Errorf("line %s: %w", lineNo, err)
			}
		}
	}
	return w.Segment("CTT", fmt.Sprint(len(o.Lines)), hash.String())
}

// changedFromPO tells whether order o, neither rejected nor backordered,
// is answered otherwise than as ordered (BAK02 AC): a price differs from
// the PO's, a line was rejected or its quantity changed, a line the PO did
// not have (free goods) was added, or a line ships less than ordered with
// the rest cut (IQ or IR). dec is o's, as write855 indexed it.
func changedFromPO(o *order.Order, dec *order.Decision) bool {
	if o.Pricing != nil {
		for i := range o.Pricing.Lines {
			if o.Pricing.Lines[i].POPriceMismatch {
				return true
			}
		}
	}
	for _, oc := range o.Outcomes {
		if oc.Outcome == order.OutcomeRejected || oc.Outcome == order.OutcomeQuantityChanged {
			return true
		}
	}
	for i := range o.Lines {
		if o.Lines[i].Free() {
			return true
		}
	}
	for i := range o.Lines {
		l := &o.Lines[i]
		if dec.Fill(l, o.Outcome(l.LineNo), l.UOM).Cut {
			return true
		}
	}
	return false
}

// po1IDOrder is the order PO1 lists item IDs in: the buyer's own
// numbers first, then ours, then the GTINs; other qualifiers follow
// alphabetically.
var po1IDOrder = []string{"BP", "IN", "PI", "VN", "VP", "SK", "UP", "UK", "EN", "EA"}

// po1MaxIDs is how many qualifier/ID pairs PO1 has room for (PO106-PO125).
const po1MaxIDs = 10

// po1ItemIDs returns the line's item IDs as PO1 qualifier/ID pairs: those the
// PO sent (the partner expects its own identifiers back), completed with our
// SKU as VN, the GTIN and the buyer's item number when the PO sent them
// under no qualifier.
func po1ItemIDs(l *order.Line) [][2]string {
	var ids [][2]string
	quals := make([]string, 0, len(l.ItemIDs))
	for _, id := range l.ItemIDs.Sorted() {
		quals = append(quals, id.Qualifier)
	}
	rank := func(q string) int {
		for i, p := range po1IDOrder {
			if p == q {
				return i
			}
		}
		return len(po1IDOrder)
	}
	sort.Slice(quals, func(i, j int) bool {
		ri, rj := rank(quals[i]), rank(quals[j])
		if ri != rj {
			return ri < rj
		}
		return quals[i] < quals[j]
	})
	has := func(v string) bool {
		for _, id := range ids {
			if id[1] == v {
				return true
			}
		}
		return false
	}
	for _, q := range quals {
		if v := l.ItemIDs.Get(q); v != "" {
			ids = append(ids, [2]string{q, v})
		}
	}
	if l.BuyerItem != "" && !has(l.BuyerItem) {
		ids = append(ids, [2]string{"BP", l.BuyerItem})
	}
	if l.SKU != "" && !has(l.SKU) && l.ItemIDs.Get("VN") == "" {
		ids = append(ids, [2]string{"VN", l.SKU})
	}
	if l.GTIN != "" && !has(l.GTIN) {
		q := "EN"
		switch len(l.GTIN) {
		case 12:
			q = "UP"
		case 14:
			q = "UK"
		}
		ids = append(ids, [2]string{q, l.GTIN})
	}
	if len(ids) > po1MaxIDs {
		ids = ids[:po1MaxIDs]
	}
	return ids
}

// Write855Interchange writes one interchange with an 855 for each order,
// numbered 0001, 0002, ... in one PR group. env.FunctionalID defaults to
// "PR" and env.Time to opts.Now().
func Write855Interchange(w *Writer, env Envelope, orders []*order.Order, opts PO855Options) error {
	opts.setDefaults()
	if env.FunctionalID == "" {
		env.FunctionalID = "PR"
	}
	if env.Time.IsZero() {
		env.Time = opts.Now()
	}
	sets := make([]Set, len(orders))
	for i, o := range orders {
		sets[i] = Set{Code: "855", Body: func(w *Writer) error { return Write855(w, o, opts) }}
	}
	return WriteInterchange(w, env, sets)
}
