// Package inbox is the local-directory transport: partners (or the scripts
// that fetch their files) drop documents into <inbox>/<partner>/, and the
// inbox hands each one to intake once it has stopped changing.
//
// A file is taken only when its size and modification time have stayed the
// same across two scans and it is at least MinAge old, so a file still being
// copied in is left alone; dot-files and *.tmp / *.part names are never
// taken, which is how well-behaved uploaders mark work in progress. Taking a
// file means renaming it into the processing area first (atomic on one file
// system, so a file is never taken twice), and intake records it in the
// ledger before anything else. Files left in the processing area by a crash
// are intake's to finish (intake.Recover) before the inbox starts.
package inbox

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/orderhub/orderhub/intake"
)

// Config sets up an Inbox.
type Config struct {
	// Dir is the inbox root; each sub-directory is named after a partner id.
	// Files directly in Dir are taken too, for formats that say which
	// partner they are from (an X12 envelope).
	Dir string
	// PollInterval is the time between scans. Default 1s.
	PollInterval time.Duration
	// MinAge is how long a file must have been unchanged. Default 2s.
	MinAge time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

func (c *Config) setDefaults() {
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.MinAge <= 0 {
		c.MinAge = 2 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Validate reports a config that cannot work.
func (c Config) Validate() error {
	if c.Dir == "" {
		return errors.New("inbox: Dir is required")
	}
	return nil
}

// Taker is what the inbox hands claimed files to; *intake.Intake is one.
type Taker interface {
	ProcessingPath(partner, name string) string
	File(ctx context.Context, sub intake.Submission) (*intake.Receipt, error)
}

// Inbox watches a directory tree.
type Inbox struct {
	cfg   Config
	taker Taker
	log   *slog.Logger
	seen  map[string]observation
	// failing remembers files that could not be finished, so their error
	// is logged once per change, not once per scan.
	failing map[string]string
	// pending are claimed files intake could not finish (the store or bus
	// was down); they are retried at every scan.
	pending map[string]intake.Submission
}

type observation struct {
	size  int64
	mtime time.Time
}

// New returns an Inbox handing files to taker.
func New(cfg Config, taker Taker, log *slog.Logger) (*Inbox, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	return &Inbox{cfg: cfg, taker: taker, log: log, seen: map[string]observation{}, failing: map[string]string{}, pending: map[string]intake.Submission{}}, nil
}

// Run scans until ctx ends.
func (b *Inbox) Run(ctx context.Context) error {
	b.log.Info("inbox watching", "dir", b.cfg.Dir, "poll", b.cfg.PollInterval, "min_age", b.cfg.MinAge)
	t := time.NewTicker(b.cfg.PollInterval)
	defer t.Stop()
	for {
		if err := b.Scan(ctx); err != nil && ctx.Err() == nil {
			b.log.Error("inbox scan", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Scan looks at the inbox once and takes every file that is ready.
func (b *Inbox) Scan(ctx context.Context) error {
	now := b.cfg.Now()
	present := map[string]bool{}
	var errs []error
	for dest, sub := range b.pending {
		if _, err := b.taker.File(ctx, sub); err != nil {
			errs = append(errs, b.once(dest, fmt.Errorf("inbox: %s: %w (in %s, retrying)", sub.Name, err, dest)))
			continue
		}
		delete(b.pending, dest)
		delete(b.failing, dest)
	}
	err := filepath.WalkDir(b.cfg.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == b.cfg.Dir {
				return err
			}
			errs = append(errs, err)
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rel, _ := filepath.Rel(b.cfg.Dir, path)
		depth := strings.Count(rel, string(filepath.Separator))
		name := d.Name()
		if d.IsDir() {
			if path == b.cfg.Dir {
				return nil
			}
			// One level of partner directories; hidden ones (.staging)
			// are the uploader's business.
			if depth > 0 || strings.HasPrefix(name, ".") {
				return fs.SkipDir
			}
			return nil
		}
		if ignored(name) {
			return nil
		}
		partner := ""
		if depth == 1 {
			partner = filepath.Base(filepath.Dir(path))
		}
		present[path] = true
		if !b.ready(path, d, now) {
			return nil
		}
		if err := b.take(ctx, path, partner, name); err != nil {
			errs = append(errs, err)
		}
		return nil
	})
	for p := range b.seen {
		if !present[p] {
			delete(b.seen, p)
		}
	}
	for p := range b.failing {
		if _, retrying := b.pending[p]; !present[p] && !retrying {
			delete(b.failing, p)
		}
	}
	return errors.Join(append(errs, err)...)
}

// ignored says whether a name marks a file the uploader is still writing.
func ignored(name string) bool {
	if strings.HasPrefix(name, ".") {
		return true
	}
	lower := strings.ToLower(name)
	return strings.HasSuffix(lower, ".tmp") || strings.HasSuffix(lower, ".part") ||
		strings.HasSuffix(lower, ".partial") || strings.HasSuffix(lower, ".filepart")
}

// ready tells whether a file has been still for long enough. Anything that
// is not a regular file is ready at once: it is refused, not waited for.
func (b *Inbox) ready(path string, d fs.DirEntry, now time.Time) bool {
	info, err := d.Info()
	if err != nil {
		return false
	}
	if !info.Mode().IsRegular() {
		return true
	}
	obs := observation{size: info.Size(), mtime: info.ModTime()}
	prev, ok := b.seen[path]
	b.seen[path] = obs
	if !ok || prev != obs {
		return false
	}
	return now.Sub(obs.mtime) >= b.cfg.MinAge
}

// take claims a file into the processing area and hands it over.
func (b *Inbox) take(ctx context.Context, path, partner, name string) error {
	dest := b.taker.ProcessingPath(partner, name)
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	if err := os.Rename(path, dest); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil // taken by someone else, or deleted by its owner
		}
		return b.once(path, fmt.Errorf("inbox: claim %s: %w", path, err))
	}
	delete(b.seen, path)
	delete(b.failing, path)
	sub := intake.Submission{Path: dest, Name: name, Partner: partner, Transport: "inbox"}
	if _, err := b.taker.File(ctx, sub); err != nil {
		// The file stays in processing/ and is tried again at the next
		// scan (or, after a restart, by intake.Recover): nothing is lost.
		b.pending[dest] = sub
		return b.once(dest, fmt.Errorf("inbox: %s: %w (in %s, retrying)", name, err, dest))
	}
	return nil
}

func (b *Inbox) once(path string, err error) error {
	if err == nil || b.failing[path] == err.Error() {
		return nil
	}
	b.failing[path] = err.Error()
	return err
}
