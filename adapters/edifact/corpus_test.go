package edifact

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
)

var corpusNow = func() time.Time { return time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC) }

// formatRead reads a document through the Format as the server does
// (answers numbered, the transport knowing the partner), in both the
// parallel and the sequential way, which must agree.
func formatRead(t *testing.T, name string, data []byte, doc format.Doc) (orders []*order.Order, errs []error, answers []ordermsg.Ack) {
	t.Helper()
	run := func(workers int) (os []*order.Order, es []error, as []ordermsg.Ack) {
		d := doc
		d.Name = name
		d.Answer = func(a ordermsg.Ack) { as = append(as, a) }
		f := &Format{Numbers: newAckTestNumbers(), Now: corpusNow, Workers: workers}
		for o, err := range f.Read(context.Background(), bytes.NewReader(data), d) {
			if err != nil {
				var fatal *format.FatalError
				if errors.As(err, &fatal) {
					t.Fatalf("%s: fatal error: %v", name, err)
				}
				es = append(es, err)
				continue
			}
			os = append(os, o)
		}
		return os, es, as
	}
	orders, errs, answers = run(4)
	o1, e1, a1 := run(1)
	if summary(orders, errs, answers) != summary(o1, e1, a1) {
		t.Errorf("%s: the parallel and the sequential reading differ", name)
	}
	return orders, errs, answers
}

// summary is what a reading gave, one line per order, refusal and answer.
func summary(orders []*order.Order, errs []error, answers []ordermsg.Ack) string {
	var b strings.Builder
	for _, o := range orders {
		ship := ""
		if p := o.Party(order.RoleShipTo); p != nil {
			ship = p.ID
		}
		fmt.Fprintf(&b, "order %s %s %s ship-to %q lines %d (%s, UNH %s)\n", o.PONumber, o.Purpose, o.OrderType, ship, len(o.Lines),
			o.Source.Position, o.Source.Transaction)
	}
	for _, err := range errs {
		fmt.Fprintf(&b, "refused: %v\n", err)
	}
	for _, a := range answers {
		fmt.Fprintf(&b, "answer %s %s:\n%s\n", a.Kind, a.Name, bytes.ReplaceAll(a.Body, []byte("'"), []byte("'\n")))
	}
	return b.String()
}

// TestCorpusFormat reads every corpus file (real files written by others):
// each yields orders or located errors, never a panic or a fatal error,
// and what it gives, answers included, is kept as a golden summary.
func TestCorpusFormat(t *testing.T) {
	ents, err := os.ReadDir(corpusDir)
	if os.IsNotExist(err) {
		t.Skip("corpus not found at", corpusDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		name := e.Name()
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(corpusDir, name))
			if err != nil {
				t.Fatal(err)
			}
			orders, errs, answers := formatRead(t, name, data, format.Doc{ID: "doc", Partner: "acme"})
			if len(orders)+len(errs) == 0 {
				t.Errorf("%s yields neither orders nor errors", name)
			}
			for _, err := range errs {
				var located interface{ DocPosition() string }
				if !errors.As(err, &located) || located.DocPosition() == "" {
					t.Errorf("%s: an error without its place: %v", name, err)
				}
			}
			for _, o := range orders {
				if _, err := order.Marshal(o); err != nil {
					t.Errorf("%s: order %s does not encode: %v", name, o.PONumber, err)
				}
			}
			golden(t, filepath.Join("testdata", "format", "corpus_"+name+".golden"), summary(orders, errs, answers))
		})
	}
}

// TestCorpusAgreesWithBotsAPERAK compares our reading with what Bots made
// of the same file: its APERAK for 0T0000000015 acknowledges the order
// without an error (ERC). Its CSV of test.edi is compared with our orders
// by TestMapAgreesWithBots.
func TestCorpusAgreesWithBotsAPERAK(t *testing.T) {
	expected := filepath.Join(corpusDir, "..", "expected")
	if _, err := os.Stat(expected); err != nil {
		t.Skip("corpus not found at", expected)
	}
	aperak, err := os.ReadFile(filepath.Join(expected, "bots_0T0000000015.edi__dutchic_aperak1.edi"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(corpusDir, "bots_0T0000000015.edi"))
	if err != nil {
		t.Fatal(err)
	}
	orders, errs, _ := formatRead(t, "bots_0T0000000015.edi", data, format.Doc{ID: "doc", Partner: "acme"})
	if bytes.Contains(aperak, []byte("ERC+")) || len(errs) > 0 || len(orders) != 1 || orders[0].PONumber != "T0000000015" {
		t.Errorf("0T0000000015: Bots accepted it (APERAK without ERC); we got %d orders and %v", len(orders), errs)
	}
}

// senderProblem tells whether a validation problem is in what the sender
// wrote rather than in how it was mapped: a unit of its own (GBND), a
// GTIN with a wrong check digit, a quantity of 0, dates out of order, an
// order without lines (the LIN group is conditional in ORDERS: only the
// business rule wants one).
// The pipeline's validate stage refuses such lines or orders with the
// reason; the mapper carries them as written.
func senderProblem(p order.Problem) bool {
	if p.Path == "lines" {
		return true
	}
	for _, suffix := range []string{".uom", ".gtin", ".quantity", "requested_delivery_date", "requested_ship_date"} {
		if strings.HasSuffix(p.Path, suffix) {
			return true
		}
	}
	return false
}

// Every ORDERS and ORDCHG message in the corpus (real files written by
// others) is mapped without a panic into orders that validate, but for
// what their senders wrote, or into located refusals; what each gives is
// kept as a golden summary under testdata/map/corpus.
func TestMapCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpusDir, "*"))
	if err != nil || len(files) == 0 {
		t.Skip("corpus not found at", corpusDir)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			rd := NewReader(bytes.NewReader(data), Options{Doc: name})
			defer rd.Close()
			for {
				m, err := rd.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(m.Report.Errors) > 0 {
					for _, e := range m.Report.Errors {
						fmt.Fprintf(&b, "message %s %s: refused by the reader: %s %s\n", m.Header.Ref, m.Header.Type, e.Code, e.DocPosition()+": "+e.Msg)
					}
					continue
				}
				if m.Header.Type != "ORDERS" && m.Header.Type != "ORDCHG" {
					fmt.Fprintf(&b, "message %s %s: not an order\n", m.Header.Ref, m.Header.Type)
					continue
				}
				var warns []*Error
				orders := MapOrders(m, MapOptions{Warn: func(e *Error) { warns = append(warns, e) }})
				if len(orders) == 0 && len(m.Report.Errors) == 0 {
					t.Errorf("message %s gives neither orders nor errors", m.Header.Ref)
				}
				for _, e := range m.Report.Errors {
					if e.Code == "" || !strings.HasPrefix(e.Error(), name+": UNH "+m.Header.Ref) {
						t.Errorf("refusal not located: %v", e)
					}
					fmt.Fprintf(&b, "message %s: error %s: %s\n", m.Header.Ref, e.Code, e.DocPosition()+": "+e.Msg)
				}
				for _, e := range warns {
					fmt.Fprintf(&b, "message %s: warning: %s\n", m.Header.Ref, e.DocPosition()+": "+e.Msg)
				}
				for _, o := range orders {
					ship := ""
					if p := o.Party(order.RoleShipTo); p != nil {
						ship = p.ID
					}
					fmt.Fprintf(&b, "message %s: order %s %s %s ship-to %q lines %d\n", m.Header.Ref, o.PONumber, o.Purpose, o.OrderType, ship, len(o.Lines))
					var ve *order.ValidationError
					if err := o.Validate(); errors.As(err, &ve) {
						for _, p := range ve.Problems {
							if !senderProblem(p) {
								t.Errorf("PO %s: %s: %s", o.PONumber, p.Path, p.Message)
							}
							fmt.Fprintf(&b, "  invalid %s: %s\n", p.Path, p.Message)
						}
					}
				}
			}
			compareMapGolden(t, filepath.Join("testdata", "map", "corpus", name+".golden"), b.String())
		})
	}
}

// TestMapAgreesWithBots compares our orders for the corpus's bots_test.edi
// with the order lines Bots (bots-edi) flattened the same file into: the
// same PO numbers, dates, delivery party, line numbers, GTINs and
// quantities, row for row.
func TestMapAgreesWithBots(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(corpusDir, "bots_test.edi"))
	if err != nil {
		t.Skip("corpus not found:", err)
	}
	csvData, err := os.ReadFile(filepath.Join(corpusDir, "..", "expected", "bots_test.edi__1.csv"))
	if err != nil {
		t.Fatal(err)
	}
	r := mapDoc(t, "bots_test.edi", data, MapOptions{})
	if len(r.errs) > 0 {
		t.Fatal(r.errs)
	}
	iso := func(v string) string {
		if len(v) < 8 {
			return ""
		}
		return v[:4] + "-" + v[4:6] + "-" + v[6:8]
	}
	var ours, bots []string
	for _, o := range r.orders {
		ship := ""
		if p := o.Party(order.RoleShipTo); p != nil {
			ship = p.ID
		}
		for _, l := range o.Lines {
			ours = append(ours, strings.Join([]string{o.PONumber, o.OrderDate, ship, o.RequestedDeliveryDate, l.LineNo, l.GTIN, l.Quantity.String()}, " "))
		}
	}
	rows, err := csv.NewReader(bytes.NewReader(csvData)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		// Columns (Bots' csv_orders grammar): 5 BGM number, 6 DTM 137,
		// 11 NAD+DP, 15 DTM 2, 16 DTM 64, 26 LIN number, 27 its EAN,
		// 30 QTY 21.
		delivery := iso(row[14])
		if delivery == "" {
			delivery = iso(row[15])
		}
		q, ok := order.PlainDecimal(row[29])
		if !ok {
			t.Fatalf("quantity %q", row[29])
		}
		bots = append(bots, strings.Join([]string{row[4], iso(row[5]), row[10], delivery, row[25], row[26], q.String()}, " "))
	}
	if strings.Join(ours, "\n") != strings.Join(bots, "\n") {
		t.Errorf("ours\n%s\nBots'\n%s", strings.Join(ours, "\n"), strings.Join(bots, "\n"))
	}
}
