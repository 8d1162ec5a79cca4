package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/pipeline"
)

func validateCmd(e *env) *cobra.Command {
	var partner string
	c := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Translate files, then dry-run stock, pricing and routing against the store; changes nothing",
		Long: `validate reads each file like translate, then runs every order through the pipeline's
stages (normalize, validate, dedupe, stock, price, route) inside a transaction that is
rolled back: it prints each order as it would come out, with its allocations, pricing and
route (each warehouse's carrier, service level and ship date, by the rules in force and
the clock now), or its problems, and says on stderr where each would go and when it would
ship. Nothing is stored, reserved or published. Exit 1 when any order would be rejected.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			a, err := app.Open(ctx, e.cfg, e.log)
			if err != nil {
				return err
			}
			defer a.Close()
			enc := json.NewEncoder(e.stdout)
			// The stages run as serve's would: the profiles' crosswalks,
			// the rules and the partners' policies.
			cfg := pipeline.Config{
				Items:    mappings.WithProfiles(pipeline.ItemLookup(a.Store), a.Profiles),
				Rules:    a.Rules,
				Policies: a.Profiles,
			}
			rejected, n := 0, 0
			problems, err := readFiles(ctx, args, partner, a.Profiles, func(o *order.Order) error {
				o.ID = order.OrderID("validate", time.Now(), n)
				n++
				res, err := pipeline.DryRunWith(ctx, a.Store, cfg, o)
				if err != nil {
					return err
				}
				if res.Order.Status == order.StatusRejected || res.Order.Status == order.StatusDuplicate {
					rejected++
				}
				var topics []string
				for _, out := range res.Outputs {
					topics = append(topics, out.Topic)
				}
				fmt.Fprintf(e.stderr, "PO %s: would be %s", res.Order.PONumber, res.Order.Status)
				if len(topics) > 0 {
					fmt.Fprintf(e.stderr, " → %s", strings.Join(topics, ", "))
				}
				if res.Reason != "" {
					fmt.Fprintf(e.stderr, " (%s)", res.Reason)
				}
				if s := shipsText(res.Order); s != "" {
					fmt.Fprintf(e.stderr, "; %s", s)
				}
				fmt.Fprintln(e.stderr)
				return enc.Encode(res.Order)
			}, e.stderr)
			if err != nil {
				return err
			}
			if problems+rejected > 0 {
				return problemsError{problems + rejected}
			}
			return nil
		},
	}
	c.Flags().StringVar(&partner, "partner", "", "the partner the files are from, when the format does not say")
	return c
}

// shipsText says when and how each warehouse's part of a routed order
// would ship: "WH-EAST ships 2026-11-24 by UPS ground (carrier rule
// parcel)".
func shipsText(o *order.Order) string {
	routes := o.Routes
	if len(routes) == 0 && o.Route != nil {
		routes = []order.Route{*o.Route}
	}
	parts := make([]string, 0, len(routes))
	for _, r := range routes {
		s := r.Warehouse + " ships " + r.ShipDate
		if r.Carrier != "" {
			s += fmt.Sprintf(" by %s %s (carrier rule %s)", r.Carrier, r.Service, r.CarrierRule)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}
