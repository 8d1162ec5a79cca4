package edifact

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
)

// POAcknowledger answers EDIFACT partners about their orders with an
// ORDRSP once the pipeline has decided them (it implements
// pipeline.Acknowledger). The pipeline calls it from the acknowledge
// stage, on routed and rejected orders, so an ORDRSP never goes out before
// stock and price are known.
type POAcknowledger struct {
	Profiles *mappings.Profiles
	Numbers  ControlNumbers
	// Now is the clock of the envelope and the response date; default
	// time.Now.
	Now func() time.Time
}

// Wants tells whether o came in as EDIFACT from a partner whose profile
// asks for ORDRSPs (the default for a partner with an EDIFACT profile). A
// partner without one gets none: the UNB address to answer is the
// profile's.
func (a *POAcknowledger) Wants(o *order.Order) bool {
	if o.Source == nil || o.Source.Format != "edifact" || o.Partner == "" {
		return false
	}
	p, ok := a.profile(o.Partner)
	return ok && p.Wants("ORDRSP")
}

func (a *POAcknowledger) profile(partner string) (*mappings.EDIFACTProfile, bool) {
	if p, ok := a.Profiles.Get(partner); ok && p.EDIFACT != nil {
		return p.EDIFACT, true
	}
	return nil, false
}

// Acknowledge builds the ORDRSP for o, in an interchange of its own
// numbered from the partner's UNB sequence. The number is assigned to the
// order, so building it again after a crash gives the same name and the
// bus keeps one copy; it is also the response number (BGM 1004).
func (a *POAcknowledger) Acknowledge(ctx context.Context, o *order.Order) ([]ordermsg.Ack, error) {
	p, ok := a.profile(o.Partner)
	if !ok {
		return nil, fmt.Errorf("ORDRSP for order %s: partner %s has no EDIFACT profile", o.ID, o.Partner)
	}
	var chars, syntax string
	if o.Source != nil {
		chars, syntax = o.Source.ServiceChars, o.Source.Syntax
	}
	sep, env, err := answerSyntax(p, chars, syntax)
	if err != nil {
		return nil, fmt.Errorf("ORDRSP for order %s: partner %s: %w", o.ID, o.Partner, err)
	}
	n, err := a.Numbers.ControlNumberFor(ctx, o.Partner, ControlKind, o.ID+"/ORDRSP")
	if err != nil {
		return nil, err
	}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	env.Sender, env.SenderQualifier = p.RecipientID, p.RecipientQualifier
	env.Recipient, env.RecipientQualifier = p.SenderID, p.SenderQualifier
	env.Control, env.Time, env.Test = n, now(), p.Test
	var buf bytes.Buffer
	w := NewWriter(&buf, sep, WithLineBreak(p.LineBreakBytes()))
	number := strconv.FormatInt(n, 10)
	opts := ORDRSPOptions{Now: now, Version: p.ORDRSPVersion, Number: func(*order.Order) string { return number }}
	if err := WriteORDRSPInterchange(w, env, []*order.Order{o}, opts); err != nil {
		return nil, err
	}
	return []ordermsg.Ack{{Partner: o.Partner, Kind: "ORDRSP", Format: "edifact", Name: AnswerName("ORDRSP", n), Key: o.ID, Body: buf.Bytes()}}, nil
}

// answerSyntax is how an answer to the partner is written, CONTRL and
// ORDRSP alike: the profile's service characters and syntax when it names
// them, else those of the partner's interchange (theirChars, its six UNA
// characters, and theirSyntax, "UNOC:3"), else ISO 9735's defaults
// (":+.? '"; UNOA, version 3 by the UNB's own defaults). The envelope
// returned has only its syntax set.
func answerSyntax(p *mappings.EDIFACTProfile, theirChars, theirSyntax string) (Separators, ReplyEnvelope, error) {
	sep := DefaultSeparators
	chars := p.ServiceChars
	if chars == "" {
		chars = theirChars
	}
	if chars != "" {
		s, err := ParseUNA(chars)
		if err != nil {
			return sep, ReplyEnvelope{}, fmt.Errorf("service characters %q: %w", chars, err)
		}
		sep = s
	}
	id, version, _ := strings.Cut(p.Syntax, ":")
	tid, tversion, _ := strings.Cut(theirSyntax, ":")
	if id == "" {
		id = tid
	}
	if version == "" {
		version = tversion
	}
	return sep, ReplyEnvelope{Syntax: id, SyntaxVersion: version}, nil
}
