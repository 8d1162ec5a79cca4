package masterdata

import (
	"context"
	"fmt"
	"strings"

	"github.com/orderhub/orderhub/store"
)

var catalogSpec = spec[store.CatalogItem]{
	kind: store.KindCatalog,
	cols: columns{
		required: []string{"sku", "gtin", "description", "uom", "pack_size", "moq", "category"},
		optional: []string{"weight_kg", "status", "volume_m3"},
	},
	parse: func(r *row) store.CatalogItem {
		it := store.CatalogItem{
			SKU:         r.sku("sku"),
			GTIN:        r.gtin("gtin"),
			Description: r.text("description"),
			UOM:         r.uom("uom"),
			PackSize:    r.decimal("pack_size", positive, &decOne),
			MOQ:         r.decimal("moq", nonNegative, &decZero),
			Category:    r.text("category"),
		}
		if r.get("weight_kg") != "" {
			w := r.decimal("weight_kg", nonNegative, nil)
			it.WeightKG = &w
		}
		// Like status, a file without the column keeps what is stored.
		if r.t.has("volume_m3") {
			it.SetVolume = true
			if r.get("volume_m3") != "" {
				v := r.decimal("volume_m3", nonNegative, nil)
				it.VolumeM3 = &v
			}
		}
		// Without the column the stored status is kept (Status ""), so a
		// file from before it does not bring discontinued items back; in
		// it an empty cell is active.
		if r.t.has("status") {
			it.Status = r.oneOfOr("status", store.ItemActive, store.ItemActive, store.ItemDiscontinued)
		}
		return it
	},
	keys: func(it store.CatalogItem) []key {
		ks := []key{{"sku", []string{"sku"}, it.SKU, fmt.Sprintf("duplicate sku %q", it.SKU)}}
		if it.GTIN != "" {
			// Compared in 14-digit form: 012345678905 and 0012345678905
			// are the same trade item.
			ks = append(ks, key{"gtin", []string{"gtin"}, store.CanonicalGTIN(it.GTIN), fmt.Sprintf("duplicate GTIN %s (a GTIN names one item)", it.GTIN)})
		}
		return ks
	},
	check:  (*store.Store).CheckCatalog,
	upsert: (*store.Store).UpsertCatalog,
}

var stockSpec = spec[store.StockLevel]{
	kind: store.KindStock,
	cols: columns{required: []string{"warehouse", "sku", "on_hand"}, optional: []string{"safety_stock"}},
	parse: func(r *row) store.StockLevel {
		l := store.StockLevel{
			Warehouse: r.id("warehouse"),
			SKU:       r.sku("sku"),
			OnHand:    r.quantity("on_hand", nil),
		}
		// Without the column the stored safety stock is kept; in it an
		// empty cell is none.
		if r.t.has("safety_stock") {
			l.Safety, l.SetSafety = r.quantity("safety_stock", &decZero), true
		}
		return l
	},
	keys: func(l store.StockLevel) []key {
		return []key{{"sku", []string{"warehouse", "sku"}, l.Warehouse + "\x00" + l.SKU,
			fmt.Sprintf("duplicate warehouse %q and sku %q", l.Warehouse, l.SKU)}}
	},
	check:  (*store.Store).CheckStock,
	upsert: (*store.Store).UpsertStock,
}

var pricesSpec = spec[store.Price]{
	kind:  store.KindPrices,
	cols:  columns{required: []string{"price_list", "sku", "currency", "unit_price", "min_qty", "valid_from", "valid_to"}},
	parse: func(r *row) store.Price { return parsePrice(r, r.id("price_list")) },
	keys: func(p store.Price) []key {
		// The table's primary key. Overlapping validity is allowed: a
		// promotion dated inside an open-ended list price is the usual
		// case, and pricing takes the latest valid_from.
		return []key{{"sku", []string{"price_list", "sku", "currency", "min_qty", "valid_from"},
			p.PriceList + "\x00" + p.SKU + "\x00" + p.Currency + "\x00" + p.MinQty.String() + "\x00" + p.ValidFrom,
			fmt.Sprintf("duplicate price_list %q, sku %q, currency %s, min_qty %s, valid_from %q",
				p.PriceList, p.SKU, p.Currency, p.MinQty, p.ValidFrom)}}
	},
	check:  (*store.Store).CheckPrices,
	upsert: (*store.Store).UpsertPrices,
}

// parsePrice reads a price row's columns onto the price list given: a
// loaded list's or a partner's contract list.
func parsePrice(r *row, list string) store.Price {
	p := store.Price{
		PriceList: list,
		SKU:       r.sku("sku"),
		Currency:  r.currency("currency"),
		UnitPrice: r.decimal("unit_price", nonNegative, nil),
		MinQty:    r.decimal("min_qty", nonNegative, &decZero),
		ValidFrom: r.date("valid_from"),
		ValidTo:   r.date("valid_to"),
	}
	if p.ValidFrom != "" && p.ValidTo != "" && p.ValidTo < p.ValidFrom {
		r.fail("valid_to", "want a date on or after valid_from %s, got %q", p.ValidFrom, p.ValidTo)
	}
	return p
}

var tiers = []string{store.TierKeyAccount, store.TierGold, store.TierSilver, store.TierStandard}

var partnersSpec = spec[store.Partner]{
	kind: store.KindPartners,
	cols: columns{required: []string{"partner", "name", "tier", "price_list", "token"}, optional: []string{"since", "credit_limit"}},
	parse: func(r *row) store.Partner {
		name, _ := r.required("name")
		p := store.Partner{
			ID:          r.id("partner"),
			Name:        name,
			Tier:        r.oneOf("tier", tiers...),
			PriceList:   r.optionalID("price_list"),
			TokenSHA256: r.token("token"),
		}
		// Without the column the stored start date is kept, so an export
		// from before it does not take loyalty discounts away; in it an
		// empty cell is "not known" (no loyalty discount).
		if r.t.has("since") {
			p.Since, p.SetSince = r.date("since"), true
		}
		// Without the column the stored limit is kept; in it an empty
		// cell is none.
		if r.t.has("credit_limit") {
			p.CreditLimit, p.CreditCurrency = r.money("credit_limit")
			p.SetCredit = true
		}
		return p
	},
	keys: func(p store.Partner) []key {
		return []key{
			{"partner", []string{"partner"}, p.ID, fmt.Sprintf("duplicate partner %q", p.ID)},
			// Compared by hash; the message must not repeat the token.
			{"token", []string{"token"}, p.TokenSHA256, "duplicate token (each partner needs its own)"},
		}
	},
	check:  (*store.Store).CheckPartners,
	upsert: (*store.Store).UpsertPartners,
}

var crosswalkSpec = spec[store.CrosswalkEntry]{
	kind: store.KindCrosswalk,
	cols: columns{required: []string{"partner", "kind", "value", "sku"}},
	parse: func(r *row) store.CrosswalkEntry {
		e := store.CrosswalkEntry{
			Partner: r.id("partner"),
			Kind:    r.oneOf("kind", store.CrosswalkBuyerItem, store.CrosswalkGTIN),
			SKU:     r.sku("sku"),
		}
		if v, ok := r.required("value"); ok {
			switch {
			case e.Kind == store.CrosswalkGTIN:
				if v = r.gtinValue("value", v); v != "" {
					e.Value = store.CanonicalGTIN(v)
				}
			case len([]rune(v)) > 64:
				r.fail("value", "want at most 64 characters, got %d", len([]rune(v)))
			default:
				e.Value = v
			}
		}
		return e
	},
	keys: func(e store.CrosswalkEntry) []key {
		return []key{{"value", []string{"partner", "kind", "value"}, e.Partner + "\x00" + e.Kind + "\x00" + e.Value,
			fmt.Sprintf("duplicate partner %q, kind %s, value %q", e.Partner, e.Kind, e.Value)}}
	},
	check:  (*store.Store).CheckCrosswalk,
	upsert: (*store.Store).UpsertCrosswalk,
}

// contractsSpec reads partners' contract prices: price rows on the
// partner's own list (store.ContractList), so that they are loaded,
// checked and looked up like any price, volume breaks included.
var contractsSpec = spec[store.Price]{
	kind: store.KindContracts,
	cols: columns{
		required: []string{"partner", "sku", "currency", "unit_price", "valid_from", "valid_to"},
		optional: []string{"min_qty"},
	},
	parse: func(r *row) store.Price { return parsePrice(r, store.ContractList(r.id("partner"))) },
	keys: func(p store.Price) []key {
		partner := strings.TrimPrefix(p.PriceList, store.ContractList(""))
		return []key{{"sku", []string{"partner", "sku", "currency", "min_qty", "valid_from"},
			p.PriceList + "\x00" + p.SKU + "\x00" + p.Currency + "\x00" + p.MinQty.String() + "\x00" + p.ValidFrom,
			fmt.Sprintf("duplicate partner %q, sku %q, currency %s, min_qty %s, valid_from %q",
				partner, p.SKU, p.Currency, p.MinQty, p.ValidFrom)}}
	},
	check: (*store.Store).CheckPrices,
	upsert: func(s *store.Store, ctx context.Context, ps []store.Price) (store.LoadResult, error) {
		res, err := s.UpsertPrices(ctx, ps)
		res.Kind = store.KindContracts
		return res, err
	},
}
