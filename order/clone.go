package order

import (
	"slices"

	"github.com/shopspring/decimal"
)

// Clone returns a deep copy of o, for a pipeline stage that changes an order
// while the caller may still hold the original (a retried message, a cache).
// Nil and empty slices and maps stay nil and empty. Decimals are shared: they
// are immutable.
func (o *Order) Clone() *Order {
	if o == nil {
		return nil
	}
	c := *o
	c.References = slices.Clone(o.References)
	c.Contacts = slices.Clone(o.Contacts)
	c.Parties = cloneParties(o.Parties)
	c.Notes = slices.Clone(o.Notes)
	c.Charges = cloneCharges(o.Charges)
	c.TotalAmount = cloneDec(o.TotalAmount)
	if o.PaymentTerms != nil {
		t := *o.PaymentTerms
		t.DiscountPercent = cloneDec(t.DiscountPercent)
		c.PaymentTerms = &t
	}
	if o.Carrier != nil {
		cr := *o.Carrier
		c.Carrier = &cr
	}
	c.Lines = slices.Clone(o.Lines)
	for i := range c.Lines {
		l := &c.Lines[i]
		l.ItemIDs = slices.Clone(l.ItemIDs)
		l.UnitPrice = cloneDec(l.UnitPrice)
		if l.Pack != nil {
			p := *l.Pack
			p.Pack, p.Size = cloneDec(p.Pack), cloneDec(p.Size)
			l.Pack = &p
		}
		l.Charges = cloneCharges(l.Charges)
		l.Parties = cloneParties(l.Parties)
		l.Notes = slices.Clone(l.Notes)
		l.FreeOf = slices.Clone(l.FreeOf)
	}
	if o.Source != nil {
		s := *o.Source
		c.Source = &s
	}
	c.Problems = slices.Clone(o.Problems)
	c.Allocations = slices.Clone(o.Allocations)
	c.Backorders = slices.Clone(o.Backorders)
	c.Outcomes = slices.Clone(o.Outcomes)
	if o.Pricing != nil {
		p := *o.Pricing
		p.Lines = slices.Clone(p.Lines)
		p.Adjustments = slices.Clone(p.Adjustments)
		for i := range p.Lines {
			pl := &p.Lines[i]
			pl.Adjustments = slices.Clone(pl.Adjustments)
			pl.TaxBase, pl.TaxRate, pl.Tax = cloneDec(pl.TaxBase), cloneDec(pl.TaxRate), cloneDec(pl.Tax)
			if pc := pl.PriceCheck; pc != nil {
				cp := *pc
				pl.PriceCheck = &cp
			}
		}
		p.TaxTotal, p.TotalWithTax = cloneDec(p.TaxTotal), cloneDec(p.TotalWithTax)
		c.Pricing = &p
	}
	c.Holds = slices.Clone(o.Holds)
	if o.Route != nil {
		r := *o.Route
		c.Route = &r
	}
	c.Routes = slices.Clone(o.Routes)
	if o.Applied != nil {
		a := *o.Applied
		a.Deltas = slices.Clone(a.Deltas)
		c.Applied = &a
	}
	return &c
}

func cloneDec(d *decimal.Decimal) *decimal.Decimal {
	if d == nil {
		return nil
	}
	c := *d
	return &c
}

func cloneParties(ps []Party) []Party {
	out := slices.Clone(ps)
	for i := range out {
		out[i].Address = slices.Clone(out[i].Address)
		out[i].Contacts = slices.Clone(out[i].Contacts)
	}
	return out
}

func cloneCharges(cs []Charge) []Charge {
	out := slices.Clone(cs)
	for i := range out {
		out[i].Amount = cloneDec(out[i].Amount)
		out[i].Percent = cloneDec(out[i].Percent)
	}
	return out
}
