package rules

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// Every problem of a bad carriers and calendars file, each at its line.
func TestDecodeBadRouting(t *testing.T) {
	data, err := os.ReadFile("testdata/bad_routing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Decode(data, "bad_routing.yaml")
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`bad_routing.yaml:3: warehouses["WH-EAST"].cut_off: want a time of day HH:MM such as "15:00", got "3pm"`,
		`bad_routing.yaml:4: warehouses["WH-EAST"].timezone: want an IANA time zone such as America/New_York`,
		`bad_routing.yaml:5: warehouses["WH-EAST"].closed[1]: want a day of the week (mon, tue, wed, thu, fri, sat, sun), got "sunday-ish"`,
		`bad_routing.yaml:6: warehouses["WH-EAST"].holidays[0]: want a date YYYY-MM-DD, got "2026-12-32"`,
		`bad_routing.yaml:8: warehouses["WH-NEVER"].timezone: want an IANA time zone such as America/New_York or Europe/Amsterdam, got "Local"`,
		`bad_routing.yaml:9: warehouses["WH-NEVER"].closed: a warehouse closed every day of the week never ships`,
		`bad_routing.yaml:11: carriers[0].id: want the rule's id`,
		`bad_routing.yaml:11: carriers[0].carrier: want the carrier's name or SCAC`,
		`bad_routing.yaml:11: carriers[0].service: want the service level, one word (ground, express, priority, ltl, …), got "next day"`,
		`bad_routing.yaml:11: carriers[0].tiers[0]: want a tier (key_account, gold, silver, standard), got "platinum"`,
		`bad_routing.yaml:11: carriers[0].countries[0]: want a two-letter ISO country code, got "USA"`,
		`bad_routing.yaml:12: carriers[1].max_weight_kg: want a weight at least min_weight_kg 200, got 100`,
		`bad_routing.yaml:12: carriers[1].within_days: want a number of days from 0 to 366, got -1`,
		`bad_routing.yaml:13: carriers[2].id: duplicate carrier rule id "heavy"`,
		`bad_routing.yaml:13: carriers[2].warehouses[0]: want a warehouse code`,
		`bad_routing.yaml:13: carriers[2].regions[0]: want a region code`,
		`bad_routing.yaml:13: carriers[2].postal_prefixes[0]: want the start of a postal code`,
		`bad_routing.yaml:13: carriers[2].hurry: unknown key`,
		`bad_routing.yaml:15: carriers[4]: never used: carriers[3] (all) above it has no conditions and matches every shipment`,
		`bad_routing.yaml:15: carriers[4].short: want true or false, got "maybe"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 20 {
		t.Errorf("%d problems, want 20:\n%v", n, err)
	}
}

func TestCarrierFor(t *testing.T) {
	s := load(t, "routing.yaml")
	kg := func(s string) *decimal.Decimal { d := decimal.RequireFromString(s); return &d }
	us := Place{Country: "US", Region: "OH", PostalCode: "43215"}
	for _, tt := range []struct {
		name string
		sh   Shipment
		want string // rule id, "" for none
	}{
		{"a short key account gets the priority service", Shipment{Warehouse: "WH-EAST", To: us, Tier: "key_account", Short: true, WeightKG: kg("10")}, "key-short"},
		{"a key account in full is not short", Shipment{Warehouse: "WH-EAST", To: us, Tier: "key_account", WeightKG: kg("10")}, "parcel"},
		{"a short standard customer is not a key account", Shipment{Warehouse: "WH-EAST", To: us, Tier: "standard", Short: true, WeightKG: kg("10")}, "parcel"},
		{"delivery 2 days after shipping is a rush", Shipment{Warehouse: "WH-EAST", To: us, WeightKG: kg("200"), ShipDate: "2026-11-23", DeliverBy: "2026-11-25"}, "rush"},
		{"3 days is not", Shipment{Warehouse: "WH-EAST", To: us, WeightKG: kg("200"), ShipDate: "2026-11-23", DeliverBy: "2026-11-26"}, "freight"},
		{"already late is a rush", Shipment{Warehouse: "WH-EAST", To: us, WeightKG: kg("10"), ShipDate: "2026-11-23", DeliverBy: "2026-11-20"}, "rush"},
		{"no delivery date, no hurry", Shipment{Warehouse: "WH-EAST", To: us, WeightKG: kg("10"), ShipDate: "2026-11-23"}, "parcel"},
		{"150 kg is freight", Shipment{Warehouse: "WH-EAST", To: us, WeightKG: kg("150")}, "freight"},
		{"149.99 kg is not", Shipment{Warehouse: "WH-EAST", To: us, WeightKG: kg("149.99")}, "ground"},
		{"30 kg is a parcel", Shipment{Warehouse: "WH-EAST", To: us, WeightKG: kg("30")}, "parcel"},
		{"West to California", Shipment{Warehouse: "WH-WEST", To: Place{Country: "us", Region: " ca "}, WeightKG: kg("40")}, "west-local"},
		{"East to California", Shipment{Warehouse: "WH-EAST", To: Place{Country: "US", Region: "CA"}, WeightKG: kg("40")}, "ground"},
		{"Amsterdam postal code", Shipment{Warehouse: "WH-NL", To: Place{Country: "NL", PostalCode: "1012 ab"}, WeightKG: kg("31.5")}, "nl-parcel"},
		{"Amsterdam, too heavy for a parcel", Shipment{Warehouse: "WH-NL", To: Place{Country: "NL", PostalCode: "1012AB"}, WeightKG: kg("31.6")}, "ground"},
		{"Haarlem is another prefix", Shipment{Warehouse: "WH-NL", To: Place{Country: "NL", PostalCode: "2011"}, WeightKG: kg("20")}, "parcel"},
		{"unknown weight matches no weight rule", Shipment{Warehouse: "WH-EAST", To: us}, "ground"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if r := s.CarrierFor(tt.sh); r != nil {
				got = r.ID
			}
			if got != tt.want {
				t.Errorf("rule %q, want %q", got, tt.want)
			}
		})
	}
	if r := s.CarrierFor(Shipment{Warehouse: "WH-EAST"}); r == nil || r.Carrier != "FEDEX FREIGHT" || r.Service != "ground" {
		t.Errorf("default rule %+v, want carrier trimmed", r)
	}
	var none *Set
	if r := none.CarrierFor(Shipment{}); r != nil {
		t.Errorf("no rules chose %+v", r)
	}
	if r := (&Set{}).CarrierFor(Shipment{}); r != nil {
		t.Errorf("no carriers chose %+v", r)
	}
}

func TestShipDate(t *testing.T) {
	s := load(t, "routing.yaml")
	at := func(v string) time.Time {
		tm, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tt := range []struct {
		name      string
		wh        string
		now       string
		notBefore string
		want      string
	}{
		// WH-EAST: New York, cut-off 15:00, closed weekends, Thanksgiving
		// (Thu 26 Nov) and Christmas (Fri 25 Dec) off.
		{"before the cut-off, today", "WH-EAST", "2026-11-23T14:59:59-05:00", "", "2026-11-23"},
		{"at the cut-off, tomorrow", "WH-EAST", "2026-11-23T15:00:00-05:00", "", "2026-11-24"},
		{"the cut-off is in the warehouse's zone", "WH-EAST", "2026-11-23T19:30:00Z", "", "2026-11-23"},
		{"late evening there is still its Monday", "WH-EAST", "2026-11-24T04:30:00Z", "", "2026-11-24"},
		{"Friday after the cut-off ships Monday", "WH-EAST", "2026-11-27T16:00:00-05:00", "", "2026-11-30"},
		{"on a Saturday, Monday", "WH-EAST", "2026-11-28T09:00:00-05:00", "", "2026-11-30"},
		{"the day before a holiday, after the cut-off", "WH-EAST", "2026-11-25T16:00:00-05:00", "", "2026-11-27"},
		{"on the holiday itself", "WH-EAST", "2026-11-26T10:00:00-05:00", "", "2026-11-27"},
		{"Christmas Eve late, past the long weekend", "WH-EAST", "2026-12-24T15:30:00-05:00", "", "2026-12-28"},
		{"a requested ship date later", "WH-EAST", "2026-11-23T10:00:00-05:00", "2026-12-02", "2026-12-02"},
		{"a requested ship date on a Saturday", "WH-EAST", "2026-11-23T10:00:00-05:00", "2026-11-28", "2026-11-30"},
		{"a requested ship date on a holiday", "WH-EAST", "2026-11-23T10:00:00-05:00", "2026-12-25", "2026-12-28"},
		{"a requested ship date passed", "WH-EAST", "2026-11-23T10:00:00-05:00", "2026-11-20", "2026-11-23"},
		{"a requested ship date that is no date", "WH-EAST", "2026-11-23T10:00:00-05:00", "soon", "2026-11-23"},
		// WH-WEST: Los Angeles, cut-off 13:30.
		{"west before its cut-off", "WH-WEST", "2026-11-23T21:29:00Z", "", "2026-11-23"},
		{"west at its cut-off", "WH-WEST", "2026-11-23T21:30:00Z", "", "2026-11-24"},
		// WH-NL: Amsterdam, cut-off 17:00, open Saturdays.
		{"Amsterdam ships Saturdays", "WH-NL", "2026-11-28T15:59:00Z", "", "2026-11-28"},
		{"Amsterdam after Saturday's cut-off: Monday", "WH-NL", "2026-11-28T16:00:00Z", "", "2026-11-30"},
		{"Amsterdam in summer time", "WH-NL", "2026-07-01T14:59:00Z", "", "2026-07-01"},
		{"Amsterdam in summer time, 17:00 there", "WH-NL", "2026-07-01T15:00:00Z", "", "2026-07-02"},
		// A warehouse without a calendar: every day, UTC, no cut-off.
		{"no calendar, late", "WH-OTHER", "2026-11-23T23:59:00Z", "", "2026-11-23"},
		{"no calendar, Saturday", "WH-OTHER", "2026-11-28T12:00:00+09:00", "", "2026-11-28"},
		{"no calendar, requested later", "WH-OTHER", "2026-11-23T12:00:00Z", "2026-11-29", "2026-11-29"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.ShipDate(tt.wh, at(tt.now), tt.notBefore); got != tt.want {
				t.Errorf("ShipDate(%s, %s, %q) = %s, want %s", tt.wh, tt.now, tt.notBefore, got, tt.want)
			}
		})
	}
	var none *Set
	if got := none.ShipDate("WH-EAST", at("2026-11-28T23:00:00-05:00"), ""); got != "2026-11-29" {
		t.Errorf("no rules: %s, want the day in UTC", got)
	}
}

func TestWeekday(t *testing.T) {
	for in, want := range map[string]bool{"sat": true, "Sat": true, "SATURDAY": true, " sun ": true, "thursday": true,
		"satur": false, "sa": false, "": false, "thu.": false, "sunday-ish": false} {
		if _, ok := weekday(in); ok != want {
			t.Errorf("weekday(%q) ok = %v, want %v", in, ok, want)
		}
	}
}
