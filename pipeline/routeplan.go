package pipeline

import (
	"context"
	"errors"
	"time"

	"github.com/shopspring/decimal"

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
	p := &routePlanner{now: now, rules: rf.Current()}
	if p.rules == nil || len(p.rules.Carriers) == 0 {
		return p, nil
	}
	p.weigh = p.rules.WeighsShipments()
	var err error
	if p.tier, err = partnerTier(ctx, st, partner); err != nil {
		return nil, err
	}
	return p, nil
}

// plan sets o.Route (the primary warehouse's) and, when o ships from more
// than one warehouse, o.Routes (each warehouse's, by code), weighing each
// warehouse's shipment with the catalog in st when a rule asks.
func (p *routePlanner) plan(ctx context.Context, st *store.Store, o *order.Order) error {
	o.Route, o.Routes = nil, nil
	whs := warehouses(o)
	if len(whs) == 0 {
		return nil
	}
	primary := primaryWarehouse(o)
	routes := make([]order.Route, 0, len(whs))
	for _, wh := range whs {
		var kg *decimal.Decimal
		if p.weigh {
			var err error
			if kg, err = shipmentWeight(ctx, st, o, wh); err != nil {
				return err
			}
		}
		routes = append(routes, p.route(o, wh, kg))
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

// route is warehouse wh's route for o; kg is its shipment's weight, nil
// when not known.
func (p *routePlanner) route(o *order.Order, wh string, kg *decimal.Decimal) order.Route {
	r := order.Route{Warehouse: wh, Topic: FulfilmentPrefix + wh}
	r.ShipDate = p.rules.ShipDate(wh, p.now, o.RequestedShipDate)
	sh := rules.Shipment{Warehouse: wh, To: placeOf(o), Tier: p.tier, Short: orderShort(o),
		ShipDate: r.ShipDate, DeliverBy: o.RequestedDeliveryDate, WeightKG: kg}
	if cr := p.rules.CarrierFor(sh); cr != nil {
		r.Carrier, r.Service, r.CarrierRule = cr.Carrier, cr.Service, cr.ID
	}
	return r
}

// shipmentWeight is the weight of what warehouse wh ships of o, as the
// shipment request totals it (nil when an item's weight is not known),
// without building the request.
func shipmentWeight(ctx context.Context, st *store.Store, o *order.Order, wh string) (*decimal.Decimal, error) {
	total, known := decimal.Zero, false
	for _, a := range o.Allocations {
		if a.Warehouse != wh || o.Line(a.LineNo) == nil {
			continue
		}
		item, err := st.CatalogItem(ctx, o.Line(a.LineNo).SKU)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return nil, nil
		case err != nil:
			return nil, err
		case item.WeightKG == nil:
			return nil, nil
		}
		total, known = total.Add(item.WeightKG.Mul(a.Quantity)), true
	}
	if !known {
		return nil, nil
	}
	return &total, nil
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
