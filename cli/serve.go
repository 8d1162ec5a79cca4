package cli

import (
	"github.com/spf13/cobra"

	"github.com/orderhub/orderhub/app"
)

func serveCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the pipeline, the inbox and the HTTP API until interrupted",
		Long: `serve runs everything from orderhub.yaml if present, else the embedded default: a SQLite
store and durable bus under --data, the inbox under <data>/inbox/<partner>/, HTTP on --http.
Stop it with Ctrl-C or SIGTERM: requests in flight finish, nothing is lost.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := app.Open(cmd.Context(), e.cfg, e.log)
			if err != nil {
				return err
			}
			defer a.Close()
			return a.Serve(cmd.Context(), nil)
		},
	}
}
