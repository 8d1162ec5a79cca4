package pipeline

import (
	"context"
	"errors"
	"time"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/rules"
	"github.com/orderhub/orderhub/store"
)

// routePlanner decides how and when each warehouse's part of an order
// ships: the ship date from the warehouse's cut-off and calendar, and the
// carrier and service from the carrier rules. The route stage and the
// backorder fills plan with it, so a fill ships by the same rules as the
// order did.
type routePlanner struct {
	rules *rules.Set
	now   time.Time
	tier  string
	// weigh says whether a carrier rule looks at weights, which cost a
	// catalog read per line to know.
	weigh bool
}

// newRoutePlanner reads what planning needs once per order: the rules in
// force and, when there are carrier rules, the partner's tier.
func newRoutePlanner(ctx context.Context, st *store.Store, rf *rules.File, now time.Time, partner string) (*routePlanner, error) {
	p := &routePlanner{now: now}
	if rf != nil {
		p.rules = rf.Current()
	}
	if p.rules == nil || len(p.rules.Carriers) == 0 {
		return p, nil
	}
	p.weigh = p.rules.WeighsShipments()
	switch pt, err := st.Partner(ctx, partner); {
	case err == nil:
		p.tier = pt.Tier
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	return p, nil
}

// plan sets o.Route (the primary warehouse's) and, when o ships from more
// than one warehouse, o.Routes (each warehouse's, by code). weigh gives a
// warehouse's shipment as it would be sent, for its weight.
func (p *routePlanner) plan(o *order.Order, weigh func(wh string) (*ShipmentRequest, error)) error {
	o.Route, o.Routes = nil, nil
	whs := warehouses(o)
	if len(whs) == 0 {
		return nil
	}
	primary := primaryWarehouse(o)
	routes := make([]order.Route, 0, len(whs))
	for _, wh := range whs {
		var req *ShipmentRequest
		if p.weigh {
			var err error
			if req, err = weigh(wh); err != nil {
				return err
			}
		}
		routes = append(routes, p.route(o, wh, req))
	}
	for i := range routes {
		if routes[i].Warehouse == primary {
			r := routes[i]
			o.Route = &r
		}
	}
	if len(routes) > 1 {
		o.Routes = routes
	}
	return nil
}

// route is warehouse wh's route for o; req, when not nil, is its shipment
// with the weights.
func (p *routePlanner) route(o *order.Order, wh string, req *ShipmentRequest) order.Route {
	r := order.Route{Warehouse: wh, Topic: FulfilmentPrefix + wh}
	r.ShipDate = p.rules.ShipDate(wh, p.now, o.RequestedShipDate)
	sh := rules.Shipment{Warehouse: wh, To: placeOf(o), Tier: p.tier, Short: orderShort(o),
		ShipDate: r.ShipDate, DeliverBy: o.RequestedDeliveryDate}
	if req != nil {
		sh.WeightKG = req.TotalWeightKG
	}
	if cr := p.rules.CarrierFor(sh); cr != nil {
		r.Carrier, r.Service, r.CarrierRule = cr.Carrier, cr.Service, cr.ID
	}
	return r
}

// orderShort tells whether a line of o did not get all it asked for, for
// want of stock (backordered, or cut for a partner taking no backorders).
func orderShort(o *order.Order) bool {
	for i := range o.Outcomes {
		if o.Outcomes[i].Short.IsPositive() {
			return true
		}
	}
	return false
}

// routeFor is warehouse wh's route on o, nil when o has none for it.
func routeFor(o *order.Order, wh string) *order.Route {
	if o.Route != nil && o.Route.Warehouse == wh {
		return o.Route
	}
	for i := range o.Routes {
		if o.Routes[i].Warehouse == wh {
			return &o.Routes[i]
		}
	}
	return nil
}
