package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/masterdata"
)

func loadCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "load catalog|stock|prices|partners|crosswalk FILE.csv...",
		Short: "Load master data from CSV files (one transaction per file; loading a file twice changes nothing)",
		Long: `load reads master data from CSV files with a header row:

  catalog    sku,gtin,description,uom,pack_size,moq,category   (optional: weight_kg,status)
  stock      warehouse,sku,on_hand   (optional: safety_stock)
  prices     price_list,sku,currency,unit_price,min_qty,valid_from,valid_to
  partners   partner,name,tier,price_list,token
  crosswalk  partner,kind,value,sku   (kind: buyer_item or gtin)

status is active (also when empty) or discontinued (kept, no longer sold).
safety_stock is what a warehouse keeps back and never promises (empty: none; at
most 4 decimal places, like on_hand): what can be allocated is on hand less
reserved less safety stock. A file without the status or safety_stock column
keeps what is stored for its rows (new rows: active, no safety stock).

A file with any bad row is refused whole, with every problem as file:line: column: problem.
A running 'orderhub serve' sees the change at once.`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind := args[0]
			a, err := app.Open(cmd.Context(), e.cfg, e.log)
			if err != nil {
				return err
			}
			defer a.Close()
			bad := 0
			for _, path := range args[1:] {
				res, err := masterdata.Load(cmd.Context(), a.Store, kind, path)
				if err != nil {
					var fe *masterdata.FileError
					if errors.As(err, &fe) {
						fmt.Fprintln(e.stderr, strings.TrimRight(err.Error(), "\n"))
						bad++
						continue
					}
					return err
				}
				fmt.Fprintf(e.stdout, "%s: %s: %d row(s): %d inserted, %d updated, %d unchanged\n",
					path, res.Kind, res.Rows, res.Inserted, res.Updated, res.Unchanged)
			}
			if bad > 0 {
				return problemsError{bad}
			}
			return nil
		},
	}
}
