package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

func statusCmd(e *env) *cobra.Command {
	var asJSON bool
	var partner string
	c := &cobra.Command{
		Use:   "status PO_OR_ID",
		Short: "Show the status history of an order, by order id or PO number",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, err := store.OpenReadOnly(app.StorePath(e.cfg.Data))
			if err != nil {
				return err
			}
			defer st.Close()
			rows, err := ordersByIDOrPO(ctx, st, args[0], partner)
			if err != nil {
				return err
			}
			if len(rows) == 0 {
				fmt.Fprintf(e.stderr, "no order with id or PO number %q\n", args[0])
				return problemsError{1}
			}
			for _, r := range rows {
				ev, err := st.Events(ctx, r.ID)
				if err != nil {
					return err
				}
				if asJSON {
					out := struct {
						ID         string        `json:"id"`
						Partner    string        `json:"partner"`
						PONumber   string        `json:"po_number"`
						Status     string        `json:"status"`
						DocumentID string        `json:"document_id"`
						History    []store.Event `json:"history"`
					}{r.ID, r.Partner, r.PONumber, r.Status, r.DocumentID, ev}
					b, _ := json.Marshal(out)
					fmt.Fprintln(e.stdout, string(b))
					continue
				}
				fmt.Fprintf(e.stdout, "%s  PO %s  partner %s  status %s\n", r.ID, r.PONumber, r.Partner, r.Status)
				tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
				for _, v := range ev {
					fmt.Fprintf(tw, "  %s\t%s\t%s\n", v.At.Local().Format(time.DateTime), v.Status, v.Reason)
				}
				tw.Flush()
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON lines instead of a table")
	c.Flags().StringVar(&partner, "partner", "", "only this partner's orders (a PO number is unique per partner)")
	return c
}

// ordersByIDOrPO resolves an ID_OR_PO argument: the order with id arg when
// arg is an order id of one, else the orders with PO number arg (only
// partner's when it is given), oldest first.
func ordersByIDOrPO(ctx context.Context, st *store.Store, arg, partner string) ([]*store.OrderRow, error) {
	if strings.HasPrefix(arg, order.OrderIDPrefix) {
		r, err := st.Order(ctx, arg)
		if err == nil {
			return []*store.OrderRow{r}, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	return st.OrdersByPO(ctx, partner, arg)
}
