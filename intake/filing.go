package intake

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/orderhub/orderhub/store"
)

// maxReportProblems caps the ledger's error text; the report file beside the
// document has them all.
const maxReportProblems = 50

// fail files a document with problems in error/ with its report.
func (in *Intake) fail(ctx context.Context, doc *store.Document, sub Submission, rc *Receipt) error {
	doc.State = store.DocError
	lines := make([]string, 0, len(rc.Problems))
	for i, p := range rc.Problems {
		if i == maxReportProblems {
			lines = append(lines, fmt.Sprintf("... and %d more (see the .error.txt report)", len(rc.Problems)-i))
			break
		}
		lines = append(lines, p.String())
	}
	doc.Error = strings.Join(lines, "\n")
	return in.finish(ctx, doc, sub, rc, in.report(doc, rc))
}

// finish moves the document out of the processing area and saves its final
// ledger state. The ledger is written last: if the process dies before, the
// file is still found (in processing/ or at its new path) and the entry says
// received, so the next start finishes the job.
func (in *Intake) finish(ctx context.Context, doc *store.Document, sub Submission, rc *Receipt, report string) error {
	var dir string
	if doc.State == store.DocError {
		dir = filepath.Join(in.cfg.DataDir, "error", safeName(doc.Partner))
	} else {
		dir = filepath.Join(in.cfg.DataDir, "archive", doc.ReceivedAt.UTC().Format("2006-01-02"), safeName(doc.Partner))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%s: %w", doc.Name, err)
	}
	dest, err := freeName(dir, safeName(doc.Name), doc.ID)
	if err != nil {
		return fmt.Errorf("%s: %w", doc.Name, err)
	}
	if report != "" {
		if err := writeFileSync(dest+".error.txt", []byte(report)); err != nil {
			return fmt.Errorf("%s: error report: %w", doc.Name, err)
		}
	}
	// Ledger first, then the rename: if the process dies in between, the
	// file is still in processing/ and record() finds the entry that
	// names where it was going, and finishes the move. The problems and
	// notices go in the same transaction as the final state: a document
	// is never seen finished without them, and a retry rewrites them.
	doc.Path = dest
	located := storedProblems(rc)
	err = in.store.Update(ctx, func(t *store.Tx) error {
		if err := t.SaveDocumentProblems(doc.ID, located); err != nil {
			return err
		}
		return t.SaveDocument(doc)
	})
	if err != nil {
		return err
	}
	if err := os.Rename(sub.Path, dest); err != nil {
		return fmt.Errorf("%s: file to %s: %w", doc.Name, dir, err)
	}
	lvl := in.log.Info
	if doc.State == store.DocError {
		lvl = in.log.Warn
	}
	n := 0
	if rc != nil {
		n = len(rc.Orders)
	}
	lvl("document "+doc.State, "document", doc.ID, "name", doc.Name, "partner", doc.Partner,
		"orders", n, "rejected", doc.Rejected, "path", dest)
	return nil
}

// maxStoredProblems is how many problems and how many notices of a
// document the store keeps; one more entry says how many were left out.
const maxStoredProblems = 1000

// storedProblems is what the store keeps of a receipt's problems and
// notices: the first maxStoredProblems of each kind, then "... and N more".
func storedProblems(rc *Receipt) []store.DocumentProblem {
	if rc == nil {
		return nil
	}
	var out []store.DocumentProblem
	add := func(kind string, ps []Problem, leftOut int) {
		if leftOut > 0 && len(ps) > 0 {
			// The receipt's own "... and N more" is summed up again below.
			ps = ps[:len(ps)-1]
		}
		if len(ps) > maxStoredProblems {
			leftOut += len(ps) - maxStoredProblems
			ps = ps[:maxStoredProblems]
		}
		for _, p := range ps {
			out = append(out, store.DocumentProblem{Kind: kind, Order: p.Order, Position: p.Position, Path: p.Path, Message: p.Message})
		}
		if leftOut > 0 {
			out = append(out, store.DocumentProblem{Kind: kind, Order: -1, Message: fmt.Sprintf("... and %d more", leftOut)})
		}
	}
	add(store.KindProblem, rc.Problems, 0)
	add(store.KindNotice, rc.Notices, rc.noticesLeftOut)
	return out
}

// freeName picks dir/name, or dir/name.<docID> when a document of the same
// name is already filed there, so nothing is overwritten.
func freeName(dir, name, docID string) (string, error) {
	p := filepath.Join(dir, name)
	if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
		return p, nil
	} else if err != nil {
		return "", err
	}
	return filepath.Join(dir, name+"."+docID), nil
}

func (in *Intake) report(doc *store.Document, rc *Receipt) string {
	var b strings.Builder
	fmt.Fprintf(&b, "orderhub could not take all of this document.\n\n")
	fmt.Fprintf(&b, "document:  %s\n", doc.Name)
	fmt.Fprintf(&b, "id:        %s\n", doc.ID)
	fmt.Fprintf(&b, "partner:   %s\n", doc.Partner)
	fmt.Fprintf(&b, "transport: %s\n", doc.Transport)
	fmt.Fprintf(&b, "received:  %s\n", doc.ReceivedAt.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "sha256:    %s\n", doc.SHA256)
	fmt.Fprintf(&b, "bytes:     %d\n", doc.Size)
	if doc.Format != "" {
		fmt.Fprintf(&b, "format:    %s\n", doc.Format)
	}
	fmt.Fprintf(&b, "\nproblems (%d):\n", len(rc.Problems))
	for _, p := range rc.Problems {
		fmt.Fprintf(&b, "- %s\n", p)
	}
	if len(rc.Notices) > 0 {
		fmt.Fprintf(&b, "\nnotes (%d):\n", rc.noticeCount())
		for _, p := range rc.Notices {
			fmt.Fprintf(&b, "- %s\n", p)
		}
	}
	if len(rc.Orders) > 0 {
		fmt.Fprintf(&b, "\nthe other %d order(s) in it were accepted and are in the pipeline:\n", len(rc.Orders))
		for _, o := range rc.Orders {
			fmt.Fprintf(&b, "- %s (PO %s)\n", o.ID, o.PONumber)
		}
		b.WriteString("\nSend only the corrected orders again: accepted orders sent again are recorded as duplicates.\n")
	} else {
		b.WriteString("\nNothing in it was accepted. Fix the problems and send it again.\n")
	}
	return b.String()
}

func writeFileSync(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
