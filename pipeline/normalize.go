package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
)

// Normalize tidies an order into the form the later stages expect: codes in
// upper case, whitespace trimmed, defaults filled in (purpose original, unit
// EA), and every line's SKU resolved from the partner's item numbers or
// GTINs through the crosswalk and catalog. It guesses nothing: a line no
// rule resolves goes on without a SKU and validate rejects it.
type Normalize struct {
	Items mappings.ItemLookup
}

func (*Normalize) Name() string            { return "normalize" }
func (*Normalize) Topic() string           { return TopicReceived }
func (*Normalize) Done(status string) bool { return doneAt(order.StatusParsed, status) }

func (s *Normalize) Prepare(ctx context.Context, o *order.Order) (Outcome, Commit, error) {
	Tidy(o)
	if _, err := mappings.ResolveItems(ctx, s.Items, o); err != nil {
		return Outcome{}, nil, err
	}
	resolved := 0
	for _, l := range o.Lines {
		if l.SKU != "" {
			resolved++
		}
	}
	out := Outcome{Status: order.StatusParsed, Reason: fmt.Sprintf("%d line(s), %d with a SKU", len(o.Lines), resolved)}
	return out, nil, nil
}

func (s *Normalize) Outputs(ctx context.Context, o *order.Order, js []byte, corr string) ([]Output, error) {
	return next(o, TopicParsed, js, corr), nil
}

// Tidy trims and upper-cases an order's codes and fills its defaults.
func Tidy(o *order.Order) {
	o.PONumber = strings.TrimSpace(o.PONumber)
	o.Purpose = strings.ToLower(strings.TrimSpace(o.Purpose))
	if o.Purpose == "" {
		o.Purpose = order.PurposeOriginal
	}
	o.Currency = strings.ToUpper(strings.TrimSpace(o.Currency))
	for i := range o.Parties {
		p := &o.Parties[i]
		p.Country = strings.ToUpper(strings.TrimSpace(p.Country))
		p.Region = strings.TrimSpace(p.Region)
		p.PostalCode = strings.TrimSpace(p.PostalCode)
	}
	for i := range o.Lines {
		l := &o.Lines[i]
		l.LineNo = strings.TrimSpace(l.LineNo)
		l.SKU = strings.TrimSpace(l.SKU)
		l.GTIN = strings.TrimSpace(l.GTIN)
		l.BuyerItem = strings.TrimSpace(l.BuyerItem)
		l.UOM = strings.ToUpper(strings.TrimSpace(l.UOM))
		if l.UOM == "" {
			l.UOM = "EA"
		}
	}
}
