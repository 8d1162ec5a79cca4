package x12

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
)

// POAcknowledger answers X12 partners about their orders with an 855 once
// the pipeline has decided them (it implements pipeline.Acknowledger). The
// pipeline calls it from the acknowledge stage, which runs on routed and
// rejected orders only, so an 855 never goes out before stock and price
// are known.
type POAcknowledger struct {
	Profiles *mappings.Profiles
	Numbers  ControlNumbers
	// Now is the clock of the envelope and the acknowledgement date;
	// default time.Now.
	Now func() time.Time
}

// Wants tells whether o came in as X12 from a partner whose profile asks
// for 855s (the default for a partner with an X12 profile). A partner
// without one gets none: its ISA address is not known.
func (a *POAcknowledger) Wants(o *order.Order) bool {
	if o.Source == nil || o.Source.Format != "x12" || o.Partner == "" {
		return false
	}
	p, ok := a.profile(o.Partner)
	return ok && p.Wants("855")
}

func (a *POAcknowledger) profile(partner string) (*mappings.X12Profile, bool) {
	if p, ok := a.Profiles.Get(partner); ok && p.X12 != nil {
		return p.X12, true
	}
	return nil, false
}

// Acknowledge builds the 855 for o, in an interchange of its own numbered
// from the partner's sequence. The number is assigned to the order, so
// building it again after a crash gives the same name and the bus keeps
// one copy.
func (a *POAcknowledger) Acknowledge(ctx context.Context, o *order.Order) ([]ordermsg.Ack, error) {
	p, ok := a.profile(o.Partner)
	if !ok {
		return nil, fmt.Errorf("855 for order %s: partner %s has no X12 profile", o.ID, o.Partner)
	}
	n, err := a.Numbers.ControlNumberFor(ctx, o.Partner, controlKind, o.ID+"/855")
	if err != nil {
		return nil, err
	}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	env := Envelope{
		SenderQualifier: p.ReceiverQualifier, SenderID: p.ReceiverID,
		ReceiverQualifier: p.SenderQualifier, ReceiverID: p.SenderID,
		Version: isaVersion(p.Version), GroupVersion: p.Version,
		Control: n, GroupControl: n, Usage: p.Usage, Time: now(),
	}
	if p.GroupSender != "" {
		env.GroupReceiver = p.GroupSender
	}
	var buf bytes.Buffer
	w, err := profileWriter(&buf, p)
	if err != nil {
		return nil, fmt.Errorf("855 for order %s: partner %s: %w", o.ID, o.Partner, err)
	}
	if err := Write855Interchange(w, env, []*order.Order{o}, PO855Options{Now: now}); err != nil {
		return nil, err
	}
	return []ordermsg.Ack{{Partner: o.Partner, Kind: "855", Format: "x12", Name: AnswerName("855", n), Key: o.ID, Body: buf.Bytes()}}, nil
}
