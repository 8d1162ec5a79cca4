package x12

import (
	"bytes"
	"strconv"

	"github.com/orderhub/orderhub/order"
)

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
	iso, ok := order.FromCompactDate(d)
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
