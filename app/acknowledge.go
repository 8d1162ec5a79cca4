package app

import (
	"context"

	"github.com/orderhub/orderhub/adapters/edifact"
	"github.com/orderhub/orderhub/adapters/x12"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
	"github.com/orderhub/orderhub/pipeline"
)

// Acknowledgers dispatches each order to the first of its Acknowledgers
// that wants it: each format's knows its own orders (by Source.Format) and
// partners, so an X12 order gets an 855 and an EDIFACT one an ORDRSP from
// the one pipeline stage, which knows no formats.
type Acknowledgers []pipeline.Acknowledger

// Wants tells whether any of them wants o.
func (as Acknowledgers) Wants(o *order.Order) bool {
	for _, a := range as {
		if a.Wants(o) {
			return true
		}
	}
	return false
}

// Acknowledge builds o's answers with the first that wants it; none
// wanting it is no answer, not an error.
func (as Acknowledgers) Acknowledge(ctx context.Context, o *order.Order) ([]ordermsg.Ack, error) {
	for _, a := range as {
		if a.Wants(o) {
			return a.Acknowledge(ctx, o)
		}
	}
	return nil, nil
}

// acknowledger is the pipeline's: X12 orders answered with an 855,
// EDIFACT orders with an ORDRSP, numbered from the store.
func (a *App) acknowledger() Acknowledgers {
	return Acknowledgers{
		&x12.POAcknowledger{Profiles: a.Profiles, Numbers: a.Store},
		&edifact.POAcknowledger{Profiles: a.Profiles, Numbers: a.Store},
	}
}
