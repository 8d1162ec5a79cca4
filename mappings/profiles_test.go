package mappings

import (
	"context"
	"os"
	"path/filepath"
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
