// Package mappings turns what a partner calls things into what orderhub
// calls them: which of our SKUs a partner's item number or GTIN means (the
// item crosswalk), and, as formats arrive, partner profiles (which partner
// an EDI envelope is from, which acknowledgements it wants, its sheet
// columns).
package mappings

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/orderhub/orderhub/order"
)

// ErrNoMatch is what an ItemLookup returns when it knows no SKU for a value.
var ErrNoMatch = errors.New("no matching item")

// ItemLookup answers item questions from master data. store.Store
// implements it; tests pass a map-backed fake.
type ItemLookup interface {
	// Crosswalk returns the SKU a partner means by a buyer item number
	// (kind "buyer_item") or GTIN (kind "gtin").
	Crosswalk(ctx context.Context, partner, kind, value string) (string, error)
	// SKUByGTIN returns the catalog SKU carrying a GTIN.
	SKUByGTIN(ctx context.Context, gtin string) (string, error)
}

// Product id qualifiers (X12 PO1/PID 235 and their EDIFACT kin) that say
// what kind of number an item id is.
var (
	skuQualifiers       = []string{"VN", "VP", "SA"}
	gtinQualifiers      = []string{"UP", "UK", "EN", "EO", "UA", "SRV"}
	buyerItemQualifiers = []string{"IN", "BP"}
)

// Resolution says how a line's SKU was found.
type Resolution struct {
	LineNo string
	By     string // "sku", "buyer_item", "gtin", "" when unresolved
}

// ResolveItems fills in each line's sku, gtin and buyer_item from its item
// ids and the crosswalk, without guessing: a line whose item no rule
// identifies keeps what it had, and the validate stage rejects it. It
// returns how each line was resolved.
func ResolveItems(ctx context.Context, lk ItemLookup, o *order.Order) ([]Resolution, error) {
	out := make([]Resolution, len(o.Lines))
	for i := range o.Lines {
		l := &o.Lines[i]
		fillFromIDs(l)
		out[i].LineNo = l.LineNo
		if l.SKU != "" {
			out[i].By = "sku"
			continue
		}
		if lk == nil {
			continue
		}
		if l.BuyerItem != "" {
			sku, err := lk.Crosswalk(ctx, o.Partner, "buyer_item", l.BuyerItem)
			if err == nil {
				l.SKU, out[i].By = sku, "buyer_item"
				continue
			}
			if !errors.Is(err, ErrNoMatch) {
				return nil, fmt.Errorf("line %s buyer item %s: %w", l.LineNo, l.BuyerItem, err)
			}
		}
		if l.GTIN != "" {
			// The partner's own mapping of a GTIN wins over the catalog's,
			// in any spelling of it.
			forms := gtinForms(l.GTIN)
			for _, find := range []func(string) (string, error){
				func(g string) (string, error) { return lk.Crosswalk(ctx, o.Partner, "gtin", g) },
				func(g string) (string, error) { return lk.SKUByGTIN(ctx, g) },
			} {
				for _, g := range forms {
					sku, err := find(g)
					if err == nil {
						l.SKU, out[i].By = sku, "gtin"
						break
					}
					if !errors.Is(err, ErrNoMatch) {
						return nil, fmt.Errorf("line %s GTIN %s: %w", l.LineNo, l.GTIN, err)
					}
				}
				if l.SKU != "" {
					break
				}
			}
		}
	}
	return out, nil
}

// fillFromIDs copies the well-known qualified ids into the named fields when
// they are empty.
func fillFromIDs(l *order.Line) {
	pick := func(quals []string) string {
		for _, q := range quals {
			if v := strings.TrimSpace(l.ItemIDs.Get(q)); v != "" {
				return v
			}
		}
		return ""
	}
	if l.SKU == "" {
		l.SKU = pick(skuQualifiers)
	}
	if l.GTIN == "" {
		l.GTIN = pick(gtinQualifiers)
	}
	if l.BuyerItem == "" {
		l.BuyerItem = pick(buyerItemQualifiers)
	}
}

// gtinForms lists the spellings under which one GTIN may be on file: as
// sent, padded to GTIN-14, and without leading zeros down to 12 digits (a
// UPC-A sent as EAN-13 "0012345678905" is the same item as "012345678905").
func gtinForms(g string) []string {
	forms := []string{g}
	add := func(s string) {
		for _, f := range forms {
			if f == s {
				return
			}
		}
		forms = append(forms, s)
	}
	if len(g) < 14 {
		add(strings.Repeat("0", 14-len(g)) + g)
	}
	for s := g; len(s) > 12 && s[0] == '0'; {
		s = s[1:]
		add(s)
	}
	if len(g) == 14 && strings.HasPrefix(g, "00") {
		add(g[2:])
	}
	return forms
}
