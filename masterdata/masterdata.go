// Package masterdata loads orderhub's master data — catalog, stock, price
// lists, partners and partner item crosswalks — from CSV files, the form an
// ERP or a spreadsheet exports them in (orderhub load KIND FILE.csv).
//
// A file is all or nothing: every row is validated, every problem is
// reported with its line and column, and a file with any problem writes
// nothing. A good file is upserted in one store transaction, and loading
// the same file again changes nothing (LoadResult says so), so a nightly
// export can simply be loaded every night.
//
// The files:
//
//	catalog:   sku,gtin,description,uom,pack_size,moq,category (optional: weight_kg,status,volume_m3)
//	stock:     warehouse,sku,on_hand (optional: safety_stock)
//	prices:    price_list,sku,currency,unit_price,min_qty,valid_from,valid_to
//	partners:  partner,name,tier,price_list,token (optional: since,credit_limit)
//	crosswalk: partner,kind,value,sku
//	contracts: partner,sku,currency,unit_price,valid_from,valid_to (optional: min_qty)
//
// Columns may come in any order; header names are matched case-insensitively
// after trimming. Files are UTF-8, with or without a byte order mark, with
// CRLF or LF line ends. Cells are trimmed. Decimals are plain notation
// ("2.15", not "2,15" or "2e3") and are stored in canonical form ("2.50"
// becomes "2.5"). Loads never delete rows that a file leaves out.
//
// The optional columns: weight_kg is a unit's weight (empty: unknown);
// volume_m3 its volume in cubic metres (empty: unknown);
// status is active (also when empty) or discontinued; safety_stock is what
// a warehouse keeps back and never promises (empty: none). A file without
// the status, volume_m3 or safety_stock column keeps what is stored for the rows it
// carries (new rows are active, without safety stock). since is the date
// a partnership began (YYYY-MM-DD; empty: not known), from which the
// loyalty discount counts whole years; credit_limit is the most a
// partner's open orders may be worth, an amount and its currency
// ("25000 USD"; empty: no limit). A partners file without either column
// keeps what is stored. A contracts row is a partner's own price, kept on
// its contract price list.
//
// Stock, prices, contracts and crosswalk rows must name SKUs already in
// the catalog (and crosswalk rows known partners), so load the catalog
// first, then partners, then the rest.
package masterdata

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/orderhub/orderhub/store"
)

var kinds = []string{store.KindCatalog, store.KindStock, store.KindPrices, store.KindPartners, store.KindCrosswalk, store.KindContracts}

// Kinds lists the kinds of file Load reads, in the order they are best
// loaded.
func Kinds() []string { return slices.Clone(kinds) }

// Load reads the CSV file at path as kind and upserts it into st. Problems
// with the file come back as a *FileError naming path; nothing is written
// then.
func Load(ctx context.Context, st *store.Store, kind, path string) (store.LoadResult, error) {
	if !slices.Contains(kinds, kind) {
		return store.LoadResult{}, unknownKind(kind)
	}
	f, err := os.Open(path)
	if err != nil {
		return store.LoadResult{Kind: kind}, fmt.Errorf("load %s: %w", kind, err)
	}
	defer f.Close()
	return LoadReader(ctx, st, kind, path, f)
}

// LoadReader is Load for a file already open; name stands for the file in
// messages.
func LoadReader(ctx context.Context, st *store.Store, kind, name string, r io.Reader) (store.LoadResult, error) {
	switch kind {
	case store.KindCatalog:
		return run(ctx, st, catalogSpec, name, r)
	case store.KindStock:
		return run(ctx, st, stockSpec, name, r)
	case store.KindPrices:
		return run(ctx, st, pricesSpec, name, r)
	case store.KindPartners:
		return run(ctx, st, partnersSpec, name, r)
	case store.KindCrosswalk:
		return run(ctx, st, crosswalkSpec, name, r)
	case store.KindContracts:
		return run(ctx, st, contractsSpec, name, r)
	}
	return store.LoadResult{}, unknownKind(kind)
}

func unknownKind(kind string) error {
	return fmt.Errorf("%w %q: want one of %s", ErrUnknownKind, kind, strings.Join(kinds, ", "))
}

// spec is what differs between kinds of file.
type spec[T any] struct {
	kind  string
	cols  columns
	parse func(r *row) T
	// keys are the values no two rows of a file may share.
	keys   func(T) []key
	check  func(*store.Store, context.Context, []T) error
	upsert func(*store.Store, context.Context, []T) (store.LoadResult, error)
}

// key is one uniqueness rule applied to one row.
type key struct {
	column string   // where a duplicate is reported
	parts  []string // the columns it is made of: a failed one means no check
	value  string
	desc   string // what the message calls the duplicate
}

func run[T any](ctx context.Context, st *store.Store, sp spec[T], name string, r io.Reader) (store.LoadResult, error) {
	none := store.LoadResult{Kind: sp.kind}
	probs := &problems{file: name}
	t, ok := openTable(name, r, sp.cols, probs)
	if !ok {
		return none, probs.err()
	}
	var (
		items []T
		lines []int
		seen  = map[string]int{}
	)
	for {
		row, err := t.next(ctx)
		if err != nil {
			return none, err
		}
		if row == nil {
			break
		}
		item := sp.parse(row)
	keys:
		for _, k := range sp.keys(item) {
			for _, p := range k.parts {
				if row.failed[p] {
					continue keys
				}
			}
			id := k.column + "\x00" + k.value
			if first, dup := seen[id]; dup {
				// One duplicate per row: a repeated row would otherwise
				// be reported once per key.
				row.fail(k.column, "%s; first on line %d", k.desc, first)
				break
			}
			seen[id] = row.line
		}
		if !row.bad {
			items = append(items, item)
			lines = append(lines, row.line)
		}
	}
	if !probs.empty() {
		// Check the good rows against the store too, so one run reports
		// every problem rather than one class at a time.
		if err := sp.check(st, ctx, items); err != nil && !rowProblems(err, probs, lines) {
			return none, fmt.Errorf("%s: %w", name, err)
		}
		return none, probs.err()
	}
	res, err := sp.upsert(st, ctx, items)
	if err != nil {
		if rowProblems(err, probs, lines) {
			return none, probs.err()
		}
		return none, fmt.Errorf("%s: %w", name, err)
	}
	return res, nil
}

// rowProblems turns the store's refusals into located problems.
func rowProblems(err error, probs *problems, lines []int) bool {
	var rows store.RowErrors
	if !errors.As(err, &rows) {
		return false
	}
	for _, re := range rows {
		line := 0
		if re.Index >= 0 && re.Index < len(lines) {
			line = lines[re.Index]
		}
		probs.add(line, re.Column, "%s", re.Msg)
	}
	return true
}
