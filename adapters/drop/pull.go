package drop

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/orderhub/orderhub/intake"
	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

// Target is what pulled documents are handed to; *intake.Intake is one.
type Target interface {
	ProcessingPath(partner, name string) string
	File(ctx context.Context, sub intake.Submission) (*intake.Receipt, error)
}

// Puller pulls one partner's drop. Poll looks once; Run polls until its
// context ends. A Puller is used by one goroutine.
type Puller struct {
	Partner  string
	Remote   *mappings.Remote
	Endpoint Endpoint
	Dial     Dialer
	Store    *store.Store
	Target   Target
	// Instance names this process: its claimed files go in
	// <claim>/<instance>/, so two processes never read each other's.
	Instance string
	Log      *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Outbox is the partner's local outbox directory: with
	// Remote.Outbound set, the answers that appear there are put on the
	// server (Deliver) and removed.
	Outbox string
	// Backoff paces the attempts after failures.
	Backoff Backoff
	// OnState, when set, hears each change of the link's state.
	OnState func(State)

	conn    Conn
	seen    map[string]Entry // inbound files by name, as last listed
	madeDir map[string]bool
}

// Action is what a poll did with one remote file.
type Action struct {
	// Path is the file on the server when it was found.
	Path string
	Size int64
	// Did: "pulled", "duplicate" (its bytes came before), "error" (read
	// but refused: see the ledger), "waiting" (still changing), "skipped"
	// (a temporary name, or not matching the glob), "known" (kept and
	// already pulled), "gone" (taken by another process), "failed" (could
	// not be pulled: Err says why; it is tried again).
	Did      string
	Document string
	Err      error
	// Note says why a file was skipped or is waiting.
	Note string
}

// Report is what one poll found and did.
type Report struct {
	Actions []Action
}

// Failed is the first failure of the poll, or nil.
func (r *Report) Failed() error {
	for _, a := range r.Actions {
		if a.Did == "failed" {
			return a.Err
		}
	}
	return nil
}

func (p *Puller) add(r *Report, a Action) {
	r.Actions = append(r.Actions, a)
	if a.Err != nil && p.Log != nil {
		p.Log.Debug("remote file", "partner", p.Partner, "path", a.Path, "did", a.Did, "error", a.Err)
	}
}

func (p *Puller) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Puller) log() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.New(slog.DiscardHandler)
}

// transport is how the ledger names the transport: ftp, ftps or sftp.
func (p *Puller) transport() string {
	if p.Endpoint.URL != nil {
		return p.Endpoint.URL.Scheme
	}
	return "remote"
}

// claimDir is this process's claim directory on the server.
func (p *Puller) claimDir() string {
	return path.Join(p.Remote.Claim, p.Instance)
}

// HandSuffix marks the instance of orderhub pull, run by hand beside a
// serve on the same data directory: its claims are its own while it runs,
// and what a failed hand pull leaves claimed is finished by the serve.
const HandSuffix = ".pull"

// claimDirs are the claim directories this process finishes: its own, and
// those of hand pulls on its data directory.
func (p *Puller) claimDirs() []string {
	base := strings.TrimSuffix(p.Instance, HandSuffix)
	return []string{path.Join(p.Remote.Claim, base), path.Join(p.Remote.Claim, base+HandSuffix)}
}

// Close ends the session, if one is open.
func (p *Puller) Close() error {
	if p.conn == nil {
		return nil
	}
	err := p.conn.Close()
	p.conn = nil
	return err
}

func (p *Puller) connect(ctx context.Context) (Conn, error) {
	if p.conn != nil {
		return p.conn, nil
	}
	c, err := p.Dial(ctx, p.Endpoint)
	if err != nil {
		return nil, err
	}
	p.conn = c
	p.madeDir = map[string]bool{}
	return c, nil
}

// broken tells whether err means the session is no good any more: not an
// answer about one file.
func broken(err error) bool {
	return err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrPermission)
}

func (p *Puller) mkdir(ctx context.Context, c Conn, dir string) error {
	if p.madeDir[dir] {
		return nil
	}
	if err := c.MkdirAll(ctx, dir); err != nil {
		return err
	}
	p.madeDir[dir] = true
	return nil
}

// Poll looks at the drop once: it finishes pulls a crash or an error left
// half-done, then takes every inbound file that is ready. The error is
// the one that broke the session (the next Poll dials again); what
// happened to each file is in the report.
func (p *Puller) Poll(ctx context.Context) (*Report, error) {
	if p.seen == nil {
		p.seen = map[string]Entry{}
	}
	r := &Report{}
	c, err := p.connect(ctx)
	if err != nil {
		return r, err
	}
	err = p.poll(ctx, c, r)
	if broken(err) || ctx.Err() != nil {
		p.Close()
	}
	return r, err
}

func (p *Puller) poll(ctx context.Context, c Conn, r *Report) error {
	if err := p.finishPending(ctx, c, r); err != nil {
		return err
	}
	if p.Remote.Claims() {
		if err := p.takeClaimed(ctx, c, r); err != nil {
			return err
		}
	}
	if p.Remote.Inbound == "" {
		return nil
	}
	return p.takeInbound(ctx, c, r)
}

// finishPending ends the pulls that are in the ledger but still on the
// server: the document is read if it was not, then the file is deleted or
// moved.
func (p *Puller) finishPending(ctx context.Context, c Conn, r *Report) error {
	pending, err := p.Store.PendingPulls(ctx, p.Partner)
	if err != nil {
		return err
	}
	for _, pl := range pending {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		a := Action{Path: pl.Path, Size: pl.Size, Document: pl.DocumentID}
		doc, err := p.Store.Document(ctx, pl.DocumentID)
		if err != nil {
			return err
		}
		if intake.Unfinished(doc.State) {
			rc, err := p.read(ctx, c, pl, doc)
			if err != nil {
				a.Did, a.Err = "failed", err
				p.add(r, a)
				if broken(err) {
					return err
				}
				continue
			}
			doc = rc.Document
		}
		if err := p.after(ctx, c, pl); err != nil {
			a.Did, a.Err = "failed", err
			p.add(r, a)
			if broken(err) {
				return err
			}
			continue
		}
		a.Did = did(doc)
		p.add(r, a)
	}
	return nil
}

func did(doc *store.Document) string {
	switch doc.State {
	case store.DocDuplicate:
		return "duplicate"
	case store.DocError:
		return "error"
	}
	return "pulled"
}

// read hands a pull's document to the target. Its bytes are in the local
// spool, or (when a crash came before they were synced and renamed) still
// on the server, where they are fetched again and must hash the same.
func (p *Puller) read(ctx context.Context, c Conn, pl *store.Pull, doc *store.Document) (*intake.Receipt, error) {
	final := doc.Path
	if _, err := os.Stat(final); errors.Is(err, os.ErrNotExist) {
		tmp := final + ".tmp"
		if _, err := os.Stat(tmp); err != nil {
			sum, _, err := p.fetch(ctx, c, pl.Path, tmp)
			if err != nil {
				return nil, err
			}
			if sum != pl.SHA256 {
				os.Remove(tmp)
				return nil, fmt.Errorf("%s: the file on the server is not the one in the ledger (sha256 %s, want %s): left for an operator", pl.Path, sum, pl.SHA256)
			}
		}
		if err := os.Rename(tmp, final); err != nil {
			return nil, fmt.Errorf("spool %s: %w", final, err)
		}
		syncDir(filepath.Dir(final))
	}
	return p.Target.File(ctx, intake.Submission{Path: final, Name: doc.Name, Partner: p.Partner, Transport: doc.Transport})
}

// after does what the profile says with a pulled file on the server, then
// marks the pull done.
func (p *Puller) after(ctx context.Context, c Conn, pl *store.Pull) error {
	var err error
	switch {
	case p.Remote.AfterPull == mappings.AfterPullDelete:
		err = c.Remove(ctx, pl.Path)
	case p.Remote.MoveTo() != "":
		err = p.moveDone(ctx, c, pl)
	}
	if errors.Is(err, ErrNotFound) {
		// Gone already: a crash came after the delete or move and before
		// the ledger heard of it.
		err = nil
	}
	if err != nil {
		return fmt.Errorf("after pulling %s (%s): %w", pl.Path, p.Remote.AfterPull, err)
	}
	return p.Store.FinishPull(ctx, pl, p.now())
}

func (p *Puller) moveDone(ctx context.Context, c Conn, pl *store.Pull) error {
	dir := p.Remote.MoveTo()
	if err := p.mkdir(ctx, c, dir); err != nil {
		return err
	}
	err := c.Rename(ctx, pl.Path, path.Join(dir, pl.Name))
	if broken(err) {
		// A server that will not replace a file of the same name (a PO
		// number used again) gets the file under a name of its own.
		err = c.Rename(ctx, pl.Path, path.Join(dir, stamp(p.now())+"-"+pl.Name))
	}
	return err
}

// takeClaimed pulls the files in this process's claim directory that the
// ledger does not know: claimed by a poll that then failed or crashed.
func (p *Puller) takeClaimed(ctx context.Context, c Conn, r *Report) error {
	for _, dir := range p.claimDirs() {
		if err := p.takeClaimedIn(ctx, c, r, dir); err != nil {
			return err
		}
	}
	return nil
}

func (p *Puller) takeClaimedIn(ctx context.Context, c Conn, r *Report, dir string) error {
	es, err := c.List(ctx, dir)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range es {
		if e.Dir || strings.HasPrefix(e.Name, ".") {
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rp := path.Join(dir, e.Name)
		if _, err := p.Store.PullAt(ctx, p.Partner, rp); err == nil {
			continue // in the ledger: finishPending's
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := p.pull(ctx, c, r, rp, rp, unclaimed(e.Name), e); broken(err) {
			return err
		}
	}
	return nil
}

// takeInbound lists the inbound directory and pulls what is ready.
func (p *Puller) takeInbound(ctx context.Context, c Conn, r *Report) error {
	es, err := c.List(ctx, p.Remote.Inbound)
	if err != nil {
		return fmt.Errorf("list %s: %w", p.Remote.Inbound, err)
	}
	now := p.now()
	present := map[string]bool{}
	for _, e := range es {
		if e.Dir {
			continue
		}
		rp := path.Join(p.Remote.Inbound, e.Name)
		if Ignored(e.Name) {
			p.add(r, Action{Path: rp, Size: e.Size, Did: "skipped", Note: "a temporary or hidden name"})
			continue
		}
		if ok, _ := path.Match(p.Remote.Glob, e.Name); !ok {
			p.add(r, Action{Path: rp, Size: e.Size, Did: "skipped", Note: "not matching " + p.Remote.Glob})
			continue
		}
		present[e.Name] = true
		prev, seen := p.seen[e.Name]
		p.seen[e.Name] = e
		if p.Remote.AfterPull == mappings.AfterPullKeep {
			if _, err := p.Store.PullOf(ctx, p.Partner, rp, e.Size, e.ModTime); err == nil {
				continue
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		if !p.ready(e, prev, seen, now) {
			p.add(r, Action{Path: rp, Size: e.Size, Did: "waiting", Note: "changed since the last look, or seen once and younger than min_age"})
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		from := rp
		if p.Remote.Claims() {
			if err := p.mkdir(ctx, c, p.claimDir()); err != nil {
				return fmt.Errorf("claim directory %s: %w", p.claimDir(), err)
			}
			to := path.Join(p.claimDir(), stamp(now)+"-"+e.Name)
			if err := c.Rename(ctx, rp, to); err != nil {
				if errors.Is(err, ErrNotFound) {
					p.add(r, Action{Path: rp, Size: e.Size, Did: "gone"})
					continue
				}
				p.add(r, Action{Path: rp, Size: e.Size, Did: "failed", Err: fmt.Errorf("claim: %w", err)})
				if broken(err) {
					return err
				}
				continue
			}
			delete(p.seen, e.Name)
			from = to
		}
		if err := p.pull(ctx, c, r, rp, from, e.Name, e); broken(err) {
			return err
		}
	}
	for name := range p.seen {
		if !present[name] {
			delete(p.seen, name)
		}
	}
	return nil
}

// ready tells whether a file has stopped changing: listed with the same
// size and time as at the last poll, or last modified at least MinAge ago.
func (p *Puller) ready(e, prev Entry, seen bool, now time.Time) bool {
	if seen && prev.Size == e.Size && prev.ModTime.Equal(e.ModTime) {
		return true
	}
	min := p.Remote.MinAge.Duration
	return min > 0 && now.Sub(e.ModTime) >= min
}

// pull fetches one file (found at found, now at rp on the server, named
// name by the partner) into the spool, records it in the ledger, hands it
// to the target and does the after-pull step: in that order, so a crash
// between any two leaves something Poll finishes.
func (p *Puller) pull(ctx context.Context, c Conn, r *Report, found, rp, name string, e Entry) error {
	a := Action{Path: found, Size: e.Size}
	fail := func(err error) error {
		a.Did, a.Err = "failed", err
		p.add(r, a)
		return err
	}
	final := p.Target.ProcessingPath(p.Partner, name)
	tmp := final + ".tmp"
	sum, n, err := p.fetch(ctx, c, rp, tmp)
	if err != nil {
		return fail(err)
	}
	if n != e.Size {
		// Still being written (a claimed file's writer can go on writing
		// after the rename): taken at the next poll.
		os.Remove(tmp)
		a.Did, a.Note = "waiting", fmt.Sprintf("listed at %d bytes, read %d: still being written", e.Size, n)
		p.add(r, a)
		return nil
	}
	crashPoint("drop.fetched")
	now := p.now()
	pl := &store.Pull{Partner: p.Partner, URL: p.Endpoint.Redacted(), Path: rp, Name: name, Size: n,
		ModTime: e.ModTime, SHA256: sum, State: store.PullFetched, FetchedAt: now}
	if p.Remote.AfterPull == mappings.AfterPullKeep {
		if first, err := p.Store.PullWithContent(ctx, p.Partner, name, sum); err == nil {
			// Touched on the server, same bytes: known, not read again.
			os.Remove(tmp)
			pl.DocumentID, pl.State, pl.DoneAt = first.DocumentID, store.PullDone, now
			if err := p.Store.RecordPull(ctx, nil, pl); err != nil {
				return fail(err)
			}
			a.Did, a.Document = "known", first.DocumentID
			p.add(r, a)
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return fail(err)
		}
	}
	doc := &store.Document{ID: order.NewDocumentID(now), SHA256: sum, Partner: p.Partner, Transport: p.transport(),
		Name: name, Size: n, ReceivedAt: now, State: store.DocReceived, Path: final,
		Remote: p.Endpoint.Redacted() + rp}
	pl.DocumentID = doc.ID
	a.Document = doc.ID
	if err := p.Store.RecordPull(ctx, doc, pl); err != nil {
		os.Remove(tmp)
		return fail(err)
	}
	p.log().Info("document pulled", "partner", p.Partner, "url", p.Endpoint.Redacted(), "path", rp,
		"document", doc.ID, "bytes", n, "sha256", sum)
	crashPoint("drop.recorded")
	if err := os.Rename(tmp, final); err != nil {
		return fail(fmt.Errorf("spool %s: %w", final, err))
	}
	syncDir(filepath.Dir(final))
	rc, err := p.Target.File(ctx, intake.Submission{Path: final, Name: name, Partner: p.Partner, Transport: doc.Transport})
	if err != nil {
		return fail(err) // the ledger has it: finishPending reads it next time
	}
	crashPoint("drop.read")
	if err := p.after(ctx, c, pl); err != nil {
		return fail(err)
	}
	a.Did = did(rc.Document)
	p.add(r, a)
	return nil
}

// fetch downloads rp into the local file tmp, synced, and returns its
// SHA-256 and length.
func (p *Puller) fetch(ctx context.Context, c Conn, rp, tmp string) (string, int64, error) {
	if err := os.MkdirAll(filepath.Dir(tmp), 0o755); err != nil {
		return "", 0, fmt.Errorf("spool: %w", err)
	}
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return "", 0, fmt.Errorf("spool: %w", err)
	}
	h := sha256.New()
	n, err := c.Fetch(ctx, rp, io.MultiWriter(f, h))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return "", 0, fmt.Errorf("fetch %s: %w", rp, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

const stampLayout = "20060102T150405.000000000"

func stamp(t time.Time) string { return t.UTC().Format(stampLayout) }

// unclaimed is the partner's name of a claimed file: the claim stamp off.
func unclaimed(name string) string {
	if i := strings.IndexByte(name, '-'); i == len(stampLayout) {
		if _, err := time.Parse(stampLayout, name[:i]); err == nil {
			return name[i+1:]
		}
	}
	return name
}

// Ignored tells whether a name marks a file its uploader is still writing
// (or hides): dot-files, *.tmp, *.part, *.partial, *.filepart.
func Ignored(name string) bool {
	if strings.HasPrefix(name, ".") {
		return true
	}
	lower := strings.ToLower(name)
	for _, s := range []string{".tmp", ".part", ".partial", ".filepart"} {
		if strings.HasSuffix(lower, s) {
			return true
		}
	}
	return false
}
