package edifact

import (
	"bytes"
	"fmt"

	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/ordermsg"
)

// answer builds the CONTRL for one interchange, when its partner wants one:
// the UNB asks (0031 = 1), the profile lists CONTRL, or something in it was
// refused, which the sender must hear of in its own language (DESIGN:
// syntax problems become a functional acknowledgement). Only a failure to
// number it is returned (the store is down: try the document again); a
// CONTRL that cannot be built is logged and skipped.
func (rd *reading) answer(rep *InterchangeReport) error {
	h := &rep.Header
	if !h.Enveloped {
		return nil // no UNB: nobody to address a CONTRL to
	}
	var g *GroupHeader
	if len(rep.Groups) > 0 {
		g = &rep.Groups[0].Header
	}
	snd := rd.sender(h, g)
	rd.answered++
	ordinal := rd.answered // the same 0020 may come twice in a document
	log := rd.f.log().With("document", rd.doc.ID, "interchange", h.Control)
	if snd.partner == "" || snd.refusal != "" {
		log.Warn("interchange not answered: its sender is not a known partner", "sender", Party(h.Sender, h.SenderQualifier))
		return nil
	}
	if onlyAcknowledgements(rep) {
		return nil // acknowledgements are never acknowledged
	}
	prof := snd.profile
	if prof == nil {
		prof = mappings.DefaultEDIFACTProfile()
	}
	if !h.AckRequested && !prof.Wants("CONTRL") && !refusedAny(rep) {
		return nil
	}
	ref := fmt.Sprintf("%s/%d/CONTRL", rd.doc.ID, ordinal)
	n, err := rd.f.Numbers.ControlNumberFor(rd.ctx, snd.partner, ControlKind, ref)
	if err != nil {
		return err
	}
	body, err := buildCONTRL(prof, rep, n, rd.f)
	if err != nil {
		log.Error("CONTRL not built", "err", err)
		return nil
	}
	rd.doc.Answer(ordermsg.Ack{Partner: snd.partner, Kind: "CONTRL", Format: "edifact",
		Name: AnswerName("CONTRL", n), Key: rd.doc.ID, Body: body})
	return nil
}

// buildCONTRL writes the CONTRL interchange: addressed back to the sender
// as it addressed us, in its service characters and syntax unless its
// profile names others.
func buildCONTRL(prof *mappings.EDIFACTProfile, rep *InterchangeReport, control int64, f *Format) ([]byte, error) {
	h := &rep.Header
	sep, syn, err := answerSyntax(prof, h.Separators.UNA(), h.Syntax+":"+h.SyntaxVersion)
	if err != nil {
		return nil, err
	}
	env := ReplyTo(h)
	env.Syntax, env.SyntaxVersion = syn.Syntax, syn.SyntaxVersion
	env.Control, env.Time, env.Test = control, f.now(), h.Test || prof.Test
	var buf bytes.Buffer
	opts := []WriterOption{WithLineBreak(prof.LineBreakBytes())}
	if h.HasUNA {
		opts = append(opts, WithUNA())
	}
	w := NewWriter(&buf, sep, opts...)
	if err := WriteCONTRL(w, env, rep); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// refusedAny tells whether anything in the interchange was refused.
func refusedAny(rep *InterchangeReport) bool {
	if len(rep.Errors) > 0 {
		return true
	}
	for _, g := range rep.Groups {
		if len(g.Errors) > 0 {
			return true
		}
	}
	for _, m := range rep.AllMessages() {
		if !m.Taken {
			return true
		}
	}
	return false
}

// onlyAcknowledgements tells whether every message of the interchange
// answers something we sent (CONTRL, APERAK).
func onlyAcknowledgements(rep *InterchangeReport) bool {
	ms := rep.AllMessages()
	for _, m := range ms {
		if !acknowledgements[m.Header.Type] {
			return false
		}
	}
	return len(ms) > 0
}
