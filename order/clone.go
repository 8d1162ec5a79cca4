package order

import (
	"maps"
	"slices"
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
	c.Parties = slices.Clone(o.Parties)
	for i := range c.Parties {
		c.Parties[i].Address = slices.Clone(c.Parties[i].Address)
	}
	c.Lines = slices.Clone(o.Lines)
	for i := range c.Lines {
		l := &c.Lines[i]
		l.ItemIDs = maps.Clone(l.ItemIDs)
		if l.UnitPrice != nil {
			p := *l.UnitPrice
			l.UnitPrice = &p
		}
	}
	if o.Source != nil {
		s := *o.Source
		c.Source = &s
	}
	c.Problems = slices.Clone(o.Problems)
	c.Allocations = slices.Clone(o.Allocations)
	c.Backorders = slices.Clone(o.Backorders)
	if o.Pricing != nil {
		p := *o.Pricing
		p.Lines = slices.Clone(p.Lines)
		for i := range p.Lines {
			p.Lines[i].Adjustments = slices.Clone(p.Lines[i].Adjustments)
		}
		c.Pricing = &p
	}
	if o.Route != nil {
		r := *o.Route
		c.Route = &r
	}
	return &c
}
