package cli

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/pipeline"
	"github.com/orderhub/orderhub/store"
)

func translateCmd(e *env) *cobra.Command {
	var partner string
	c := &cobra.Command{
		Use:   "translate FILE...",
		Short: "Print the canonical orders in each file as JSON lines (no side effects)",
		Long: `translate detects each file's format by its content, reads it and prints every order it
holds as one canonical JSON line on stdout. SKUs are resolved through the catalog and
crosswalk in --data when there is a store there; nothing is written anywhere.

A refused part (an NDJSON line, an X12 transaction set) rejects only itself: its good
neighbours are still printed, each refusal is reported on stderr with its place, and the
exit code is 1.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			items := openItems(e)
			defer items.close()
			profiles := loadProfiles(e)
			lookup := mappings.WithProfiles(items.lookup, profiles)
			// Orders are tidied, resolved and encoded in parallel, and
			// written in order into one buffered writer.
			out := bufio.NewWriterSize(e.stdout, 256<<10)
			enc := newOrderedEncoder(out, runtime.GOMAXPROCS(0), func(o *order.Order, line []byte) ([]byte, error) {
				pipeline.Tidy(o)
				if _, err := mappings.ResolveItems(cmd.Context(), lookup, o); err != nil {
					return nil, err
				}
				return append(o.AppendJSON(line), '\n'), nil
			})
			problems, err := readFiles(cmd.Context(), args, partner, profiles, enc.add, e.stderr)
			if cerr := enc.close(); err == nil {
				err = cerr
			}
			if ferr := out.Flush(); err == nil {
				err = ferr
			}
			if err != nil {
				return err
			}
			if problems > 0 {
				return problemsError{problems}
			}
			return nil
		},
	}
	c.Flags().StringVar(&partner, "partner", "", "the partner the files are from, when the format does not say")
	return c
}

// items is the catalog lookup of an existing store, opened read-only, or
// none.
type items struct {
	st     *store.Store
	lookup mappings.ItemLookup
}

func openItems(e *env) items {
	path := app.StorePath(e.cfg.Data)
	if _, err := os.Stat(path); err != nil {
		return items{}
	}
	st, err := store.OpenReadOnly(path)
	if err != nil {
		e.log.Warn("store not usable for SKU lookups", "path", path, "error", err)
		return items{}
	}
	return items{st: st, lookup: pipeline.ItemLookup(st)}
}

// loadProfiles reads the partner profiles under --data, which tell X12
// senders apart and hold their item crosswalks; none when there are none.
func loadProfiles(e *env) *mappings.Profiles {
	p, err := mappings.LoadProfiles(e.cfg.ProfilesDir())
	if err != nil {
		e.log.Warn("partner profiles", "dir", e.cfg.ProfilesDir(), "error", err)
	}
	return p
}

func (i items) close() {
	if i.st != nil {
		i.st.Close()
	}
}

// readFiles reads every order of every file, calling fn for each and
// reporting every refused part on w. It returns how many problems it
// reported; err is for fn failing.
func readFiles(ctx context.Context, paths []string, partner string, profiles *mappings.Profiles, fn func(*order.Order) error, w io.Writer) (int, error) {
	formats := app.Formats(profiles, nil, nil)
	problems := 0
	for _, path := range paths {
		n, err := readFile(ctx, formats, path, partner, fn, w)
		problems += n
		if err != nil {
			return problems, err
		}
	}
	return problems, nil
}

func readFile(ctx context.Context, formats format.Set, path, partner string, fn func(*order.Order) error, w io.Writer) (int, error) {
	sum, err := fileSHA(path)
	if err != nil {
		fmt.Fprintf(w, "%s: %v\n", path, err)
		return 1, nil
	}
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(w, "%s: %v\n", path, err)
		return 1, nil
	}
	defer f.Close()
	fm, r, err := formats.Open(f)
	if err != nil {
		fmt.Fprintf(w, "%s: %v\n", path, err)
		return 1, nil
	}
	doc := format.Doc{Name: filepath.Base(path), Partner: partner, Transport: "file", SHA256: sum}
	if st, err := f.Stat(); err == nil {
		doc.Size = st.Size()
	}
	problems, orders := 0, 0
	for o, err := range fm.Read(ctx, r, doc) {
		if err != nil {
			fmt.Fprintf(w, "%s\n", locate(path, err))
			problems++
			continue
		}
		orders++
		if err := fn(o); err != nil {
			return problems, err
		}
	}
	if orders == 0 && problems == 0 {
		fmt.Fprintf(w, "%s: no orders in the document\n", path)
		problems++
	}
	return problems, nil
}

// locate makes sure an error names the file, whatever the format put first.
func locate(path string, err error) string {
	msg := err.Error()
	base := filepath.Base(path)
	if len(msg) >= len(base) && msg[:len(base)] == base {
		return filepath.Dir(path) + string(filepath.Separator) + msg
	}
	return path + ": " + msg
}

func fileSHA(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if st.IsDir() {
		return "", errors.New("is a directory")
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
