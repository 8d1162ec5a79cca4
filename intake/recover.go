package intake

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/orderhub/orderhub/store"
)

// Recover finishes the documents a crash left in the processing area. The
// ledger says how each came in; a file the crash caught before it was
// recorded is taken as an inbox file of the partner its directory names.
// Every document is finished exactly once: same ledger entry, same order
// ids, same message UUIDs.
func (in *Intake) Recover(ctx context.Context) (int, error) {
	root := in.ProcessingDir()
	dirs, err := os.ReadDir(root)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("recover: %w", err)
	}
	n := 0
	var errs []error
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(root, d.Name()))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, f := range files {
			if f.IsDir() || strings.HasSuffix(f.Name(), ".tmp") {
				continue
			}
			path := filepath.Join(root, d.Name(), f.Name())
			sub := Submission{Path: path, Partner: d.Name(), Transport: "inbox", Name: claimedName(f.Name())}
			if d.Name() == "_" {
				sub.Partner = ""
			}
			if doc, err := in.store.DocumentByPath(ctx, path); err == nil {
				sub.Partner, sub.Transport, sub.Name = doc.Partner, doc.Transport, doc.Name
				sub.IdempotencyKey = doc.IdempotencyKey
				if doc.Transport == "http" {
					sub.AllOrNothing, sub.SkipDuplicateBytes = true, true
				}
			} else if !errors.Is(err, store.ErrNotFound) {
				errs = append(errs, err)
				continue
			}
			in.log.Info("recovering document left in processing", "path", path, "partner", sub.Partner, "transport", sub.Transport)
			if _, err := in.File(ctx, sub); err != nil {
				errs = append(errs, fmt.Errorf("recover %s: %w", path, err))
				continue
			}
			n++
		}
	}
	return n, errors.Join(errs...)
}

// claimedName strips the claim stamp ProcessingPath put in front of a name.
func claimedName(name string) string {
	if i := strings.IndexByte(name, '-'); i == len("20060102T150405.000000000") {
		return name[i+1:]
	}
	return name
}
