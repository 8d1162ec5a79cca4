package edifact

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// ReplyEnvelope is the UNB of an interchange we send: our answers' sender
// and recipient (the partner's UNB swapped), our control reference and the
// syntax the partner reads. The separators are the Writer's.
type ReplyEnvelope struct {
	// Syntax and SyntaxVersion are S001: "UNOC" and "3". Default UNOA and
	// 3, ISO 9735's defaults. The repertoire of every value written after
	// the UNB is the syntax identifier's.
	Syntax, SyntaxVersion string
	// Sender is S002, us: identification (0004, up to 35 characters),
	// code qualifier (0007, up to 4) and routing address (0008/0014).
	Sender, SenderQualifier, SenderRouting string
	// Recipient is S003, the partner, likewise.
	Recipient, RecipientQualifier, RecipientRouting string
	// Control is 0020 in UNB and UNZ, 1 to 99999999999999: numbers come
	// from the store (ControlNumbers), one sequence per partner.
	Control int64
	// Time is S004, written YYMMDD:HHMM (CCYYMMDD:HHMM in syntax version
	// 4) in its own location. Default time.Now().
	Time time.Time
	// Application is 0026, the application reference; EANCOM puts the
	// message type there when every message of the interchange has it.
	Application string
	// AckRequested is 0031 = 1: we want a CONTRL back.
	AckRequested bool
	// Test is 0035 = 1, a test interchange.
	Test bool
}

// ReplyTo is the envelope of an answer to the interchange h: its sender
// becomes our recipient and its recipient our sender, as written, in the
// same syntax. Control and Time are the caller's.
func ReplyTo(h *InterchangeHeader) ReplyEnvelope {
	return ReplyEnvelope{
		Syntax: h.Syntax, SyntaxVersion: h.SyntaxVersion,
		Sender: h.Recipient, SenderQualifier: h.RecipientQualifier, SenderRouting: h.RecipientRouting,
		Recipient: h.Sender, RecipientQualifier: h.SenderQualifier, RecipientRouting: h.SenderRouting,
		Test: h.Test,
	}
}

func (e *ReplyEnvelope) setDefaults() {
	if e.Syntax == "" {
		e.Syntax = "UNOA"
	}
	if e.SyntaxVersion == "" {
		e.SyntaxVersion = "3"
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
}

// validate checks the envelope against ISO 9735's lengths, so what we
// send is not refused for its UNB.
func (e *ReplyEnvelope) validate() error {
	if _, ok := charsets[e.Syntax]; !ok {
		return fmt.Errorf("UNB: syntax identifier %q: want one of UNOA to UNOK, UNOW or UNOY", e.Syntax)
	}
	if v := e.SyntaxVersion; len(v) != 1 || v[0] < '1' || v[0] > '4' {
		return fmt.Errorf("UNB: syntax version %q: want 1 to 4", v)
	}
	for _, f := range []struct {
		name, v  string
		min, max int
	}{
		{"sender identification (S002 0004)", e.Sender, 1, 35},
		{"sender code qualifier (S002 0007)", e.SenderQualifier, 0, 4},
		{"sender routing (S002)", e.SenderRouting, 0, 35},
		{"recipient identification (S003 0010)", e.Recipient, 1, 35},
		{"recipient code qualifier (S003 0007)", e.RecipientQualifier, 0, 4},
		{"recipient routing (S003)", e.RecipientRouting, 0, 35},
		{"application reference (0026)", e.Application, 0, 14},
	} {
		if n := utf8.RuneCountInString(f.v); n < f.min || n > f.max {
			return fmt.Errorf("UNB: %s %q: want %d to %d characters", f.name, f.v, f.min, f.max)
		}
	}
	if e.Control < 1 || e.Control > 99999999999999 {
		return fmt.Errorf("UNB: control reference (0020) %d: want 1 to 99999999999999 (14 digits)", e.Control)
	}
	return nil
}

// UNB writes the UNA (when the separators are not the defaults of the
// syntax version, or WithUNA asked) and the UNB of env, and starts an
// interchange: the values that follow are written in env's repertoire.
func (w *Writer) UNB(env ReplyEnvelope) error {
	if w.err != nil {
		return w.err
	}
	if w.inUNB {
		return errors.New("UNB: the previous interchange has no UNZ")
	}
	env.setDefaults()
	if err := env.validate(); err != nil {
		return err
	}
	sep := w.base
	v4 := env.SyntaxVersion == "4"
	// The repetition separator exists from syntax version 4 on, '*'
	// unless the UNA says otherwise; before, '*' is data.
	switch {
	case !v4:
		sep.Repetition = 0
	case sep.Repetition == 0:
		sep.Repetition = '*'
	}
	def := DefaultSeparators
	if v4 {
		def.Repetition = '*'
	}
	if err := sep.check(); err != nil {
		return fmt.Errorf("UNB: %w", err)
	}
	w.sep = sep
	if w.forceUNA || sep != def {
		b := append(w.buf[:0], "UNA"...)
		b = append(b, sep.UNA()...)
		b = append(b, w.lineBreak...)
		w.buf = b
		if err := w.emit(b, 0); err != nil { // a UNA is no segment
			return err
		}
	}
	date := env.Time.Format("060102")
	if v4 {
		date = env.Time.Format("20060102")
	}
	control := strconv.FormatInt(env.Control, 10)
	ack, test := "", ""
	if env.AckRequested {
		ack = "1"
	}
	if env.Test {
		test = "1"
	}
	// UNB's own values are in the new repertoire.
	w.rep = repertoire{cs: charsets[env.Syntax]}
	w.begin("UNB", true)
	w.Elem(env.Syntax, env.SyntaxVersion)
	w.Elem(env.Sender, env.SenderQualifier, env.SenderRouting)
	w.Elem(env.Recipient, env.RecipientQualifier, env.RecipientRouting)
	w.Elem(date, env.Time.Format("1504"))
	w.Elem(control)
	w.Elem() // S005 recipient's reference/password
	w.Elem(env.Application)
	w.Elem() // 0029 processing priority
	w.Elem(ack)
	w.Elem() // 0032 interchange agreement
	w.Elem(test)
	if err := w.End(); err != nil {
		return err
	}
	w.control, w.inUNB, w.messages = control, true, 0
	return nil
}

// UNH starts a message: h's reference (0062, 1 to 14 characters) and its
// identifier (S009: type, version, release, agency, association).
func (w *Writer) UNH(h MessageHeader) error {
	if w.inMessage {
		return fmt.Errorf("UNH %s: message %s has no UNT", h.Ref, w.msgRef)
	}
	if n := utf8.RuneCountInString(h.Ref); n < 1 || n > 14 {
		return fmt.Errorf("UNH: message reference (0062) %q: want 1 to 14 characters", h.Ref)
	}
	if h.Type == "" || h.Version == "" || h.Release == "" || h.Agency == "" {
		return fmt.Errorf("UNH %s: message identifier %q: want type, version, release and agency", h.Ref, h.Identifier())
	}
	if len(h.Type) > 6 || len(h.Version) > 3 || len(h.Release) > 3 || len(h.Agency) > 3 || len(h.Association) > 6 {
		return fmt.Errorf("UNH %s: message identifier %q: want type up to 6 characters, version and release up to 3, agency up to 3, association up to 6", h.Ref, h.Identifier())
	}
	w.begin("UNH", true)
	w.Elem(h.Ref)
	w.Elem(h.Type, h.Version, h.Release, h.Agency, h.Association)
	w.Elem(h.AccessRef)
	if err := w.End(); err != nil {
		return err
	}
	w.inMessage, w.msgRef, w.msgStart = true, h.Ref, w.count-1
	return nil
}

// UNT ends the message UNH started with its segment count (UNH and UNT
// included) and reference.
func (w *Writer) UNT() error {
	if !w.inMessage {
		return errors.New("UNT without UNH")
	}
	w.begin("UNT", true)
	w.Elem(strconv.Itoa(w.count - w.msgStart + 1))
	w.Elem(w.msgRef)
	if err := w.End(); err != nil {
		return err
	}
	w.inMessage = false
	w.messages++
	return nil
}

// UNZ ends the interchange UNB started with its message count and
// control reference.
func (w *Writer) UNZ() error {
	if !w.inUNB {
		return errors.New("UNZ without UNB")
	}
	if w.inMessage {
		return fmt.Errorf("UNZ: message %s has no UNT", w.msgRef)
	}
	w.begin("UNZ", true)
	w.Elem(strconv.Itoa(w.messages))
	w.Elem(w.control)
	if err := w.End(); err != nil {
		return err
	}
	w.inUNB = false
	return nil
}

// Outgoing is one message WriteInterchange writes: its UNH (Header: Ref,
// defaulting to its place in the interchange, "1", "2", ..., and the
// message identifier), what Body writes, and its UNT.
type Outgoing struct {
	Header MessageHeader
	// Body writes the segments between UNH and UNT. Service segments
	// (UNA, UNB, UNG, UNH, UNT, UNE, UNZ) are refused.
	Body func(*Writer) error
}

// WriteInterchange writes one interchange: UNA when needed, UNB, each
// message and UNZ, with every count and reference filled in. It is built
// in memory and written with one call only if every part succeeded, so a
// failing body leaves nothing half written behind it.
func WriteInterchange(w *Writer, env ReplyEnvelope, msgs []Outgoing) error {
	if w.err != nil {
		return w.err
	}
	if len(msgs) == 0 {
		return errors.New("an interchange needs at least one message")
	}
	var buf bytes.Buffer
	iw := &Writer{out: &buf, base: w.base, sep: w.sep, lineBreak: w.lineBreak, forceUNA: w.forceUNA, rep: repUTF8}
	if err := iw.UNB(env); err != nil {
		return err
	}
	for i, m := range msgs {
		h := m.Header
		if h.Ref == "" {
			h.Ref = strconv.Itoa(i + 1)
		}
		if m.Body == nil {
			return fmt.Errorf("message %d of %d: no body", i+1, len(msgs))
		}
		if err := iw.UNH(h); err != nil {
			return err
		}
		if err := m.Body(iw); err != nil {
			return fmt.Errorf("UNH %s (%s): %w", h.Ref, h.Type, err)
		}
		if iw.open {
			return fmt.Errorf("UNH %s (%s): a segment was begun and not ended", h.Ref, h.Type)
		}
		if err := iw.UNT(); err != nil {
			return err
		}
	}
	if err := iw.UNZ(); err != nil {
		return err
	}
	return w.emit(buf.Bytes(), iw.count)
}
