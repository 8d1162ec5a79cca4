package masterdata

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadErrors(t *testing.T) {
	const catalogCols = "expected sku,gtin,description,uom,pack_size,moq,category (optional: weight_kg,status,volume_m3)"
	tests := []struct {
		kind, file string
		want       []string
	}{
		{"catalog", "catalog_extra_column.csv", []string{
			`catalog_extra_column.csv:1: column "colour": unknown column; ` + catalogCols,
		}},
		{"catalog", "catalog_missing_column.csv", []string{
			`catalog_missing_column.csv:1: column "gtin": missing; ` + catalogCols,
		}},
		{"catalog", "catalog_duplicate_column.csv", []string{
			`catalog_duplicate_column.csv:1: column "sku": duplicate column (columns 1 and 8)`,
		}},
		{"catalog", "catalog_empty_header_name.csv", []string{
			`catalog_empty_header_name.csv:1: column 8: empty name; ` + catalogCols,
		}},
		{"catalog", "catalog_empty.csv", []string{
			`catalog_empty.csv: empty file; want a header row: sku,gtin,description,uom,pack_size,moq,category (optional: weight_kg,status,volume_m3)`,
		}},
		{"catalog", "catalog_semicolon.csv", []string{
			`catalog_semicolon.csv:1: the header has one column "sku;gtin;description;uom;pack_size;moq;c…": the file looks like it is not comma-separated; want comma-separated columns sku,gtin,description,uom,pack_size,moq,category (optional: weight_kg,status,volume_m3)`,
		}},
		{"catalog", "catalog_bad_rows.csv", []string{
			`catalog_bad_rows.csv:2: gtin: bad check digit in "012345678906": want 5`,
			`catalog_bad_rows.csv:3: gtin: want a GTIN of 8, 12, 13 or 14 digits, got "12345"`,
			`catalog_bad_rows.csv:4: uom: want 1-3 capital letters or digits such as EA or CS, got "ea"`,
			`catalog_bad_rows.csv:5: pack_size: want a decimal > 0, got "0"`,
			`catalog_bad_rows.csv:6: moq: want a decimal >= 0, got "-1"`,
			`catalog_bad_rows.csv:7: sku: required; the cell is empty`,
			`catalog_bad_rows.csv:8: sku: required; the cell is empty`,
			`catalog_bad_rows.csv:9: pack_size: want a decimal > 0, got "1e3"`,
			`catalog_bad_rows.csv:10: pack_size: want a decimal > 0, got "1,000"`,
			`catalog_bad_rows.csv:11: weight_kg: want a decimal >= 0, got "heavy"`,
			`catalog_bad_rows.csv:12: sku: want at most 64 characters, got 65`,
			`catalog_bad_rows.csv:13: want 8 fields as in the header, got 7`,
			`catalog_bad_rows.csv:14: uom: want 1-3 capital letters or digits such as EA or CS, got "EACH"`,
			`catalog_bad_rows.csv:15: description: contains a control character (U+000A)`,
		}},
		{"catalog", "catalog_dup.csv", []string{
			`catalog_dup.csv:4: sku: duplicate sku "SKU-1"; first on line 2`,
			`catalog_dup.csv:5: gtin: duplicate GTIN 0000096123454 (a GTIN names one item); first on line 2`,
		}},
		{"catalog", "catalog_bad_quote.csv", []string{
			`catalog_bad_quote.csv:3: malformed CSV (at character 12): bare " in non-quoted-field; reading stopped here`,
		}},
		{"catalog", "catalog_gtin_taken.csv", []string{
			`catalog_gtin_taken.csv:2: gtin: 0012345678905 already belongs to SKU "SKU-1001"`,
		}},
		{"catalog", "catalog_bad_status.csv", []string{
			`catalog_bad_status.csv:2: status: want one of active, discontinued, got "retired"`,
			`catalog_bad_status.csv:3: status: want one of active, discontinued, got "Discontinued"`,
			`catalog_bad_status.csv:4: status: want one of active, discontinued, got "ACTIVE"`,
			`catalog_bad_status.csv:7: status: want one of active, discontinued, got "active discontinued"`,
		}},
		{"stock", "stock_bad_safety.csv", []string{
			`stock_bad_safety.csv:2: safety_stock: want a decimal >= 0, got "-1"`,
			`stock_bad_safety.csv:3: safety_stock: want at most 4 decimal places and less than 10^14, got "0.00001"`,
			`stock_bad_safety.csv:4: safety_stock: want a decimal >= 0, got "lots"`,
			`stock_bad_safety.csv:5: safety_stock: want a decimal >= 0, got "1e3"`,
			`stock_bad_safety.csv:6: safety_stock: want at most 4 decimal places and less than 10^14, got "99999999999999999"`,
		}},
		{"stock", "stock_bad.csv", []string{
			`stock_bad.csv:3: warehouse: want 1-64 characters of A-Z a-z 0-9 _ . -, got "WH EAST"`,
			`stock_bad.csv:4: sku: "SKU-404" is not in the catalog`,
			`stock_bad.csv:5: on_hand: required; want a decimal >= 0`,
			`stock_bad.csv:6: sku: duplicate warehouse "WH-EAST" and sku "SKU-1001"; first on line 2`,
			`stock_bad.csv:7: on_hand: want a decimal >= 0, got "-5"`,
		}},
		{"contracts", "contracts_bad.csv", []string{
			`contracts_bad.csv:2: partner: want 1-64 characters of A-Z a-z 0-9 _ . -, got "BIG RETAIL"`,
			`contracts_bad.csv:3: sku: "SKU-404" is not in the catalog`,
			`contracts_bad.csv:4: valid_to: want a date on or after valid_from 2026-06-01, got "2026-05-01"`,
			`contracts_bad.csv:5: unit_price: required; want a decimal >= 0`,
			`contracts_bad.csv:7: sku: duplicate partner "BIGRETAIL", sku "SKU-1001", currency USD, min_qty 0, valid_from ""; first on line 6`,
		}},
		{"prices", "prices_bad.csv", []string{
			`prices_bad.csv:2: currency: want a 3-letter currency code in capitals such as USD, got "usd"`,
			`prices_bad.csv:3: unit_price: required; want a decimal >= 0`,
			`prices_bad.csv:4: valid_from: want a date YYYY-MM-DD, got "2026-02-30"`,
			`prices_bad.csv:5: valid_to: want a date on or after valid_from 2026-06-01, got "2026-05-01"`,
			`prices_bad.csv:7: sku: duplicate price_list "LIST-A", sku "SKU-1001", currency USD, min_qty 10, valid_from ""; first on line 6`,
			`prices_bad.csv:8: sku: "SKU-404" is not in the catalog`,
			`prices_bad.csv:9: price_list: want 1-64 characters of A-Z a-z 0-9 _ . -, got "LIST A"`,
			`prices_bad.csv:10: valid_from: want a date YYYY-MM-DD, got "26-01-01"`,
		}},
		{"partners", "partners_bad.csv", []string{
			`partners_bad.csv:2: tier: want one of key_account, gold, silver, standard, got "Gold"`,
			`partners_bad.csv:3: token: want at least 16 characters, got 5`,
			`partners_bad.csv:4: token: duplicate token (each partner needs its own); first on line 2`,
			`partners_bad.csv:5: partner: want 1-64 characters of A-Z a-z 0-9 _ . -, got "ACME 4"`,
			`partners_bad.csv:6: name: required; the cell is empty`,
			`partners_bad.csv:7: partner: duplicate partner "ACME3"; first on line 4`,
			`partners_bad.csv:8: token: want printable ASCII without spaces (it is sent in an HTTP header)`,
			`partners_bad.csv:9: token: the same token is already used by partner "BIGRETAIL"`,
		}},
		{"partners", "partners_bad_since.csv", []string{
			`partners_bad_since.csv:2: since: want a date YYYY-MM-DD, got "15.03.2021"`,
			`partners_bad_since.csv:3: since: want a date YYYY-MM-DD, got "2021-02-30"`,
		}},
		{"partners", "partners_bad_credit.csv", []string{
			`partners_bad_credit.csv:2: credit_limit: want an amount >= 0 and a 3-letter currency code such as 25000 USD, got "25000"`,
			`partners_bad_credit.csv:3: credit_limit: want an amount >= 0 and a 3-letter currency code such as 25000 USD, got "-5 USD"`,
			`partners_bad_credit.csv:4: credit_limit: want an amount >= 0 and a 3-letter currency code such as 25000 USD, got "25000 usd"`,
			`partners_bad_credit.csv:5: credit_limit: want an amount >= 0 and a 3-letter currency code such as 25000 USD, got "25,000 USD"`,
		}},
		{"crosswalk", "crosswalk_bad.csv", []string{
			`crosswalk_bad.csv:3: partner: "NOBODY" is not a known partner`,
			`crosswalk_bad.csv:4: kind: want one of buyer_item, gtin, got "upc"`,
			`crosswalk_bad.csv:5: value: bad check digit in "012345678906": want 5`,
			`crosswalk_bad.csv:6: sku: "SKU-404" is not in the catalog`,
			`crosswalk_bad.csv:7: value: duplicate partner "BIGRETAIL", kind buyer_item, value "88001"; first on line 2`,
			`crosswalk_bad.csv:9: value: duplicate partner "BIGRETAIL", kind gtin, value "00036000291452"; first on line 8`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			st := seeded(t)
			before := snapshot(t, st)
			res, err := loadFile(t, st, tt.kind, tt.file)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v (%T), want *FileError", err, err)
			}
			var got []string
			for _, p := range fe.Problems {
				got = append(got, p.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if fe.File != tt.file || fe.More != 0 {
				t.Errorf("File = %q, More = %d", fe.File, fe.More)
			}
			if res.Inserted+res.Updated+res.Unchanged != 0 {
				t.Errorf("result of a refused load = %+v", res)
			}
			if after := snapshot(t, st); after != before {
				t.Errorf("a refused load changed the store:\n%s\nwas\n%s", after, before)
			}
			// Callers can pick out problems with errors.As.
			var first *Error
			if !errors.As(err, &first) || first != fe.Problems[0] {
				t.Errorf("errors.As(*Error) = %v", first)
			}
			if !strings.HasPrefix(err.Error(), fmt.Sprintf("%s: %d problem", tt.file, len(tt.want))) {
				t.Errorf("Error() starts %q", strings.SplitN(err.Error(), "\n", 2)[0])
			}
		})
	}
}

// A file with good rows and one bad one loads nothing, into an empty table
// as into a full one.
func TestBadRowRejectsAll(t *testing.T) {
	st := seeded(t)
	mustLoad(t, st, "stock", "stock_good.csv")
	good, _ := os.ReadFile(filepath.Join("testdata", "catalog_good.csv"))
	file := string(good) + "SKU-2001,,NEW ITEM,EA,1,0,c,\nSKU-2002,,BAD ITEM,EA,-1,0,c,\n"
	for _, tc := range []struct {
		kind, body string
	}{
		{"catalog", strings.ReplaceAll(file, "COLA CLASSIC", "COLA NEW")},
		{"stock", "warehouse,sku,on_hand\nWH-EAST,SKU-1001,1\nWH-NEW,SKU-1002,5\nWH-EAST,SKU-1003,x\n"},
	} {
		cat, inv, wh := count(t, st, "catalog"), count(t, st, "inventory"), count(t, st, "warehouses")
		before := snapshot(t, st)
		_, err := LoadReader(context.Background(), st, tc.kind, tc.kind+".csv", strings.NewReader(tc.body))
		var fe *FileError
		if !errors.As(err, &fe) || len(fe.Problems) != 1 {
			t.Fatalf("%s: err = %v, want one problem", tc.kind, err)
		}
		if count(t, st, "catalog") != cat || count(t, st, "inventory") != inv || count(t, st, "warehouses") != wh {
			t.Errorf("%s: counts changed", tc.kind)
		}
		if snapshot(t, st) != before {
			t.Errorf("%s: store changed", tc.kind)
		}
	}
}

func TestTooManyProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("warehouse,sku,on_hand\n")
	for i := 0; i < 150; i++ {
		fmt.Fprintf(&b, "WH-%d,SKU-1001,-%d\n", i, i+1)
	}
	_, err := LoadReader(context.Background(), seeded(t), "stock", "stock.csv", strings.NewReader(b.String()))
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatal(err)
	}
	if len(fe.Problems) != MaxProblems || fe.More != 50 {
		t.Errorf("%d problems listed, %d more; want %d and 50", len(fe.Problems), fe.More, MaxProblems)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "stock.csv: 150 problems; nothing was loaded\n") || !strings.HasSuffix(msg, "\n... and 50 more") {
		t.Errorf("Error() = %s", msg)
	}
}

func TestInvalidUTF8(t *testing.T) {
	body := "sku,gtin,description,uom,pack_size,moq,category\nSKU-1,,caf\xe9,EA,1,0,c\n"
	_, err := LoadReader(context.Background(), openStore(t), "catalog", "latin1.csv", strings.NewReader(body))
	if err == nil || !strings.Contains(err.Error(), "latin1.csv:2: description: not valid UTF-8 (save the file as UTF-8)") {
		t.Errorf("err = %v", err)
	}
}
