package pipeline

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/rules"
	"github.com/orderhub/orderhub/store"
)

type policyMap map[string]mappings.Policy

func (m policyMap) Policy(partner string) mappings.Policy {
	if p, ok := m[partner]; ok {
		return p
	}
	return mappings.DefaultPolicy()
}

// 1,000 orders from 20 goroutines race for stock that serves about a
// third of them, under every policy and with a protected share: no
// warehouse promises more than it has (less safety stock), the
// reservations add up to what the inventory says is reserved, and every
// line of every order is accounted for: allocated, backordered or cut.
func TestAllocationRace(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	skus := []string{"R-1", "R-2", "R-3"}
	var items []store.CatalogItem
	var levels []store.StockLevel
	for _, sku := range skus {
		items = append(items, store.CatalogItem{SKU: sku, Description: sku, UOM: "EA", PackSize: decimal.NewFromInt(1), Category: "bev"})
		levels = append(levels,
			store.StockLevel{Warehouse: "EAST", SKU: sku, OnHand: decimal.NewFromInt(400), Safety: decimal.NewFromInt(20), SetSafety: true},
			store.StockLevel{Warehouse: "WEST", SKU: sku, OnHand: decimal.NewFromInt(300)})
	}
	if _, err := st.UpsertCatalog(ctx, items); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertStock(ctx, levels); err != nil {
		t.Fatal(err)
	}
	partners := []store.Partner{
		{ID: "KEY", Name: "Key", Tier: "key_account", TokenSHA256: store.TokenSHA256("k")},
		{ID: "STD", Name: "Std", Tier: "standard", TokenSHA256: store.TokenSHA256("s")},
		{ID: "CPL", Name: "Complete", Tier: "gold", TokenSHA256: store.TokenSHA256("c")},
		{ID: "FOK", Name: "Fill or kill", Tier: "silver", TokenSHA256: store.TokenSHA256("f")},
	}
	if _, err := st.UpsertPartners(ctx, partners); err != nil {
		t.Fatal(err)
	}
	rs, err := rules.Decode([]byte("protections:\n  - {category: bev, for: key_account, share: 25%, below: 200}\n"), "rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rf := testRules(t, "protections:\n  - {category: bev, for: key_account, share: 25%, below: 200}\n")
	if len(rf.Current().Protections) != len(rs.Protections) {
		t.Fatalf("rules: %d protections, want %d", len(rf.Current().Protections), len(rs.Protections))
	}
	no := false
	stage := &Stock{Store: st, Rules: rf, Policies: policyMap{
		"CPL": {Allocation: mappings.AllocationShipComplete, CasePack: mappings.CasePackAllow},
		"FOK": {Allocation: mappings.AllocationAllowSplit, FillOrKill: true, Backorder: &no, CasePack: mappings.CasePackAllow},
	}}

	const n, workers = 1000, 20
	orders := make([]*order.Order, n)
	for i := range orders {
		o := &order.Order{ID: fmt.Sprintf("ord_R%04d", i), Partner: partners[i%len(partners)].ID, PONumber: fmt.Sprint(i)}
		for j := 0; j <= i%3; j++ {
			o.Lines = append(o.Lines, order.Line{LineNo: fmt.Sprint(j + 1), SKU: skus[(i+j)%3], Quantity: decimal.NewFromInt(int64(1 + (i*7+j)%9)), UOM: "EA"})
		}
		orders[i] = o
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				o := orders[i]
				_, commit, err := stage.Prepare(ctx, o)
				if err == nil && commit != nil {
					err = st.Update(ctx, func(tx *store.Tx) error { _, _, err := commit(tx); return err })
				}
				if err != nil {
					errs <- fmt.Errorf("%s: %w", o.ID, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	reserved := map[[2]string]decimal.Decimal{}
	for _, o := range orders {
		got := map[string]decimal.Decimal{}
		for _, a := range o.Allocations {
			got[a.LineNo] = got[a.LineNo].Add(a.Quantity)
			k := [2]string{a.Warehouse, o.Line(a.LineNo).SKU}
			reserved[k] = reserved[k].Add(a.Quantity)
		}
		for _, b := range o.Backorders {
			got[b.LineNo] = got[b.LineNo].Add(b.Quantity)
		}
		for _, l := range o.Lines {
			oc := o.Outcome(l.LineNo)
			if oc == nil {
				t.Fatalf("%s line %s: no outcome", o.ID, l.LineNo)
			}
			switch oc.Outcome {
			case order.OutcomeAccepted, order.OutcomeBackordered:
				if !got[l.LineNo].Equal(l.Quantity) {
					t.Errorf("%s line %s (%s): %s allocated and backordered of %s", o.ID, l.LineNo, oc.Outcome, got[l.LineNo], l.Quantity)
				}
			case order.OutcomeQuantityChanged, order.OutcomeRejected:
				if !got[l.LineNo].Equal(oc.Quantity) || oc.Quantity.GreaterThan(l.Quantity) {
					t.Errorf("%s line %s (%s): %s allocated, %s in force", o.ID, l.LineNo, oc.Outcome, got[l.LineNo], oc.Quantity)
				}
			default:
				t.Errorf("%s line %s: outcome %q", o.ID, l.LineNo, oc.Outcome)
			}
			if o.Partner == "FOK" && got[l.LineNo].IsPositive() && !got[l.LineNo].Equal(l.Quantity) {
				t.Errorf("%s line %s: fill or kill got part: %s of %s", o.ID, l.LineNo, got[l.LineNo], l.Quantity)
			}
		}
		if o.Partner == "CPL" {
			whs := map[string]bool{}
			for _, a := range o.Allocations {
				whs[a.Warehouse] = true
			}
			if len(whs) > 1 {
				t.Errorf("%s: ship complete from %d warehouses", o.ID, len(whs))
			}
		}
	}
	inv, err := st.Inventory(ctx, skus)
	if err != nil {
		t.Fatal(err)
	}
	total := decimal.Zero
	for _, r := range inv {
		k := [2]string{r.Warehouse, r.SKU}
		if !r.Reserved.Equal(reserved[k]) {
			t.Errorf("%s %s: inventory says %s reserved, the orders %s", r.Warehouse, r.SKU, r.Reserved, reserved[k])
		}
		if r.Reserved.Add(r.Safety).GreaterThan(r.OnHand) {
			t.Errorf("%s %s: %s reserved with %s safety stock of %s on hand", r.Warehouse, r.SKU, r.Reserved, r.Safety, r.OnHand)
		}
		total = total.Add(r.Reserved)
	}
	t.Logf("%s units reserved of %d on hand (less 60 safety stock)", total, 3*700)
	if total.LessThan(decimal.NewFromInt(1500)) {
		t.Errorf("only %s reserved: stock left unused", total)
	}
}
