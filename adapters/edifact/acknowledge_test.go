package edifact

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
)

// ackTestProfiles loads partner profiles written as YAML files.
func ackTestProfiles(t *testing.T, files map[string]string) *mappings.Profiles {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := mappings.LoadProfiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ackTestNumbers numbers like the store: per partner and kind, the same
// ref the same number.
type ackTestNumbers struct {
	last     map[string]int64
	assigned map[string]int64
	calls    []string
}

func (n *ackTestNumbers) ControlNumberFor(_ context.Context, partner, kind, ref string) (int64, error) {
	n.calls = append(n.calls, partner+"/"+kind+"/"+ref)
	key := partner + "/" + kind + "/" + ref
	if v, ok := n.assigned[key]; ok {
		return v, nil
	}
	n.last[partner+"/"+kind]++
	n.assigned[key] = n.last[partner+"/"+kind]
	return n.assigned[key], nil
}

func newAckTestNumbers() *ackTestNumbers {
	return &ackTestNumbers{last: map[string]int64{}, assigned: map[string]int64{}}
}

const ackTestMetro = `partner: METRO
edifact:
  sender_id: "4012345000009"
  sender_qualifier: "14"
`

func TestPOAcknowledgerWants(t *testing.T) {
	p := ackTestProfiles(t, map[string]string{
		"metro.yaml": ackTestMetro,
		"quiet.yaml": "partner: QUIET\nedifact:\n  sender_id: QUIET\n  acks: [CONTRL]\n",
		"x12.yaml":   "partner: BIGRETAIL\nx12:\n  sender_qualifier: ZZ\n  sender_id: BIGRETAIL\n",
	})
	a := &POAcknowledger{Profiles: p, Numbers: newAckTestNumbers()}
	tests := []struct {
		name string
		edit func(*order.Order)
		want bool
	}{
		{"edifact partner with the default profile", func(*order.Order) {}, true},
		{"profile without ORDRSP", func(o *order.Order) { o.Partner = "QUIET" }, false},
		{"partner without an edifact profile", func(o *order.Order) { o.Partner = "BIGRETAIL" }, false},
		{"unknown partner", func(o *order.Order) { o.Partner = "NOBODY" }, false},
		{"no partner", func(o *order.Order) { o.Partner = "" }, false},
		{"an X12 order", func(o *order.Order) { o.Source.Format = "x12" }, false},
		{"no source", func(o *order.Order) { o.Source = nil }, false},
	}
	for _, tt := range tests {
		o := ordrspTestOrder()
		tt.edit(o)
		if got := a.Wants(o); got != tt.want {
			t.Errorf("%s: Wants %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestPOAcknowledger(t *testing.T) {
	now := func() time.Time { return wtTime }
	tests := []struct {
		name    string
		profile string
		edit    func(*order.Order)
		want    []string // must be in the body
	}{
		{"the order's own syntax and separators", ackTestMetro, func(o *order.Order) {
			o.Source.Syntax, o.Source.ServiceChars = "UNOC:3", ":+,? '"
		}, []string{"UNA:+,? 'UNB+UNOC:3+ORDERHUB+4012345000009:14+261120:1405+1++ORDRSP'",
			"UNH+1+ORDRSP:D:96A:UN:EAN005'BGM+231+1+29'", "QTY+21:2,5:KGM'", "UNZ+1+1'"}},
		{"defaults when the order says nothing", ackTestMetro, func(o *order.Order) {
			o.Source.Syntax, o.Source.ServiceChars = "", ""
		}, []string{"UNB+UNOA:3+ORDERHUB+4012345000009:14+"}},
		{"the profile's choices", `partner: METRO
edifact:
  sender_id: "4012345000009"
  recipient_id: "4098765000010"
  recipient_qualifier: "14"
  syntax: UNOB:4
  service_chars: "^*.?#~"
  ordrsp_version: D:01B:UN:EAN010
  line_break: lf
  test: true
`, func(*order.Order) {}, []string{
			"UNA^*.?#~\nUNB*UNOB^4*4098765000010^14*4012345000009*20261120^1405*1**ORDRSP****1~\n",
			"UNH*1*ORDRSP^D^01B^UN^EAN010~\n", "LIN*1*5*4000862141404^SRV~\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nums := newAckTestNumbers()
			a := &POAcknowledger{Profiles: ackTestProfiles(t, map[string]string{"metro.yaml": tt.profile}), Numbers: nums, Now: now}
			o := ordrspTestOrder()
			tt.edit(o)
			acks, err := a.Acknowledge(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if len(acks) != 1 {
				t.Fatalf("%d acks", len(acks))
			}
			ak := acks[0]
			if ak.Partner != "METRO" || ak.Kind != "ORDRSP" || ak.Format != "edifact" || ak.Name != "ORDRSP_000000001.edi" || ak.Key != o.ID {
				t.Errorf("ack %+v", ak)
			}
			for _, want := range tt.want {
				if !strings.Contains(string(ak.Body), want) {
					t.Errorf("no %q in\n%s", want, ak.Body)
				}
			}
			if want := "METRO/UNB/" + o.ID + "/ORDRSP"; len(nums.calls) != 1 || nums.calls[0] != want {
				t.Errorf("control numbers asked for %v, want %s", nums.calls, want)
			}
		})
	}
}

// The same order answered again (a redelivery) gets the same number and
// so the same name and body; another order the next number.
func TestPOAcknowledgerIdempotent(t *testing.T) {
	a := &POAcknowledger{Profiles: ackTestProfiles(t, map[string]string{"metro.yaml": ackTestMetro}), Numbers: newAckTestNumbers(),
		Now: func() time.Time { return wtTime }}
	o := ordrspTestOrder()
	first, err := a.Acknowledge(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	again, err := a.Acknowledge(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if first[0].Name != again[0].Name || string(first[0].Body) != string(again[0].Body) {
		t.Errorf("redelivery answered differently: %s / %s", first[0].Name, again[0].Name)
	}
	other := ordrspTestOrder()
	other.ID = "ord_other"
	next, err := a.Acknowledge(context.Background(), other)
	if err != nil {
		t.Fatal(err)
	}
	if next[0].Name != "ORDRSP_000000002.edi" {
		t.Errorf("next order: %s", next[0].Name)
	}
}

func TestPOAcknowledgerRefuses(t *testing.T) {
	profiles := ackTestProfiles(t, map[string]string{"metro.yaml": ackTestMetro})
	boom := errors.New("store is gone")
	tests := []struct {
		name    string
		numbers ControlNumbers
		edit    func(*order.Order)
		msg     string
	}{
		{"no profile", newAckTestNumbers(), func(o *order.Order) { o.Partner = "NOBODY" }, "has no EDIFACT profile"},
		{"bad service characters", newAckTestNumbers(), func(o *order.Order) { o.Source.ServiceChars = "::.? '" }, "service characters"},
		{"numbers fail", numbersFunc(func(context.Context, string, string, string) (int64, error) { return 0, boom }), func(*order.Order) {}, "store is gone"},
		{"order not decided", newAckTestNumbers(), func(o *order.Order) { o.Status = order.StatusPriced }, `status "priced"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &POAcknowledger{Profiles: profiles, Numbers: tt.numbers}
			o := ordrspTestOrder()
			tt.edit(o)
			if _, err := a.Acknowledge(context.Background(), o); err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got %v, want an error saying %q", err, tt.msg)
			}
		})
	}
}
