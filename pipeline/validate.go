package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

// Validate checks an order against the canonical rules and the partner is
// known. Every problem is collected with its JSON path; an order with any
// goes to orders.rejected with all of them. Its lines are checked against
// the catalog and the rules by the stock stage (CheckLine), line by line: a
// line it refuses does not refuse the order.
type Validate struct {
	Store *store.Store
}

func (*Validate) Name() string            { return "validate" }
func (*Validate) Topic() string           { return TopicParsed }
func (*Validate) Done(status string) bool { return doneAt(order.StatusValidated, status) }

func (s *Validate) Prepare(ctx context.Context, o *order.Order) (Outcome, Commit, error) {
	problems, err := s.Check(ctx, o)
	if err != nil {
		return Outcome{}, nil, err
	}
	out := Outcome{Status: order.StatusValidated, Reason: fmt.Sprintf("%d line(s) checked", len(o.Lines))}
	if len(problems) > 0 {
		out = reject(o, "validate", problems)
	}
	return out, nil, nil
}

// Check returns every problem with the order; err is only for the store
// failing.
func (s *Validate) Check(ctx context.Context, o *order.Order) ([]order.Problem, error) {
	var problems []order.Problem
	if err := o.Validate(); err != nil {
		var ve *order.ValidationError
		if !errors.As(err, &ve) {
			return nil, err
		}
		problems = append(problems, ve.Problems...)
	}
	if o.Partner == "" {
		problems = append(problems, order.Problem{Path: "partner", Message: "required"})
	} else if _, err := s.Store.Partner(ctx, o.Partner); errors.Is(err, store.ErrNotFound) {
		problems = append(problems, order.Problem{Path: "partner", Message: fmt.Sprintf("unknown partner %q", o.Partner)})
	} else if err != nil {
		return nil, err
	}
	return problems, nil
}

func describeItem(l order.Line) string {
	var parts []string
	if l.GTIN != "" {
		parts = append(parts, "gtin "+l.GTIN)
	}
	if l.BuyerItem != "" {
		parts = append(parts, "buyer_item "+l.BuyerItem)
	}
	for _, id := range l.ItemIDs.Sorted() {
		parts = append(parts, id.Qualifier+" "+id.ID)
	}
	if len(parts) == 0 {
		return "a line with no item id"
	}
	return strings.Join(parts, ", ")
}

func (s *Validate) Outputs(ctx context.Context, o *order.Order, js []byte, corr string) ([]Output, error) {
	return next(o, TopicValidated, js, corr), nil
}
