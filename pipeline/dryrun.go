package pipeline

import (
	"context"
	"fmt"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

// DryRunResult is what the pipeline would do with an order.
type DryRunResult struct {
	Order   *order.Order
	Reason  string
	Outputs []Output
}

// DryRun runs o through every stage against the store inside a transaction
// that is rolled back: the answer reflects today's stock, prices and
// earlier orders, and nothing changes. o needs an id.
func DryRun(ctx context.Context, st *store.Store, o *order.Order) (*DryRunResult, error) {
	return DryRunWith(ctx, st, Config{}, o)
}

// DryRunWith is DryRun with the rules, policies and item lookup of cfg.
func DryRunWith(ctx context.Context, st *store.Store, cfg Config, o *order.Order) (*DryRunResult, error) {
	if cfg.Items == nil {
		cfg.Items = ItemLookup(st)
	}
	stages := stages(st, cfg)
	res := &DryRunResult{Order: o}
	var last Stage
	err := st.DryRun(ctx, func(tx *store.Tx) error {
		js, err := order.Marshal(o)
		if err != nil {
			return err
		}
		if _, err := tx.InsertOrder(o, "", store.Pack(js), "dry run"); err != nil {
			return err
		}
		o.Status = order.StatusReceived
		for _, s := range stages {
			if s.Done(o.Status) {
				continue // a replacement the changes stage reserved skips stock
			}
			last = s
			want, commit, err := s.Prepare(ctx, o)
			if err != nil {
				return fmt.Errorf("%s: %w", s.Name(), err)
			}
			out := want
			if commit != nil {
				out, _, err = commit(tx)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", s.Name(), err)
			}
			if out.Keep {
				continue
			}
			o.Status, res.Reason = out.Status, out.Reason
			if js, err = order.Marshal(o); err != nil {
				return err
			}
			if err := tx.Advance(o.ID, out.Status, out.Reason, store.Pack(js)); err != nil {
				return err
			}
			if order.Final(o.Status) {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	switch o.Status {
	case order.StatusRejected:
		res.Outputs = []Output{{Topic: TopicRejected}}
	case order.StatusDuplicate, order.StatusHeld:
	default:
		js, err := order.Marshal(o)
		if err != nil {
			return nil, err
		}
		if res.Outputs, err = last.Outputs(ctx, o, js, ""); err != nil {
			return nil, err
		}
	}
	return res, nil
}
