// Package intake is where documents enter orderhub, whatever brought them:
// it records a document in the ledger before anything else is done with it,
// reads it with the format that recognises it, gives each order its id,
// stores it and publishes it for the pipeline, and files the document in
// archive/ or error/ with a report of what was refused and where.
//
// Transports (inbox, HTTP, FTP, SFTP, the CLI) claim a document into the
// processing area and call File; they never publish orders themselves.
// Every step can be repeated: a document found in the processing area after
// a crash is matched to its ledger entry, its orders get the same derived
// ids, the store keeps the first copy and the bus ignores a message UUID it
// already has, so the document is processed once.
package intake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/internal/pathname"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

// Config sets up an Intake.
type Config struct {
	// DataDir holds processing/, archive/ and error/.
	DataDir string
	// Topic is where received orders are published (the pipeline's first topic).
	Topic string
	// AnswersTopic, when set, is where the answers a format builds about a
	// document (X12 997/999/TA1) are published, after its orders. Empty:
	// formats are not asked for answers.
	AnswersTopic string
	// Formats are the document formats known, tried in order.
	Formats format.Set
	// BatchSize is how many orders are stored and published together. Default 64.
	BatchSize int
	// Now is the clock; default time.Now.
	Now func() time.Time
}

func (c *Config) setDefaults() {
	if c.BatchSize <= 0 {
		c.BatchSize = 64
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Validate reports a config that cannot work.
func (c Config) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("intake: DataDir is required"))
	}
	if c.Topic == "" {
		errs = append(errs, errors.New("intake: Topic is required"))
	}
	if len(c.Formats) == 0 {
		errs = append(errs, errors.New("intake: at least one format is required"))
	}
	return errors.Join(errs...)
}

// Intake takes documents in.
type Intake struct {
	cfg     Config
	store   *store.Store
	pub     message.Publisher
	log     *slog.Logger
	handoff atomic.Pointer[Handoff]
}

// Handoff receives each order intake publishes, with its message UUID and
// payload, after it is published; the receiver owns the order from then on.
// The pipeline uses it to skip decoding orders that never left the process.
type Handoff func(uuid string, payload []byte, o *order.Order)

// SetHandoff installs fn (nil removes it).
func (in *Intake) SetHandoff(fn Handoff) {
	if fn == nil {
		in.handoff.Store(nil)
		return
	}
	in.handoff.Store(&fn)
}

// New returns an Intake publishing on pub.
func New(st *store.Store, pub message.Publisher, cfg Config, log *slog.Logger) (*Intake, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Intake{cfg: cfg, store: st, pub: pub, log: log}, nil
}

// Submission is a document claimed into the processing area.
type Submission struct {
	// Path is the file in the processing area (see ProcessingPath).
	Path string
	// Name is the document's own name (the file name as the partner sent
	// it), used in reports and in archive/.
	Name string
	// Partner is the partner the transport knows the document is from.
	Partner   string
	Transport string
	// IdempotencyKey, when set, makes a repeated submission with the same
	// key and bytes return the first one's receipt.
	IdempotencyKey string
	// AllOrNothing refuses the whole document, publishing nothing, when any
	// part of it is refused or any order fails validation (HTTP answers 400
	// this way). Otherwise good orders flow and bad ones are reported.
	AllOrNothing bool
	// SkipDuplicateBytes turns off the ledger's same-bytes check. HTTP uses
	// it: every POST is a submission of its own, and the pipeline's dedupe
	// stage records a repeated order as a duplicate.
	SkipDuplicateBytes bool
	// Format, when set, is the only format accepted (POST /v1/orders takes
	// canonical JSON only).
	Format string
}

// ErrIdempotencyConflict is returned when an Idempotency-Key comes back with
// different bytes.
var ErrIdempotencyConflict = errors.New("idempotency key already used for a different document")

// ProcessingPath is where a transport claims a document named name from
// partner: a unique path inside processing/<partner>/.
func (in *Intake) ProcessingPath(partner, name string) string {
	stamp := in.cfg.Now().UTC().Format("20060102T150405.000000000")
	return filepath.Join(in.cfg.DataDir, "processing", safeName(partner), stamp+"-"+safeName(name))
}

// ProcessingDir is the processing area, scanned at start for documents a
// crash left behind.
func (in *Intake) ProcessingDir() string { return filepath.Join(in.cfg.DataDir, "processing") }

// File takes in the document at sub.Path. Whatever happens, the file ends in
// archive/ or error/ and the ledger says which; an error return means the
// document could not be finished (the store or bus failed) and is still in
// the processing area, where the next attempt will find it.
func (in *Intake) File(ctx context.Context, sub Submission) (*Receipt, error) {
	sum, size, err := hashFile(sub.Path)
	if err != nil {
		return in.unreadable(ctx, sub, err)
	}
	doc, replay, err := in.record(ctx, sub, sum, size)
	if err != nil {
		return nil, err
	}
	if replay != nil && replay.Document.Path != "" && !Unfinished(replay.Document.State) {
		if _, err := os.Stat(replay.Document.Path); errors.Is(err, os.ErrNotExist) {
			// A crash came between saving the final state and moving the
			// file there: finish the move.
			if err := os.Rename(sub.Path, replay.Document.Path); err != nil {
				return nil, fmt.Errorf("%s: %w", sub.Name, err)
			}
			return replay, nil
		}
	}
	if replay != nil {
		// Same key, same bytes, already done: drop our copy, answer as before.
		os.Remove(sub.Path)
		return replay, nil
	}
	rc := &Receipt{Document: doc}

	if !sub.SkipDuplicateBytes {
		first, err := in.store.FirstWithContent(ctx, doc.Partner, doc.SHA256, doc.ID)
		switch {
		case err == nil:
			doc.State = store.DocDuplicate
			doc.DuplicateOf = first.ID
			doc.Error = fmt.Sprintf("same bytes as %s (%s, received %s): not processed again",
				first.Name, first.ID, first.ReceivedAt.Format(time.RFC3339))
			return rc, in.finish(ctx, doc, sub, nil, "")
		case !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
	}

	if sub.Partner != "" {
		if _, err := in.store.Partner(ctx, sub.Partner); errors.Is(err, store.ErrNotFound) {
			rc.Problems = append(rc.Problems, Problem{Order: -1,
				Message: fmt.Sprintf("unknown partner %q: load it with `orderhub load partners` (inbox directories are named after partner ids)", sub.Partner)})
			return rc, in.fail(ctx, doc, sub, rc)
		} else if err != nil {
			return nil, err
		}
	}

	if err := in.read(ctx, doc, sub, rc); err != nil {
		return nil, err
	}
	if len(rc.Problems) > 0 {
		return rc, in.fail(ctx, doc, sub, rc)
	}
	doc.State = store.DocArchived
	return rc, in.finish(ctx, doc, sub, rc, "")
}

// unreadable records and files a document whose bytes cannot be read (no
// permission, not a regular file): it cannot be hashed or parsed, but it is
// not lost either.
func (in *Intake) unreadable(ctx context.Context, sub Submission, cause error) (*Receipt, error) {
	if _, err := os.Lstat(sub.Path); err != nil {
		return nil, fmt.Errorf("%s: %w", sub.Name, err)
	}
	var size int64
	if st, err := os.Lstat(sub.Path); err == nil {
		size = st.Size()
	}
	now := in.cfg.Now().UTC()
	doc := &store.Document{ID: order.NewDocumentID(now), Partner: sub.Partner, Transport: sub.Transport,
		Name: sub.Name, Size: size, ReceivedAt: now, State: store.DocProcessing, Path: sub.Path}
	if err := in.store.InsertDocument(ctx, doc); err != nil {
		return nil, err
	}
	rc := &Receipt{Document: doc, Problems: []Problem{{Order: -1, Message: "cannot read the document: " + cause.Error()}}}
	return rc, in.fail(ctx, doc, sub, rc)
}

// record enters the document in the ledger, or finds the entry a crashed
// attempt left.
func (in *Intake) record(ctx context.Context, sub Submission, sum string, size int64) (*store.Document, *Receipt, error) {
	if sub.IdempotencyKey != "" {
		prev, err := in.store.DocumentByIdempotencyKey(ctx, sub.Partner, sub.IdempotencyKey)
		switch {
		case err == nil && prev.SHA256 != sum:
			return nil, nil, fmt.Errorf("%w: key %q was used for %s (%s)", ErrIdempotencyConflict, sub.IdempotencyKey, prev.Name, prev.ID)
		case err == nil && !Unfinished(prev.State):
			rc, err := in.Receipt(ctx, prev)
			if err != nil {
				return nil, nil, err
			}
			rc.Replayed = true
			return prev, rc, nil
		case err == nil:
			// The earlier attempt died half-way: go on under its id so
			// its orders keep their ids.
			prev.Path = sub.Path
			return prev, nil, nil
		case !errors.Is(err, store.ErrNotFound):
			return nil, nil, err
		}
	}
	if prev, err := in.store.DocumentByPath(ctx, sub.Path); err == nil && Unfinished(prev.State) && prev.SHA256 == sum {
		return prev, nil, nil
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, nil, err
	}
	same, err := in.store.DocumentsWithContent(ctx, sub.Partner, sum)
	if err != nil {
		return nil, nil, err
	}
	for _, d := range same {
		if Unfinished(d.State) || d.Path == "" {
			continue
		}
		if _, err := os.Stat(d.Path); errors.Is(err, os.ErrNotExist) {
			rc, err := in.Receipt(ctx, d)
			if err != nil {
				return nil, nil, err
			}
			rc.Replayed = true
			return d, rc, nil
		}
	}
	now := in.cfg.Now().UTC()
	doc := &store.Document{
		ID:             order.NewDocumentID(now),
		SHA256:         sum,
		Partner:        sub.Partner,
		Transport:      sub.Transport,
		Name:           sub.Name,
		Size:           size,
		ReceivedAt:     now,
		State:          store.DocProcessing,
		Path:           sub.Path,
		IdempotencyKey: sub.IdempotencyKey,
	}
	if err := in.store.InsertDocument(ctx, doc); err != nil {
		return nil, nil, err
	}
	in.log.Info("document received", "document", doc.ID, "name", doc.Name, "partner", doc.Partner,
		"transport", doc.Transport, "bytes", size, "sha256", sum)
	return doc, nil, nil
}

func hashFile(path string) (string, int64, error) {
	// Lstat before Open: opening a FIFO would block, and a symlink could
	// lead anywhere on the machine.
	st, err := os.Lstat(path)
	if err != nil {
		return "", 0, err
	}
	if !st.Mode().IsRegular() {
		return "", 0, fmt.Errorf("not a regular file (%s)", st.Mode().Type())
	}
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// safeName keeps a name to one path element.
func safeName(s string) string { return pathname.Element(s) }

// Unfinished tells whether a ledger state is one a document leaves when it
// has been read: received (recorded by a transport, not read yet) or
// processing (being read). A document found in either after a crash is
// read again, under the same id.
func Unfinished(state string) bool {
	return state == store.DocReceived || state == store.DocProcessing
}
