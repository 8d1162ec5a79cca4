package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/orderhub/orderhub/internal/sqlitedb"
)

// Loads of stock, prices, partners and the crosswalk; the catalog and the
// helpers they share are in masterdata.go.

// --- stock ---

func checkStock(q querier, levels []StockLevel) (RowErrors, error) {
	known := skuExists(q)
	var bad RowErrors
	for i, l := range levels {
		ok, err := known.has(l.SKU)
		if err != nil {
			return nil, err
		}
		if !ok {
			bad = append(bad, &RowError{i, "sku", fmt.Sprintf("%q is not in the catalog", l.SKU)})
		}
		if l.SetSafety && l.Safety.IsNegative() {
			bad = append(bad, &RowError{i, "safety_stock", fmt.Sprintf("want a decimal >= 0, got %s", l.Safety)})
		}
	}
	return bad, nil
}

// CheckStock reports what UpsertStock would refuse, without writing.
func (s *Store) CheckStock(ctx context.Context, levels []StockLevel) error {
	bad, err := checkStock(s.reader(ctx), levels)
	return checked("check stock", bad, err)
}

// UpsertStock sets on_hand, and the safety stock of the levels with
// SetSafety, for each warehouse and SKU in one transaction, creating
// warehouses it has not seen. A level without SetSafety keeps the stored
// safety stock (zero for a new row). It never touches reserved. If a SKU is
// not in the catalog, or a safety stock is negative, it writes nothing and
// returns RowErrors.
func (s *Store) UpsertStock(ctx context.Context, levels []StockLevel) (LoadResult, error) {
	res := LoadResult{Kind: KindStock, Rows: len(levels)}
	err := s.writeMaster(ctx, &res, func(tx *sqlitedb.Tx) error {
		res = LoadResult{Kind: KindStock, Rows: len(levels)}
		if bad, err := checkStock(tx, levels); err != nil || len(bad) > 0 {
			return checked("check", bad, err)
		}
		now := s.stamp()
		warehouses := map[string]bool{}
		for i, l := range levels {
			if err := ctxEvery(ctx, i); err != nil {
				return err
			}
			if !warehouses[l.Warehouse] {
				if _, err := tx.Exec(`INSERT INTO warehouses (code, name, updated_at) VALUES (?, '', ?) ON CONFLICT (code) DO NOTHING`,
					l.Warehouse, now); err != nil {
					return fmt.Errorf("warehouse %s: %w", l.Warehouse, err)
				}
				warehouses[l.Warehouse] = true
			}
			var next [2]int64 // on_hand_e4, safety_e4
			var err error
			if next[0], err = ToE4(l.OnHand); err != nil {
				return fmt.Errorf("%s/%s on_hand: %w", l.Warehouse, l.SKU, err)
			}
			if l.SetSafety {
				if next[1], err = ToE4(l.Safety); err != nil {
					return fmt.Errorf("%s/%s safety_stock: %w", l.Warehouse, l.SKU, err)
				}
			}
			var old [2]int64
			err = tx.QueryRow(`SELECT on_hand_e4, safety_e4 FROM inventory WHERE sku = ? AND warehouse = ?`, l.SKU, l.Warehouse).Scan(&old[0], &old[1])
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if _, err := tx.Exec(`INSERT INTO inventory (sku, warehouse, on_hand_e4, safety_e4, updated_at) VALUES (?, ?, ?, ?, ?)`,
					l.SKU, l.Warehouse, next[0], next[1], now); err != nil {
					return fmt.Errorf("insert %s/%s: %w", l.Warehouse, l.SKU, err)
				}
				res.Inserted++
				continue
			case err != nil:
				return fmt.Errorf("read %s/%s: %w", l.Warehouse, l.SKU, err)
			}
			if !l.SetSafety {
				next[1] = old[1] // not given: kept
			}
			if old == next {
				res.Unchanged++
				continue
			}
			if _, err := tx.Exec(`UPDATE inventory SET on_hand_e4 = ?, safety_e4 = ?, updated_at = ? WHERE sku = ? AND warehouse = ?`,
				next[0], next[1], now, l.SKU, l.Warehouse); err != nil {
				return fmt.Errorf("update %s/%s: %w", l.Warehouse, l.SKU, err)
			}
			res.Updated++
		}
		return nil
	})
	if err != nil {
		return LoadResult{Kind: KindStock, Rows: len(levels)}, fmt.Errorf("load stock: %w", err)
	}
	return res, nil
}

// --- prices ---

func checkPrices(q querier, prices []Price) (RowErrors, error) {
	known := skuExists(q)
	var bad RowErrors
	for i, p := range prices {
		ok, err := known.has(p.SKU)
		if err != nil {
			return nil, err
		}
		if !ok {
			bad = append(bad, &RowError{i, "sku", fmt.Sprintf("%q is not in the catalog", p.SKU)})
		}
	}
	return bad, nil
}

// CheckPrices reports what UpsertPrices would refuse, without writing.
func (s *Store) CheckPrices(ctx context.Context, prices []Price) error {
	bad, err := checkPrices(s.reader(ctx), prices)
	return checked("check prices", bad, err)
}

// UpsertPrices inserts or updates price rows in one transaction, creating
// price lists it has not seen. A row is keyed by price list, SKU, currency,
// min_qty and valid_from (the table's primary key); unit_price and valid_to
// are what an update changes. Rows are never deleted: a price that should
// stop applying gets a valid_to. If a SKU is not in the catalog it writes
// nothing and returns RowErrors.
func (s *Store) UpsertPrices(ctx context.Context, prices []Price) (LoadResult, error) {
	res := LoadResult{Kind: KindPrices, Rows: len(prices)}
	err := s.writeMaster(ctx, &res, func(tx *sqlitedb.Tx) error {
		res = LoadResult{Kind: KindPrices, Rows: len(prices)}
		if bad, err := checkPrices(tx, prices); err != nil || len(bad) > 0 {
			return checked("check", bad, err)
		}
		now := s.stamp()
		lists := map[string]bool{}
		for i, p := range prices {
			if err := ctxEvery(ctx, i); err != nil {
				return err
			}
			if !lists[p.PriceList] {
				if _, err := tx.Exec(`INSERT INTO price_lists (id, updated_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`,
					p.PriceList, now); err != nil {
					return fmt.Errorf("price list %s: %w", p.PriceList, err)
				}
				lists[p.PriceList] = true
			}
			key := []any{p.PriceList, p.SKU, p.Currency, p.MinQty.String(), p.ValidFrom}
			next := [2]string{p.UnitPrice.String(), p.ValidTo}
			var old [2]string
			err := tx.QueryRow(`SELECT unit_price, valid_to FROM prices
				WHERE price_list = ? AND sku = ? AND currency = ? AND min_qty = ? AND valid_from = ?`, key...).Scan(&old[0], &old[1])
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if _, err := tx.Exec(`INSERT INTO prices (price_list, sku, currency, min_qty, valid_from, unit_price, valid_to, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, append(key, next[0], next[1], now)...); err != nil {
					return fmt.Errorf("insert %s/%s: %w", p.PriceList, p.SKU, err)
				}
				res.Inserted++
			case err != nil:
				return fmt.Errorf("read %s/%s: %w", p.PriceList, p.SKU, err)
			case old == next:
				res.Unchanged++
			default:
				if _, err := tx.Exec(`UPDATE prices SET unit_price = ?, valid_to = ?, updated_at = ?
					WHERE price_list = ? AND sku = ? AND currency = ? AND min_qty = ? AND valid_from = ?`,
					append([]any{next[0], next[1], now}, key...)...); err != nil {
					return fmt.Errorf("update %s/%s: %w", p.PriceList, p.SKU, err)
				}
				res.Updated++
			}
		}
		return nil
	})
	if err != nil {
		return LoadResult{Kind: KindPrices, Rows: len(prices)}, fmt.Errorf("load prices: %w", err)
	}
	return res, nil
}

// --- partners ---

func checkPartners(q querier, partners []Partner) (RowErrors, error) {
	inFile := make(map[string]bool, len(partners))
	for _, p := range partners {
		inFile[p.ID] = true
	}
	var bad RowErrors
	for i, p := range partners {
		// Refuse anything but a hash, so a caller cannot store a raw token
		// by mistake.
		if b, err := hex.DecodeString(p.TokenSHA256); err != nil || len(b) != sha256.Size || strings.ToLower(p.TokenSHA256) != p.TokenSHA256 {
			bad = append(bad, &RowError{i, "token", "want the lowercase hex SHA-256 of the token (see TokenSHA256)"})
			continue
		}
		var holder string
		err := q.QueryRow(`SELECT id FROM partners WHERE token_sha256 = ?`, p.TokenSHA256).Scan(&holder)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		// A holder in this file is getting a new token from it; the
		// in-file uniqueness is the caller's to check.
		if holder != p.ID && !inFile[holder] {
			bad = append(bad, &RowError{i, "token", fmt.Sprintf("the same token is already used by partner %q", holder)})
		}
	}
	return bad, nil
}

// CheckPartners reports what UpsertPartners would refuse, without writing.
func (s *Store) CheckPartners(ctx context.Context, partners []Partner) error {
	bad, err := checkPartners(s.reader(ctx), partners)
	return checked("check partners", bad, err)
}

// UpsertPartners inserts or updates partners in one transaction. Tokens
// may move between partners of the same load (a rotation); a token held by
// a partner outside the load is refused with RowErrors and nothing is
// written.
func (s *Store) UpsertPartners(ctx context.Context, partners []Partner) (LoadResult, error) {
	res := LoadResult{Kind: KindPartners, Rows: len(partners)}
	err := s.writeMaster(ctx, &res, func(tx *sqlitedb.Tx) error {
		res = LoadResult{Kind: KindPartners, Rows: len(partners)}
		if bad, err := checkPartners(tx, partners); err != nil || len(bad) > 0 {
			return checked("check", bad, err)
		}
		now := s.stamp()
		olds := make([]*[7]string, len(partners))
		for i, p := range partners {
			if err := ctxEvery(ctx, i); err != nil {
				return err
			}
			var old [7]string
			err := tx.QueryRow(`SELECT name, tier, price_list, token_sha256, since, credit_limit, credit_currency FROM partners WHERE id = ?`, p.ID).
				Scan(&old[0], &old[1], &old[2], &old[3], &old[4], &old[5], &old[6])
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return fmt.Errorf("read %s: %w", p.ID, err)
			default:
				olds[i] = &old
			}
		}
		// token_sha256 is UNIQUE and SQLite checks it per statement, so two
		// partners swapping tokens would collide half-way. Park every token
		// that changes on a value no hash can take first.
		for i, p := range partners {
			if olds[i] != nil && olds[i][3] != p.TokenSHA256 {
				if _, err := tx.Exec(`UPDATE partners SET token_sha256 = ? WHERE id = ?`, "rotating:"+p.ID, p.ID); err != nil {
					return fmt.Errorf("rotate token of %s: %w", p.ID, err)
				}
			}
		}
		for i, p := range partners {
			// A file without the since or credit_limit column keeps what
			// is stored (an older export does not take loyalty away or
			// lift every limit).
			since := p.Since
			if !p.SetSince && olds[i] != nil {
				since = olds[i][4]
			}
			limit, currency := "", ""
			if p.SetCredit && p.CreditCurrency != "" {
				limit, currency = p.CreditLimit.String(), p.CreditCurrency
			} else if !p.SetCredit && olds[i] != nil {
				limit, currency = olds[i][5], olds[i][6]
			}
			next := [7]string{p.Name, p.Tier, p.PriceList, p.TokenSHA256, since, limit, currency}
			switch {
			case olds[i] == nil:
				if _, err := tx.Exec(`INSERT INTO partners (id, name, tier, price_list, token_sha256, since, credit_limit, credit_currency, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					p.ID, p.Name, p.Tier, p.PriceList, p.TokenSHA256, since, limit, currency, now); err != nil {
					return fmt.Errorf("insert %s: %w", p.ID, err)
				}
				res.Inserted++
			case *olds[i] == next:
				res.Unchanged++
			default:
				if _, err := tx.Exec(`UPDATE partners SET name = ?, tier = ?, price_list = ?, token_sha256 = ?, since = ?, credit_limit = ?, credit_currency = ?, updated_at = ? WHERE id = ?`,
					p.Name, p.Tier, p.PriceList, p.TokenSHA256, since, limit, currency, now, p.ID); err != nil {
					return fmt.Errorf("update %s: %w", p.ID, err)
				}
				res.Updated++
			}
		}
		return nil
	})
	if err != nil {
		return LoadResult{Kind: KindPartners, Rows: len(partners)}, fmt.Errorf("load partners: %w", err)
	}
	return res, nil
}

// --- crosswalk ---

func checkCrosswalk(q querier, entries []CrosswalkEntry) (RowErrors, error) {
	skus, partners := skuExists(q), partnerExists(q)
	var bad RowErrors
	for i, e := range entries {
		ok, err := partners.has(e.Partner)
		if err != nil {
			return nil, err
		}
		if !ok {
			bad = append(bad, &RowError{i, "partner", fmt.Sprintf("%q is not a known partner", e.Partner)})
		}
		if e.Kind != CrosswalkBuyerItem && e.Kind != CrosswalkGTIN {
			bad = append(bad, &RowError{i, "kind", fmt.Sprintf("want %s or %s, got %q", CrosswalkBuyerItem, CrosswalkGTIN, e.Kind)})
		}
		if ok, err = skus.has(e.SKU); err != nil {
			return nil, err
		}
		if !ok {
			bad = append(bad, &RowError{i, "sku", fmt.Sprintf("%q is not in the catalog", e.SKU)})
		}
	}
	return bad, nil
}

// CheckCrosswalk reports what UpsertCrosswalk would refuse, without
// writing.
func (s *Store) CheckCrosswalk(ctx context.Context, entries []CrosswalkEntry) error {
	bad, err := checkCrosswalk(s.reader(ctx), entries)
	return checked("check crosswalk", bad, err)
}

// UpsertCrosswalk inserts or updates crosswalk entries in one transaction.
// If a partner or SKU is unknown it writes nothing and returns RowErrors.
func (s *Store) UpsertCrosswalk(ctx context.Context, entries []CrosswalkEntry) (LoadResult, error) {
	res := LoadResult{Kind: KindCrosswalk, Rows: len(entries)}
	err := s.writeMaster(ctx, &res, func(tx *sqlitedb.Tx) error {
		res = LoadResult{Kind: KindCrosswalk, Rows: len(entries)}
		if bad, err := checkCrosswalk(tx, entries); err != nil || len(bad) > 0 {
			return checked("check", bad, err)
		}
		now := s.stamp()
		for i, e := range entries {
			if err := ctxEvery(ctx, i); err != nil {
				return err
			}
			var old string
			err := tx.QueryRow(`SELECT sku FROM item_crosswalk WHERE partner = ? AND kind = ? AND value = ?`, e.Partner, e.Kind, e.Value).Scan(&old)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if _, err := tx.Exec(`INSERT INTO item_crosswalk (partner, kind, value, sku, updated_at) VALUES (?, ?, ?, ?, ?)`,
					e.Partner, e.Kind, e.Value, e.SKU, now); err != nil {
					return fmt.Errorf("insert %s/%s/%s: %w", e.Partner, e.Kind, e.Value, err)
				}
				res.Inserted++
			case err != nil:
				return fmt.Errorf("read %s/%s/%s: %w", e.Partner, e.Kind, e.Value, err)
			case old == e.SKU:
				res.Unchanged++
			default:
				if _, err := tx.Exec(`UPDATE item_crosswalk SET sku = ?, updated_at = ? WHERE partner = ? AND kind = ? AND value = ?`,
					e.SKU, now, e.Partner, e.Kind, e.Value); err != nil {
					return fmt.Errorf("update %s/%s/%s: %w", e.Partner, e.Kind, e.Value, err)
				}
				res.Updated++
			}
		}
		return nil
	})
	if err != nil {
		return LoadResult{Kind: KindCrosswalk, Rows: len(entries)}, fmt.Errorf("load crosswalk: %w", err)
	}
	return res, nil
}
