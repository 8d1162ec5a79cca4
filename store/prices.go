package store

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"
)

// PriceRow is one price of a SKU in a price list.
type PriceRow struct {
	PriceList string
	SKU       string
	Currency  string
	UnitPrice decimal.Decimal
	MinQty    decimal.Decimal
	ValidFrom string
	ValidTo   string
}

// PriceFor finds the price of qty units of sku in a price list on date
// (YYYY-MM-DD): among rows valid on that date in that currency (any
// currency when currency is empty) whose min_qty is at most qty, the one
// with the highest min_qty (the best volume break reached), then the latest
// valid_from. ErrNotFound when there is none.
func (s *Store) PriceFor(ctx context.Context, list, sku, currency, date string, qty decimal.Decimal) (*PriceRow, error) {
	rows, err := s.pricesOf(ctx, list, sku)
	if err != nil {
		return nil, err
	}
	var best *PriceRow
	for i := range rows {
		p := &rows[i]
		if currency != "" && p.Currency != currency {
			continue
		}
		if (p.ValidFrom != "" && date < p.ValidFrom) || (p.ValidTo != "" && date > p.ValidTo) {
			continue
		}
		if p.MinQty.GreaterThan(qty) {
			continue
		}
		if best == nil || p.MinQty.GreaterThan(best.MinQty) ||
			(p.MinQty.Equal(best.MinQty) && p.ValidFrom > best.ValidFrom) {
			best = p
		}
	}
	if best == nil {
		return nil, fmt.Errorf("price of %s in %s: %w", sku, list, ErrNotFound)
	}
	pc := *best
	return &pc, nil
}

// loadPrices reads every price row of a SKU in a list.
func (s *Store) loadPrices(ctx context.Context, list, sku string) ([]PriceRow, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT currency, unit_price, min_qty, valid_from, valid_to
		FROM prices WHERE price_list = ? AND sku = ?`, list, sku)
	if err != nil {
		return nil, fmt.Errorf("price of %s in %s: %w", sku, list, err)
	}
	defer rows.Close()
	var out []PriceRow
	for rows.Next() {
		p := PriceRow{PriceList: list, SKU: sku}
		var up, mq string
		if err := rows.Scan(&p.Currency, &up, &mq, &p.ValidFrom, &p.ValidTo); err != nil {
			return nil, fmt.Errorf("price of %s in %s: %w", sku, list, err)
		}
		if p.UnitPrice, err = decimal.NewFromString(up); err != nil {
			return nil, fmt.Errorf("price of %s in %s: unit_price %q: %w", sku, list, up, err)
		}
		if p.MinQty, err = decimal.NewFromString(mq); err != nil {
			return nil, fmt.Errorf("price of %s in %s: min_qty %q: %w", sku, list, mq, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
