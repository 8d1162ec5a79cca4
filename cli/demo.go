package cli

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/masterdata"
	"github.com/orderhub/orderhub/rules"
)

// demoFS holds the demo's master data, partner profiles and sample orders.
// Sample order files are named PARTNER-NAME: they are dropped in
// inbox/PARTNER/NAME.
//
//go:embed demo/*.csv demo/*.json demo/*.ndjson demo/*.x12 demo/*.edi demo/profiles/*.yaml demo/rules.yaml
var demoFS embed.FS

// demoOperatorToken admits the demo's operator calls when orderhub.yaml
// and the environment give none.
const demoOperatorToken = "demo-operator-token-0001"

// demoTokens are the demo partners' bearer tokens, fixed so the README's
// commands can be pasted as they are.
var demoTokens = [][2]string{
	{"BIGRETAIL", "demo-bigretail-token-0001"},
	{"FRESHMART", "demo-freshmart-token-0002"},
	{"CORNERSHOP", "demo-cornershop-token-0003"},
}

func demoCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Seed a demo catalog, stock, price lists and partners, drop sample orders in the inbox, then serve",
		Long: `demo loads two warehouses, twenty SKUs, three partners of different tiers with their price
lists, prints the partners' tokens and commands to try, drops sample orders into the inbox
so routed orders appear at once, and then serves like 'orderhub serve'. Running it again
changes no master data, and the same sample files come back as duplicates.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if e.cfg.OperatorToken() == "" {
				// The demo's operator calls (PUT /v1/inventory) need a
				// token; a real deployment sets its own.
				e.cfg.HTTP.OperatorToken = demoOperatorToken
			}
			a, err := app.Open(ctx, e.cfg, e.log)
			if err != nil {
				return err
			}
			defer a.Close()
			if err := a.Lock(); err != nil {
				return err
			}
			for _, kind := range []string{"catalog", "stock", "prices", "partners"} {
				b, err := demoFS.ReadFile("demo/" + kind + ".csv")
				if err != nil {
					return err
				}
				res, err := masterdata.LoadReader(ctx, a.Store, kind, kind+".csv", bytes.NewReader(b))
				if err != nil {
					return fmt.Errorf("demo %s: %w", kind, err)
				}
				fmt.Fprintf(e.stdout, "loaded %-8s %3d row(s): %d inserted, %d updated, %d unchanged\n",
					kind, res.Rows, res.Inserted, res.Updated, res.Unchanged)
			}
			if err := writeProfiles(a.Cfg.ProfilesDir()); err != nil {
				return err
			}
			if err := writeOnce(filepath.Join(a.Cfg.Data, rules.FileName), "demo/rules.yaml"); err != nil {
				return err
			}
			dropped, err := dropSamples(a.Cfg.InboxDir())
			if err != nil {
				return err
			}
			printDemoHelp(e, dropped)
			return a.Serve(ctx, nil)
		},
	}
}

// writeProfiles writes the demo partners' profiles (how BIGRETAIL's X12
// says who it is, which answers it wants) where none exists yet: an
// operator's own edits are kept. The server reloads them on change.
func writeProfiles(dir string) error {
	entries, err := demoFS.ReadDir("demo/profiles")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, en := range entries {
		if err := writeOnce(filepath.Join(dir, en.Name()), "demo/profiles/"+en.Name()); err != nil {
			return err
		}
	}
	return nil
}

// writeOnce writes the demo file name at path unless something is there
// already: an operator's own edits are kept.
func writeOnce(path, name string) error {
	b, err := demoFS.ReadFile(name)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// dropSamples writes the sample orders into the inbox the way an uploader
// should: under a dot-name first, renamed when complete.
func dropSamples(inbox string) ([]string, error) {
	entries, err := demoFS.ReadDir("demo")
	if err != nil {
		return nil, err
	}
	var dropped []string
	for _, en := range entries {
		// Master data files (catalog.csv …) are loaded, not dropped;
		// samples are named PARTNER-NAME.
		if en.IsDir() || (strings.HasSuffix(en.Name(), ".csv") && !strings.Contains(en.Name(), "-")) {
			continue
		}
		partner, name, ok := strings.Cut(en.Name(), "-")
		if !ok {
			continue
		}
		b, err := demoFS.ReadFile("demo/" + en.Name())
		if err != nil {
			return nil, err
		}
		dir := filepath.Join(inbox, partner)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		tmp := filepath.Join(dir, "."+name)
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			return nil, err
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			return nil, err
		}
		dropped = append(dropped, filepath.Join(dir, name))
	}
	return dropped, nil
}

func printDemoHelp(e *env, dropped []string) {
	addr := e.cfg.HTTP.Addr
	host := addr
	if strings.HasPrefix(addr, ":") {
		host = "localhost" + addr
	}
	w := e.stdout
	fmt.Fprintf(w, "\nDemo partners and their tokens:\n")
	for _, t := range demoTokens {
		fmt.Fprintf(w, "  %-11s %s\n", t[0], t[1])
	}
	fmt.Fprintf(w, "\nSample orders dropped in the inbox (they flow through the pipeline in a few seconds):\n")
	for _, d := range dropped {
		fmt.Fprintf(w, "  %s\n", d)
	}
	fmt.Fprintf(w, `
Try, in another terminal:

  # 1. post an order as BIGRETAIL
  curl -s -X POST http://%[1]s/v1/orders -H 'Authorization: Bearer %[2]s' -H 'Content-Type: application/json' \
    -d '{"po_number":"CURL-1","order_date":"2026-11-20","lines":[{"line_no":"1","sku":"BEV-1001","quantity":"48","uom":"EA"}]}'

  # 2. see it routed, priced, with its status history
  curl -s 'http://%[1]s/v1/orders?po=CURL-1' -H 'Authorization: Bearer %[2]s'

  # 3. post a bad order: 400 with every problem and where it is
  curl -s -X POST http://%[1]s/v1/orders -H 'Authorization: Bearer %[2]s' -H 'Content-Type: application/json' \
    -d '{"po_number":"","lines":[{"line_no":"1","sku":"BEV-1001","quantity":"-3"}]}'

  # 4. as the operator, set stock (backordered orders waiting for it are filled, key accounts first)
  curl -s -X PUT http://%[1]s/v1/inventory -H 'Authorization: Bearer %[4]s' -H 'Content-Type: application/json' \
    -d '[{"warehouse":"WH-EAST","sku":"BEV-1001","on_hand":"2500"}]'

And see what warehouse WH-EAST received:

  ./bin/orderhub consume fulfilment.WH-EAST --data %[3]s

BIGRETAIL also sent an X12 850 (PO BR-2001, split by SDQ into one order per
store); its 997 and an 855 per store order are in %[3]s/outbox/BIGRETAIL/:

  ls %[3]s/outbox/BIGRETAIL/

FRESHMART sent a spreadsheet (bestelling.csv) with one bad cell: FM-2101 went through, FM-2102
was refused, and FRESHMART got its sheet back with the cell marked:

  %[3]s/outbox/FRESHMART/bestelling.errors.xlsx

Distributors can upload sheets at http://%[1]s/upload (token above).

Stop with Ctrl-C.

`, host, demoTokens[0][1], e.cfg.Data, e.cfg.OperatorToken())
}
