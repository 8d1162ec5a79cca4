package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/intake"
	"github.com/orderhub/orderhub/order"
)

func ingestCmd(e *env) *cobra.Command {
	var partner string
	var wait time.Duration
	c := &cobra.Command{
		Use:   "ingest FILE...",
		Short: "Submit files to the pipeline and wait for their orders, with a progress bar",
		Long: `ingest takes files in as the inbox would (ledger, archive, error report) without moving
your copies, then waits until every order in them has reached a final status (routed,
backordered, rejected, duplicate). When 'orderhub serve' runs on the same --data, the files
go to its pipeline; otherwise ingest runs the pipeline itself until it is done.
Exit 1 when a document had problems or an order was rejected.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return ingest(cmd.Context(), e, args, partner, wait)
		},
	}
	c.Flags().StringVar(&partner, "partner", "", "the partner the files are from (as an inbox directory would say)")
	c.Flags().DurationVar(&wait, "timeout", 10*time.Minute, "give up waiting for final statuses after this long")
	return c
}

func ingest(ctx context.Context, e *env, files []string, partner string, timeout time.Duration) error {
	a, err := app.Open(ctx, e.cfg, e.log)
	if err != nil {
		return err
	}
	defer a.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var g errgroup.Group
	if !app.Served(e.cfg.Data) {
		p, err := a.NewPipeline()
		if err != nil {
			return err
		}
		if err := a.Lock(); err != nil {
			return err
		}
		g.Go(func() error { return p.Run(ctx) })
		defer func() {
			cancel()
			p.Close()
			g.Wait()
		}()
		select {
		case <-p.Running():
		case <-ctx.Done():
			return ctx.Err()
		}
	} else {
		fmt.Fprintf(e.stderr, "orderhub serve is running on %s: submitting to it\n", e.cfg.Data)
	}

	var ids []string
	problems := 0
	for _, f := range files {
		rc, err := submit(ctx, a, f, partner)
		if err != nil {
			return err
		}
		for _, o := range rc.Orders {
			ids = append(ids, o.ID)
		}
		d := rc.Document
		switch {
		case d.State == "duplicate":
			fmt.Fprintf(e.stderr, "%s: duplicate of %s, not processed again\n", f, d.DuplicateOf)
		case len(rc.Problems) > 0:
			problems += len(rc.Problems)
			for _, p := range rc.Problems {
				fmt.Fprintf(e.stderr, "%s: %s\n", f, p)
			}
		}
	}

	final, err := waitFinal(ctx, e, a, ids, timeout)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d file(s), %d order(s): %s\n", len(files), len(ids), summary(final))
	if problems > 0 || final[order.StatusRejected] > 0 {
		return problemsError{problems + final[order.StatusRejected]}
	}
	return nil
}

// submit copies a file into the processing area (the user's file stays
// where it is) and hands it to intake.
func submit(ctx context.Context, a *app.App, path, partner string) (*intake.Receipt, error) {
	name := filepath.Base(path)
	dest := a.Intake.ProcessingPath(partner, name)
	if err := copyFile(path, dest); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a.Intake.File(ctx, intake.Submission{Path: dest, Name: name, Partner: partner, Transport: "cli"})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// waitFinal polls the store until every order is in a final status,
// drawing a progress bar on stderr.
func waitFinal(ctx context.Context, e *env, a *app.App, ids []string, timeout time.Duration) (map[string]int, error) {
	if len(ids) == 0 {
		return map[string]int{}, nil
	}
	deadline := time.Now().Add(timeout)
	tty := isTerminal(e.stderr)
	lastPrint := time.Time{}
	for {
		counts, err := a.Store.StatusCounts(ctx, ids)
		if err != nil {
			return nil, err
		}
		done := 0
		for st, n := range counts {
			if order.Final(st) {
				done += n
			}
		}
		if tty || time.Since(lastPrint) > 2*time.Second || done == len(ids) {
			fmt.Fprint(e.stderr, progress(done, len(ids), counts, tty))
			lastPrint = time.Now()
		}
		if done == len(ids) {
			return counts, nil
		}
		if time.Now().After(deadline) {
			return counts, fmt.Errorf("%d of %d order(s) not final after %s", len(ids)-done, len(ids), timeout)
		}
		select {
		case <-ctx.Done():
			return counts, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func progress(done, total int, counts map[string]int, tty bool) string {
	const width = 30
	fill := width
	if total > 0 {
		fill = done * width / total
	}
	bar := strings.Repeat("#", fill) + strings.Repeat("-", width-fill)
	s := fmt.Sprintf("ingest [%s] %d/%d final (%s)", bar, done, total, summary(counts))
	if tty {
		end := ""
		if done == total {
			end = "\n"
		}
		return "\r" + s + "\033[K" + end
	}
	return s + "\n"
}

func summary(counts map[string]int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, counts[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
