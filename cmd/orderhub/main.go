// Command orderhub is the order-ingestion hub: see the README, or run
// `orderhub help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/orderhub/orderhub/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
