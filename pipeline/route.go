package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
	"github.com/orderhub/orderhub/rules"
	"github.com/orderhub/orderhub/store"
)

// Route sends a priced order where it can be served: to
// fulfilment.<warehouse> for each warehouse that holds some of it (the
// order with that warehouse's lines and allocations), a shipment request
// per warehouse to logistics, and, when lines are short, the order to
// orders.backorder. The order ends routed, or backordered when any line is
// short.
//
// Each warehouse's shipment gets a ship date (the warehouse's cut-off and
// calendar in rules.yaml, never before the requested ship date) and a
// carrier and service level (the first carrier rule that matches it), kept
// on the order as its route(s) so that a redelivery sends the same.
type Route struct {
	Store *store.Store
	// Acknowledger, when set, decides which routed orders go on to the
	// acknowledge stage (orders.routed).
	Acknowledger Acknowledger
	// Rules hold the carrier rules and the warehouses' calendars; nil:
	// none, and every warehouse ships the day it gets the order (UTC).
	Rules *rules.File
	// Now is the clock the ship date is worked out from; default
	// time.Now.
	Now func() time.Time
}

func (*Route) Name() string  { return "route" }
func (*Route) Topic() string { return TopicPriced }
func (*Route) Done(status string) bool {
	return doneAt(order.StatusRouted, status)
}

func (s *Route) Prepare(ctx context.Context, o *order.Order) (Outcome, Commit, error) {
	p, err := newRoutePlanner(ctx, s.Store, s.Rules, s.now(), o.Partner)
	if err != nil {
		return Outcome{}, nil, err
	}
	if err := p.plan(ctx, s.Store, o); err != nil {
		return Outcome{}, nil, err
	}
	whs := warehouses(o)
	topics := make([]string, len(whs))
	for i, wh := range whs {
		topics[i] = FulfilmentPrefix + wh
	}
	out := Outcome{Status: order.StatusRouted, Reason: "to " + strings.Join(topics, ", ")}
	if len(o.Backorders) > 0 {
		reason := fmt.Sprintf("%d line(s) short", len(o.Backorders))
		if len(topics) > 0 {
			reason += "; the rest to " + strings.Join(topics, ", ")
		} else {
			reason += "; nothing could be allocated"
		}
		out = Outcome{Status: order.StatusBackordered, Reason: reason}
	}
	return out, nil, nil
}

func (s *Route) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Route) Outputs(ctx context.Context, o *order.Order, js []byte, corr string) ([]Output, error) {
	var outs []Output
	whs := warehouses(o)
	for _, wh := range whs {
		b := js
		// An order shipped whole from one warehouse is, for that
		// warehouse, the order as it is: no need to encode it again.
		if len(whs) > 1 || len(o.Backorders) > 0 || o.Route == nil || o.Route.Warehouse != wh || !allAllocated(o) {
			var err error
			if b, err = order.Marshal(forWarehouse(o, wh)); err != nil {
				return nil, fmt.Errorf("encode fulfilment of %s for %s: %w", o.ID, wh, err)
			}
		}
		outs = append(outs, toWarehouse(o, wh, "", ordermsg.SchemaOrderV1, b, corr))
	}
	for _, wh := range whs {
		out, err := shipmentOutput(ctx, s.Store, o, wh, "", corr)
		if err != nil {
			return nil, err
		}
		outs = append(outs, out)
	}
	if len(o.Backorders) > 0 {
		outs = append(outs, Output{Topic: TopicBackorder, Msg: ordermsg.New(o, TopicBackorder, "", js, corr)})
	}
	if s.Acknowledger != nil && s.Acknowledger.Wants(o) {
		outs = append(outs, Output{Topic: TopicRouted, Msg: ordermsg.New(o, TopicRouted, "", js, corr)})
	}
	return outs, nil
}

// allAllocated tells whether every line has an allocation, so that the
// order's lines are the lines a single warehouse ships.
func allAllocated(o *order.Order) bool {
	has := make(map[string]bool, len(o.Allocations))
	for _, a := range o.Allocations {
		has[a.LineNo] = true
	}
	for _, l := range o.Lines {
		if !has[l.LineNo] {
			return false
		}
	}
	return len(o.Lines) > 0
}

// warehouses lists the warehouses an order ships from, in code order.
func warehouses(o *order.Order) []string {
	return warehouseCodes(o.Allocations, func(a order.Allocation) string { return a.Warehouse })
}

// warehouseCodes lists the warehouses of items (wh says each one's), each
// once, in code order.
func warehouseCodes[T any](items []T, wh func(T) string) []string {
	var whs []string
	for _, it := range items {
		if code := wh(it); !slices.Contains(whs, code) {
			whs = append(whs, code)
		}
	}
	slices.Sort(whs)
	return whs
}

// primaryWarehouse is the one shipping the most lines (first by code on a tie).
func primaryWarehouse(o *order.Order) string {
	n := map[string]int{}
	for _, a := range o.Allocations {
		n[a.Warehouse]++
	}
	best := ""
	for _, wh := range warehouses(o) {
		if best == "" || n[wh] > n[best] {
			best = wh
		}
	}
	return best
}

// forWarehouse is the order as one warehouse needs it: only the lines it
// ships, its allocations, and its own route.
func forWarehouse(o *order.Order, wh string) *order.Order {
	fo := *o
	fo.Allocations = nil
	fo.Lines = nil
	fo.Backorders = nil
	for _, a := range o.Allocations {
		if a.Warehouse != wh {
			continue
		}
		fo.Allocations = append(fo.Allocations, a)
		if l := o.Line(a.LineNo); l != nil {
			fo.Lines = append(fo.Lines, *l)
		}
	}
	fo.Route = &order.Route{Warehouse: wh, Topic: FulfilmentPrefix + wh}
	if r := routeFor(o, wh); r != nil {
		rc := *r
		fo.Route = &rc
	}
	fo.Routes = nil
	return &fo
}

// SchemaShipmentV1 names the logistics payload.
const SchemaShipmentV1 = "shipment/v1"

// ShipmentRequest is what the transport side (a TMS, a carrier integration)
// gets on the logistics topic: one per order and shipping warehouse, with
// the carrier, service level and ship date of that warehouse's route, the
// carrier rule that chose them, and each line's weight and volume from the
// catalog (the totals only when every line's is known).
type ShipmentRequest struct {
	ShipmentID            string           `json:"shipment_id"`
	OrderID               string           `json:"order_id"`
	Partner               string           `json:"partner"`
	PONumber              string           `json:"po_number"`
	Warehouse             string           `json:"warehouse"`
	ShipTo                *order.Party     `json:"ship_to,omitempty"`
	RequestedShipDate     string           `json:"requested_ship_date,omitempty"`
	RequestedDeliveryDate string           `json:"requested_delivery_date,omitempty"`
	CancelAfter           string           `json:"cancel_after,omitempty"`
	Carrier               string           `json:"carrier,omitempty"`
	ServiceLevel          string           `json:"service_level,omitempty"`
	CarrierRule           string           `json:"carrier_rule,omitempty"`
	ShipDate              string           `json:"ship_date,omitempty"`
	Lines                 []ShipmentLine   `json:"lines"`
	TotalWeightKG         *decimal.Decimal `json:"total_weight_kg,omitempty"`
	TotalVolumeM3         *decimal.Decimal `json:"total_volume_m3,omitempty"`
}

// ShipmentLine is one allocated line to ship.
type ShipmentLine struct {
	LineNo      string           `json:"line_no"`
	SKU         string           `json:"sku"`
	Description string           `json:"description,omitempty"`
	Quantity    decimal.Decimal  `json:"quantity"`
	UOM         string           `json:"uom,omitempty"`
	WeightKG    *decimal.Decimal `json:"weight_kg,omitempty"`
	VolumeM3    *decimal.Decimal `json:"volume_m3,omitempty"`
}

// toWarehouse is a message of schema about o for warehouse wh
// (fulfilment.<wh>). tag tells apart the messages one order sends the same
// warehouse: "" for the route stage's, fill-N for a backorder fill's,
// <purpose>-<document> for a cancel's or change's.
func toWarehouse(o *order.Order, wh, tag, schema string, payload []byte, corr string) Output {
	topic := FulfilmentPrefix + wh
	m := ordermsg.New(o, topic, tag, payload, corr)
	m.Metadata.Set(ordermsg.Schema, schema)
	return Output{Topic: topic, Msg: m}
}

// toLogistics is a message of schema about warehouse wh's shipment of o
// for the transport side (logistics), one per warehouse and tag (as in
// toWarehouse).
func toLogistics(o *order.Order, wh, tag, schema string, payload []byte, corr string) Output {
	id := wh
	if tag != "" {
		id += "/" + tag
	}
	m := ordermsg.New(o, TopicLogistics, id, payload, corr)
	m.Metadata.Set(ordermsg.Schema, schema)
	return Output{Topic: TopicLogistics, Msg: m}
}

// shipmentOutput is the shipment request (shipment/v1) for what warehouse
// wh ships of o, on logistics; a tagged one (a backorder fill's) has the
// tag after its shipment id.
func shipmentOutput(ctx context.Context, st *store.Store, o *order.Order, wh, tag, corr string) (Output, error) {
	req, err := shipment(ctx, st, o, wh)
	if err != nil {
		return Output{}, err
	}
	if tag != "" {
		req.ShipmentID += "-" + tag
	}
	b, err := gojson.Marshal(req)
	if err != nil {
		return Output{}, fmt.Errorf("encode shipment of %s: %w", o.ID, err)
	}
	return toLogistics(o, wh, tag, SchemaShipmentV1, b, corr), nil
}

// shipment is the shipment request for what warehouse wh ships of o, with
// weights and volumes from the catalog in st.
func shipment(ctx context.Context, st *store.Store, o *order.Order, wh string) (*ShipmentRequest, error) {
	req := &ShipmentRequest{
		ShipmentID:            o.ID + "-" + wh,
		OrderID:               o.ID,
		Partner:               o.Partner,
		PONumber:              o.PONumber,
		Warehouse:             wh,
		ShipTo:                o.Party(order.RoleShipTo),
		RequestedShipDate:     o.RequestedShipDate,
		RequestedDeliveryDate: o.RequestedDeliveryDate,
		CancelAfter:           o.CancelAfter,
	}
	if r := routeFor(o, wh); r != nil {
		req.Carrier, req.ServiceLevel, req.CarrierRule, req.ShipDate = r.Carrier, r.Service, r.CarrierRule, r.ShipDate
	}
	total, allKnown := decimal.Zero, true
	volume, allVolumes := decimal.Zero, true
	for _, a := range o.Allocations {
		if a.Warehouse != wh {
			continue
		}
		l := o.Line(a.LineNo)
		if l == nil {
			continue
		}
		sl := ShipmentLine{LineNo: l.LineNo, SKU: l.SKU, Description: l.Description, Quantity: a.Quantity, UOM: l.UOM}
		if oc := o.Outcome(l.LineNo); oc != nil && oc.UOM != "" {
			sl.UOM = oc.UOM // allocations are in the catalog's unit
		}
		item, err := st.CatalogItem(ctx, l.SKU)
		switch {
		case err == nil:
			if sl.Description == "" {
				sl.Description = item.Description
			}
			if item.WeightKG != nil {
				w := item.WeightKG.Mul(a.Quantity)
				sl.WeightKG = &w
				total = total.Add(w)
			} else {
				allKnown = false
			}
			if item.VolumeM3 != nil {
				v := item.VolumeM3.Mul(a.Quantity)
				sl.VolumeM3 = &v
				volume = volume.Add(v)
			} else {
				allVolumes = false
			}
		case errors.Is(err, store.ErrNotFound):
			allKnown, allVolumes = false, false
		default:
			return nil, err
		}
		req.Lines = append(req.Lines, sl)
	}
	if allKnown && len(req.Lines) > 0 {
		req.TotalWeightKG = &total
	}
	if allVolumes && len(req.Lines) > 0 {
		req.TotalVolumeM3 = &volume
	}
	return req, nil
}
