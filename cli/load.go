package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/internal/strictyaml"
	"github.com/orderhub/orderhub/masterdata"
	"github.com/orderhub/orderhub/rules"
)

func loadCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "load catalog|stock|prices|partners|crosswalk|contracts FILE.csv... | load rules FILE.yaml",
		Short: "Load master data from CSV files (one transaction per file; loading a file twice changes nothing), or the business rules",
		Long: `load reads master data from CSV files with a header row:

  catalog    sku,gtin,description,uom,pack_size,moq,category   (optional: weight_kg,status,volume_m3)
  stock      warehouse,sku,on_hand   (optional: safety_stock)
  prices     price_list,sku,currency,unit_price,min_qty,valid_from,valid_to
  partners   partner,name,tier,price_list,token
  crosswalk  partner,kind,value,sku   (kind: buyer_item or gtin)
  contracts  partner,sku,currency,unit_price,valid_from,valid_to   (optional: min_qty)

status is active (also when empty) or discontinued (kept, no longer sold).
safety_stock is what a warehouse keeps back and never promises (empty: none; at
most 4 decimal places, like on_hand): what can be allocated is on hand less
reserved less safety stock. A file without the status or safety_stock column
keeps what is stored for its rows (new rows: active, no safety stock).

A file with any bad row is refused whole, with every problem as file:line: column: problem.
A running 'orderhub serve' sees the change at once.

  rules      FILE.yaml: warehouses' regions and priorities, stock shares protected for
             higher tiers, restrictions (see the README's business rules section)

The rules file is checked whole (every problem as file:line: path: problem) and, when
it reads, becomes <data>/rules.yaml; a running 'orderhub serve' follows it within a second.`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind := args[0]
			if kind == "rules" {
				return loadRules(e, args[1:])
			}
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

// loadRules installs the business rules file: one file, the last given
// wins, so more than one is refused.
func loadRules(e *env, paths []string) error {
	if len(paths) != 1 {
		return fmt.Errorf("load rules takes one file (the rules are one document), got %d", len(paths))
	}
	if err := os.MkdirAll(e.cfg.Data, 0o755); err != nil {
		return err
	}
	set, err := rules.Install(paths[0], e.cfg.Data)
	if err != nil {
		var se *strictyaml.Error
		if errors.As(err, &se) {
			fmt.Fprintln(e.stderr, strings.TrimRight(err.Error(), "\n"))
			return problemsError{1}
		}
		return err
	}
	fmt.Fprintf(e.stdout, "%s: rules: %d warehouse(s), %d protection(s), %d restriction(s); in force as %s\n",
		paths[0], len(set.Warehouses), len(set.Protections), len(set.Restrictions), filepath.Join(e.cfg.Data, rules.FileName))
	return nil
}
