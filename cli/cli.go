// Package cli is orderhub's command line: one file per command, each a thin
// layer over app and the packages it wires. Commands print results on
// stdout and diagnostics on stderr, and exit 0 on success, 1 when the input
// had problems, 2 when the command could not run.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/config"
)

// Exit codes.
const (
	exitOK       = 0
	exitProblems = 1
	exitFailed   = 2
)

// problemsError makes a command exit 1 after it has reported the problems.
type problemsError struct{ n int }

func (e problemsError) Error() string { return fmt.Sprintf("%d problem(s)", e.n) }

// env is what every command gets: resolved config, logger, streams.
type env struct {
	flags struct {
		data, http, config, logLevel string
	}
	stdin          io.Reader
	stdout, stderr io.Writer
	cfg            config.Config
	log            *slog.Logger
}

// Main runs the command line and returns the exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app.TuneRuntime()
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "orderhub",
		Short: "orderhub turns partners' purchase orders (X12, EDIFACT, sheets, JSON) into one canonical order, checks stock, prices and routes it",
		Long: `orderhub pulls purchase orders in from an inbox directory and HTTP, turns each into one
canonical order, checks stock, prices it and routes it to fulfilment and logistics topics.

With no configuration it keeps everything under ./data: a SQLite store, a durable embedded
message bus, the inbox (./data/inbox/<partner>/) and the archive.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return e.setup(cmd)
		},
	}
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	pf := root.PersistentFlags()
	pf.StringVar(&e.flags.data, "data", "", `data directory (default "./data", or data: in the config)`)
	pf.StringVar(&e.flags.http, "http", "", `HTTP listen address (default ":8080", or http.addr: in the config)`)
	pf.StringVar(&e.flags.config, "config", "", "config file (default ./orderhub.yaml when it exists)")
	pf.StringVar(&e.flags.logLevel, "log-level", "", "debug, info, warn or error (default info)")

	root.AddCommand(
		serveCmd(e), demoCmd(e), translateCmd(e), validateCmd(e), ingestCmd(e),
		statusCmd(e), consumeCmd(e), loadCmd(e), replayCmd(e),
		releaseCmd(e),
		shippedCmd(e),
		pullCmd(e), documentsCmd(e), transportsCmd(e), trustHostCmd(e),
	)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var pe problemsError
	if errors.As(err, &pe) {
		return exitProblems
	}
	fmt.Fprintln(stderr, "orderhub:", err)
	if strings.Contains(err.Error(), "unknown command") || strings.Contains(err.Error(), "unknown flag") ||
		strings.Contains(err.Error(), "accepts ") || strings.Contains(err.Error(), "requires at least") {
		fmt.Fprintln(stderr, "Run 'orderhub help' for usage.")
	}
	return exitFailed
}

// setup resolves the config: the file named by --config, else ./orderhub.yaml
// when present, else the defaults; then the flags, which win.
func (e *env) setup(cmd *cobra.Command) error {
	path := e.flags.config
	if path == "" {
		if _, err := os.Stat("orderhub.yaml"); err == nil {
			path = "orderhub.yaml"
		}
	}
	cfg := config.Default()
	if path != "" {
		var err error
		if cfg, err = config.Load(path); err != nil {
			return err
		}
	}
	if e.flags.data != "" {
		cfg.Data = e.flags.data
	}
	if e.flags.http != "" {
		cfg.HTTP.Addr = e.flags.http
	}
	if e.flags.logLevel != "" {
		cfg.Log.Level = e.flags.logLevel
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	e.cfg = cfg
	e.log = newLogger(cfg.Log, e.stderr)
	return nil
}

func newLogger(c config.Log, w io.Writer) *slog.Logger {
	var lvl slog.Level
	switch c.Level {
	case "debug":
		lvl = slog.LevelDebug
	case "warn":
		lvl = slog.LevelWarn
	case "error":
		lvl = slog.LevelError
	default:
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
