package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/store"
)

// noteWidth is how many characters of an error (or other note) a table
// row shows; --json gives the whole text.
const noteWidth = 60

func documentsCmd(e *env) *cobra.Command {
	var f store.DocumentFilter
	var since string
	var asJSON bool
	c := &cobra.Command{
		Use:   "documents",
		Short: "List the document ledger, newest first: what came in, what was sent, and in what state",
		Long: `List the document ledger, newest first: every document a partner sent (direction in) and
every answer sent back (direction out), with its transport, size, state and, for a document
in error or a duplicate, why. States: ` + strings.Join(store.DocStates, ", ") + `.

When a partner's remote drop (FTP, FTPS, SFTP) is failing, a "transports:" section after the
list says which and why; ` + "`orderhub transports`" + ` lists them all.

It reads the store only, so it runs beside ` + "`orderhub serve`" + `.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkDocumentFlags(&f, since); err != nil {
				return err
			}
			ctx := cmd.Context()
			st, err := store.OpenReadOnly(app.StorePath(e.cfg.Data))
			if err != nil {
				return err
			}
			defer st.Close()
			docs, err := st.Documents(ctx, f)
			if err != nil {
				return err
			}
			failing, err := failingTransports(ctx, st, f.Partner)
			if err != nil {
				return err
			}
			if asJSON {
				for _, d := range docs {
					b, err := json.Marshal(d)
					if err != nil {
						return err
					}
					fmt.Fprintln(e.stdout, string(b))
				}
				if len(failing) > 0 {
					fmt.Fprintf(e.stderr, "%d remote transport(s) failing: see orderhub transports\n", len(failing))
				}
				return nil
			}
			if len(docs) == 0 {
				fmt.Fprintln(e.stderr, "no documents")
			} else {
				writeDocuments(e.stdout, docs)
			}
			if len(failing) > 0 {
				fmt.Fprintln(e.stdout, "\ntransports:")
				writeTransports(e.stdout, failing)
			}
			return nil
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.Partner, "partner", "", "only this partner's documents")
	fl.StringVar(&f.State, "state", "", "only documents in this state: "+strings.Join(store.DocStates, ", "))
	fl.StringVar(&f.Direction, "direction", "", `"in" (what partners sent) or "out" (answers sent)`)
	fl.StringVar(&f.Transport, "transport", "", "only documents that came by this transport (inbox, http, ftp, sftp, ...)")
	fl.IntVar(&f.Limit, "limit", 100, fmt.Sprintf("at most this many documents (1 to %d)", store.MaxDocuments))
	fl.StringVar(&since, "since", "", "only documents received since then: a date (2026-11-20), a time (RFC 3339) or a duration ago (24h)")
	fl.StringVar(&f.Cursor, "after", "", "the next page: only documents listed after this document id (the last one shown)")
	fl.BoolVar(&asJSON, "json", false, "print one JSON object per document instead of a table")
	return c
}

// checkDocumentFlags refuses flags the ledger cannot be listed by, before
// the store is opened, saying what is accepted.
func checkDocumentFlags(f *store.DocumentFilter, since string) error {
	if f.State != "" && !slices.Contains(store.DocStates, f.State) {
		return fmt.Errorf("--state %q: want one of %s", f.State, strings.Join(store.DocStates, ", "))
	}
	if f.Direction != "" && f.Direction != store.DirectionIn && f.Direction != store.DirectionOut {
		return fmt.Errorf("--direction %q: want %q or %q", f.Direction, store.DirectionIn, store.DirectionOut)
	}
	if f.Limit < 1 || f.Limit > store.MaxDocuments {
		return fmt.Errorf("--limit %d: want 1 to %d", f.Limit, store.MaxDocuments)
	}
	if since != "" {
		t, err := parseSince(since, time.Now())
		if err != nil {
			return err
		}
		f.Since = t
	}
	return nil
}

// parseSince reads --since: a local date, an RFC 3339 time, or a
// duration before now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.ParseInLocation(time.DateOnly, s, time.Local); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want a date (2006-01-02), a time (2006-01-02T15:04:05Z07:00) or a duration (24h)", s)
}

func writeDocuments(w io.Writer, docs []*store.Document) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RECEIVED\tID\tDIR\tPARTNER\tTRANSPORT\tNAME\tSIZE\tSTATE\tNOTE")
	for _, d := range docs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", when(d.ReceivedAt), cell(d.ID), cell(d.Direction),
			cell(d.Partner), cell(d.Transport), cell(d.Name), humanSize(d.Size), cell(d.State), shorten(noteOf(d), noteWidth))
	}
	tw.Flush()
}

// noteOf is what a document's row says beyond its columns: why it is in
// error or which document it duplicates, and where and when an answer
// went.
func noteOf(d *store.Document) string {
	var notes []string
	if d.Direction == store.DirectionOut {
		n := "not delivered yet"
		if d.DeliveredAt != nil {
			n = "delivered " + when(*d.DeliveredAt)
		}
		if d.Remote != "" {
			n = "→ " + d.Remote + ", " + n
		}
		notes = append(notes, n)
	}
	if d.DuplicateOf != "" {
		notes = append(notes, "duplicate of "+d.DuplicateOf)
	}
	if d.Error != "" {
		notes = append(notes, d.Error)
	}
	return strings.Join(notes, "; ")
}

func writeTransports(w io.Writer, ts []store.TransportState) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PARTNER\tURL\tSTATE\tFAILURES\tSINCE\tLAST OK\tNEXT TRY\tERROR")
	for _, t := range ts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", cell(t.Partner), cell(t.URL), cell(t.State), t.Failures,
			when(t.Since), when(t.LastOK), when(t.NextTry), shorten(t.Error, noteWidth))
	}
	tw.Flush()
}

// cell keeps a value on its row and in its column: control characters
// (a tab or newline in a file name) become '?', an empty value "-".
func cell(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
}

// shorten puts s on one line of at most n characters, ending in "…" when
// it was cut.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// when is a time as the tables show it, in local time; "-" for none.
func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format(time.DateTime)
}

// humanSize is a byte count for people.
func humanSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

// failingTransports is the remote transports (of partner, or all) that
// are failing.
func failingTransports(ctx context.Context, st *store.Store, partner string) ([]store.TransportState, error) {
	ts, err := st.Transports(ctx, partner)
	if err != nil {
		return nil, err
	}
	var out []store.TransportState
	for _, t := range ts {
		if t.State == store.TransportFailing {
			out = append(out, t)
		}
	}
	return out, nil
}
