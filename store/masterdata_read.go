package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Reads of master data straight from the database; the exported lookups in
// cache.go serve them from memory.

const partnerCols = `id, name, tier, price_list, token_sha256, since, credit_limit, credit_currency`

func scanPartner(sc interface{ Scan(...any) error }) (*Partner, error) {
	var p Partner
	var limit string
	if err := sc.Scan(&p.ID, &p.Name, &p.Tier, &p.PriceList, &p.TokenSHA256, &p.Since, &limit, &p.CreditCurrency); err != nil {
		return nil, err
	}
	if limit != "" {
		d, err := decimal.NewFromString(limit)
		if err != nil {
			return nil, fmt.Errorf("partner %s: stored credit_limit %q: %w", p.ID, limit, err)
		}
		p.CreditLimit = d
	}
	return &p, nil
}

// loadPartner reads the partner with this id, or an error wrapping
// ErrNotFound.
func (s *Store) loadPartner(ctx context.Context, id string) (*Partner, error) {
	p, err := scanPartner(s.db.Read().QueryRowContext(ctx, `SELECT `+partnerCols+` FROM partners WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("partner %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("partner %q: %w", id, err)
	}
	return p, nil
}

// loadPartnerByToken reads the partner whose bearer token this is, or an
// error wrapping ErrNotFound. The token itself never appears in errors.
func (s *Store) loadPartnerByToken(ctx context.Context, token string) (*Partner, error) {
	if token == "" {
		return nil, fmt.Errorf("partner by token: %w", ErrNotFound)
	}
	p, err := scanPartner(s.db.Read().QueryRowContext(ctx, `SELECT `+partnerCols+` FROM partners WHERE token_sha256 = ?`, TokenSHA256(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("partner by token: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("partner by token: %w", err)
	}
	return p, nil
}

// Partners returns every partner, ordered by id.
func (s *Store) Partners(ctx context.Context) ([]Partner, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+partnerCols+` FROM partners ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("partners: %w", err)
	}
	defer rows.Close()
	var out []Partner
	for rows.Next() {
		p, err := scanPartner(rows)
		if err != nil {
			return nil, fmt.Errorf("partners: %w", err)
		}
		out = append(out, *p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("partners: %w", err)
	}
	return out, nil
}

// loadCatalogItem reads the catalog entry of sku, or an error wrapping
// ErrNotFound.
func (s *Store) loadCatalogItem(ctx context.Context, sku string) (*CatalogItem, error) {
	it := CatalogItem{SKU: sku}
	var pack, moq, weight, volume string
	err := s.db.Read().QueryRowContext(ctx, `SELECT gtin, description, uom, pack_size, moq, category, weight_kg, status, volume_m3 FROM catalog WHERE sku = ?`, sku).
		Scan(&it.GTIN, &it.Description, &it.UOM, &pack, &moq, &it.Category, &weight, &it.Status, &volume)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("catalog item %q: %w", sku, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("catalog item %q: %w", sku, err)
	}
	if err := it.setNumbers(pack, moq); err != nil {
		return nil, err
	}
	if it.WeightKG, err = optionalDecimal(sku, "weight_kg", weight); err != nil {
		return nil, err
	}
	if it.VolumeM3, err = optionalDecimal(sku, "volume_m3", volume); err != nil {
		return nil, err
	}
	return &it, nil
}

// optionalDecimal reads a catalog column that may be empty (unknown, nil),
// as optionalString wrote it.
func optionalDecimal(sku, col, v string) (*decimal.Decimal, error) {
	if v == "" {
		return nil, nil
	}
	d, err := decimal.NewFromString(v)
	if err != nil {
		return nil, fmt.Errorf("catalog item %q: %s %q: %w", sku, col, v, err)
	}
	return &d, nil
}

// loadSKUByGTIN reads the SKU whose catalog GTIN is gtin, matching across
// GTIN-8/12/13/14 spellings of the same number. An error wraps ErrNotFound
// when no SKU carries it.
func (s *Store) loadSKUByGTIN(ctx context.Context, gtin string) (string, error) {
	if gtin == "" {
		return "", fmt.Errorf("sku by gtin: %w", ErrNotFound)
	}
	forms := gtinForms(gtin)
	rows, err := s.db.Read().QueryContext(ctx, `SELECT DISTINCT sku FROM catalog WHERE gtin IN `+inList(len(forms))+` ORDER BY sku`, anys(forms)...)
	if err != nil {
		return "", fmt.Errorf("sku by gtin %s: %w", gtin, err)
	}
	defer rows.Close()
	var skus []string
	for rows.Next() {
		var sku string
		if err := rows.Scan(&sku); err != nil {
			return "", fmt.Errorf("sku by gtin %s: %w", gtin, err)
		}
		skus = append(skus, sku)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("sku by gtin %s: %w", gtin, err)
	}
	switch len(skus) {
	case 0:
		return "", fmt.Errorf("sku by gtin %s: %w", gtin, ErrNotFound)
	case 1:
		return skus[0], nil
	}
	// Loads refuse a GTIN shared by two SKUs; this guards data written
	// some other way, and never guesses.
	return "", fmt.Errorf("sku by gtin %s: ambiguous: SKUs %s", gtin, strings.Join(skus, ", "))
}

// loadCrosswalk reads the SKU a partner's identifier of this kind maps to, or
// an error wrapping ErrNotFound. GTINs match in any of their spellings.
func (s *Store) loadCrosswalk(ctx context.Context, partner, kind, value string) (string, error) {
	if kind == CrosswalkGTIN {
		value = CanonicalGTIN(value)
	}
	var sku string
	err := s.db.Read().QueryRowContext(ctx, `SELECT sku FROM item_crosswalk WHERE partner = ? AND kind = ? AND value = ?`,
		partner, kind, value).Scan(&sku)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("crosswalk %s %s %q: %w", partner, kind, value, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("crosswalk %s %s %q: %w", partner, kind, value, err)
	}
	return sku, nil
}

// CatalogSKUs lists the catalog, by SKU, discontinued items included (see
// Status): what an order template chooses from. Category and weight are
// left out.
func (s *Store) CatalogSKUs(ctx context.Context) ([]CatalogItem, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT sku, gtin, description, uom, pack_size, moq, status FROM catalog ORDER BY sku`)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	defer rows.Close()
	var out []CatalogItem
	for rows.Next() {
		var it CatalogItem
		var pack, moq string
		if err := rows.Scan(&it.SKU, &it.GTIN, &it.Description, &it.UOM, &pack, &moq, &it.Status); err != nil {
			return nil, fmt.Errorf("catalog: %w", err)
		}
		if err := it.setNumbers(pack, moq); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// setNumbers reads the pack size and MOQ as the catalog table stores them.
func (it *CatalogItem) setNumbers(pack, moq string) error {
	var err error
	if it.PackSize, err = decimal.NewFromString(pack); err != nil {
		return fmt.Errorf("catalog item %q: pack_size %q: %w", it.SKU, pack, err)
	}
	if it.MOQ, err = decimal.NewFromString(moq); err != nil {
		return fmt.Errorf("catalog item %q: moq %q: %w", it.SKU, moq, err)
	}
	return nil
}
