package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/orderhub/orderhub/internal/sqlitedb"
)

// Master data (partners, catalog, crosswalk, prices) is read for every line
// of every order by several stages but changes only when a file is loaded,
// so it is served from memory. Every load bumps masterdata_version in the
// meta table in the same transaction; this process drops its cache at once
// when it loads, and notices another process's load (orderhub load next to
// a running serve) within masterCheckEvery.
const masterCheckEvery = 250 * time.Millisecond

type masterCache struct {
	mu       sync.Mutex
	version  int64
	checked  time.Time
	partners map[string]*Partner // by id
	tokens   map[string]*Partner // by token SHA-256
	catalog  map[string]*CatalogItem
	gtins    map[string]string
	xwalk    map[[3]string]string
	prices   map[[2]string][]PriceRow
}

// miss marks a cached "not found".
const miss = "\x00"

func (c *masterCache) reset(version int64) {
	c.version = version
	c.partners = map[string]*Partner{}
	c.tokens = map[string]*Partner{}
	c.catalog = map[string]*CatalogItem{}
	c.gtins = map[string]string{}
	c.xwalk = map[[3]string]string{}
	c.prices = map[[2]string][]PriceRow{}
}

// fresh makes sure the cache is not older than the last load, checking the
// version at most every masterCheckEvery, and returns it locked.
func (s *Store) fresh(ctx context.Context) (*masterCache, error) {
	c := &s.cache
	c.mu.Lock()
	if c.partners != nil && time.Since(c.checked) < masterCheckEvery {
		return c, nil
	}
	c.mu.Unlock()
	v, err := s.MasterVersion(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.partners == nil || v != c.version {
		c.reset(v)
	}
	c.checked = time.Now()
	return c, nil
}

// invalidate drops the cache: this process just changed master data.
func (s *Store) invalidate() {
	s.cache.mu.Lock()
	s.cache.partners = nil
	s.cache.mu.Unlock()
}

// writeMaster runs a master-data load and, when it changed anything, bumps
// the version other processes watch.
func (s *Store) writeMaster(ctx context.Context, res *LoadResult, fn func(*sqlitedb.Tx) error) error {
	err := s.db.Write(ctx, func(tx *sqlitedb.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if res.Inserted+res.Updated == 0 {
			return nil
		}
		_, err := tx.Exec(`UPDATE meta SET value = value + 1 WHERE key = 'masterdata_version'`)
		return err
	})
	if err == nil && res.Inserted+res.Updated > 0 {
		s.invalidate()
	}
	return err
}

// Partner returns the partner with this id, or an error wrapping
// ErrNotFound. The result is shared: do not modify it.
func (s *Store) Partner(ctx context.Context, id string) (*Partner, error) {
	c, err := s.fresh(ctx)
	if err != nil {
		return nil, err
	}
	p, ok := c.partners[id]
	c.mu.Unlock()
	if ok {
		if p == nil {
			return nil, fmt.Errorf("partner %q: %w", id, ErrNotFound)
		}
		return p, nil
	}
	p, err = s.loadPartner(ctx, id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	c.mu.Lock()
	c.partners[id] = p
	c.mu.Unlock()
	return p, err
}

// PartnerByToken returns the partner whose bearer token this is, or an error
// wrapping ErrNotFound. The token itself never appears in errors.
func (s *Store) PartnerByToken(ctx context.Context, token string) (*Partner, error) {
	if token == "" {
		return nil, fmt.Errorf("partner by token: %w", ErrNotFound)
	}
	h := TokenSHA256(token)
	c, err := s.fresh(ctx)
	if err != nil {
		return nil, err
	}
	p, ok := c.tokens[h]
	c.mu.Unlock()
	if ok {
		if p == nil {
			return nil, fmt.Errorf("partner by token: %w", ErrNotFound)
		}
		return p, nil
	}
	p, err = s.loadPartnerByToken(ctx, token)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	c.mu.Lock()
	// Unknown tokens are not remembered: anyone can send any number of
	// them and the map would grow without bound.
	if p != nil {
		c.tokens[h] = p
	}
	c.mu.Unlock()
	return p, err
}

// CatalogItem returns the catalog entry of sku, or an error wrapping
// ErrNotFound. The result is shared: do not modify it.
func (s *Store) CatalogItem(ctx context.Context, sku string) (*CatalogItem, error) {
	c, err := s.fresh(ctx)
	if err != nil {
		return nil, err
	}
	it, ok := c.catalog[sku]
	c.mu.Unlock()
	if ok {
		if it == nil {
			return nil, fmt.Errorf("catalog item %q: %w", sku, ErrNotFound)
		}
		return it, nil
	}
	it, err = s.loadCatalogItem(ctx, sku)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	c.mu.Lock()
	if len(c.catalog) < maxCached {
		c.catalog[sku] = it
	}
	c.mu.Unlock()
	return it, err
}

// maxCached bounds each map: misses for made-up SKUs or GTINs must not grow
// the cache without bound.
const maxCached = 200000

// SKUByGTIN returns the SKU whose catalog GTIN is gtin, matching across its
// GTIN-8/12/13/14 spellings, or an error wrapping ErrNotFound.
func (s *Store) SKUByGTIN(ctx context.Context, gtin string) (string, error) {
	c, err := s.fresh(ctx)
	if err != nil {
		return "", err
	}
	sku, ok := c.gtins[gtin]
	c.mu.Unlock()
	if ok {
		if sku == miss {
			return "", fmt.Errorf("sku by gtin %s: %w", gtin, ErrNotFound)
		}
		return sku, nil
	}
	sku, err = s.loadSKUByGTIN(ctx, gtin)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return "", err
	}
	c.mu.Lock()
	if len(c.gtins) < maxCached {
		if err != nil {
			c.gtins[gtin] = miss
		} else {
			c.gtins[gtin] = sku
		}
	}
	c.mu.Unlock()
	return sku, err
}

// Crosswalk returns the SKU a partner's identifier of this kind maps to, or
// an error wrapping ErrNotFound.
func (s *Store) Crosswalk(ctx context.Context, partner, kind, value string) (string, error) {
	k := [3]string{partner, kind, value}
	c, err := s.fresh(ctx)
	if err != nil {
		return "", err
	}
	sku, ok := c.xwalk[k]
	c.mu.Unlock()
	if ok {
		if sku == miss {
			return "", fmt.Errorf("crosswalk %s %s %q: %w", partner, kind, value, ErrNotFound)
		}
		return sku, nil
	}
	sku, err = s.loadCrosswalk(ctx, partner, kind, value)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return "", err
	}
	c.mu.Lock()
	if len(c.xwalk) < maxCached {
		if err != nil {
			c.xwalk[k] = miss
		} else {
			c.xwalk[k] = sku
		}
	}
	c.mu.Unlock()
	return sku, err
}

// pricesOf returns every price row of a SKU in a list.
func (s *Store) pricesOf(ctx context.Context, list, sku string) ([]PriceRow, error) {
	k := [2]string{list, sku}
	c, err := s.fresh(ctx)
	if err != nil {
		return nil, err
	}
	rows, ok := c.prices[k]
	c.mu.Unlock()
	if ok {
		return rows, nil
	}
	rows, err = s.loadPrices(ctx, list, sku)
	if err != nil {
		return nil, err
	}
	if rows == nil {
		rows = []PriceRow{}
	}
	c.mu.Lock()
	if len(c.prices) < maxCached {
		c.prices[k] = rows
	}
	c.mu.Unlock()
	return rows, nil
}

// MasterVersion is the master data's version: it changes with every load
// (catalog, stock, prices, partners, crosswalk), here or in another
// process.
func (s *Store) MasterVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.Read().QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'masterdata_version'`).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("master data version: %w", err)
	}
	return v, nil
}
