package order

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Answerable tells whether an order of status has been decided, so that
// an answer to the partner (X12 855, EDIFACT ORDRSP) can tell what became
// of it: routed, backordered, acknowledged, applied or rejected; rejected
// says it is the last.
func Answerable(status string) (ok, rejected bool) {
	switch status {
	case StatusRejected:
		return true, true
	case StatusRouted, StatusBackordered, StatusAcknowledged, StatusApplied:
		return true, false
	}
	return false, false
}

// Decision is what the pipeline decided of an order, by line number: its
// prices, what was allocated and what backordered. The answers to the
// partner (X12 855, EDIFACT ORDRSP) tell it line by line, each in its own
// codes; the arithmetic of what ships is the same for all and lives here.
type Decision struct {
	priced map[string]*PricedLine
	short  map[string]decimal.Decimal
	// allocated is nil for an order without allocations (routed with no
	// stock stage): whatever is not backordered ships.
	allocated map[string]decimal.Decimal
}

// Decision indexes o's pricing, allocations and backorders by line, once
// for all its lines.
func (o *Order) Decision() *Decision {
	d := &Decision{priced: map[string]*PricedLine{}, short: map[string]decimal.Decimal{}}
	if o.Pricing != nil {
		for i := range o.Pricing.Lines {
			d.priced[o.Pricing.Lines[i].LineNo] = &o.Pricing.Lines[i]
		}
	}
	for _, b := range o.Backorders {
		d.short[b.LineNo] = d.short[b.LineNo].Add(b.Quantity)
	}
	if len(o.Allocations) > 0 {
		d.allocated = map[string]decimal.Decimal{}
		for _, a := range o.Allocations {
			d.allocated[a.LineNo] = d.allocated[a.LineNo].Add(a.Quantity)
		}
	}
	return d
}

// Priced is what the price stage decided of line lineNo, nil when it
// priced no such line.
func (d *Decision) Priced(lineNo string) *PricedLine { return d.priced[lineNo] }

// Fill is what becomes of a line's quantity in force, in the unit the
// stock stage took the line in: its outcome's UOM when it converted the
// line (2 CA taken as 48 EA), else the line's own.
type Fill struct {
	// Want is the quantity in force: as ordered, or the outcome's when
	// the stock stage took the line in another unit.
	Want decimal.Decimal
	// Back is what is backordered; Ships is what ships: Want less Back,
	// and no more than was allocated when the order has allocations.
	Back, Ships decimal.Decimal
	// Cut says less was allocated than Want less Back: the rest neither
	// ships nor waits for stock.
	Cut bool
}

// Fill is what becomes of line l, whose outcome is oc (nil for none);
// lineUOM is the line's unit as the answer writes it (X12 writes EA for a
// line without one), which tells whether the stock stage converted it.
func (d *Decision) Fill(l *Line, oc *LineOutcome, lineUOM string) Fill {
	f := Fill{Want: l.Quantity}
	if oc != nil && oc.UOM != "" && oc.UOM != lineUOM {
		f.Want = oc.Quantity
	}
	f.Back = decimal.Max(decimal.Zero, d.short[l.LineNo])
	f.Ships = decimal.Max(decimal.Zero, f.Want.Sub(f.Back))
	if d.allocated != nil {
		a := decimal.Min(f.Ships, d.allocated[l.LineNo])
		f.Cut = a.LessThan(f.Ships)
		f.Ships = a
	}
	return f
}

// PlannedShipDate is the day o is to ship (YYYY-MM-DD): its route's (the
// primary warehouse's, from its cut-off and calendar), else the
// requested_ship_date the partner gave; "" when neither is known.
func (o *Order) PlannedShipDate() string {
	if o.Route != nil && o.Route.ShipDate != "" {
		return o.Route.ShipDate
	}
	return o.RequestedShipDate
}

// ToCompactDate turns a canonical YYYY-MM-DD date into CCYYMMDD, as X12 (DT)
// and EDIFACT (format 102) write dates.
func ToCompactDate(s string) (string, error) {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		return "", fmt.Errorf("want a YYYY-MM-DD date, got %q", s)
	}
	return d.Format("20060102"), nil
}
