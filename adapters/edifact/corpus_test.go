package edifact

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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

// TestCorpusAgreesWithBots compares our reading with what bots made of the
// same files: its APERAK for 0T0000000015 acknowledges the order without
// an error, and its CSV of test.edi lists each order line.
func TestCorpusAgreesWithBots(t *testing.T) {
	expected := filepath.Join(corpusDir, "..", "expected")
	if _, err := os.Stat(expected); err != nil {
		t.Skip("corpus not found at", expected)
	}
	read := func(name string) ([]*order.Order, []error) {
		data, err := os.ReadFile(filepath.Join(corpusDir, name))
		if err != nil {
			t.Fatal(err)
		}
		orders, errs, _ := formatRead(t, name, data, format.Doc{ID: "doc", Partner: "acme"})
		return orders, errs
	}

	aperak, err := os.ReadFile(filepath.Join(expected, "bots_0T0000000015.edi__dutchic_aperak1.edi"))
	if err != nil {
		t.Fatal(err)
	}
	orders, errs := read("bots_0T0000000015.edi")
	if bytes.Contains(aperak, []byte("ERC+")) || len(errs) > 0 || len(orders) != 1 || orders[0].PONumber != "T0000000015" {
		t.Errorf("0T0000000015: bots accepted it (APERAK without ERC); we got %d orders and %v", len(orders), errs)
	}

	f, err := os.Open(filepath.Join(expected, "bots_test.edi__1.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Columns: 5 the order number, 26 the line number, 27 the GTIN, 30
	// the quantity ("1.000").
	var want []string
	for _, r := range rows {
		q, _ := order.PlainDecimal(r[29])
		want = append(want, fmt.Sprintf("%s/%s %s x%s", r[4], r[25], r[26], q.String()))
	}
	orders, errs = read("bots_test.edi")
	if len(errs) > 0 {
		t.Errorf("test.edi: refused %v, bots took every message", errs)
	}
	var got []string
	for _, o := range orders {
		for _, l := range o.Lines {
			got = append(got, fmt.Sprintf("%s/%s %s x%s", o.PONumber, l.LineNo, l.GTIN, l.Quantity.String()))
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("test.edi lines differ from bots' CSV:\n got %q\nwant %q", got, want)
	}
}
