package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

func releaseCmd(e *env) *cobra.Command {
	var reject bool
	var partner, note string
	c := &cobra.Command{
		Use:   "release ID_OR_PO",
		Short: "Release a held order to be routed (or --reject it), by order id or PO number",
		Long: `release takes an order the price stage held for review (a PO price outside the partner's
tolerance, a credit limit) and sends it on to routing, as if it had been priced just now; its
stock stayed reserved meanwhile. --reject cancels it instead and gives its stock back. Works
while orderhub serve runs in another process: the order goes through the shared store and bus.
A PO number must name one held order (--partner tells apart two partners' POs).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			a, err := app.Open(ctx, e.cfg, e.log)
			if err != nil {
				return err
			}
			defer a.Close()
			id, err := heldOrder(ctx, a.Store, args[0], partner)
			if err != nil {
				fmt.Fprintln(e.stderr, err)
				return problemsError{1}
			}
			o, err := a.Release(ctx, id, reject, "CLI", note)
			if errors.Is(err, store.ErrNotHeld) || errors.Is(err, store.ErrNotFound) {
				fmt.Fprintln(e.stderr, err)
				return problemsError{1}
			}
			if err != nil {
				return err
			}
			what := "released to routing"
			if reject {
				what = "rejected, its stock given back"
			}
			fmt.Fprintf(e.stdout, "%s  PO %s  partner %s  %s\n", o.ID, o.PONumber, o.Partner, what)
			return nil
		},
	}
	c.Flags().BoolVar(&reject, "reject", false, "cancel the held order instead, giving its stock back")
	c.Flags().StringVar(&partner, "partner", "", "only this partner's orders (a PO number is unique per partner)")
	c.Flags().StringVar(&note, "note", "", "why, for the status history")
	return c
}

// heldOrder resolves an order id, or a PO number naming exactly one held
// order, to the order's id.
func heldOrder(ctx context.Context, st *store.Store, arg, partner string) (string, error) {
	rows, err := ordersByIDOrPO(ctx, st, arg, partner)
	if err != nil {
		return "", err
	}
	if len(rows) == 1 && rows[0].ID == arg {
		return arg, nil // named by its id: Release says when it is not held
	}
	var held []string
	for _, r := range rows {
		if r.Status == order.StatusHeld {
			held = append(held, r.ID)
		}
	}
	switch {
	case len(rows) == 0:
		return "", fmt.Errorf("no order with id or PO number %q", arg)
	case len(held) == 0:
		return "", fmt.Errorf("no order with PO number %q is held (%s is %s)", arg, rows[len(rows)-1].ID, rows[len(rows)-1].Status)
	case len(held) > 1:
		return "", fmt.Errorf("PO number %q names %d held orders (%s): give the order id", arg, len(held), strings.Join(held, ", "))
	}
	return held[0], nil
}
