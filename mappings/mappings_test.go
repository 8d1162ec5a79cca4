package mappings

import (
	"context"
	"errors"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/order"
)

// lookup is master data in maps.
type lookup struct {
	xwalk map[[3]string]string
	gtins map[string]string
	fail  error
}

func (l lookup) Crosswalk(_ context.Context, partner, kind, value string) (string, error) {
	if l.fail != nil {
		return "", l.fail
	}
	if s, ok := l.xwalk[[3]string{partner, kind, value}]; ok {
		return s, nil
	}
	return "", ErrNoMatch
}

func (l lookup) SKUByGTIN(_ context.Context, gtin string) (string, error) {
	if s, ok := l.gtins[gtin]; ok {
		return s, nil
	}
	return "", ErrNoMatch
}

func TestResolveItems(t *testing.T) {
	lk := lookup{
		xwalk: map[[3]string]string{{"P", "buyer_item", "88001"}: "SKU-B", {"P", "gtin", "00012345678905"}: "SKU-X"},
		gtins: map[string]string{"0049000010077": "SKU-G", "012345678905": "SKU-C"},
	}
	tests := []struct {
		name    string
		line    order.Line
		wantSKU string
		by      string
	}{
		{"sku given", order.Line{SKU: "SKU-1"}, "SKU-1", "sku"},
		{"vendor number in item ids", order.Line{ItemIDs: order.ItemIDs{{Qualifier: "UP", ID: "012345678905"}, {Qualifier: "VN", ID: "SKU-V"}}}, "SKU-V", "sku"},
		{"buyer item through the crosswalk", order.Line{BuyerItem: "88001"}, "SKU-B", "buyer_item"},
		{"buyer item from item ids", order.Line{ItemIDs: order.ItemIDs{{Qualifier: "IN", ID: "88001"}}}, "SKU-B", "buyer_item"},
		{"gtin from the catalog", order.Line{GTIN: "0049000010077"}, "SKU-G", "gtin"},
		{"partner's gtin crosswalk wins over the catalog", order.Line{GTIN: "012345678905"}, "SKU-X", "gtin"},
		{"gtin-14 spelling of a catalog UPC", order.Line{GTIN: "00049000010077"}, "SKU-G", "gtin"},
		{"unknown: nothing guessed", order.Line{GTIN: "0000000000000", BuyerItem: "nope"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.line.LineNo, tt.line.Quantity = "1", decimal.NewFromInt(1)
			o := &order.Order{Partner: "P", Lines: []order.Line{tt.line}}
			res, err := ResolveItems(context.Background(), lk, o)
			if err != nil {
				t.Fatal(err)
			}
			if o.Lines[0].SKU != tt.wantSKU || res[0].By != tt.by {
				t.Errorf("sku %q by %q, want %q by %q", o.Lines[0].SKU, res[0].By, tt.wantSKU, tt.by)
			}
		})
	}
}

func TestResolveItemsReportsLookupFailures(t *testing.T) {
	boom := errors.New("store down")
	o := &order.Order{Partner: "P", Lines: []order.Line{{LineNo: "1", BuyerItem: "x"}}}
	if _, err := ResolveItems(context.Background(), lookup{fail: boom}, o); !errors.Is(err, boom) {
		t.Errorf("err = %v", err)
	}
}
