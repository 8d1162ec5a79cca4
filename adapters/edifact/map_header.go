package edifact

import (
	"strings"

	"github.com/orderhub/orderhub/order"
)

// partyRoles maps NAD 3035 (party function code qualifier) to canonical
// roles. fallbackRoles take a role only when the message names no party
// with one of partyRoles' codes for it: an ordered-by party is the buyer
// when there is no BY, a store or an ultimate consignee the ship-to when
// there is no DP (EANCOM sends goods for a store through a DP, the
// distribution centre, and names the store as well).
var (
	partyRoles = map[string]string{
		"BY": order.RoleBuyer,
		"SU": order.RoleSupplier,
		"DP": order.RoleShipTo,
		"ST": order.RoleShipTo,
		"IV": order.RoleBillTo,
		"SF": order.RoleShipFrom,
	}
	fallbackRoles = map[string]string{
		"OB": order.RoleBuyer,
		"SE": order.RoleSupplier, // seller
		"SN": order.RoleShipTo,   // store number
		"UC": order.RoleShipTo,   // ultimate consignee
		"UD": order.RoleShipTo,   // ultimate customer
	}
)

func (m *mapper) bgmSeg(s *Segment) {
	if m.bgm != nil {
		return // one BGM per message; a second says nothing new
	}
	m.bgm = s
	if code := s.Str(1, 1); code != "" {
		if w, ok := orderTypes[code]; ok {
			m.o.OrderType = w
		} else {
			m.o.OrderType = "code:" + code
		}
	}
	// D96A's 1004, and from D01B on C106's first component: the same
	// place either way.
	m.o.PONumber = s.Str(2, 1)
	if m.o.PONumber == "" {
		m.fail(s, 2, 1, CodeMissing, "the order number (BGM 1004) is missing")
	}
	fn := s.Str(3, 1)
	if fn == "" {
		m.o.Purpose = order.PurposeOriginal // 1225 is conditional: absent, the order is new
		return
	}
	p, ok := purposes[fn]
	if !ok {
		m.fail(s, 3, 1, CodeInvalidValue, "want a message function (1225) of 9 original, 1 cancellation, 4 change, 5 replace or another orderhub reads, got %q", fn)
	}
	m.o.Purpose = p
}

func (m *mapper) dtm(s *Segment) {
	use, ok := dateUses[s.Str(1, 1)]
	if !ok {
		return
	}
	iso, ok := m.date(s, use.latest)
	if !ok {
		return
	}
	if d := &m.dates[use.field]; d.v == "" || use.rank < d.rank {
		d.v, d.rank = iso, use.rank
	}
}

func (m *mapper) ftx(s *Segment) {
	if !m.textFits(s, 4) {
		return
	}
	text := joinComps(s, 4, 1, 5)
	if text == "" {
		return
	}
	if m.line != nil {
		m.line.Notes = append(m.line.Notes, text)
	} else {
		m.o.Notes = append(m.o.Notes, text)
	}
}

// textFits checks that free text (FTX C108, IMD C273) has at most the
// five components its composite has: more is a component separator in the
// text that its sender did not release ("1:10" for "1?:10"), which would
// cut the text short without a word.
func (m *mapper) textFits(s *Segment, el int) bool {
	if n := s.Comps(el); n > 5 {
		m.fail(s, el, 6, CodeTooManyConstituents, "%d components where the text has at most 5: a component separator in the text not released?", n)
		return false
	}
	return true
}

// joinComps joins the non-empty components from to to of element el with
// spaces; a single one is returned as it is, without a copy. Components
// are counted as written, so that each is made into text once (making
// text with release characters or past ASCII allocates).
func joinComps(s *Segment, el, from, to int) string {
	to = min(to, s.Comps(el))
	first, n := 0, 0
	for j := from; j <= to; j++ {
		if len(s.Raw(el, j)) > 0 {
			if n == 0 {
				first = j
			}
			n++
		}
	}
	if n == 0 {
		return ""
	}
	if n == 1 {
		return s.Str(el, first)
	}
	var b strings.Builder
	for j := from; j <= to; j++ {
		if v := s.Str(el, j); v != "" {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(v)
		}
	}
	return b.String()
}

// party reads a NAD's identification, name and address.
func party(s *Segment, role string) order.Party {
	p := order.Party{Role: role, ID: s.Str(2, 1), IDQualifier: s.Str(2, 3), Name: joinComps(s, 4, 1, 5),
		City: s.Str(6, 1), Region: s.Str(7, 1), PostalCode: s.Str(8, 1), Country: s.Str(9, 1)}
	if p.ID == "" {
		p.IDQualifier = ""
	}
	// C058, name and address as unstructured lines: the name when C080
	// is empty, the rest the address.
	k, n58 := 1, min(s.Comps(3), 5)
	if p.Name == "" {
		p.Name, k = s.Str(3, 1), 2
	}
	for ; k <= n58; k++ {
		if v := s.Str(3, k); v != "" {
			p.Address = append(p.Address, v)
		}
	}
	for j := 1; j <= min(s.Comps(5), 4); j++ {
		if v := s.Str(5, j); v != "" {
			p.Address = append(p.Address, v)
		}
	}
	return p
}

func empty(p *order.Party) bool {
	return p.ID == "" && p.Name == "" && len(p.Address) == 0 && p.City == "" && p.PostalCode == ""
}

func (m *mapper) nad(s *Segment) {
	code := s.Str(1, 1)
	if m.line != nil {
		m.lineNAD(s, code)
		return
	}
	role, ok := partyRoles[code]
	fallback := false
	if !ok {
		role, fallback = fallbackRoles[code], true
	}
	p := party(s, role)
	if empty(&p) {
		return // NAD+SF+++: a party named by nothing
	}
	if role == "" || (!fallback && m.hasPrimary(role)) {
		// A party the canonical order has no role for (carrier, payee
		// ...), or a second one with a role taken (two NAD+BY with the
		// buyer's number in two code lists): kept as a reference, not
		// guessed at.
		m.partyRef(code, &p)
		return
	}
	m.o.Parties = append(m.o.Parties, p)
	m.partyKinds = append(m.partyKinds, partyKind{code: code, fallback: fallback})
	m.party = &m.o.Parties[len(m.o.Parties)-1]
}

func (m *mapper) hasPrimary(role string) bool {
	for i := range m.o.Parties {
		if m.o.Parties[i].Role == role && !m.partyKinds[i].fallback {
			return true
		}
	}
	return false
}

func (m *mapper) partyRef(code string, p *order.Party) {
	v := p.ID
	if v == "" {
		v = p.Name
	}
	if v != "" {
		m.o.References = append(m.o.References, order.Reference{Qualifier: "NAD " + code, Value: v})
	}
}

// resolveParties settles fallback roles now that every NAD is read: a
// fallback party yields to one named with the role's own code, and to an
// earlier fallback for the same role; it is kept as a reference instead.
func (m *mapper) resolveParties() {
	ps := m.o.Parties
	var drop []int
	for i := range ps {
		if !m.partyKinds[i].fallback {
			continue
		}
		for j := range ps {
			if j != i && ps[j].Role == ps[i].Role && (!m.partyKinds[j].fallback || j < i) {
				drop = append(drop, i)
				break
			}
		}
	}
	if len(drop) == 0 {
		return
	}
	kept := make([]order.Party, 0, len(ps)-len(drop))
	for i := range ps {
		if len(drop) > 0 && drop[0] == i {
			drop = drop[1:]
			m.partyRef(m.partyKinds[i].code, &ps[i])
			continue
		}
		kept = append(kept, ps[i])
	}
	m.o.Parties = kept
}

func (m *mapper) cta(s *Segment) {
	c := order.Contact{Function: s.Str(1, 1), Name: s.Str(2, 2)}
	if c.Name == "" {
		c.Name = s.Str(2, 1)
	}
	switch {
	case m.party != nil:
		m.party.Contacts = append(m.party.Contacts, c)
	case m.line == nil:
		m.o.Contacts = append(m.o.Contacts, c)
	}
}

// com adds a communication number to the contact just read.
func (m *mapper) com(s *Segment) {
	var cs []order.Contact
	switch {
	case m.party != nil:
		cs = m.party.Contacts
	case m.line == nil:
		cs = m.o.Contacts
	}
	if len(cs) == 0 {
		return // COM belongs to a CTA (SG5): without one there is no one to reach
	}
	c := &cs[len(cs)-1]
	for i := 1; i <= s.Len(); i++ {
		v := s.Str(i, 1)
		switch s.Str(i, 2) {
		case "TE":
			c.Phone = v
		case "EM":
			c.Email = v
		case "FX":
			c.Fax = v
		}
	}
}

// cux reads the order currency: C504 with 6347 = 2 (reference currency),
// its code in 6345; 6343 = 9 (order currency) wins over another usage.
func (m *mapper) cux(s *Segment) {
	if m.line != nil || m.summary {
		return
	}
	if s.Str(1, 1) != "2" {
		return
	}
	c := s.Str(1, 2)
	if c == "" {
		return
	}
	if m.o.Currency == "" || s.Str(1, 3) == "9" {
		m.o.Currency = c
	}
}

// pat reads payment terms (SG8): 4279 the type, C112 the time: 2475
// reference, 2009 relation, 2151 period type (D days), 2152 how many.
// Under a discount type (22) the days are the discount's, else net.
func (m *mapper) pat(s *Segment) {
	if m.line != nil {
		return
	}
	t := &order.PaymentTerms{Type: s.Str(1, 1), Description: joinComps(s, 2, 4, 5)}
	if s.Str(3, 3) == "D" && len(s.Raw(3, 4)) > 0 {
		d, ok := m.decimal(s, 3, 4, "the number of days")
		if ok && d.IsInteger() && d.Sign() >= 0 {
			if t.Type == "22" {
				t.DiscountDays = int(d.IntPart())
			} else {
				t.NetDays = int(d.IntPart())
			}
		} else if ok {
			m.fail(s, 3, 4, CodeInvalidValue, "want a whole number of days, got %q", s.Raw(3, 4))
		}
	}
	if m.o.PaymentTerms == nil {
		m.o.PaymentTerms = t
	}
	m.terms = m.o.PaymentTerms
}

// pcd reads a percentage: an allowance's or charge's (in ALC's group) or
// the payment terms' discount (in PAT's).
func (m *mapper) pcd(s *Segment) {
	inALC := m.group == "ALC" && m.charge != nil
	inPAT := m.group == "PAT" && m.terms != nil
	if !inALC && !inPAT || len(s.Raw(1, 2)) == 0 {
		return
	}
	d, ok := m.decimal(s, 1, 2, "the percentage")
	switch {
	case !ok:
	case inALC:
		m.charge.Percent = m.keep(d)
	default:
		m.terms.DiscountPercent = m.keep(d)
	}
}

// tdt reads the carrier: C040 3127 the carrier's code (a SCAC when 3055
// says 182, the US National Motor Freight Traffic Association), 3128 its
// name; C220 8067 the mode of transport.
func (m *mapper) tdt(s *Segment) {
	c := m.o.Carrier
	if c == nil {
		c = &order.Carrier{}
	}
	id, name := s.Str(5, 1), s.Str(5, 4)
	if id != "" && s.Str(5, 3) == "182" && c.SCAC == "" {
		c.SCAC = id
	} else if name == "" {
		name = id
	}
	if name != "" && c.Name == "" {
		c.Name = name
	}
	if v := s.Str(3, 1); v != "" && c.Method == "" {
		c.Method = v
	}
	if *c != (order.Carrier{}) {
		m.o.Carrier = c
	}
}

// tod reads the terms of delivery into FOB: C100 4053 (an Incoterm such
// as FCA or DDP), or failing it 4215, how transport charges are paid (PP
// prepaid, CC collect), as X12's FOB01 says.
func (m *mapper) tod(s *Segment) {
	if m.o.FOB != "" {
		return
	}
	if v := s.Str(3, 1); v != "" {
		m.o.FOB = v
	} else if v := s.Str(2, 1); v != "" {
		m.o.FOB = v
	}
}

// alc reads an allowance or charge (header SG19, line SG38): 5463 A or C,
// C214 7161 what for and 7160 its description; its PCD and MOA follow.
func (m *mapper) alc(s *Segment) {
	c := order.Charge{Code: s.Str(5, 1), Description: joinComps(s, 5, 4, 5)}
	switch s.Str(1, 1) {
	case "A":
		c.Kind = "allowance"
	case "C":
		c.Kind = "charge"
	case "N", "B":
		return // no allowance or charge, or a total of others: nothing to carry
	default:
		m.fail(s, 1, 1, CodeInvalidValue, "want A (allowance), C (charge) or N (5463), got %q", s.Raw(1, 1))
		return
	}
	if m.line != nil {
		m.line.Charges = append(m.line.Charges, c)
		m.charge = &m.line.Charges[len(m.line.Charges)-1]
	} else {
		m.o.Charges = append(m.o.Charges, c)
		m.charge = &m.o.Charges[len(m.o.Charges)-1]
	}
}

// moa reads an amount: an allowance's or charge's (8, 23 or 204 in its
// group), or after UNS the order's total (86 message total or 128 total
// amount; 79, the lines' total, when neither is given). A line's MOA 203
// (line amount) is the quantity times the price after allowances: not
// kept, and not checked, as senders round it their own ways.
func (m *mapper) moa(s *Segment) {
	q := s.Str(1, 1)
	switch {
	case m.group == "ALC" && m.charge != nil:
		if q != "8" && q != "23" && q != "204" {
			return
		}
		if d, ok := m.decimal(s, 1, 2, "the amount"); ok && m.charge.Amount == nil {
			m.charge.Amount = m.keep(d)
		}
	case m.summary:
		rank := 2
		switch q {
		case "86", "128":
			rank = 0
		case "79":
			rank = 1
		}
		if rank == 2 || (m.total != nil && m.totalRank <= rank) {
			return
		}
		if d, ok := m.decimal(s, 1, 2, "the total amount"); ok {
			m.total, m.totalRank = m.keep(d), rank
		}
	}
}
