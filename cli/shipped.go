package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

// shippedCmd marks an order shipped. It is an operator's (or a warehouse
// system's) command, not a partner's: the HTTP API only knows partners'
// tokens, and shipping takes stock off the books.
func shippedCmd(e *env) *cobra.Command {
	var partner, note string
	c := &cobra.Command{
		Use:   "shipped ID_OR_PO",
		Short: "Mark a routed order shipped: its stock leaves on hand, and it can no longer be changed or cancelled",
		Long: `shipped records that the warehouses shipped a routed order, named by its id or by
its PO number (with --partner when two partners use the number). What the order
held leaves the stock (on hand and reserved both go down), its status becomes
shipped, and later cancels and changes of it are refused with that reason.

A backordered order is refused (lines still wait: change it to drop them, or
wait for them to be filled), and so is one still in the pipeline. A PO with
several routed orders (one per ship-to) is refused: name the order by its id.
Marking a shipped order again changes nothing.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			a, err := app.Open(ctx, e.cfg, e.log)
			if err != nil {
				return err
			}
			defer a.Close()
			id := args[0]
			if !strings.HasPrefix(id, order.OrderIDPrefix) {
				rows, err := a.Store.OrdersByPO(ctx, partner, id)
				if err != nil {
					return err
				}
				var live []string
				for _, r := range rows {
					if r.Status == order.StatusRouted || r.Status == order.StatusBackordered || r.Status == order.StatusShipped {
						live = append(live, fmt.Sprintf("%s (%s, %s)", r.ID, r.Partner, r.Status))
						id = r.ID
					}
				}
				switch len(live) {
				case 0:
					fmt.Fprintf(e.stderr, "no routed order with PO number %q\n", args[0])
					return problemsError{1}
				case 1:
				default:
					fmt.Fprintf(e.stderr, "PO %s has %d orders: %s; name one by its id\n", args[0], len(live), strings.Join(live, ", "))
					return problemsError{1}
				}
			}
			reason := "shipped"
			if note != "" {
				reason += ": " + note
			}
			row, err := a.Store.MarkShipped(ctx, id, reason)
			var ns *store.NotShippableError
			switch {
			case errors.As(err, &ns):
				fmt.Fprintln(e.stderr, err)
				return problemsError{1}
			case errors.Is(err, store.ErrNotFound):
				fmt.Fprintf(e.stderr, "no order %q\n", id)
				return problemsError{1}
			case err != nil:
				return err
			}
			fmt.Fprintf(e.stdout, "%s  PO %s  partner %s  status %s\n", row.ID, row.PONumber, row.Partner, row.Status)
			return nil
		},
	}
	c.Flags().StringVar(&partner, "partner", "", "the partner whose PO number it is")
	c.Flags().StringVar(&note, "note", "", "a note for the status history (a tracking number, a carrier)")
	return c
}
