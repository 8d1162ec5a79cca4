package app

import (
	"context"

	"github.com/orderhub/orderhub/adapters/httpapi"
	"github.com/orderhub/orderhub/config"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/pipeline"
)

// Release releases a held order to the route stage, or with reject
// cancels it (see pipeline.Release). It needs no running pipeline: the
// route stage of whichever process serves the data directory takes the
// order from the bus.
func (a *App) Release(ctx context.Context, id string, reject bool, by, note string) (*order.Order, error) {
	return pipeline.Release(ctx, a.Store, a.Bus.Publisher(), pipeline.ReleaseRequest{ID: id, By: by, Reject: reject, Note: note})
}

func reviewers(cfg []config.Reviewer) []httpapi.Reviewer {
	out := make([]httpapi.Reviewer, len(cfg))
	for i, r := range cfg {
		out[i] = httpapi.Reviewer{Name: r.Name, TokenSHA256: r.TokenSHA256}
	}
	return out
}
