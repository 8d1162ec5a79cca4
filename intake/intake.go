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
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/orderhub/orderhub/internal/pathname"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
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

// Problem is one thing refused in a document, with where it is.
type Problem struct {
	// Order is the 0-based index of the order in the document, -1 when the
	// problem is not about one order.
	Order int `json:"order"`
	// Position is where in the document ("line 3").
	Position string `json:"position,omitempty"`
	// Path is the JSON path inside the order ("lines[0].quantity").
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Position != "" {
		b.WriteString(p.Position)
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// OrderRef names an order a document produced.
type OrderRef struct {
	ID       string `json:"id"`
	PONumber string `json:"po_number"`
}

// Receipt is what became of a document.
type Receipt struct {
	Document *store.Document
	Orders   []OrderRef
	Problems []Problem
	// Notices are what the format noticed and skipped without refusing
	// anything (a sheet's blank or total rows, columns it did not
	// understand), located like problems. At most maxNotices, then one
	// "... and N more".
	Notices []Problem
	// noticesLeftOut is how many notices the cap left out.
	noticesLeftOut int
	// Answers are the file names of the answers sent to the partner about
	// the document itself (997, TA1), not about its orders.
	Answers []string
	// Replayed is set when an Idempotency-Key matched an earlier submission
	// and nothing new was done.
	Replayed bool
}

// noticeCount is how many notices the format made, counting those the cap
// left out.
func (rc *Receipt) noticeCount() int {
	if rc.noticesLeftOut > 0 {
		return len(rc.Notices) - 1 + rc.noticesLeftOut
	}
	return len(rc.Notices)
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
	if replay != nil && replay.Document.Path != "" && replay.Document.State != store.DocReceived {
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
		Name: sub.Name, Size: size, ReceivedAt: now, State: store.DocReceived, Path: sub.Path}
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
		case err == nil && prev.State != store.DocReceived:
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
	if prev, err := in.store.DocumentByPath(ctx, sub.Path); err == nil && prev.State == store.DocReceived && prev.SHA256 == sum {
		return prev, nil, nil
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, nil, err
	}
	same, err := in.store.DocumentsWithContent(ctx, sub.Partner, sum)
	if err != nil {
		return nil, nil, err
	}
	for _, d := range same {
		if d.State == store.DocReceived || d.Path == "" {
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
		State:          store.DocReceived,
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

// read streams the document's orders into the store and onto the bus.
func (in *Intake) read(ctx context.Context, doc *store.Document, sub Submission, rc *Receipt) error {
	f, err := os.Open(sub.Path)
	if err != nil {
		return fmt.Errorf("%s: %w", sub.Name, err)
	}
	defer f.Close()
	fm, r, err := in.cfg.Formats.Open(f)
	if err != nil {
		if errors.Is(err, format.ErrUnknown) {
			rc.Problems = append(rc.Problems, Problem{Order: -1, Message: err.Error()})
			return nil
		}
		return fmt.Errorf("%s: %w", sub.Name, err)
	}
	doc.Format = fm.Name()
	if sub.Format != "" && fm.Name() != sub.Format {
		rc.Problems = append(rc.Problems, Problem{Order: -1,
			Message: fmt.Sprintf("expected a %s document, got %s", sub.Format, fm.Name())})
		return nil
	}
	fdoc := format.Doc{ID: doc.ID, Name: doc.Name, Partner: doc.Partner, Transport: doc.Transport, SHA256: doc.SHA256, Size: doc.Size}
	var answers []ordermsg.Ack
	if in.cfg.AnswersTopic != "" {
		fdoc.Answer = func(a ordermsg.Ack) { answers = append(answers, a) }
	}
	notes := &noticeList{rc: rc}
	fdoc.Note = notes.add
	defer notes.close()

	var batch []*order.Order
	var held []*order.Order // AllOrNothing: nothing goes out until all is read
	n := 0
	for o, err := range fm.Read(ctx, r, fdoc) {
		idx := n
		n++
		if err != nil {
			var fatal *format.FatalError
			if errors.As(err, &fatal) {
				return fmt.Errorf("%s: %w", sub.Name, fatal.Err)
			}
			rc.Problems = append(rc.Problems, problemsOf(idx, err)...)
			doc.Rejected++
			continue
		}
		o.ID = order.OrderID(doc.ID, doc.ReceivedAt, idx)
		if sub.AllOrNothing {
			if verr := o.Validate(); verr != nil {
				rc.Problems = append(rc.Problems, problemsOf(idx, verr)...)
				doc.Rejected++
				continue
			}
			held = append(held, o)
			continue
		}
		batch = append(batch, o)
		if len(batch) >= in.cfg.BatchSize {
			if err := in.publish(ctx, doc, batch, rc); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if sub.AllOrNothing {
		if len(rc.Problems) > 0 {
			return nil
		}
		batch = held
	}
	for len(batch) > 0 {
		k := min(len(batch), in.cfg.BatchSize)
		if err := in.publish(ctx, doc, batch[:k], rc); err != nil {
			return err
		}
		batch = batch[k:]
	}
	if err := in.answer(doc, answers, rc); err != nil {
		return err
	}
	if len(rc.Orders) == 0 && len(rc.Problems) == 0 {
		rc.Problems = append(rc.Problems, Problem{Order: -1, Message: "no orders in the document"})
	}
	return nil
}

// answer publishes the format's answers about the document. They go after
// its orders: a partner never gets an acceptance for an order orderhub
// has not stored. Again after a crash, they carry the same control numbers
// and so the same message UUIDs, and the bus keeps one copy.
func (in *Intake) answer(doc *store.Document, answers []ordermsg.Ack, rc *Receipt) error {
	if len(answers) == 0 {
		return nil
	}
	msgs := make([]*message.Message, len(answers))
	for i, a := range answers {
		msgs[i] = ordermsg.NewAck(a, doc.ID)
		rc.Answers = append(rc.Answers, a.Name)
	}
	if err := in.pub.Publish(in.cfg.AnswersTopic, msgs...); err != nil {
		return fmt.Errorf("publish answers to %s: %w", doc.ID, err)
	}
	for _, a := range answers {
		in.log.Info("answer sent", "document", doc.ID, "partner", a.Partner, "kind", a.Kind, "name", a.Name)
	}
	return nil
}

// maxNotices caps a receipt's notices: a sheet of 100,000 blank rows says
// so in a thousand and one lines.
const maxNotices = 1000

// noticeList collects a format's notices into a receipt, capped. A format
// may note from several goroutines.
type noticeList struct {
	mu     sync.Mutex
	rc     *Receipt
	more   int
	closed bool
}

func (l *noticeList) add(position, message string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	if len(l.rc.Notices) >= maxNotices {
		l.more++
		return
	}
	l.rc.Notices = append(l.rc.Notices, Problem{Order: -1, Position: position, Message: message})
}

// close ends the list with how many notices were left out; later notes
// (from a format still winding down) are dropped.
func (l *noticeList) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.closed = true
	if l.more > 0 {
		l.rc.noticesLeftOut = l.more
		l.rc.Notices = append(l.rc.Notices, Problem{Order: -1, Message: fmt.Sprintf("... and %d more", l.more)})
	}
}

// problemsOf flattens a refusal into located problems.
func problemsOf(idx int, err error) []Problem {
	var le format.LocatedError
	if errors.As(err, &le) {
		if ls := le.Located(); len(ls) > 0 {
			out := make([]Problem, 0, len(ls))
			for _, l := range ls {
				out = append(out, Problem{Order: idx, Position: l.Position, Message: l.Message})
			}
			return out
		}
	}
	pos := ""
	var pe interface{ DocPosition() string }
	if errors.As(err, &pe) {
		pos = pe.DocPosition()
	}
	var de *order.DecodeError
	if errors.As(err, &de) && len(de.Problems) > 0 {
		out := make([]Problem, 0, len(de.Problems))
		for _, p := range de.Problems {
			out = append(out, Problem{Order: idx, Position: pos, Path: p.Path, Message: p.Message})
		}
		return out
	}
	var ve *order.ValidationError
	if errors.As(err, &ve) && len(ve.Problems) > 0 {
		out := make([]Problem, 0, len(ve.Problems))
		for _, p := range ve.Problems {
			out = append(out, Problem{Order: idx, Position: pos, Path: p.Path, Message: p.Message})
		}
		return out
	}
	return []Problem{{Order: idx, Position: pos, Message: err.Error()}}
}

func (in *Intake) publish(ctx context.Context, doc *store.Document, batch []*order.Order, rc *Receipt) error {
	msgs := make([]*message.Message, len(batch))
	packed := make([]store.Packed, len(batch))
	for i, o := range batch {
		o.Status = order.StatusReceived
		p, err := ordermsg.Encode(o)
		if err != nil {
			return err
		}
		packed[i] = store.Pack(p)
		msgs[i] = ordermsg.New(o, in.cfg.Topic, "", p, doc.ID)
	}
	reason := fmt.Sprintf("%s via %s", doc.Name, doc.Transport)
	err := in.store.Update(ctx, func(tx *store.Tx) error {
		for i, o := range batch {
			if _, err := tx.InsertOrder(o, doc.ID, packed[i], reason); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Stored first, published second: a crash in between republishes on
	// the next attempt (same UUIDs), never publishes an order the store
	// does not know.
	if err := in.pub.Publish(in.cfg.Topic, msgs...); err != nil {
		return fmt.Errorf("publish orders of %s: %w", doc.ID, err)
	}
	for _, o := range batch {
		rc.Orders = append(rc.Orders, OrderRef{ID: o.ID, PONumber: o.PONumber})
	}
	if h := in.handoff.Load(); h != nil {
		for i, o := range batch {
			(*h)(msgs[i].UUID, msgs[i].Payload, o)
		}
	}
	doc.Orders += len(batch)
	return nil
}

// Receipt rebuilds the receipt of a document already processed.
func (in *Intake) Receipt(ctx context.Context, doc *store.Document) (*Receipt, error) {
	rows, err := in.store.OrdersByDocument(ctx, doc.ID)
	if err != nil {
		return nil, err
	}
	rc := &Receipt{Document: doc}
	for _, r := range rows {
		rc.Orders = append(rc.Orders, OrderRef{ID: r.ID, PONumber: r.PONumber})
	}
	return rc, nil
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
