package order

import "github.com/shopspring/decimal"

// Splits are the places an order's lines are sent to when they go to
// several (X12 SDQ; EDIFACT LOC+7 with QTY+11, or a line's own delivery
// party): each place with its quantity of each line, in the order the
// places first appear. The formats collect them while mapping; Split
// turns the order into one order per place. The zero value is empty.
type Splits struct {
	places []splitPlace
	index  map[string]int // place id → index in places
}

type splitPlace struct {
	id, qual string
	qty      map[int]decimal.Decimal // line index → quantity
}

// Add adds q of line (its index in the order's lines) to place id. A
// place keeps the qualifier it first came with.
func (s *Splits) Add(id, qual string, line int, q decimal.Decimal) {
	if s.index == nil {
		s.index = map[string]int{}
	}
	k, ok := s.index[id]
	if !ok {
		k = len(s.places)
		s.index[id] = k
		s.places = append(s.places, splitPlace{id: id, qual: qual, qty: map[int]decimal.Decimal{}})
	}
	s.places[k].qty[line] = s.places[k].qty[line].Add(q)
}

// SetQualifier gives every place qualifier q, for a format that names
// the qualifier once for all its places (X12 SDQ02).
func (s *Splits) SetQualifier(q string) {
	for i := range s.places {
		s.places[i].qual = q
	}
}

// Line returns the sum of line's quantities over the places, and whether
// any place has some of it: a format refuses a line whose places do not
// add up to the quantity it orders, as which of the two to ship would be
// a guess.
func (s *Splits) Line(line int) (sum decimal.Decimal, any bool) {
	for i := range s.places {
		if q, ok := s.places[i].qty[line]; ok {
			sum, any = sum.Add(q), true
		}
	}
	return sum, any
}

func (s *Splits) covers(line int) bool {
	for i := range s.places {
		if _, ok := s.places[i].qty[line]; ok {
			return true
		}
	}
	return false
}

// Split returns o as one order per place: the same PO number and header,
// each with the place as its ship-to and the lines' quantities for it.
// The order's own ship-to (usually the distribution centre the goods go
// through) is kept on each as a DC reference. Lines no place has stay on
// an order of their own for the order's ship-to, first. With no places
// it returns o alone. The orders share their lines' item ids, prices and
// parties with o.
func (s *Splits) Split(o *Order) []*Order {
	if len(s.places) == 0 {
		return []*Order{o}
	}
	// The header is copied for each order; the lines are picked below.
	head := *o
	head.Lines = nil
	var out []*Order
	rest := head.Clone()
	for i, l := range o.Lines {
		if !s.covers(i) {
			rest.Lines = append(rest.Lines, l)
		}
	}
	if len(rest.Lines) > 0 {
		out = append(out, rest)
	}
	for _, p := range s.places {
		c := head.Clone()
		for i, l := range o.Lines {
			q, ok := p.qty[i]
			if !ok {
				continue
			}
			l.Quantity = q
			c.Lines = append(c.Lines, l)
		}
		shipTo := Party{Role: RoleShipTo, ID: p.id, IDQualifier: p.qual}
		replaced := false
		for j := range c.Parties {
			if c.Parties[j].Role != RoleShipTo {
				continue
			}
			dc := c.Parties[j].ID
			if dc == "" {
				dc = c.Parties[j].Name
			}
			if dc != "" {
				c.References = append(c.References, Reference{Qualifier: "DC", Value: dc})
			}
			c.Parties[j] = shipTo
			replaced = true
		}
		if !replaced {
			c.Parties = append(c.Parties, shipTo)
		}
		out = append(out, c)
	}
	return out
}
