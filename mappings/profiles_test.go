package mappings

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestProfiles(t *testing.T) {
	p, err := LoadProfiles(filepath.Join("testdata", "profiles"))
	if err != nil {
		t.Fatal(err)
	}
	big, ok := p.ByX12("ZZ", "BIGRETAIL      ", "ANYTHING")
	if !ok || big.Partner != "BIGRETAIL" || !big.X12.Wants("997") || !big.X12.Wants("855") || big.X12.Wants("999") {
		t.Fatalf("BIGRETAIL: %+v %v", big, ok)
	}
	if big.X12.ReceiverID != "ORDERHUB" || big.X12.Element != "*" || big.X12.Segment != "~" {
		t.Errorf("defaults: %+v", big.X12)
	}
	east, _ := p.ByX12("01", "123456789", "MEGAEAST")
	west, _ := p.ByX12("01", "123456789", "MEGAWEST")
	if east == nil || west == nil || east.Partner != "MEGA-EAST" || west.Partner != "MEGA-WEST" {
		t.Errorf("GS02 does not tell divisions apart: %v %v", east, west)
	}
	if east.X12.FunctionalAck() != "999" || !east.X12.Wants("999") || west.X12.FunctionalAck() != "997" {
		t.Errorf("acks by version: east %v, west %v", east.X12.Acks, west.X12.Acks)
	}
	if _, ok := p.ByX12("01", "123456789", "MEGANORTH"); ok {
		t.Error("an unknown GS02 matched")
	}
	if _, ok := p.ByX12("ZZ", "NOBODY", ""); ok {
		t.Error("an unknown sender matched")
	}
	// The profile's crosswalk comes before the store's.
	lk := WithProfiles(lookup{xwalk: map[[3]string]string{{"BIGRETAIL", "buyer_item", "88002"}: "SKU-2"}}, p)
	if sku, _ := lk.Crosswalk(context.Background(), "BIGRETAIL", "buyer_item", "88001"); sku != "SKU-1001" {
		t.Errorf("profile crosswalk: %q", sku)
	}
	if sku, _ := lk.Crosswalk(context.Background(), "BIGRETAIL", "buyer_item", "88002"); sku != "SKU-2" {
		t.Errorf("store crosswalk behind it: %q", sku)
	}
}

func TestProfileProblems(t *testing.T) {
	_, err := LoadProfiles(filepath.Join("testdata", "badprofiles"))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`bad.yaml:9: x12.colour: unknown key`,
		`partner: want a partner id`,
		`x12.sender_qualifier: want an ISA05 qualifier`,
		`x12.sender_id: want the ISA06 sender id, 1 to 15 characters`,
		`x12.version: want a GS08 version`,
		`x12.acks[1]: want 997, 999, TA1 or 855, got "850"`,
		`x12.segment_terminator: "~" is already the element separator`,
		`x12.line_break: want "lf", "crlf" or nothing, got "cr"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

// A profile added or changed is seen without a restart.
func TestProfilesReload(t *testing.T) {
	dir := t.TempDir()
	p, err := LoadProfiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Get("NEW"); ok {
		t.Fatal("profile before it exists")
	}
	os.WriteFile(filepath.Join(dir, "new.yaml"), []byte("partner: NEW\n"), 0o644)
	p.mu.Lock()
	p.checked = time.Time{}
	p.mu.Unlock()
	if _, ok := p.Get("NEW"); !ok {
		t.Error("new profile not seen")
	}
}

func boolp(b bool) *bool { return &b }

func TestPolicy(t *testing.T) {
	p, err := LoadProfiles(filepath.Join("testdata", "profiles"))
	if err != nil {
		t.Fatal(err)
	}
	flag := PriceCheck{OnMismatch: MismatchFlag}
	def := Policy{Allocation: AllocationAllowSplit, Backorder: boolp(true), CasePack: CasePackAllow, PriceCheck: flag}
	twoPct, err := ParseTolerance("2%")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name           string
		profiles       *Profiles
		partner        string
		want           Policy
		allowBackorder bool
	}{
		{"every key", p, "CAREFUL",
			Policy{Allocation: AllocationShipComplete, Backorder: boolp(false), CasePack: CasePackRoundUp,
				PriceCheck: PriceCheck{Tolerance: twoPct, OnMismatch: MismatchHold}}, false},
		{"some keys, defaults for the rest", p, "FOK",
			Policy{Allocation: AllocationAllowSplit, Backorder: boolp(true), FillOrKill: true, CasePack: CasePackRoundDown, PriceCheck: flag}, false},
		{"a profile without a policy", p, "BIGRETAIL", def, true},
		{"no profile", p, "NOBODY", def, true},
		{"nil Profiles", nil, "CAREFUL", def, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.profiles.Policy(tt.partner)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Policy(%s) = %s, want %s", tt.partner, showPolicy(got), showPolicy(tt.want))
			}
			if got.AllowBackorder() != tt.allowBackorder {
				t.Errorf("AllowBackorder() = %v, want %v", got.AllowBackorder(), tt.allowBackorder)
			}
		})
	}
	if !reflect.DeepEqual(DefaultPolicy(), def) {
		t.Errorf("DefaultPolicy() = %s", showPolicy(DefaultPolicy()))
	}
	// The defaults are filled into a copy: the profile keeps what it said,
	// and a caller changing its Policy changes nobody else's.
	got := p.Policy("FOK")
	*got.Backorder = false
	if prof, _ := p.Get("FOK"); prof.Policy.Backorder != nil || !*p.Policy("FOK").Backorder {
		t.Error("Policy handed out the profile's own Backorder")
	}
	d := p.Policy("NOBODY")
	*d.Backorder = false
	if !*DefaultPolicy().Backorder || !p.Policy("NOBODY").AllowBackorder() {
		t.Error("the default policy was changed through a returned one")
	}
}

func TestAllowBackorder(t *testing.T) {
	for _, tt := range []struct {
		p    Policy
		want bool
	}{
		{Policy{}, true},
		{Policy{Backorder: boolp(true)}, true},
		{Policy{Backorder: boolp(false)}, false},
		{Policy{FillOrKill: true}, false},
		{Policy{FillOrKill: true, Backorder: boolp(false)}, false},
		{Policy{Allocation: AllocationShipComplete}, true},
	} {
		if got := tt.p.AllowBackorder(); got != tt.want {
			t.Errorf("%s.AllowBackorder() = %v, want %v", showPolicy(tt.p), got, tt.want)
		}
	}
}

func showPolicy(p Policy) string {
	b := "nil"
	if p.Backorder != nil {
		b = fmt.Sprint(*p.Backorder)
	}
	return fmt.Sprintf("{allocation %q backorder %s fill_or_kill %v case_pack %q price_check {tolerance %q on_mismatch %q}}",
		p.Allocation, b, p.FillOrKill, p.CasePack, p.PriceCheck.Tolerance, p.PriceCheck.OnMismatch)
}

// Every bad policy value is a problem located as file:line: path, and the
// profile is not used: the partner gets the default policy.
func TestPolicyProblems(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"allocation",
			"partner: P\npolicy:\n  allocation: split\n",
			[]string{`p.yaml:3: policy.allocation: want "allow_split" or "ship_complete", got "split"`}},
		{"allocation is case-sensitive",
			"partner: P\npolicy:\n  allocation: Ship_Complete\n",
			[]string{`p.yaml:3: policy.allocation: want "allow_split" or "ship_complete", got "Ship_Complete"`}},
		{"case_pack",
			"partner: P\npolicy:\n  case_pack: round\n",
			[]string{`p.yaml:3: policy.case_pack: want "allow", "reject", "round_up" or "round_down", got "round"`}},
		{"resend",
			"partner: P\npolicy:\n  resend: replace\n",
			[]string{`p.yaml:3: policy.resend: want "reject" or "change", got "replace"`}},
		{"backorder not a bool",
			"partner: P\npolicy:\n  backorder: maybe\n",
			[]string{`p.yaml:3: policy.backorder: want true or false, got "maybe"`}},
		{"fill_or_kill not a bool",
			"partner: P\npolicy:\n  fill_or_kill: yes\n",
			[]string{`p.yaml:3: policy.fill_or_kill: want true or false, got "yes"`}},
		{"unknown key",
			"partner: P\npolicy:\n  allocation: allow_split\n  partial: true\n",
			[]string{`p.yaml:4: policy.partial: unknown key (known: allocation, backorder, case_pack, fill_or_kill, price_check, resend)`}},
		{"misspelt key",
			"partner: P\npolicy:\n  Case_Pack: reject\n",
			[]string{`p.yaml:3: policy.Case_Pack: unknown key (known: allocation, backorder, case_pack, fill_or_kill, price_check, resend); did you mean "case_pack"?`}},
		{"price_check.on_mismatch",
			"partner: P\npolicy:\n  price_check: {tolerance: 1%, on_mismatch: reject}\n",
			[]string{`p.yaml:3: policy.price_check.on_mismatch: want "flag", "hold" or "reject_line", got "reject"`}},
		{"price_check.tolerance not a number",
			"partner: P\npolicy:\n  price_check:\n    tolerance: two percent\n",
			[]string{`p.yaml:4: policy.price_check.tolerance: want a share such as "2%" or an amount such as "0.05", got "two percent"`}},
		{"price_check.tolerance negative",
			"partner: P\npolicy:\n  price_check:\n    tolerance: -0.05\n",
			[]string{`p.yaml:4: policy.price_check.tolerance: want a tolerance of 0 or more, got "-0.05"`}},
		{"price_check.tolerance over 100%",
			"partner: P\npolicy:\n  price_check:\n    tolerance: 150%\n",
			[]string{`p.yaml:4: policy.price_check.tolerance: want a share of at most 100%, got "150%"`}},
		{"price_check unknown key",
			"partner: P\npolicy:\n  price_check:\n    tolerence: 2%\n",
			[]string{`p.yaml:4: policy.price_check.tolerence: unknown key (known: on_mismatch, tolerance)`}},
		{"not a mapping",
			"partner: P\npolicy: ship_complete\n",
			[]string{`p.yaml:2: policy: want a mapping, got "ship_complete"`}},
		{"backorder under fill_or_kill",
			"partner: P\npolicy:\n  fill_or_kill: true\n  backorder: true\n",
			[]string{`p.yaml:4: policy.backorder: fill_or_kill cancels what cannot be filled now and never backorders; leave backorder out or set it to false`}},
		{"every problem at once",
			"partner: P\npolicy:\n  case_pack: up\n  allocation: one\n  backorder: 1\n",
			[]string{
				`p.yaml:3: policy.case_pack: want "allow", "reject", "round_up" or "round_down", got "up"`,
				`p.yaml:4: policy.allocation: want "allow_split" or "ship_complete", got "one"`,
				`p.yaml:5: policy.backorder: want true or false, got "1"`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "p.yaml"), []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := LoadProfiles(dir)
			if err == nil {
				t.Fatal("no error")
			}
			want := strings.Join(tt.want, "\n")
			if got := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), ""); got != want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, want)
			}
			if got := p.Policy("P"); !reflect.DeepEqual(got, DefaultPolicy()) {
				t.Errorf("Policy of a refused profile = %s, want the default", showPolicy(got))
			}
		})
	}
}
