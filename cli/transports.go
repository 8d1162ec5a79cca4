package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/store"
)

func transportsCmd(e *env) *cobra.Command {
	var partner string
	var asJSON bool
	c := &cobra.Command{
		Use:   "transports",
		Short: "List the partners' remote drops (FTP, FTPS, SFTP) and whether they are reachable",
		Long: `List the partners' remote drops (FTP, FTPS, SFTP) as last seen: "ok" when the last attempt
reached the server, "failing" with the error, since when, how many attempts in a row failed
and when the next one is due. Passwords are masked.

It reads the store only, so it runs beside ` + "`orderhub serve`" + `.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := store.OpenReadOnly(app.StorePath(e.cfg.Data))
			if err != nil {
				return err
			}
			defer st.Close()
			ts, err := st.Transports(cmd.Context(), partner)
			if err != nil {
				return err
			}
			if asJSON {
				for _, t := range ts {
					b, err := json.Marshal(t)
					if err != nil {
						return err
					}
					fmt.Fprintln(e.stdout, string(b))
				}
				return nil
			}
			if len(ts) == 0 {
				fmt.Fprintln(e.stderr, "no remote transports")
				return nil
			}
			writeTransports(e.stdout, ts)
			return nil
		},
	}
	c.Flags().StringVar(&partner, "partner", "", "only this partner's")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per transport instead of a table")
	return c
}
