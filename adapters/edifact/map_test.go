package edifact

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/orderhub/orderhub/order"
)

// The flag is the mapper's own, as in adapters/x12, so it does not clash
// with the reader's golden files' flag in the same package.
var updateMap = flag.Bool("update-map", false, "rewrite the mapper's golden files under testdata/map")

// corpusDir holds real files written by others (see its MANIFEST.md).
const corpusDir = "../../../shared/corpus/edifact"

// mapped is what a document gave, message by message.
type mapped struct {
	orders []*order.Order
	errs   []*Error // the reader's and the mapper's refusals
	warns  []*Error
}

// mapDoc reads a document and maps each of its messages as the Format
// does: a message the reader refused is not mapped.
func mapDoc(t testing.TB, name string, data []byte, opts MapOptions) mapped {
	t.Helper()
	var r mapped
	opts.Warn = func(e *Error) { r.warns = append(r.warns, e) }
	rd := NewReader(bytes.NewReader(data), Options{Doc: name, OnInterchange: func(rep *InterchangeReport) {
		r.errs = append(r.errs, rep.Errors...)
	}})
	defer rd.Close()
	for {
		m, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(m.Report.Errors) == 0 {
			r.orders = append(r.orders, MapOrders(m, opts)...)
		}
		r.errs = append(r.errs, m.Report.Errors...)
	}
	r.errs = append(r.errs, rd.Errors()...)
	return r
}

// golden renders what a document gave as indented JSON: the canonical
// orders, then the refusals and warnings with their places and codes.
func (r mapped) golden(t testing.TB) string {
	t.Helper()
	type problem struct {
		Code  string `json:"code"`
		Error string `json:"error"`
	}
	out := struct {
		Orders   []json.RawMessage `json:"orders"`
		Errors   []problem         `json:"errors,omitempty"`
		Warnings []problem         `json:"warnings,omitempty"`
	}{Orders: []json.RawMessage{}}
	for _, o := range r.orders {
		js, err := order.Marshal(o)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		out.Orders = append(out.Orders, js)
	}
	for _, e := range r.errs {
		out.Errors = append(out.Errors, problem{e.Code, e.Error()})
	}
	for _, e := range r.warns {
		out.Warnings = append(out.Warnings, problem{e.Code, e.Error()})
	}
	js, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(js) + "\n"
}

func compareMapGolden(t *testing.T, path, got string) {
	t.Helper()
	if *updateMap {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update-map to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with -update-map and review the diff)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func readMapFile(t testing.TB, name string, opts MapOptions) mapped {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "map", name))
	if err != nil {
		t.Fatal(err)
	}
	return mapDoc(t, name, data, opts)
}

// Every input under testdata/map gives its golden canonical JSON; every
// order it gives validates, and every refusal is located. Files named
// strict_* are read with StrictTotals.
func TestMapGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/map/*.edi")
	if err != nil || len(files) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			r := readMapFile(t, name, MapOptions{StrictTotals: strings.HasPrefix(name, "strict_")})
			for _, o := range r.orders {
				if err := o.Validate(); err != nil {
					t.Errorf("PO %s does not validate: %v", o.PONumber, err)
				}
			}
			for _, e := range r.errs {
				if e.Doc != name || e.Code == "" || e.Message == "" {
					t.Errorf("refusal not located in a message with a code: %+v", e)
				}
			}
			compareMapGolden(t, strings.TrimSuffix(path, ".edi")+".golden.json", r.golden(t))
		})
	}
}

// one maps a file that must give exactly n orders and no refusals.
func one(t *testing.T, name string, n int) []*order.Order {
	t.Helper()
	r := readMapFile(t, name, MapOptions{})
	if len(r.errs) > 0 || len(r.orders) != n {
		t.Fatalf("%s: %d orders (want %d), errors %v", name, len(r.orders), n, r.errs)
	}
	return r.orders
}

type fact struct{ what, got, want string }

func checkFacts(t *testing.T, facts []fact) {
	t.Helper()
	for _, f := range facts {
		if f.got != f.want {
			t.Errorf("%s: got %q, want %q", f.what, f.got, f.want)
		}
	}
}

func dec(d interface{ String() string }) string {
	if d == nil {
		return "<nil>"
	}
	return d.String()
}

func itemIDs(l *order.Line) string {
	var b strings.Builder
	for _, id := range l.ItemIDs {
		fmt.Fprintf(&b, "%s=%s ", id.Qualifier, id.ID)
	}
	return strings.TrimSpace(b.String())
}

// What the tests promise about particular documents, independent of the
// golden files, so an -update-map cannot approve a wrong answer.
func TestMapFacts(t *testing.T) {
	t.Run("D96A with UNA", func(t *testing.T) {
		o := one(t, "d96a_una.edi", 1)[0]
		by, dp := o.Party(order.RoleBuyer), o.Party(order.RoleShipTo)
		if by == nil || dp == nil || o.Party(order.RoleBillTo) == nil || o.Party(order.RoleSupplier) == nil {
			t.Fatalf("parties: %+v", o.Parties)
		}
		l1, l2, l3 := &o.Lines[0], &o.Lines[1], &o.Lines[2]
		checkFacts(t, []fact{
			{"po", o.PONumber, "PO-96A-1"},
			{"purpose", o.Purpose, "original"},
			{"type", o.OrderType, "standalone"},
			{"order date", o.OrderDate, "2026-11-20"},
			{"delivery", o.RequestedDeliveryDate, "2026-12-01"},
			{"ship", o.RequestedShipDate, "2026-11-25"},
			{"cancel after", o.CancelAfter, "2026-12-15"},
			{"currency", o.Currency, "EUR"},
			{"fob", o.FOB, "FCA"},
			{"carrier", o.Carrier.Name + "/" + o.Carrier.Method, "SPEDITION SCHNELL/30"},
			{"net days", strconv.Itoa(o.PaymentTerms.NetDays), "30"},
			{"discount", dec(o.PaymentTerms.DiscountPercent), "2"},
			{"notes", strings.Join(o.Notes, "|"), "PLEASE DELIVER BETWEEN 8 AND 12|CALL BEFORE DELIVERY"},
			{"references", fmt.Sprint(o.References), "[{CT CONTRACT-77} {PD PROMO-SPRING} {VA DE123456789} {NAD UC 4012345000207}]"},
			{"buyer", by.ID + " " + by.IDQualifier + " " + by.Name + " " + by.City + " " + by.PostalCode + " " + by.Country, "4012345000009 9 EXAMPLE MARKT GMBH BERLIN 10115 DE"},
			{"buyer contact", fmt.Sprint(by.Contacts), "[{OC HANS MEIER 030-123456 orders@example.test 030-123457}]"},
			{"ship-to address", strings.Join(dp.Address, "|"), "LAGERWEG 5|TOR 3"},
			{"charges", fmt.Sprintf("%s %s %s %s / %s %s %s", o.Charges[0].Kind, o.Charges[0].Code, dec(o.Charges[0].Amount), o.Charges[0].Description,
				o.Charges[1].Kind, o.Charges[1].Code, dec(o.Charges[1].Percent)), "charge FC 25 FREIGHT / allowance DI 2.5"},
			{"total", dec(o.TotalAmount), "51.26"},
			{"line 1 ids", itemIDs(l1), "EN=4006381333931 IN=88001 SA=SKU-1001"},
			{"line 1 sku gtin buyer", l1.SKU + " " + l1.GTIN + " " + l1.BuyerItem, "SKU-1001 4006381333931 88001"},
			{"line 1 description", l1.Description, "COLA CLASSIC 24 X 0,33 L"},
			{"line 1 quantity", l1.Quantity.String() + " " + l1.UOM, "24 PCE"},
			{"line 1 net price wins", dec(l1.UnitPrice), "0.65"},
			{"line 1 pack", dec(l1.Pack.Pack), "24"},
			{"line 2 price per 10", dec(l2.UnitPrice), "1.25"},
			{"line 2 allowance", l2.Charges[0].Kind + " " + dec(l2.Charges[0].Amount), "allowance 1.2"},
			{"line 3 sku only", l3.SKU + "|" + l3.GTIN, "SKU-1003|"},
			{"line 3 quantity", l3.Quantity.String() + " " + l3.UOM, "1.5 KGM"},
			{"line 3 note", strings.Join(l3.Notes, "|"), "BLUE ONLY"},
		})
	})
	t.Run("release characters", func(t *testing.T) {
		o := one(t, "release.edi", 1)[0]
		checkFacts(t, []fact{
			{"po", o.PONumber, "PO+REL:1"},
			{"buyer", o.Party(order.RoleBuyer).Name, "GROOT MARKT+CO"},
			{"street", strings.Join(o.Party(order.RoleBuyer).Address, "|"), "KERKSTRAAT 1:A"},
			{"note", strings.Join(o.Notes, "|"), "DELIVER AT DOOR 3'S RAMP ASK FOR ?"},
			{"sku", o.Lines[0].SKU, "ART:77"},
			{"description", o.Lines[0].Description, "50+ FREE: BONUS PACK"},
		})
	})
	t.Run("UNOC Latin-1", func(t *testing.T) {
		o := one(t, "unoc_latin1.edi", 1)[0]
		by, dp := o.Party(order.RoleBuyer), o.Party(order.RoleShipTo)
		checkFacts(t, []fact{
			{"buyer", by.Name + "|" + by.Address[0] + "|" + by.City, "Kälte GmbH|Teststraße 16a|MÜNCHEN"},
			{"ship-to", dp.Name + "|" + dp.City, "KÄLTE LAGER|Köln"},
			{"description", o.Lines[0].Description, "Kräuteressig 5% 10l Branntweinessig Kanister"},
			{"note", o.Notes[0], "MIT FREUNDLICHEN GRÜSSEN, Grüße"},
		})
	})
	t.Run("decimal comma", func(t *testing.T) {
		o := one(t, "decimal_comma.edi", 1)[0]
		checkFacts(t, []fact{
			{"quantity", o.Lines[0].Quantity.String(), "1.5"},
			{"price", dec(o.Lines[0].UnitPrice), "12.5"},
			{"price 2", dec(o.Lines[1].UnitPrice), "0.999"},
			{"total", dec(o.TotalAmount), "21.747"},
		})
	})
	t.Run("several messages, purposes and types", func(t *testing.T) {
		os := one(t, "multi.edi", 3)
		checkFacts(t, []fact{
			{"first", os[0].PONumber + " " + os[0].Purpose + " " + os[0].OrderType, "PO-MULTI-1 original standalone"},
			{"second", os[1].PONumber + " " + os[1].Purpose + " " + os[1].OrderType, "PO-MULTI-2 replace blanket"},
			{"third", os[2].PONumber + " " + os[2].Purpose + " " + strconv.Itoa(len(os[2].Lines)), "PO-MULTI-0 cancel 0"},
		})
		g := one(t, "ung.edi", 2)
		checkFacts(t, []fact{{"group", g[0].OrderType + " " + g[1].OrderType, "release consigned"}})
	})
	t.Run("D93A and D01B", func(t *testing.T) {
		o := one(t, "d93a.edi", 1)[0]
		checkFacts(t, []fact{
			{"93A YYMMDD", o.OrderDate, "2026-11-20"},
			{"93A no format", o.RequestedDeliveryDate, "2026-12-01"},
		})
		o = one(t, "d01b.edi", 1)[0]
		dp := o.Party(order.RoleShipTo)
		checkFacts(t, []fact{
			{"C106", o.PONumber, "PO-01B-1"},
			{"earliest of a range", o.RequestedDeliveryDate, "2026-12-01"},
			{"latest of a range", o.CancelAfter, "2026-12-10"},
			{"region C819", dp.Region + " " + dp.IDQualifier, "IL 92"},
			{"ordered-by as buyer", o.Party(order.RoleBuyer).Name, "ORDERING DEPT"},
			{"SRV gtin, BP buyer item", o.Lines[0].GTIN + " " + o.Lines[0].BuyerItem, "4006381333931 30007"},
		})
	})
	t.Run("delivery splits", func(t *testing.T) {
		os := one(t, "eancom_split.edi", 4)
		got := make([]string, len(os))
		for i, o := range os {
			var b strings.Builder
			st := o.Party(order.RoleShipTo)
			fmt.Fprintf(&b, "%s ship-to %s:%s refs %v:", o.PONumber, st.IDQualifier, st.ID, o.References)
			for _, l := range o.Lines {
				fmt.Fprintf(&b, " %s=%s", l.LineNo, l.Quantity)
			}
			got[i] = b.String()
		}
		want := []string{
			"PO-SPLIT-1 ship-to 9:4012345000108 refs []: 2=12 5=4",
			"PO-SPLIT-1 ship-to 9:4012345000511 refs [{DC 4012345000108}]: 1=10 3=6",
			"PO-SPLIT-1 ship-to 9:4012345000528 refs [{DC 4012345000108}]: 1=20",
			"PO-SPLIT-1 ship-to 9:4012345000535 refs [{DC 4012345000108}]: 4=5",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
	t.Run("ORDCHG", func(t *testing.T) {
		os := one(t, "ordchg.edi", 2)
		var ch []string
		for _, l := range os[0].Lines {
			ch = append(ch, l.LineNo+"="+l.Change)
		}
		checkFacts(t, []fact{
			{"purpose", os[0].Purpose, "change"},
			{"no order type for 230", os[0].OrderType, ""},
			{"changes", strings.Join(ch, " "), "1=change 2=delete 3=add 4=change 5=change 6=code:7"},
			{"deleted line quantity", os[0].Lines[1].Quantity.String(), "0"},
			{"cancel", os[1].Purpose, "cancel"},
		})
	})
	t.Run("weeks and times", func(t *testing.T) {
		r := readMapFile(t, "err_dtm.edi", MapOptions{})
		if len(r.orders) != 1 {
			t.Fatalf("%d orders", len(r.orders))
		}
		o := r.orders[0]
		checkFacts(t, []fact{
			{"203", o.OrderDate, "2026-11-20"},
			{"616 Monday", o.RequestedDeliveryDate, "2026-11-30"},
			{"616 Sunday for latest", o.CancelAfter, "2026-12-13"},
		})
	})
}

// Refusals name the message, segment, element and component, with the
// ISO 9735 code a CONTRL carries.
func TestMapErrors(t *testing.T) {
	type want struct{ msg, seg, tag, el, comp, code string }
	cases := []struct {
		file  string
		opts  MapOptions
		wants []want
		warns int
	}{
		{"err_dtm.edi", MapOptions{}, []want{
			{"1", "3", "DTM", "1", "2", CodeInvalidValue},
			{"2", "3", "DTM", "1", "3", CodeInvalidValue},
		}, 0},
		{"err_lines.edi", MapOptions{}, []want{
			{"1", "3", "LIN", "0", "0", CodeMissing},
			{"2", "4", "QTY", "1", "2", CodeInvalidTypeOfChars},
			{"3", "5", "PRI", "1", "2", CodeInvalidTypeOfChars},
			{"4", "3", "LIN", "3", "1", CodeMissing},
			{"4", "5", "LIN", "3", "2", CodeMissing},
			{"4", "5", "LIN", "3", "1", CodeMissing},
			{"5", "0", "", "0", "0", CodeMissing},
			{"6", "2", "BGM", "2", "1", CodeMissing},
			{"7", "1", "UNH", "2", "1", CodeValueNotSupported},
			{"8", "11", "LOC", "0", "0", CodeMissing},
			{"8", "4", "QTY", "1", "2", CodeInvalidValue},
			{"9", "2", "BGM", "3", "1", CodeInvalidValue},
			{"9", "3", "ALC", "1", "1", CodeInvalidValue},
			{"9", "7", "PRI", "1", "5", CodeInvalidValue},
			{"11", "4", "IMD", "3", "6", CodeTooManyConstituents},
		}, 0},
		{"cnt.edi", MapOptions{}, nil, 2},
		{"cnt.edi", MapOptions{StrictTotals: true}, []want{
			{"1", "8", "CNT", "1", "2", CodeInvalidValue},
			{"1", "9", "CNT", "1", "2", CodeInvalidValue},
		}, 0},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s strict=%v", c.file, c.opts.StrictTotals), func(t *testing.T) {
			r := readMapFile(t, c.file, c.opts)
			var got, wants []string
			for _, e := range r.errs {
				got = append(got, fmt.Sprintf("UNH %s segment %d %s %d:%d code %s", e.Message, e.Segment, e.Tag, e.Elem, e.Comp, e.Code))
			}
			for _, w := range c.wants {
				wants = append(wants, fmt.Sprintf("UNH %s segment %s %s %s:%s code %s", w.msg, w.seg, w.tag, w.el, w.comp, w.code))
			}
			if strings.Join(got, "\n") != strings.Join(wants, "\n") {
				t.Errorf("errors\n%s\nwant\n%s\n(%v)", strings.Join(got, "\n"), strings.Join(wants, "\n"), r.errs)
			}
			if len(r.warns) != c.warns {
				t.Errorf("%d warnings, want %d: %v", len(r.warns), c.warns, r.warns)
			}
		})
	}
}
