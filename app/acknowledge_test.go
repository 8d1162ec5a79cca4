package app_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/adapters/edifact"
	"github.com/orderhub/orderhub/adapters/x12"
	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
)

// fakeAck is an Acknowledger for one format that answers with its kind.
type fakeAck struct {
	format, kind string
	asked        *[]string
}

func (f fakeAck) Wants(o *order.Order) bool { return o.Source != nil && o.Source.Format == f.format }

func (f fakeAck) Acknowledge(_ context.Context, o *order.Order) ([]ordermsg.Ack, error) {
	*f.asked = append(*f.asked, f.kind)
	return []ordermsg.Ack{{Partner: o.Partner, Kind: f.kind, Key: o.ID}}, nil
}

func TestAcknowledgersDispatch(t *testing.T) {
	var asked []string
	as := app.Acknowledgers{fakeAck{"x12", "855", &asked}, fakeAck{"edifact", "ORDRSP", &asked}}
	for _, tt := range []struct {
		format string
		want   string // kind answered, "" for none
	}{{"x12", "855"}, {"edifact", "ORDRSP"}, {"json", ""}} {
		asked = nil
		o := &order.Order{ID: "ord_1", Partner: "P", Source: &order.Source{Format: tt.format}}
		if got := as.Wants(o); got != (tt.want != "") {
			t.Errorf("%s: Wants %v", tt.format, got)
		}
		acks, err := as.Acknowledge(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case tt.want == "" && (len(acks) != 0 || len(asked) != 0):
			t.Errorf("%s: answered %v (asked %v)", tt.format, acks, asked)
		case tt.want != "" && (len(acks) != 1 || acks[0].Kind != tt.want || len(asked) != 1):
			t.Errorf("%s: answered %v (asked %v), want one %s", tt.format, acks, asked, tt.want)
		}
	}
}

type memNumbers map[string]int64

func (m memNumbers) ControlNumberFor(_ context.Context, partner, kind, ref string) (int64, error) {
	if n, ok := m[partner+"/"+kind+"/"+ref]; ok {
		return n, nil
	}
	m[partner+"/"+kind]++
	m[partner+"/"+kind+"/"+ref] = m[partner+"/"+kind]
	return m[partner+"/"+kind], nil
}

// The pipeline's acknowledger as the app wires it: an X12 order gets an
// 855, an EDIFACT order an ORDRSP, each from its partner's profile.
func TestAcknowledgersX12AndEDIFACT(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"big.yaml":   "partner: BIGRETAIL\nx12:\n  sender_qualifier: ZZ\n  sender_id: BIGRETAIL\n",
		"metro.yaml": "partner: METRO\nedifact:\n  sender_id: \"4012345000009\"\n  sender_qualifier: \"14\"\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	profiles, err := mappings.LoadProfiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	nums := memNumbers{}
	now := func() time.Time { return time.Date(2026, 11, 20, 14, 5, 0, 0, time.UTC) }
	as := app.Acknowledgers{
		&x12.POAcknowledger{Profiles: profiles, Numbers: nums, Now: now},
		&edifact.POAcknowledger{Profiles: profiles, Numbers: nums, Now: now},
	}
	line := order.Line{LineNo: "1", SKU: "SKU-1001", Quantity: decimal.NewFromInt(24), UOM: "EA"}
	for _, tt := range []struct {
		partner, format, kind, name string
	}{
		{"BIGRETAIL", "x12", "855", "855_000000001.x12"},
		{"METRO", "edifact", "ORDRSP", "ORDRSP_000000001.edi"},
	} {
		o := &order.Order{ID: "ord_" + tt.partner, Partner: tt.partner, PONumber: "PO1", Status: order.StatusRouted,
			Lines: []order.Line{line}, Source: &order.Source{Format: tt.format}}
		if !as.Wants(o) {
			t.Fatalf("%s: not wanted", tt.partner)
		}
		acks, err := as.Acknowledge(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if len(acks) != 1 || acks[0].Kind != tt.kind || acks[0].Format != tt.format || acks[0].Name != tt.name {
			t.Errorf("%s: %+v, want one %s named %s", tt.partner, acks, tt.kind, tt.name)
		}
	}
}
