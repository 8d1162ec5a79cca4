package pipeline

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/orderhub/orderhub/masterdata"
	"github.com/orderhub/orderhub/order"
)

// BenchmarkStockAndPrice measures the stock and price stages' Prepare (the
// work outside the store's writer) on a ten-line order, with the
// allocation rules only and with loyalty, tax and a buy-X-get-Y promotion
// added: what those cost on the hot path.
func BenchmarkStockAndPrice(b *testing.B) {
	base := `warehouses:
  WH-EAST: {serves: [{country: US, regions: [OH], priority: 1}, {country: US, priority: 2}]}
  WH-WEST: {serves: [{country: US, priority: 2}]}
protections:
  - {category: general, for: key_account, share: 10%, below: 1000000000}
restrictions:
  - {category: alcohol, regions: [UT], reason: no alcohol to Utah}
`
	math := base + `pricing:
  loyalty: [{years: 3, percent_off: 1%}, {years: 5, percent_off: 2%}]
  tax: [{country: US, category: food, rate: 0}, {country: US, rate: 7.25%}]
  promotions:
    - {id: BUY-12-GET-1, skus: [SKU-0, SKU-1], buy: {quantity: 12}, get: {sku: SKU-0, quantity: 1}}
`
	for _, tc := range []struct{ name, rules string }{{"allocation_rules", base}, {"with_loyalty_tax_free_goods", math}} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			st := testStore(b)
			var cat, stock, prices strings.Builder
			cat.WriteString("sku,gtin,description,uom,pack_size,moq,category\n")
			stock.WriteString("warehouse,sku,on_hand\n")
			prices.WriteString("price_list,sku,currency,unit_price,min_qty,valid_from,valid_to\n")
			var lines []string
			for i := range 10 {
				fmt.Fprintf(&cat, "SKU-%d,,ITEM %d,EA,12,1,general\n", i, i)
				fmt.Fprintf(&stock, "WH-EAST,SKU-%d,1000000000\nWH-WEST,SKU-%d,1000000000\n", i, i)
				fmt.Fprintf(&prices, "L,SKU-%d,USD,1.%02d,0,,\n", i, i)
				lines = append(lines, fmt.Sprintf(`{"line_no":"%d","sku":"SKU-%d","quantity":"24","uom":"EA"}`, i+1, i))
			}
			for _, f := range []struct{ kind, body string }{{"catalog", cat.String()}, {"stock", stock.String()}, {"prices", prices.String()},
				{"partners", "partner,name,tier,price_list,token,since\nP,P,standard,L,token-p-000000000001,2020-01-01\n"}} {
				if _, err := masterdata.LoadReader(ctx, st, f.kind, f.kind+".csv", strings.NewReader(f.body)); err != nil {
					b.Fatal(err)
				}
			}
			rf := testRules(b, tc.rules)
			js := `{"id":"ord_1","partner":"P","po_number":"B-1","order_date":"2026-11-20","currency":"USD",` +
				`"parties":[{"role":"ship_to","id":"1","region":"OH","country":"US"}],"lines":[` + strings.Join(lines, ",") + `]}`
			stockStage, priceStage := &Stock{Store: st, Rules: rf}, &Price{Store: st, Rules: rf}
			b.ResetTimer()
			for range b.N {
				o, err := order.Decode([]byte(js))
				if err != nil {
					b.Fatal(err)
				}
				if _, _, err := stockStage.Prepare(ctx, o); err != nil {
					b.Fatal(err)
				}
				if _, _, err := priceStage.Prepare(ctx, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
