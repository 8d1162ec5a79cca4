package edifact

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
)

// Format reads UN/EDIFACT purchase orders (ORDERS) and order changes
// (ORDCHG) into canonical orders, and answers each interchange with the
// CONTRL its partner wants.
type Format struct {
	// Profiles identify the partner an interchange is from by its UNB
	// sender (and UNG sender). Nil: partners are not identified
	// (orderhub translate without a data directory).
	Profiles *mappings.Profiles
	// Numbers numbers the answers. Nil: nothing is answered.
	Numbers ControlNumbers
	// Now is the clock of the answers' envelopes; default time.Now.
	Now func() time.Time
	// Log hears about answers that could not be built and acknowledgements
	// received.
	Log *slog.Logger
	// Reader limits; see Options.
	MaxSegment, MaxMessage int
	TempDir                string
	// Workers map messages in parallel while the reader reads ahead;
	// default GOMAXPROCS, 1 to map as the reader reads.
	Workers int
}

// Name implements format.Format.
func (f *Format) Name() string { return "edifact" }

// Detect implements format.Format: a document whose first line, or a
// line after a few lines of something else (a mail header, a banner some
// systems write), starts with UNA, UNB or UNH.
func (f *Format) Detect(head []byte) bool { return Detect(head) }

// Detect tells whether head starts an EDIFACT document.
func Detect(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	for line := 0; len(head) > 0 && line < 8; line++ {
		head = bytes.TrimLeft(head, " \t\r\n")
		if len(head) >= 4 && head[0] == 'U' && head[1] == 'N' && !isAlnum(head[3]) {
			switch head[2] {
			case 'A':
				return true
			case 'B', 'H':
				return head[3] != ' ' && head[3] != '\t' && head[3] != '\r' && head[3] != '\n'
			}
		}
		nl := bytes.IndexByte(head, '\n')
		if nl < 0 {
			return false
		}
		head = head[nl+1:]
	}
	return false
}

// MessageError says why a message gave no orders: its own problems, or
// its group's or interchange's. It unwraps to each located *Error.
type MessageError struct {
	Doc         string
	Interchange string // UNB 0020
	Group       string // UNG 0048
	Type        string // UNH 0065
	Ref         string // UNH 0062
	Errors      []*Error
}

func (e *MessageError) Error() string {
	if len(e.Errors) == 0 {
		return fmt.Sprintf("%s: UNH %s: message %s refused", e.Doc, e.Ref, e.Type)
	}
	var b strings.Builder
	for i, err := range e.Errors {
		msg := err.Error()
		if i > 0 {
			b.WriteString("; ")
			msg = strings.TrimPrefix(msg, err.Doc+": ")
			msg = strings.TrimPrefix(msg, "UNH "+err.Message+" ("+err.Type+") ")
		}
		b.WriteString(msg)
	}
	return b.String()
}

// Unwrap gives the located errors, for errors.As.
func (e *MessageError) Unwrap() []error {
	out := make([]error, len(e.Errors))
	for i, err := range e.Errors {
		out[i] = err
	}
	return out
}

// Located lists the message's problems each at its own place, for the
// error report beside a refused document.
func (e *MessageError) Located() []format.Located {
	out := make([]format.Located, len(e.Errors))
	for i, err := range e.Errors {
		out[i] = format.Located{Position: err.DocPosition(), Message: err.Msg}
	}
	return out
}

// DocPosition is where the first problem is.
func (e *MessageError) DocPosition() string {
	if len(e.Errors) > 0 {
		return e.Errors[0].DocPosition()
	}
	return "UNH " + e.Ref
}

// sender is who an interchange is from, as far as orderhub can tell.
type sender struct {
	partner string
	profile *mappings.EDIFACTProfile // nil: the partner has none
	// refusal, when set, refuses every message of the interchange and
	// stops answers: it does not come from whom it should.
	refusal string
}

// senderKey is what identify looks at. It holds the values, not the
// header: a pointer would keep every interchange's report (and through its
// messages' headers, the slabs their bytes are in) alive to the end of the
// document.
type senderKey struct {
	enveloped            bool
	qualifier, id, group string
}

// reading is the state of one Read.
type reading struct {
	f        *Format
	ctx      context.Context
	doc      format.Doc
	pending  []*InterchangeReport
	mu       sync.Mutex // guards senders: workers map in parallel
	senders  map[senderKey]*sender
	answered int
}

// step is one turn of the reader: the interchanges it finished, and the
// next message (mapped into orders or refused) or the end.
type step struct {
	reports []*InterchangeReport
	msg     *Message
	err     error
	outside []*Error

	orders []*order.Order
	refuse *MessageError
}

// Read implements format.Format: it yields each order of every ORDERS and
// ORDCHG message the document holds, and a *MessageError for each message
// it refuses. When doc.Answer is set, each interchange is answered once
// read. With more than one CPU, messages are mapped by Workers goroutines
// while the reader reads ahead; what is yielded and answered is in
// document order all the same.
func (f *Format) Read(ctx context.Context, r io.Reader, doc format.Doc) iter.Seq2[*order.Order, error] {
	return func(yield func(*order.Order, error) bool) {
		rd := &reading{f: f, ctx: ctx, doc: doc, senders: map[senderKey]*sender{}}
		var pending []*InterchangeReport
		er := NewReader(r, Options{Doc: doc.Name, MaxSegment: f.MaxSegment, MaxMessage: f.MaxMessage, TempDir: f.TempDir,
			OnInterchange: func(rep *InterchangeReport) { pending = append(pending, rep) },
			Lenient:       rd.lenient})
		workers := f.Workers
		if workers == 0 {
			workers = runtime.GOMAXPROCS(0)
		}
		defer er.Close()
		next := func() (*step, bool) {
			m, err := er.Next()
			st := &step{reports: pending, msg: m, err: err}
			pending = nil
			if err == io.EOF {
				st.outside = er.Errors()
			}
			return st, err != nil
		}
		format.Ordered(ctx, workers, next, rd.mapMessage, func(st *step) bool { return rd.emit(st, yield) })
	}
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

// acknowledgements are the message types that answer what we sent: they
// are taken without orders and without being refused.
var acknowledgements = map[string]bool{"CONTRL": true, "APERAK": true}

// mapMessage maps one message into orders, or into its refusal.
func (rd *reading) mapMessage(st *step) {
	m := st.msg
	rep := m.Report
	snd := rd.sender(m.Interchange, m.Group)
	if snd.refusal != "" && len(rep.Errors) == 0 {
		e := m.MessageErr(CodeUnknownSender, "%s", snd.refusal)
		rep.Errors = append(rep.Errors, e)
	}
	if len(rep.Errors) == 0 && acknowledgements[m.Header.Type] {
		rep.Taken = true
		rd.f.log().Info("edifact: acknowledgement received", "document", m.Doc, "type", m.Header.Type,
			"message", m.Header.Ref, "partner", snd.partner)
		return
	}
	var orders []*order.Order
	if len(rep.Errors) == 0 {
		opts := MapOptions{Warn: func(e *Error) {
			rd.f.log().Warn("edifact: "+e.Error()+" (accepted)", "partner", snd.partner)
		}}
		orders = MapOrders(m, opts)
	}
	if len(rep.Errors) > 0 {
		st.refuse = &MessageError{Doc: m.Doc, Interchange: m.Interchange.Control, Type: m.Header.Type, Ref: m.Header.Ref, Errors: rep.Errors}
		if m.Group != nil {
			st.refuse.Group = m.Group.Control
		}
		return
	}
	rep.Taken = true
	ih := m.Interchange
	src := order.Source{
		Format: "edifact", Transport: rd.doc.Transport, Document: rd.doc.Name, DocumentID: rd.doc.ID,
		SHA256: rd.doc.SHA256, Interchange: ih.Control, Transaction: m.Header.Ref,
		Position: "byte " + strconv.FormatInt(m.Offset, 10), ServiceChars: ih.Separators.UNA(),
		MessageVersion: m.Header.VersionID(),
		Sender:         Party(ih.Sender, ih.SenderQualifier), Recipient: Party(ih.Recipient, ih.RecipientQualifier),
	}
	if ih.Syntax != "" {
		src.Syntax = ih.Syntax
		if ih.SyntaxVersion != "" {
			src.Syntax += ":" + ih.SyntaxVersion
		}
	}
	if m.Group != nil {
		src.Group = m.Group.Control
	}
	for _, o := range orders {
		o.Partner = snd.partner
		s := src
		o.Source = &s
	}
	st.orders = orders
}

// lenient tells the reader whether an interchange's partner accepts
// characters outside the declared repertoire.
func (rd *reading) lenient(h *InterchangeHeader) bool {
	s := rd.sender(h, nil)
	return s.profile != nil && s.profile.LenientCharset
}

// sender identifies who an interchange (and group) is from. The transport
// may already know the partner (its inbox directory, its login): then an
// interchange whose UNB sender belongs to another partner is refused,
// rather than taken as that partner's orders.
func (rd *reading) sender(h *InterchangeHeader, g *GroupHeader) *sender {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	k := senderKey{enveloped: h.Enveloped, qualifier: h.SenderQualifier, id: h.Sender}
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
	known := rd.doc.Partner
	if !h.Enveloped {
		// Messages without a UNB: only the transport can say whose they are.
		if known == "" && rd.doc.Answer != nil {
			return &sender{refusal: "the message has no interchange (UNB) to tell who sent it, and the transport does not know"}
		}
		return &sender{partner: known, profile: rd.profileOf(known)}
	}
	gs := ""
	if g != nil {
		gs = g.Sender
	}
	who := Party(h.Sender, h.SenderQualifier)
	if gs != "" && gs != h.Sender {
		who += " (UNG " + gs + ")"
	}
	if rd.f.Profiles == nil {
		return &sender{partner: known}
	}
	prof, ok := rd.f.Profiles.ByEDIFACT(h.SenderQualifier, h.Sender, gs)
	switch {
	case ok && (known == "" || prof.Partner == known):
		return &sender{partner: prof.Partner, profile: prof.EDIFACT}
	case ok:
		return &sender{partner: known, refusal: fmt.Sprintf("the interchange sender %s is partner %s's, but the document came from partner %s",
			who, prof.Partner, known)}
	case known != "":
		if p, found := rd.f.Profiles.Get(known); found && p.EDIFACT != nil {
			return &sender{partner: known, refusal: fmt.Sprintf("the interchange sender %s is not partner %s's (its profile says %s)",
				who, known, Party(p.EDIFACT.SenderID, p.EDIFACT.SenderQualifier))}
		}
		return &sender{partner: known}
	case rd.doc.Answer != nil:
		return &sender{refusal: fmt.Sprintf("no partner profile has the interchange sender %s: add one to the profiles directory", who)}
	}
	return &sender{}
}

func (rd *reading) profileOf(partner string) *mappings.EDIFACTProfile {
	if partner == "" || rd.f.Profiles == nil {
		return nil
	}
	if p, ok := rd.f.Profiles.Get(partner); ok {
		return p.EDIFACT
	}
	return nil
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
