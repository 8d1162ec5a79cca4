package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/rules"
	"github.com/orderhub/orderhub/store"
)

const routeTestRules = `
warehouses:
  EAST:
    cut_off: "15:00"
    timezone: America/New_York
    closed: [sat, sun]
carriers:
  - {id: key-short, tiers: [key_account], short: true, carrier: UPS, service: priority}
  - {id: parcel, max_weight_kg: 30, carrier: UPS, service: ground}
  - {id: default, carrier: FEDEX, service: ground}
`

func routeTestStore(t *testing.T) (*store.Store, *rules.File) {
	t.Helper()
	ctx := context.Background()
	st := testStore(t)
	w, v := decimal.RequireFromString("0.5"), decimal.RequireFromString("0.001")
	if _, err := st.UpsertCatalog(ctx, []store.CatalogItem{{SKU: "S-1", Description: "cola", UOM: "EA", PackSize: decimal.NewFromInt(1),
		Category: "bev", WeightKG: &w, VolumeM3: &v, SetVolume: true}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertPartners(ctx, []store.Partner{{ID: "KEY", Name: "KEY", Tier: "key_account", TokenSHA256: store.TokenSHA256("KEY")}}); err != nil {
		t.Fatal(err)
	}
	return st, testRules(t, routeTestRules)
}

func at(t *testing.T, v string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, v)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// The route is decided once, in Prepare, and kept on the order: Outputs,
// which a redelivery runs on the stored order hours later, send the ship
// date and carrier decided then, not the clock's.
func TestRouteOutputsFollowTheStoredRoute(t *testing.T) {
	ctx := context.Background()
	st, rf := routeTestStore(t)
	if _, err := st.UpsertStock(ctx, []store.StockLevel{{Warehouse: "EAST", SKU: "S-1", OnHand: decimal.NewFromInt(100)}}); err != nil {
		t.Fatal(err)
	}
	clock := at(t, "2026-11-23T14:00:00-05:00") // Monday, before the cut-off
	route := &Route{Store: st, Rules: rf, Now: func() time.Time { return clock }}
	o := &order.Order{ID: "ord_1", Partner: "KEY", PONumber: "PO-1", Status: order.StatusValidated,
		Lines: []order.Line{{LineNo: "1", SKU: "S-1", Quantity: decimal.NewFromInt(40), UOM: "EA"}}}
	process(t, st, []Stage{&Stock{Store: st, Rules: rf}, route}, o)
	want := order.Route{Warehouse: "EAST", Topic: "fulfilment.EAST", Carrier: "UPS", Service: "ground", ShipDate: "2026-11-23", CarrierRule: "parcel"}
	if o.Route == nil || *o.Route != want {
		t.Fatalf("route %+v, want %+v", o.Route, want)
	}
	row, err := st.Order(ctx, "ord_1")
	if err != nil {
		t.Fatal(err)
	}
	stored, err := order.Decode(row.JSON)
	if err != nil {
		t.Fatal(err)
	}
	clock = at(t, "2026-11-27T16:00:00-05:00") // Friday after the cut-off
	outs, err := route.Outputs(ctx, stored, row.JSON, "")
	if err != nil {
		t.Fatal(err)
	}
	var req ShipmentRequest
	for _, out := range outs {
		if out.Topic == TopicLogistics {
			if err := json.Unmarshal(out.Msg.Payload, &req); err != nil {
				t.Fatal(err)
			}
		}
	}
	if req.ShipDate != "2026-11-23" || req.Carrier != "UPS" || req.ServiceLevel != "ground" || req.CarrierRule != "parcel" ||
		req.TotalWeightKG == nil || req.TotalWeightKG.String() != "20" || req.TotalVolumeM3 == nil || req.TotalVolumeM3.String() != "0.04" {
		t.Errorf("shipment %+v", req)
	}
}

// A backorder fill is routed at the time of the fill by the same rules:
// the key account, still short after it, gets the priority service; an
// order that had nothing to ship takes the fill's route as its own.
func TestRefillRoutes(t *testing.T) {
	ctx := context.Background()
	st, rf := routeTestStore(t)
	stock := func(n int64) {
		if _, err := st.UpsertStock(ctx, []store.StockLevel{{Warehouse: "EAST", SKU: "S-1", OnHand: decimal.NewFromInt(n)}}); err != nil {
			t.Fatal(err)
		}
	}
	stock(0)
	clock := at(t, "2026-11-23T10:00:00-05:00")
	now := func() time.Time { return clock }
	o := &order.Order{ID: "ord_1", Partner: "KEY", PONumber: "PO-1", Status: order.StatusValidated,
		Lines: []order.Line{{LineNo: "1", SKU: "S-1", Quantity: decimal.NewFromInt(100), UOM: "EA"}}}
	process(t, st, []Stage{&Stock{Store: st, Rules: rf}, &Route{Store: st, Rules: rf, Now: now}}, o)
	if o.Status != order.StatusBackordered || o.Route != nil {
		t.Fatalf("nothing in stock: %s, route %+v", o.Status, o.Route)
	}

	stock(30)
	clock = at(t, "2026-11-27T16:00:00-05:00") // Friday after the cut-off: Monday
	pub := &sink{}
	fill := &Refill{Store: st, Pub: pub, Rules: rf, Policies: (*mappings.Profiles)(nil), Now: now}
	if n, err := fill.Once(ctx); err != nil || n != 1 {
		t.Fatalf("Once = %d, %v", n, err)
	}
	l := pub.msgs[TopicLogistics]
	if len(l) != 1 {
		t.Fatalf("%d logistics messages", len(l))
	}
	var req ShipmentRequest
	if err := json.Unmarshal(l[0].Payload, &req); err != nil {
		t.Fatal(err)
	}
	if req.ShipmentID != "ord_1-EAST-fill-0" || req.ShipDate != "2026-11-30" || req.Carrier != "UPS" || req.ServiceLevel != "priority" ||
		req.CarrierRule != "key-short" || req.TotalWeightKG.String() != "15" {
		t.Errorf("fill's shipment %+v", req)
	}
	f := pub.msgs["fulfilment.EAST"]
	if len(f) != 1 {
		t.Fatalf("%d fulfilment messages", len(f))
	}
	fo, err := order.Decode(f[0].Payload)
	if err != nil {
		t.Fatal(err)
	}
	want := order.Route{Warehouse: "EAST", Topic: "fulfilment.EAST", Carrier: "UPS", Service: "priority", ShipDate: "2026-11-30", CarrierRule: "key-short"}
	if fo.Route == nil || *fo.Route != want {
		t.Errorf("fulfilment route %+v, want %+v", fo.Route, want)
	}
	row, err := st.Order(ctx, "ord_1")
	if err != nil {
		t.Fatal(err)
	}
	stored, err := order.Decode(row.JSON)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Route == nil || *stored.Route != want {
		t.Errorf("stored route %+v, want the fill's %+v", stored.Route, want)
	}
}

// BenchmarkRoutePrepare is the route stage's decision for a ten-line order
// from one warehouse: without rules, and with calendars and carrier rules
// down to a weight threshold (every shipment weighed before its carrier is
// chosen).
func BenchmarkRoutePrepare(b *testing.B) {
	ctx := context.Background()
	st := testStore(b)
	w, v := decimal.RequireFromString("0.5"), decimal.RequireFromString("0.0006")
	var items []store.CatalogItem
	o := &order.Order{ID: "ord_1", Partner: "P", PONumber: "PO-1", RequestedDeliveryDate: "2026-12-01",
		Parties: []order.Party{{Role: order.RoleShipTo, Country: "US", Region: "OH"}}}
	for i := range 10 {
		sku := fmt.Sprintf("S-%d", i)
		items = append(items, store.CatalogItem{SKU: sku, UOM: "EA", PackSize: decimal.NewFromInt(1), WeightKG: &w, VolumeM3: &v, SetVolume: true})
		o.Lines = append(o.Lines, order.Line{LineNo: fmt.Sprint(i + 1), SKU: sku, Quantity: decimal.NewFromInt(12), UOM: "EA"})
		o.Allocations = append(o.Allocations, order.Allocation{LineNo: fmt.Sprint(i + 1), Warehouse: "EAST", Quantity: decimal.NewFromInt(12)})
	}
	if _, err := st.UpsertCatalog(ctx, items); err != nil {
		b.Fatal(err)
	}
	if _, err := st.UpsertPartners(ctx, []store.Partner{{ID: "P", Name: "P", Tier: "standard", TokenSHA256: store.TokenSHA256("P")}}); err != nil {
		b.Fatal(err)
	}
	rf := testRules(b, routeTestRules)
	now := func() time.Time { return time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC) }
	for _, bb := range []struct {
		name  string
		rules *rules.File
	}{{"no rules", nil}, {"carriers and calendars", rf}} {
		b.Run(bb.name, func(b *testing.B) {
			s := &Route{Store: st, Rules: bb.rules, Now: now}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := s.Prepare(ctx, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
