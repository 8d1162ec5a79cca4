package x12

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/order"
)

var updateMap = flag.Bool("update-map", false, "rewrite the mapper's golden files under testdata/map")

// readAll reads a document with the Format and renders what it yields as
// the golden text: one canonical order per line, refusals as "error: ...".
func readOrders(t testing.TB, f *Format, name string, data []byte, doc format.Doc) (string, []*order.Order, []error) {
	t.Helper()
	if doc.Name == "" {
		doc.Name = name
	}
	var b strings.Builder
	var orders []*order.Order
	var errs []error
	for o, err := range f.Read(context.Background(), bytes.NewReader(data), doc) {
		if err != nil {
			var fe *format.FatalError
			if errors.As(err, &fe) {
				t.Fatalf("%s: fatal: %v", name, err)
			}
			errs = append(errs, err)
			b.WriteString("error: ")
			b.WriteString(err.Error())
			b.WriteString("\n")
			continue
		}
		js, err := order.Marshal(o)
		if err != nil {
			t.Fatalf("%s: marshal: %v", name, err)
		}
		orders = append(orders, o)
		b.Write(js)
		b.WriteString("\n")
	}
	return b.String(), orders, errs
}

func TestMapGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/map/*.x12")
	if err != nil || len(files) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got, orders, _ := readOrders(t, &Format{}, name, data, format.Doc{Transport: "file"})
			for _, o := range orders {
				if err := o.Validate(); err != nil {
					t.Errorf("PO %s does not validate: %v", o.PONumber, err)
				}
			}
			compareGolden(t, strings.TrimSuffix(path, ".x12")+".golden", got, *updateMap)
		})
	}
}

// The same purchase order in every delimiter set gives the same order.
func TestMapDelimiterSets(t *testing.T) {
	files, _ := filepath.Glob("testdata/map/delim_*.x12")
	if len(files) < 7 {
		t.Fatalf("want the seven delimiter sets, found %d", len(files))
	}
	var first string
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, orders, errs := readOrders(t, &Format{}, "doc", data, format.Doc{})
		if len(errs) > 0 || len(orders) != 1 {
			t.Fatalf("%s: %d orders, errors %v", path, len(orders), errs)
		}
		o := orders[0]
		o.Source = nil
		js, _ := order.Marshal(o)
		if first == "" {
			first = string(js)
			continue
		}
		if string(js) != first {
			t.Errorf("%s gives\n%s\nothers give\n%s", path, js, first)
		}
	}
}

// What the tests promise about particular documents, independent of the
// golden files, so an -update cannot approve a wrong answer.
func TestMapFacts(t *testing.T) {
	read := func(name string) ([]*order.Order, []error) {
		data, err := os.ReadFile("testdata/map/" + name)
		if err != nil {
			t.Fatal(err)
		}
		_, orders, errs := readOrders(t, &Format{}, name, data, format.Doc{})
		return orders, errs
	}
	t.Run("4010 full", func(t *testing.T) {
		orders, errs := read("4010_full.x12")
		if len(errs) > 0 || len(orders) != 1 {
			t.Fatalf("%d orders, errors %v", len(orders), errs)
		}
		o := orders[0]
		checks := []struct{ what, got, want string }{
			{"po", o.PONumber, "PO-4010-1"},
			{"purpose", o.Purpose, "original"},
			{"type", o.OrderType, "standalone"},
			{"date", o.OrderDate, "2026-11-20"},
			{"delivery", o.RequestedDeliveryDate, "2026-12-01"},
			{"ship", o.RequestedShipDate, "2026-11-25"},
			{"cancel", o.CancelAfter, "2026-12-15"},
			{"currency", o.Currency, "USD"},
			{"fob", o.FOB, "PP"},
			{"scac", o.Carrier.SCAC, "UPSN"},
			{"net days", strconv.Itoa(o.PaymentTerms.NetDays), "30"},
			{"ship_to", o.Parties[0].Role + " " + o.Parties[0].ID + " " + o.Parties[0].PostalCode, "ship_to 0012 62701"},
			{"ship_to contact", o.Parties[0].Contacts[0].Phone, "555-0199"},
			{"bill_to", o.Parties[1].Role, "bill_to"},
			{"buyer", o.Parties[2].Role, "buyer"},
			{"header charge", o.Charges[0].Kind + " " + o.Charges[0].Amount.String(), "charge 25"},
			{"lines", strconv.Itoa(len(o.Lines)), "3"},
			{"line 1 sku", o.Lines[0].SKU, "SKU-1001"},
			{"line 1 gtin", o.Lines[0].GTIN, "012345678905"},
			{"line 1 buyer item", o.Lines[0].BuyerItem, "88001"},
			{"line 1 allowance", o.Lines[0].Charges[0].Kind + " " + o.Lines[0].Charges[0].Amount.String(), "allowance 1.2"},
			{"line 1 pack", o.Lines[0].Pack.Pack.String(), "6"},
			{"line 2 sku", o.Lines[1].SKU, ""},
			{"line 2 description", o.Lines[1].Description, "MEDIUM WIDGET BLUE"},
			{"line 2 party", o.Lines[1].Parties[0].ID, "0007"},
			{"line 3 quantity", o.Lines[2].Quantity.String(), "1.5"},
			{"line 3 price", o.Lines[2].UnitPrice.String(), "3.999"},
			{"line 3 sku", o.Lines[2].SKU, "SKU-1003"},
			{"total", o.TotalAmount.String(), "777.99"},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s: got %q, want %q", c.what, c.got, c.want)
			}
		}
	})
	t.Run("SDQ", func(t *testing.T) {
		orders, errs := read("sdq.x12")
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		// Line 3 stays with the DC; stores 0101, 0102, 0103 get theirs.
		want := map[string]string{"0012": "3:6", "0101": "1:10 2:4", "0102": "1:20 2:4", "0103": "2:4"}
		if len(orders) != len(want) {
			t.Fatalf("%d orders, want %d", len(orders), len(want))
		}
		for _, o := range orders {
			shipTo := ""
			for _, p := range o.Parties {
				if p.Role == order.RoleShipTo {
					shipTo = p.ID
				}
			}
			var lines []string
			for _, l := range o.Lines {
				lines = append(lines, l.LineNo+":"+l.Quantity.String())
			}
			if got := strings.Join(lines, " "); got != want[shipTo] || o.PONumber != "PO-SDQ-1" {
				t.Errorf("PO %s to %s: lines %s, want %s", o.PONumber, shipTo, got, want[shipTo])
			}
		}
	})
	t.Run("860", func(t *testing.T) {
		orders, errs := read("860_change.x12")
		if len(errs) > 0 || len(orders) != 1 {
			t.Fatalf("%d orders, errors %v", len(orders), errs)
		}
		o := orders[0]
		var got []string
		for _, l := range o.Lines {
			got = append(got, l.LineNo+":"+l.Change)
		}
		if o.Purpose != order.PurposeChange || strings.Join(got, " ") != "1:quantity_increase 2:delete 4:add 3:price_change" {
			t.Errorf("purpose %s, lines %v", o.Purpose, got)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		orders, _ := read("cancel.x12")
		if len(orders) != 1 || orders[0].Purpose != order.PurposeCancel {
			t.Fatalf("got %+v", orders)
		}
	})
	t.Run("multi", func(t *testing.T) {
		orders, errs := read("multi.x12")
		if len(errs) > 0 || len(orders) != 5 {
			t.Fatalf("%d orders, errors %v", len(orders), errs)
		}
		for i, o := range orders {
			if want := "PO-M-" + strconv.Itoa(i+1); o.PONumber != want {
				t.Errorf("order %d is %s, want %s", i, o.PONumber, want)
			}
		}
		if orders[4].Source.Interchange != "000000602" || orders[3].Source.Group != "2" {
			t.Errorf("sources %+v %+v", orders[3].Source, orders[4].Source)
		}
	})
	t.Run("bad SE count rejects only its set", func(t *testing.T) {
		orders, errs := read("err_se_count.x12")
		if len(orders) != 2 || len(errs) != 1 {
			t.Fatalf("%d orders, errors %v", len(orders), errs)
		}
		want := "err_se_count.x12: ST 0002 segment 5 (SE): SE01 says 9 segments, counted 5"
		if errs[0].Error() != want {
			t.Errorf("got  %s\nwant %s", errs[0], want)
		}
		var xe *Error
		if !errors.As(errs[0], &xe) || xe.Code != SetSegmentCountMismatch {
			t.Errorf("errors.As: %#v", xe)
		}
	})
	t.Run("mapping errors", func(t *testing.T) {
		orders, errs := read("err_mapping.x12")
		if len(orders) != 1 || orders[0].PONumber != "PO-M-4" || len(errs) != 3 {
			t.Fatalf("%d orders, errors %v", len(orders), errs)
		}
		for i, frag := range []string{"CTT01 says 2 line items, counted 1", "BEG01", "BEG03"} {
			if !strings.Contains(errs[i].Error(), frag) {
				t.Errorf("error %d %q does not mention %q", i, errs[i], frag)
			}
		}
	})
}
