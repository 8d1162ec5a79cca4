package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/orderhub/orderhub/adapters/drop"
	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/store"
)

func pullCmd(e *env) *cobra.Command {
	var partner string
	var settle time.Duration
	c := &cobra.Command{
		Use:   "pull URL",
		Short: "Pull a partner's FTP, FTPS or SFTP drop once, by hand, and print what was found and done",
		Long: `pull looks at a partner's remote drop once, as orderhub serve does every poll, and prints
each file it found and what became of it. URL is the remote's url: in the partner's profile
(ftp://, ftps:// or sftp://user@host:port), optionally with a path that replaces the profile's
inbound directory; --partner picks the profile when several share a server.

A file is taken when it was last modified at least min_age ago, or when a second look,
--settle later, finds it unchanged. The documents pulled go to the ledger and the pipeline as
if orderhub serve had pulled them: a running serve (or the next one) processes their orders.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return pull(cmd.Context(), e, args[0], partner, settle)
		},
	}
	c.Flags().StringVar(&partner, "partner", "", "the partner whose profile to use (default: the one whose remote url matches)")
	c.Flags().DurationVar(&settle, "settle", 2*time.Second, "time between the two looks that tell a finished file from one still being written")
	return c
}

// remoteFor finds the profile whose remote the URL names: same scheme,
// host, port and user.
func remoteFor(profiles *mappings.Profiles, raw, partner string) (string, *mappings.Remote, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", nil, fmt.Errorf("want a URL such as sftp://user@host:22/path, got %q", raw)
	}
	same := func(r *mappings.Remote) bool {
		ru := r.ParsedURL()
		return ru != nil && ru.Scheme == u.Scheme && strings.EqualFold(ru.Host, u.Host) &&
			(u.User == nil || ru.User.Username() == u.User.Username())
	}
	remotes := profiles.Remotes()
	var ids []string
	for id, r := range remotes {
		if (partner == "" || id == partner) && same(r) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	switch {
	case len(ids) == 0 && partner != "":
		return "", nil, fmt.Errorf("partner %s has no remote at %s in its profile (profiles: %s)", partner, u.Redacted(), profiles.Dir())
	case len(ids) == 0:
		return "", nil, fmt.Errorf("no partner profile has a remote at %s (profiles: %s); add remote: to the partner's profile", u.Redacted(), profiles.Dir())
	case len(ids) > 1:
		return "", nil, fmt.Errorf("partners %s all pull from %s: say which with --partner", strings.Join(ids, ", "), u.Redacted())
	}
	r := *remotes[ids[0]]
	if p := u.Path; p != "" && p != "/" {
		if r.Claims() && r.Claim == path.Join(r.Inbound, ".orderhub") {
			r.Claim = path.Join(p, ".orderhub")
		}
		r.Inbound = p
	}
	if r.Inbound == "" {
		return "", nil, fmt.Errorf("partner %s's remote has no inbound directory: give one in the URL's path", ids[0])
	}
	return ids[0], &r, nil
}

func pull(ctx context.Context, e *env, raw, partner string, settle time.Duration) error {
	a, err := app.Open(ctx, e.cfg, e.log)
	if err != nil {
		return err
	}
	defer a.Close()
	id, r, err := remoteFor(a.Profiles, raw, partner)
	if err != nil {
		return err
	}
	svc := a.Remotes()
	svc.Instance += drop.HandSuffix
	p, err := svc.Puller(id, r)
	if err != nil {
		return err
	}
	p.Outbox = "" // answers are the serve's to deliver
	defer p.Close()
	fmt.Fprintf(e.stdout, "pulling %s%s for %s (glob %s, after pull: %s)\n", p.Endpoint.Redacted(), r.Inbound, id, r.Glob, r.AfterPull)

	last := map[string]drop.Action{}
	var order []string
	record := func(rep *drop.Report) {
		for _, a := range rep.Actions {
			if _, ok := last[a.Path]; !ok {
				order = append(order, a.Path)
			}
			last[a.Path] = a
		}
	}
	rep, err := p.Poll(ctx)
	record(rep)
	if err != nil {
		return fmt.Errorf("%s: %w", p.Endpoint.Redacted(), err)
	}
	if waiting(rep) && settle > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(settle):
		}
		rep, err = p.Poll(ctx)
		record(rep)
		if err != nil {
			return fmt.Errorf("%s: %w", p.Endpoint.Redacted(), err)
		}
	}

	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	counts := map[string]int{}
	for _, path := range order {
		act := last[path]
		counts[act.Did]++
		what := act.Did
		switch {
		case act.Document != "":
			what += "  " + act.Document + docSummary(ctx, a.Store, act.Document)
		case act.Err != nil:
			what += "  " + act.Err.Error()
		case act.Note != "":
			what += "  (" + act.Note + ")"
		}
		fmt.Fprintf(tw, "  %s\t%d bytes\t%s\n", path, act.Size, what)
	}
	tw.Flush()
	if len(order) == 0 {
		fmt.Fprintln(e.stdout, "  nothing there")
	}
	var parts []string
	for _, k := range []string{"pulled", "duplicate", "error", "known", "waiting", "skipped", "gone", "failed"} {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintln(e.stdout, strings.Join(parts, ", "))
	}
	if !app.Served(e.cfg.Data) && counts["pulled"] > 0 {
		fmt.Fprintln(e.stderr, "no orderhub serve runs on", e.cfg.Data+": the orders pulled wait on the bus for the next one")
	}
	if n := counts["failed"] + counts["error"]; n > 0 {
		return problemsError{n}
	}
	return nil
}

func waiting(r *drop.Report) bool {
	for _, a := range r.Actions {
		if a.Did == "waiting" {
			return true
		}
	}
	return false
}

// docSummary is a pulled document's state in the ledger, for the report.
func docSummary(ctx context.Context, st *store.Store, id string) string {
	d, err := st.Document(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err != nil {
		return ""
	}
	s := fmt.Sprintf(" %s, %d order(s)", d.State, d.Orders)
	if d.Rejected > 0 {
		s += fmt.Sprintf(", %d rejected", d.Rejected)
	}
	if d.DuplicateOf != "" {
		s += ", duplicate of " + d.DuplicateOf
	}
	return s
}
