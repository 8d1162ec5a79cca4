package x12

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
)

// ControlNumbers hands out the control numbers of our answers: per partner
// and kind, increasing, never reused; the same ref gets the same number
// again, so an answer rebuilt after a crash is recognised as the same one.
// *store.Store is one.
type ControlNumbers interface {
	ControlNumberFor(ctx context.Context, partner, kind, ref string) (int64, error)
}

// controlKind is the counter our ISA13 (and GS06) come from: one sequence
// per partner for every interchange we send it, 997, TA1 and 855 alike.
const controlKind = "ISA"

// Format reads X12 purchase orders (850) and purchase order changes (860)
// into canonical orders, and answers each interchange with the functional
// acknowledgement (997/999) and TA1 its partner wants.
type Format struct {
	// Profiles identify the partner an interchange is from by its ISA
	// sender and GS02. Nil: partners are not identified (orderhub
	// translate without a data directory).
	Profiles *mappings.Profiles
	// Numbers numbers the answers. Nil: nothing is answered.
	Numbers ControlNumbers
	// Now is the clock of the answers' envelopes; default time.Now.
	Now func() time.Time
	// Log hears about answers that could not be built.
	Log *slog.Logger
	// Reader limits; see Options.
	MaxSegment, MaxTransaction int
	TempDir                    string
	// Workers map transaction sets in parallel while the reader reads
	// ahead; default GOMAXPROCS, 1 to map as the reader reads.
	Workers int
}

// Name implements format.Format.
func (f *Format) Name() string { return "x12" }

// Detect implements format.Format.
func (f *Format) Detect(head []byte) bool { return Detect(head) }

// SetError says why a transaction set gave no orders: its own problems, or
// its group's or interchange's. It unwraps to each located *Error.
type SetError struct {
	Doc         string
	Interchange string // ISA13
	Group       string // GS06
	Code        string // ST01
	Control     string // ST02
	Errors      []*Error
}

func (e *SetError) Error() string {
	if len(e.Errors) == 0 {
		return fmt.Sprintf("%s: ST %s: transaction set %s refused", e.Doc, e.Control, e.Code)
	}
	var b strings.Builder
	for i, err := range e.Errors {
		msg := err.Error()
		if i > 0 {
			// The set is named once.
			b.WriteString("; ")
			msg = strings.TrimPrefix(msg, err.Doc+": ")
			msg = strings.TrimPrefix(msg, "ST "+err.Transaction+" ")
		}
		b.WriteString(msg)
	}
	return b.String()
}

// Unwrap gives the located errors, for errors.As.
func (e *SetError) Unwrap() []error {
	out := make([]error, len(e.Errors))
	for i, err := range e.Errors {
		out[i] = err
	}
	return out
}

// DocPosition is where the first problem is.
func (e *SetError) DocPosition() string {
	if len(e.Errors) > 0 {
		return e.Errors[0].DocPosition()
	}
	return "ST " + e.Control
}

// sender is who an interchange is from, as far as orderhub can tell.
type sender struct {
	partner string
	profile *mappings.X12Profile // nil: the partner has none; defaults apply
	// refusal, when set, refuses every set of the interchange and stops
	// answers: the interchange does not come from whom it should.
	refusal string
	code    string // its AK5/TA1 code
}

// reading is the state of one Read.
type reading struct {
	f        *Format
	ctx      context.Context
	doc      format.Doc
	pending  []*InterchangeReport
	mu       sync.Mutex // guards senders: workers map sets in parallel
	senders  map[senderKey]*sender
	answered int // interchange reports answered so far
}

type senderKey struct {
	ix    *InterchangeHeader
	group string // GS02
}

// Read implements format.Format: it yields each order of every 850/860 the
// document holds, and a *SetError for each transaction set it refuses.
// When doc.Answer is set, each interchange is answered once read.
//
// With more than one CPU, sets are mapped by Workers goroutines while the
// reader reads ahead; what is yielded and answered is in document order
// all the same.
func (f *Format) Read(ctx context.Context, r io.Reader, doc format.Doc) iter.Seq2[*order.Order, error] {
	return func(yield func(*order.Order, error) bool) {
		rd := &reading{f: f, ctx: ctx, doc: doc, senders: map[senderKey]*sender{}}
		var pending []*InterchangeReport
		xr := NewReader(r, Options{Doc: doc.Name, OnInterchange: func(rep *InterchangeReport) { pending = append(pending, rep) },
			MaxSegment: f.MaxSegment, MaxTransaction: f.MaxTransaction, TempDir: f.TempDir})
		next := func() *step {
			tx, err := xr.Next()
			st := &step{reports: pending, err: err}
			pending = nil
			if err == nil {
				// A detached set's values are shared, not copied, into
				// the orders: one copy per set instead of one per value.
				st.tx = tx.Detach()
			}
			if err == io.EOF {
				st.outside = xr.Errors()
			}
			return st
		}
		workers := f.Workers
		if workers == 0 {
			workers = runtime.GOMAXPROCS(0)
		}
		defer xr.Close()
		format.Ordered(ctx, workers, func() (*step, bool) {
			st := next()
			return st, st.err != nil
		}, rd.mapSet, func(st *step) bool { return rd.emit(st, yield) })
	}
}

// step is one turn of the reader: the interchanges it finished, and the
// next set (mapped into orders or refused) or the end.
type step struct {
	reports []*InterchangeReport // interchanges read completely, to answer first
	tx      *Transaction
	err     error    // io.EOF at the end, or why reading failed
	outside []*Error // at the end: what lay outside every interchange

	orders []*order.Order
	refuse *SetError
}

// emit answers the interchanges a step finished and yields its orders or
// refusal; false means stop.
func (rd *reading) emit(st *step, yield func(*order.Order, error) bool) bool {
	rd.pending = append(rd.pending, st.reports...)
	if err := rd.flush(); err != nil {
		yield(nil, format.Fatal(err))
		return false
	}
	switch {
	case st.err == io.EOF:
		// What lies outside every interchange: junk between them, or no
		// interchange at all. Nothing is refused for it, but the sender
		// hears of it.
		for _, e := range st.outside {
			if !yield(nil, e) {
				return false
			}
		}
		return false
	case st.err != nil:
		yield(nil, format.Fatal(fmt.Errorf("%s: %w", rd.doc.Name, st.err)))
		return false
	case st.refuse != nil:
		return yield(nil, st.refuse)
	}
	for _, o := range st.orders {
		if !yield(o, nil) {
			return false
		}
	}
	return true
}

// mapSet maps one set into orders, or into its refusal.
func (rd *reading) mapSet(st *step) {
	tx := st.tx
	defer tx.Release()
	snd := rd.sender(tx.Interchange, tx.Group)
	if snd.refusal != "" && len(tx.Report.Errors) == 0 {
		tx.Report.Errors = append(tx.Report.Errors, &Error{Doc: tx.Doc, Interchange: tx.Interchange.Control,
			Group: tx.Group.Control, Transaction: tx.Control, Set: tx.Code, Level: LevelTransaction,
			Code: snd.code, Msg: snd.refusal})
	}
	if len(tx.Report.Errors) == 0 && (tx.Code == "997" || tx.Code == "999") {
		// A partner's acknowledgement of what we sent: nothing to map
		// and nothing to refuse.
		tx.Report.Taken = true
		rd.f.log().Info("x12: acknowledgement received", "document", tx.Doc, "set", tx.Code,
			"control", tx.Control, "partner", snd.partner)
		return
	}
	var orders []*order.Order
	if len(tx.Report.Errors) == 0 {
		opts := MapOptions{Warn: func(e *Error) {
			rd.f.log().Warn("x12: "+e.Error()+" (accepted: set strict_hash in the partner's x12 profile to refuse such sets)",
				"partner", snd.partner)
		}}
		if snd.profile != nil {
			opts.StrictHash = snd.profile.StrictHash
		}
		orders = MapOrders(tx, opts)
	}
	if len(tx.Report.Errors) > 0 {
		st.refuse = &SetError{Doc: tx.Doc, Interchange: tx.Interchange.Control, Group: tx.Group.Control,
			Code: tx.Code, Control: tx.Control, Errors: tx.Report.Errors}
		return
	}
	tx.Report.Taken = true
	pos := "byte " + strconv.FormatInt(tx.Segments[0].Offset(), 10)
	for _, o := range orders {
		o.Partner = snd.partner
		o.Source = &order.Source{
			Format: "x12", Transport: rd.doc.Transport, Document: rd.doc.Name, DocumentID: rd.doc.ID,
			SHA256: rd.doc.SHA256, Interchange: tx.Interchange.Control, Group: tx.Group.Control,
			Transaction: tx.Control, Position: pos,
		}
	}
	st.orders = orders
}

// sender identifies who an interchange (and group) is from. The transport
// may already know the partner (its inbox directory, its SFTP login): then
// an interchange whose ISA sender belongs to another partner is refused,
// rather than taken as that partner's orders.
func (rd *reading) sender(h *InterchangeHeader, g *GroupHeader) *sender {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	k := senderKey{ix: h}
	if g != nil {
		k.group = g.Sender
	}
	if s, ok := rd.senders[k]; ok {
		return s
	}
	s := rd.identify(h, g)
	rd.senders[k] = s
	return s
}

func (rd *reading) identify(h *InterchangeHeader, g *GroupHeader) *sender {
	gs := ""
	if g != nil {
		gs = g.Sender
	}
	who := fmt.Sprintf("%s/%s", strings.TrimSpace(h.SenderQualifier), strings.TrimSpace(h.SenderID))
	if gs != "" && gs != strings.TrimSpace(h.SenderID) {
		who += " (GS02 " + gs + ")"
	}
	known := rd.doc.Partner
	if rd.f.Profiles == nil {
		return &sender{partner: known}
	}
	prof, ok := rd.f.Profiles.ByX12(h.SenderQualifier, h.SenderID, gs)
	switch {
	case ok && (known == "" || prof.Partner == known):
		return &sender{partner: prof.Partner, profile: prof.X12}
	case ok:
		return &sender{partner: known, refusal: fmt.Sprintf("the interchange sender %s is partner %s's, but the document came from partner %s",
			who, prof.Partner, known), code: SetSegmentsInError}
	case known != "":
		if p, found := rd.f.Profiles.Get(known); found && p.X12 != nil {
			return &sender{partner: known, refusal: fmt.Sprintf("the interchange sender %s is not partner %s's (its profile says %s/%s)",
				who, known, p.X12.SenderQualifier, p.X12.SenderID), code: SetSegmentsInError}
		}
		return &sender{partner: known}
	case rd.doc.Answer != nil:
		// Serving, and nobody knows who sent this: orders without a
		// partner cannot be priced or answered.
		return &sender{refusal: fmt.Sprintf("no partner profile has the interchange sender %s: add one to the profiles directory", who),
			code: SetSegmentsInError}
	}
	return &sender{}
}

// flush answers the interchanges read completely so far.
func (rd *reading) flush() error {
	for len(rd.pending) > 0 {
		rep := rd.pending[0]
		rd.pending = rd.pending[1:]
		if rd.doc.Answer == nil || rd.f.Numbers == nil {
			continue
		}
		if err := rd.answer(rep); err != nil {
			return err
		}
	}
	return nil
}

// answer builds the TA1 and 997/999 for one interchange. Only a failure to
// number them is returned (the store is down: try the document again);
// an answer that cannot be built is logged and skipped.
func (rd *reading) answer(rep *InterchangeReport) error {
	var g *GroupHeader
	if len(rep.Groups) > 0 {
		g = &rep.Groups[0].Header
	}
	h := &rep.Header
	snd := rd.sender(h, g)
	rd.answered++
	ordinal := rd.answered // the same ISA13 may come twice in a document
	log := rd.f.log().With("document", rd.doc.ID, "interchange", h.Control)
	if snd.partner == "" || snd.refusal != "" {
		log.Warn("interchange not answered: its sender is not a known partner", "sender", h.SenderQualifier+"/"+strings.TrimSpace(h.SenderID))
		return nil
	}
	prof := effectiveProfile(snd.profile, h)
	var kinds []string
	if NeedsTA1(rep) || prof.Wants("TA1") {
		kinds = append(kinds, "TA1")
	}
	fa := prof.FunctionalAck()
	if !rep.Rejected() && len(rep.Groups) > 0 && prof.Wants(fa) && !onlyAcks(rep) {
		kinds = append(kinds, fa)
	}
	for _, kind := range kinds {
		ref := fmt.Sprintf("%s/%d/%s", rd.doc.ID, ordinal, kind)
		n, err := rd.f.Numbers.ControlNumberFor(rd.ctx, snd.partner, controlKind, ref)
		if err != nil {
			return err
		}
		body, err := buildAnswer(prof, rep, kind, n, rd.f.now())
		if err != nil {
			log.Error("answer not built", "kind", kind, "err", err)
			continue
		}
		rd.doc.Answer(ordermsg.Ack{Partner: snd.partner, Kind: kind, Format: "x12",
			Name: AnswerName(kind, n), Key: rd.doc.ID, Body: body})
	}
	return nil
}

// onlyAcks tells whether every group is itself acknowledgements (FA):
// acknowledgements are never acknowledged.
func onlyAcks(rep *InterchangeReport) bool {
	for _, g := range rep.Groups {
		if g.Header.FunctionalID != "FA" {
			return false
		}
	}
	return true
}

// AnswerName is the file name an answer is delivered under: its kind and
// our interchange control number, unique per partner.
func AnswerName(kind string, control int64) string {
	return fmt.Sprintf("%s_%09d.x12", kind, control)
}

// effectiveProfile is the partner's X12 profile, or for a partner without
// one the defaults a profile would have, in the interchange's version.
func effectiveProfile(p *mappings.X12Profile, h *InterchangeHeader) *mappings.X12Profile {
	if p != nil {
		return p
	}
	d := mappings.DefaultX12Profile()
	if h.Version >= "00500" {
		d.Version = "005010"
		d.Acks = []string{"999", "855"}
	}
	return d
}

// buildAnswer writes one answer interchange.
func buildAnswer(p *mappings.X12Profile, rep *InterchangeReport, kind string, control int64, now time.Time) ([]byte, error) {
	var buf bytes.Buffer
	w, err := profileWriter(&buf, p)
	if err != nil {
		return nil, err
	}
	env := ReplyEnvelope(rep)
	env.Version = isaVersion(p.Version)
	env.Control, env.GroupControl = control, control
	env.Time = now
	switch kind {
	case "TA1":
		err = WriteTA1(w, env, TA1For(rep))
	default:
		err = WriteAck(w, env, rep, kind)
	}
	if err != nil {
		return nil, err
	}
	if rep.Header.Charset == "CP037" {
		return encodeCP037(nil, buf.Bytes()), nil
	}
	return buf.Bytes(), nil
}

// profileWriter writes X12 in the partner's delimiters, with the line
// break its profile asks for.
func profileWriter(out io.Writer, p *mappings.X12Profile) (*Writer, error) {
	d, err := profileDelimiters(p)
	if err != nil {
		return nil, err
	}
	return NewWriter(out, d, WithLineBreak(p.LineBreakBytes())), nil
}

// profileDelimiters are the delimiters a partner wants our answers in.
func profileDelimiters(p *mappings.X12Profile) (Delimiters, error) {
	one := func(name, v string) (byte, error) {
		if len(v) != 1 {
			return 0, fmt.Errorf("profile %s %q: want one character", name, v)
		}
		return v[0], nil
	}
	var d Delimiters
	var err error
	if d.Element, err = one("element_separator", p.Element); err != nil {
		return d, err
	}
	if d.Component, err = one("component_separator", p.Component); err != nil {
		return d, err
	}
	if d.Repetition, err = one("repetition_separator", p.Repetition); err != nil {
		return d, err
	}
	d.Segment = p.Segment
	return d, nil
}

// isaVersion turns a GS08-style version ("004010", "005010X222A1") into
// ISA12 ("00401", "00501").
func isaVersion(v string) string {
	if len(v) >= 5 {
		return v[:5]
	}
	return "00401"
}

func (f *Format) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

func (f *Format) log() *slog.Logger {
	if f.Log != nil {
		return f.Log
	}
	return slog.New(slog.DiscardHandler)
}

var _ format.Format = (*Format)(nil)
