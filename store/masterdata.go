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
	"github.com/orderhub/orderhub/order"
	"github.com/shopspring/decimal"
)

// Master data kinds: what one load file holds. LoadResult.Kind is one of
// these.
const (
	KindCatalog   = "catalog"
	KindStock     = "stock"
	KindPrices    = "prices"
	KindPartners  = "partners"
	KindCrosswalk = "crosswalk"
	// KindContracts are partners' contract prices: price rows kept on a
	// list of the partner's own (ContractList).
	KindContracts = "contracts"
)

// Partner tiers. Pricing keys its tier discounts on them.
const (
	TierKeyAccount = "key_account"
	TierGold       = "gold"
	TierSilver     = "silver"
	TierStandard   = "standard"
)

// Catalog item statuses. A discontinued item stays in the catalog (old
// orders, crosswalks and prices still resolve it) but is no longer sold.
const (
	ItemActive       = "active"
	ItemDiscontinued = "discontinued"
)

// Crosswalk kinds: which of a partner's identifiers an entry maps to a SKU.
const (
	CrosswalkBuyerItem = "buyer_item"
	CrosswalkGTIN      = "gtin"
)

// LoadResult counts what an upsert did. Updated counts only rows whose
// stored values differed; a row loaded again unchanged is Unchanged and
// keeps its updated_at, so loading the same file twice is a no-op.
type LoadResult struct {
	Kind      string
	Rows      int
	Inserted  int
	Updated   int
	Unchanged int
}

// CatalogItem is one SKU we sell.
type CatalogItem struct {
	SKU         string
	GTIN        string // as given (8, 12, 13 or 14 digits), or empty
	Description string
	UOM         string
	Category    string
	PackSize    decimal.Decimal
	MOQ         decimal.Decimal
	// WeightKG is the weight of one unit in kg; nil when unknown. A load
	// that leaves it nil clears a weight stored before: the file is the
	// truth for the rows it carries.
	WeightKG *decimal.Decimal
	// VolumeM3 is the volume of one unit in cubic metres; nil when
	// unknown. SetVolume says whether it is to be stored: a file without
	// the volume_m3 column (one from before it) keeps the stored volume.
	VolumeM3  *decimal.Decimal
	SetVolume bool
	// Status is ItemActive or ItemDiscontinued; reads always fill it. An
	// upsert with Status empty keeps the stored status (active for a new
	// item), so a file without the status column does not bring
	// discontinued items back.
	Status string
}

// StockLevel is a stock count of one SKU in one warehouse. Loading it sets
// on_hand, and the safety stock when SetSafety says so; reservations belong
// to the pipeline.
type StockLevel struct {
	Warehouse string
	SKU       string
	OnHand    decimal.Decimal
	// Safety is the safety stock: what the warehouse keeps back and never
	// promises (see InventoryRow.Available). At least zero.
	Safety decimal.Decimal
	// SetSafety says whether Safety is to be stored. When false the stored
	// safety stock is kept (zero for a new row): a stock file without the
	// safety_stock column leaves it as it was.
	SetSafety bool
}

// Price is one row of a price list. ValidFrom and ValidTo are YYYY-MM-DD or
// empty for an open end.
type Price struct {
	PriceList string
	SKU       string
	Currency  string
	UnitPrice decimal.Decimal
	MinQty    decimal.Decimal
	ValidFrom string
	ValidTo   string
}

// Partner is a trading partner. Only the SHA-256 of its bearer token is
// kept (lowercase hex, see TokenSHA256).
type Partner struct {
	ID          string
	Name        string
	Tier        string
	PriceList   string
	TokenSHA256 string
	// Since is the date the partnership began (YYYY-MM-DD), "" when not
	// known: the loyalty discount counts whole years from it.
	Since string
	// SetSince says whether Since is to be stored. When false the stored
	// date is kept ("" for a new partner): a partners file without the
	// since column leaves it as it was.
	SetSince bool
	// CreditLimit is the most the partner's open orders may be worth,
	// in CreditCurrency; none when CreditCurrency is "".
	CreditLimit    decimal.Decimal
	CreditCurrency string
	// SetCredit says the load carries the credit limit (the file has
	// the column); without it the stored one is kept.
	SetCredit bool
}

// HasCreditLimit tells whether the partner's open orders are limited.
func (p *Partner) HasCreditLimit() bool { return p.CreditCurrency != "" }

// CrosswalkEntry maps one of a partner's identifiers to our SKU. GTIN
// values are kept in their 14-digit form (see CanonicalGTIN) so a partner
// sending the same GTIN as UPC-A, EAN-13 or GTIN-14 finds the same entry.
type CrosswalkEntry struct {
	Partner string
	Kind    string
	Value   string
	SKU     string
}

// RowError is a row an upsert refused because of what is already stored (a
// SKU not in the catalog, a token another partner holds). Index is the
// row's position in the slice given to the upsert, so the caller can name
// the line it came from.
type RowError struct {
	Index  int
	Column string
	Msg    string
}

func (e *RowError) Error() string {
	return fmt.Sprintf("row %d: %s: %s", e.Index+1, e.Column, e.Msg)
}

// RowErrors is every row an upsert refused. When an upsert returns it,
// nothing was written.
type RowErrors []*RowError

func (e RowErrors) Error() string {
	if len(e) == 1 {
		return e[0].Error()
	}
	return fmt.Sprintf("%d rows refused; first: %v", len(e), e[0])
}

// TokenSHA256 is how a partner's bearer token is kept: the lowercase hex
// SHA-256 of its bytes.
func TokenSHA256(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CanonicalGTIN returns the 14-digit form of a GTIN-8, -12, -13 or -14
// (left-padded with zeros, as GS1 compares them). Anything else is returned
// unchanged. It does not check the check digit.
func CanonicalGTIN(g string) string {
	if !order.GTINShaped(g) {
		return g
	}
	return strings.Repeat("0", 14-len(g)) + g
}

// gtinForms lists the spellings under which a catalog may hold the same
// GTIN: the catalog keeps GTINs as given, and the same item arrives as
// UPC-A from one partner and EAN-13 or GTIN-14 from another.
func gtinForms(g string) []string {
	if !order.GTINShaped(g) {
		return []string{g}
	}
	c := CanonicalGTIN(g)
	forms := []string{c}
	for _, n := range []int{13, 12, 8} {
		if strings.Trim(c[:14-n], "0") == "" {
			forms = append(forms, c[14-n:])
		}
	}
	return forms
}

func inList(n int) string { return "(?" + strings.Repeat(",?", n-1) + ")" }

func anys(ss []string, more ...any) []any {
	out := make([]any, 0, len(ss)+len(more))
	for _, s := range ss {
		out = append(out, s)
	}
	return append(out, more...)
}

// querier is what the reference checks need, so one check serves both the
// read pool (Check*, before a load) and the write transaction (Upsert*,
// where the answer cannot change before commit).
type querier interface {
	QueryRow(query string, args ...any) *sql.Row
	Query(query string, args ...any) (*sql.Rows, error)
}

type readQuerier struct {
	ctx context.Context
	db  *sql.DB
}

func (r readQuerier) QueryRow(q string, args ...any) *sql.Row {
	return r.db.QueryRowContext(r.ctx, q, args...)
}

func (r readQuerier) Query(q string, args ...any) (*sql.Rows, error) {
	return r.db.QueryContext(r.ctx, q, args...)
}

func (s *Store) reader(ctx context.Context) querier { return readQuerier{ctx, s.db.Read()} }

// exists caches yes/no answers to "is this key in that table", because a
// stock file names the same SKU once per warehouse.
type exists struct {
	q     querier
	query string
	seen  map[string]bool
}

func (e *exists) has(key string) (bool, error) {
	if v, ok := e.seen[key]; ok {
		return v, nil
	}
	var one int
	err := e.q.QueryRow(e.query, key).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		e.seen[key] = false
	case err != nil:
		return false, err
	default:
		e.seen[key] = true
	}
	return e.seen[key], nil
}

func skuExists(q querier) *exists {
	return &exists{q: q, query: `SELECT 1 FROM catalog WHERE sku = ?`, seen: map[string]bool{}}
}

func partnerExists(q querier) *exists {
	return &exists{q: q, query: `SELECT 1 FROM partners WHERE id = ?`, seen: map[string]bool{}}
}

// ctxEvery checks for cancellation now and then inside a long load, which
// holds the writer; a cancelled load rolls back.
func ctxEvery(ctx context.Context, i int) error {
	if i%1024 == 0 {
		return ctx.Err()
	}
	return nil
}

// --- catalog ---

func checkCatalog(q querier, items []CatalogItem) (RowErrors, error) {
	inFile := make(map[string]bool, len(items))
	for _, it := range items {
		inFile[it.SKU] = true
	}
	var bad RowErrors
	for i, it := range items {
		switch it.Status {
		case "", ItemActive, ItemDiscontinued:
		default:
			bad = append(bad, &RowError{i, "status", fmt.Sprintf("want %s or %s, got %q", ItemActive, ItemDiscontinued, it.Status)})
		}
		if it.GTIN == "" {
			continue
		}
		// A GTIN names one trade item: if two SKUs shared one, an order
		// line carrying it could not be resolved without guessing.
		forms := gtinForms(it.GTIN)
		rows, err := q.Query(`SELECT sku FROM catalog WHERE gtin IN `+inList(len(forms))+` AND sku <> ? ORDER BY sku`,
			anys(forms, it.SKU)...)
		if err != nil {
			return nil, err
		}
		var owner string
		for rows.Next() {
			var sku string
			if err := rows.Scan(&sku); err != nil {
				rows.Close()
				return nil, err
			}
			// A SKU in this file gets its GTIN from the file; only one
			// left as it is still holds the old value.
			if !inFile[sku] && owner == "" {
				owner = sku
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
		if owner != "" {
			bad = append(bad, &RowError{i, "gtin", fmt.Sprintf("%s already belongs to SKU %q", it.GTIN, owner)})
		}
	}
	return bad, nil
}

// CheckCatalog reports what UpsertCatalog would refuse, without writing.
func (s *Store) CheckCatalog(ctx context.Context, items []CatalogItem) error {
	bad, err := checkCatalog(s.reader(ctx), items)
	return checked("check catalog", bad, err)
}

func checked(what string, bad RowErrors, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if len(bad) > 0 {
		return bad
	}
	return nil
}

// optionalString is how the catalog stores a decimal that may be unknown
// (weight, volume): "" for nil.
func optionalString(w *decimal.Decimal) string {
	if w == nil {
		return ""
	}
	return w.String()
}

// UpsertCatalog inserts or updates catalog items in one transaction. An
// item without a Status keeps the stored one (active when new). If any
// item's GTIN belongs to another stored SKU, or a status is neither active
// nor discontinued, it writes nothing and returns RowErrors.
func (s *Store) UpsertCatalog(ctx context.Context, items []CatalogItem) (LoadResult, error) {
	res := LoadResult{Kind: KindCatalog, Rows: len(items)}
	err := s.writeMaster(ctx, &res, func(tx *sqlitedb.Tx) error {
		res = LoadResult{Kind: KindCatalog, Rows: len(items)}
		if bad, err := checkCatalog(tx, items); err != nil || len(bad) > 0 {
			return checked("check", bad, err)
		}
		now := s.stamp()
		for i, it := range items {
			if err := ctxEvery(ctx, i); err != nil {
				return err
			}
			next := [9]string{it.GTIN, it.Description, it.UOM, it.PackSize.String(), it.MOQ.String(), it.Category, optionalString(it.WeightKG), it.Status, optionalString(it.VolumeM3)}
			var old [9]string
			err := tx.QueryRow(`SELECT gtin, description, uom, pack_size, moq, category, weight_kg, status, volume_m3 FROM catalog WHERE sku = ?`, it.SKU).
				Scan(&old[0], &old[1], &old[2], &old[3], &old[4], &old[5], &old[6], &old[7], &old[8])
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if next[7] == "" {
					next[7] = ItemActive
				}
				if _, err := tx.Exec(`INSERT INTO catalog (sku, gtin, description, uom, pack_size, moq, category, weight_kg, status, volume_m3, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, anys(append([]string{it.SKU}, next[:]...), now)...); err != nil {
					return fmt.Errorf("insert %s: %w", it.SKU, err)
				}
				res.Inserted++
				continue
			case err != nil:
				return fmt.Errorf("read %s: %w", it.SKU, err)
			}
			if next[7] == "" {
				next[7] = old[7] // not given: kept
			}
			if !it.SetVolume {
				next[8] = old[8]
			}
			if old == next {
				res.Unchanged++
				continue
			}
			if _, err := tx.Exec(`UPDATE catalog SET gtin = ?, description = ?, uom = ?, pack_size = ?, moq = ?, category = ?, weight_kg = ?, status = ?, volume_m3 = ?, updated_at = ?
				WHERE sku = ?`, anys(next[:], now, it.SKU)...); err != nil {
				return fmt.Errorf("update %s: %w", it.SKU, err)
			}
			res.Updated++
		}
		return nil
	})
	if err != nil {
		return LoadResult{Kind: KindCatalog, Rows: len(items)}, fmt.Errorf("load catalog: %w", err)
	}
	return res, nil
}

// ContractList is the price list holding a partner's contract prices. Its
// name cannot clash with a loaded list's: list ids have no colon.
func ContractList(partner string) string { return "contract:" + partner }
