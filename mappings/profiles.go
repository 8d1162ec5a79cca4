package mappings

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/orderhub/orderhub/internal/strictyaml"
)

// Profile is how one trading partner exchanges documents with us: how its
// documents say who it is, which version it sends, which acknowledgements
// it wants, its own item numbers, and how its orders are allocated. One
// YAML file per partner in the profiles directory:
//
//	partner: BIGRETAIL
//	x12:
//	  sender_qualifier: ZZ
//	  sender_id: BIGRETAIL
//	  version: "004010"
//	  acks: [997, 855]
//	crosswalk:
//	  buyer_items: {"88001": SKU-1001}
//	policy:
//	  allocation: ship_complete
//	  backorder: false
type Profile struct {
	// Partner is the partner id, as loaded with `orderhub load partners`.
	Partner string `yaml:"partner"`
	// X12 is set for partners that send X12.
	X12 *X12Profile `yaml:"x12"`
	// EDIFACT is set for partners that send UN/EDIFACT.
	EDIFACT *EDIFACTProfile `yaml:"edifact"`
	// Sheet is set for partners whose spreadsheets need a map.
	Sheet *SheetProfile `yaml:"sheet"`
	// Crosswalk maps the partner's own item numbers and GTINs to our
	// SKUs, on top of the crosswalk loaded into the store.
	Crosswalk Crosswalk `yaml:"crosswalk"`
	// Policy is how the partner's orders are allocated and their lines
	// checked; nil for the defaults (see Profiles.Policy).
	Policy *Policy `yaml:"policy"`
	// Remote is the partner's FTP, FTPS or SFTP drop, when it has one.
	Remote *Remote `yaml:"remote"`

	file string
}

// Policy is how a partner's orders are allocated and their lines checked.
type Policy struct {
	// Allocation: "allow_split" (default; fewest warehouses, nearest first) or "ship_complete" (one warehouse, or backorder everything).
	Allocation string `yaml:"allocation"`
	// Backorder: whether short quantities wait for stock (default true); false cancels what cannot ship now.
	Backorder *bool `yaml:"backorder"`
	// FillOrKill: each line ships whole or not at all (what cannot be filled now is cancelled, never backordered). Default false.
	FillOrKill bool `yaml:"fill_or_kill"`
	// CasePack: what to do with a quantity that is not a multiple of the
	// item's pack size: "allow" it (default: whole cases are a commercial
	// agreement, not every partner's), "reject" the line, "round_up" or
	// "round_down".
	CasePack string `yaml:"case_pack"`
	// PriceCheck is how the PO's unit prices are checked against ours
	// (see PriceCheck); default: no tolerance, a difference flagged.
	PriceCheck PriceCheck `yaml:"price_check"`
	// Resend: what a second original of a PO already taken, with other
	// content, is: "reject" it (default: the partner must send a change
	// or a replace) or take it as a "change" restating the whole order
	// (a sheet uploaded again with new quantities; lines left out are
	// deleted).
	Resend string `yaml:"resend"`
}

// Policy values: Policy.Allocation and Policy.CasePack.
const (
	AllocationAllowSplit   = "allow_split"
	AllocationShipComplete = "ship_complete"

	CasePackAllow     = "allow"
	CasePackReject    = "reject"
	CasePackRoundUp   = "round_up"
	CasePackRoundDown = "round_down"

	ResendReject = "reject"
	ResendChange = "change"
)

var (
	allocations = []string{AllocationAllowSplit, AllocationShipComplete}
	casePacks   = []string{CasePackAllow, CasePackReject, CasePackRoundUp, CasePackRoundDown}
	resends     = []string{ResendReject, ResendChange}
)

// DefaultPolicy is the policy of a partner that has said nothing: split
// across warehouses, backorder what is short, take quantities that are
// not whole packs, flag any PO price that differs from ours.
func DefaultPolicy() Policy {
	return Policy{}.withDefaults()
}

// withDefaults fills what the profile left out. The Backorder it returns
// is a pointer of its own.
func (p Policy) withDefaults() Policy {
	if p.Allocation == "" {
		p.Allocation = AllocationAllowSplit
	}
	backorder := true
	if p.Backorder != nil {
		backorder = *p.Backorder
	}
	p.Backorder = &backorder
	if p.CasePack == "" {
		p.CasePack = CasePackAllow
	}
	if p.PriceCheck.OnMismatch == "" {
		p.PriceCheck.OnMismatch = MismatchFlag
	}
	return p
}

// AllowBackorder tells whether what cannot ship now waits for stock: the
// Backorder setting (default true), and never under FillOrKill, which
// cancels what it cannot fill.
func (p Policy) AllowBackorder() bool {
	return (p.Backorder == nil || *p.Backorder) && !p.FillOrKill
}

func (p *Policy) validate(add func(path, format string, args ...any)) {
	checkOneOf(add, "policy.allocation", p.Allocation, allocations)
	checkOneOf(add, "policy.case_pack", p.CasePack, casePacks)
	p.PriceCheck.validate(add)
	checkOneOf(add, "policy.resend", p.Resend, resends)
	if p.FillOrKill && p.Backorder != nil && *p.Backorder {
		add("policy.backorder", "fill_or_kill cancels what cannot be filled now and never backorders; leave backorder out or set it to false")
	}
}

// checkOneOf adds a problem at path when v is set and is none of values,
// naming them all: want "a", "b" or "c", got "x".
func checkOneOf(add func(path, format string, args ...any), path, v string, values []string) {
	if v == "" || slices.Contains(values, v) {
		return
	}
	quoted := make([]string, len(values))
	for i, s := range values {
		quoted[i] = strconv.Quote(s)
	}
	last := len(quoted) - 1
	add(path, "want %s or %s, got %q", strings.Join(quoted[:last], ", "), quoted[last], v)
}

// X12Profile is a partner's X12 identity and preferences.
type X12Profile struct {
	// SenderQualifier and SenderID are the partner's ISA05 and ISA06.
	SenderQualifier string `yaml:"sender_qualifier"`
	SenderID        string `yaml:"sender_id"`
	// GroupSender is its GS02, when it differs from SenderID and tells
	// partners sharing an ISA identity apart.
	GroupSender string `yaml:"group_sender"`
	// Version is the version it sends and gets answers in: "004010" (997)
	// or "005010" (999). Default "004010".
	Version string `yaml:"version"`
	// Acks are the answers it wants: 997, 999, TA1, 855. Default: the
	// functional acknowledgement of its version, and 855.
	Acks []string `yaml:"acks"`
	// ReceiverQualifier and ReceiverID are our ISA07/ISA08 as the partner
	// addresses us, and what our answers are sent from. Default ZZ
	// ORDERHUB.
	ReceiverQualifier string `yaml:"receiver_qualifier"`
	ReceiverID        string `yaml:"receiver_id"`
	// Usage is ISA15 of our answers: P (default) or T.
	Usage string `yaml:"usage"`
	// Delimiters of our answers. Default "*", ">", "^" and "~".
	Element    string `yaml:"element_separator"`
	Component  string `yaml:"component_separator"`
	Repetition string `yaml:"repetition_separator"`
	Segment    string `yaml:"segment_terminator"`
	// LineBreak follows each segment terminator of our answers: "" (none,
	// the default), "lf" or "crlf", for partners whose tools read lines.
	LineBreak string `yaml:"line_break"`
	// StrictHash refuses purchase orders whose CTT02 hash total is not
	// the sum of their quantities. Default: accept them and log a
	// warning, as most translators do.
	StrictHash bool `yaml:"strict_hash"`
}

// Crosswalk is a partner's own identifiers for our items.
type Crosswalk struct {
	BuyerItems map[string]string `yaml:"buyer_items"`
	GTINs      map[string]string `yaml:"gtins"`
}

// Wants tells whether the partner wants an answer of this kind ("997",
// "855", "TA1" ...).
func (p *X12Profile) Wants(kind string) bool {
	return slices.ContainsFunc(p.Acks, func(a string) bool { return strings.EqualFold(a, kind) })
}

// LineBreakBytes is what follows each segment terminator of our answers.
func (p *X12Profile) LineBreakBytes() string {
	switch strings.ToLower(p.LineBreak) {
	case "lf":
		return "\n"
	case "crlf":
		return "\r\n"
	}
	return ""
}

// FunctionalAck is "999" for 5010 partners and "997" otherwise.
func (p *X12Profile) FunctionalAck() string {
	if strings.HasPrefix(p.Version, "005") {
		return "999"
	}
	return "997"
}

func (p *Profile) setDefaults() {
	if p.X12 != nil {
		p.X12.setDefaults()
	}
	if p.EDIFACT != nil {
		p.EDIFACT.setDefaults()
	}
	if p.Remote != nil {
		p.Remote.setDefaults()
	}
}

// DefaultX12Profile is the profile of a partner that has said nothing:
// version 004010, a 997 and an 855, from ZZ ORDERHUB, delimiters * > ^ ~.
func DefaultX12Profile() *X12Profile {
	x := &X12Profile{}
	x.setDefaults()
	return x
}

func (x *X12Profile) setDefaults() {
	if x.Version == "" {
		x.Version = "004010"
	}
	if x.Acks == nil {
		x.Acks = []string{x.FunctionalAck(), "855"}
	}
	if x.ReceiverQualifier == "" {
		x.ReceiverQualifier = "ZZ"
	}
	if x.ReceiverID == "" {
		x.ReceiverID = "ORDERHUB"
	}
	if x.Usage == "" {
		x.Usage = "P"
	}
	if x.Element == "" {
		x.Element = "*"
	}
	if x.Component == "" {
		x.Component = ">"
	}
	if x.Repetition == "" {
		x.Repetition = "^"
	}
	if x.Segment == "" {
		x.Segment = "~"
	}
}

var (
	partnerRE   = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
	qualifierRE = regexp.MustCompile(`^[A-Z0-9]{2}$`)
)

// validate lists every problem with the profile, by path.
func (p *Profile) validate() error {
	var probs []*strictyaml.Problem
	add := func(path, format string, args ...any) {
		probs = append(probs, &strictyaml.Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	if p.Sheet != nil {
		p.Sheet.validate(add)
	}
	if p.Policy != nil {
		p.Policy.validate(add)
	}
	if p.Remote != nil {
		p.Remote.validate(add)
	}
	if p.EDIFACT != nil {
		p.EDIFACT.validate(add)
	}
	if !partnerRE.MatchString(p.Partner) {
		add("partner", "want a partner id (letters, digits, _ . -), got %q", p.Partner)
	}
	if x := p.X12; x != nil {
		if !qualifierRE.MatchString(x.SenderQualifier) {
			add("x12.sender_qualifier", "want an ISA05 qualifier such as ZZ or 01, got %q", x.SenderQualifier)
		}
		if x.SenderID == "" || len(x.SenderID) > 15 {
			add("x12.sender_id", "want the ISA06 sender id, 1 to 15 characters, got %q", x.SenderID)
		}
		if !qualifierRE.MatchString(x.ReceiverQualifier) {
			add("x12.receiver_qualifier", "want an ISA07 qualifier such as ZZ, got %q", x.ReceiverQualifier)
		}
		if x.ReceiverID == "" || len(x.ReceiverID) > 15 {
			add("x12.receiver_id", "want 1 to 15 characters, got %q", x.ReceiverID)
		}
		if len(x.Version) != 6 || !strings.HasPrefix(x.Version, "00") {
			add("x12.version", `want a GS08 version such as "004010" or "005010", got %q`, x.Version)
		}
		for i, a := range x.Acks {
			if !slices.Contains([]string{"997", "999", "TA1", "855"}, strings.ToUpper(a)) {
				add(fmt.Sprintf("x12.acks[%d]", i), "want 997, 999, TA1 or 855, got %q", a)
			}
		}
		if x.Usage != "P" && x.Usage != "T" {
			add("x12.usage", "want P or T, got %q", x.Usage)
		}
		if !slices.Contains([]string{"", "lf", "crlf"}, strings.ToLower(x.LineBreak)) {
			add("x12.line_break", `want "lf", "crlf" or nothing, got %q`, x.LineBreak)
		}
		seps := map[string]string{"element_separator": x.Element, "component_separator": x.Component,
			"repetition_separator": x.Repetition, "segment_terminator": x.Segment}
		seen := map[string]string{}
		for _, k := range []string{"element_separator", "component_separator", "repetition_separator", "segment_terminator"} {
			v := seps[k]
			if len(v) != 1 || (v[0] >= 'A' && v[0] <= 'Z') || (v[0] >= 'a' && v[0] <= 'z') || (v[0] >= '0' && v[0] <= '9') || v[0] == ' ' {
				add("x12."+k, "want one character that is not a letter, digit or space, got %q", v)
				continue
			}
			if other, dup := seen[v]; dup {
				add("x12."+k, "%q is already the %s", v, strings.ReplaceAll(other, "_", " "))
			}
			seen[v] = k
		}
	}
	if len(probs) > 0 {
		return &strictyaml.Error{Problems: probs}
	}
	return nil
}

// Profiles are the partner profiles in a directory, read again when its
// files change.
type Profiles struct {
	dir string

	mu       sync.RWMutex
	byID     map[string]*Profile
	byX12    map[string][]*Profile // "qualifier/id" → profiles
	byEDI    map[string][]*Profile // UNB sender id → profiles
	stamp    string                // names, sizes and times of the files last read
	checked  time.Time
	problems error
}

// LoadProfiles reads every *.yaml/*.yml file in dir. A missing directory
// means no profiles. Problems with the files come back as one error naming
// each file, line and path; the profiles that were read are kept.
func LoadProfiles(dir string) (*Profiles, error) {
	p := &Profiles{dir: dir}
	err := p.reload(true)
	return p, err
}

// refreshEvery is how often a lookup checks the directory for changes.
const refreshEvery = 2 * time.Second

// maybeReload reads the directory again if its files changed.
func (p *Profiles) maybeReload() {
	p.mu.RLock()
	fresh := time.Since(p.checked) < refreshEvery
	p.mu.RUnlock()
	if !fresh {
		p.reload(false)
	}
}

func (p *Profiles) reload(force bool) error {
	files, stamp, err := p.scan()
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.checked = time.Now()
	same := !force && stamp == p.stamp
	p.mu.Unlock()
	if same {
		return nil
	}
	byID := map[string]*Profile{}
	byX12 := map[string][]*Profile{}
	byEDI := map[string][]*Profile{}
	var errs []error
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var prof Profile
		validate := func() error { prof.setDefaults(); return prof.validate() }
		if err := strictyaml.Decode(data, f, &prof, validate); err != nil {
			errs = append(errs, err)
			continue
		}
		prof.file = f
		if other, dup := byID[prof.Partner]; dup {
			errs = append(errs, fmt.Errorf("%s: partner %s: already profiled in %s", f, prof.Partner, other.file))
			continue
		}
		byID[prof.Partner] = &prof
		if prof.X12 != nil {
			k := prof.X12.SenderQualifier + "/" + prof.X12.SenderID
			byX12[k] = append(byX12[k], &prof)
		}
		if prof.EDIFACT != nil {
			k := prof.EDIFACT.SenderID
			byEDI[k] = append(byEDI[k], &prof)
		}
	}
	p.mu.Lock()
	p.byID, p.byX12, p.byEDI, p.stamp, p.problems = byID, byX12, byEDI, stamp, errors.Join(errs...)
	p.mu.Unlock()
	return p.problems
}

// scan lists the profile files and a stamp that changes when any does.
func (p *Profiles) scan() ([]string, string, error) {
	if p.dir == "" {
		return nil, "", nil
	}
	entries, err := os.ReadDir(p.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("partner profiles: %w", err)
	}
	var files []string
	var stamp strings.Builder
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || strings.HasPrefix(n, ".") || !(strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		files = append(files, filepath.Join(p.dir, n))
		fmt.Fprintf(&stamp, "%s %d %d\n", n, info.Size(), info.ModTime().UnixNano())
	}
	sort.Strings(files)
	return files, stamp.String(), nil
}

// Problems is what was wrong with the files at the last reading, if
// anything.
func (p *Profiles) Problems() error {
	if p == nil {
		return nil
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.problems
}

// Get returns a partner's profile.
func (p *Profiles) Get(partner string) (*Profile, bool) {
	if p == nil {
		return nil, false
	}
	p.maybeReload()
	p.mu.RLock()
	defer p.mu.RUnlock()
	prof, ok := p.byID[partner]
	return prof, ok
}

// Policy returns a partner's policy with the defaults filled in (see
// DefaultPolicy): also for a partner without a profile or a profile
// without a policy, and on a nil Profiles.
func (p *Profiles) Policy(partner string) Policy {
	prof, ok := p.Get(partner)
	if !ok || prof.Policy == nil {
		return DefaultPolicy()
	}
	return prof.Policy.withDefaults()
}

// ByX12 finds the partner an X12 interchange is from by its ISA05/ISA06
// and GS02. Several partners may share an ISA identity (one retailer's
// divisions); then GS02 must tell them apart.
func (p *Profiles) ByX12(qualifier, sender, groupSender string) (*Profile, bool) {
	if p == nil {
		return nil, false
	}
	p.maybeReload()
	p.mu.RLock()
	defer p.mu.RUnlock()
	cands := p.byX12[strings.TrimSpace(qualifier)+"/"+strings.TrimSpace(sender)]
	var fallback *Profile
	for _, c := range cands {
		switch c.X12.GroupSender {
		case strings.TrimSpace(groupSender):
			return c, true
		case "":
			fallback = c
		}
	}
	return fallback, fallback != nil
}

// ByEDIFACT finds the partner an EDIFACT interchange is from by its UNB
// sender identification and code qualifier, and its UNG sender when the
// interchange has groups. A profile without a qualifier matches any; one
// with a group_sender is preferred when the group sender is its.
func (p *Profiles) ByEDIFACT(qualifier, sender, groupSender string) (*Profile, bool) {
	if p == nil {
		return nil, false
	}
	p.maybeReload()
	p.mu.RLock()
	defer p.mu.RUnlock()
	var best *Profile
	score := -1
	for _, c := range p.byEDI[strings.TrimSpace(sender)] {
		e := c.EDIFACT
		if e.SenderQualifier != "" && e.SenderQualifier != strings.TrimSpace(qualifier) {
			continue
		}
		s := 0
		switch e.GroupSender {
		case "":
		case strings.TrimSpace(groupSender):
			s += 2
		default:
			continue
		}
		if e.SenderQualifier != "" {
			s++
		}
		if s > score {
			best, score = c, s
		}
	}
	return best, best != nil
}

// WithProfiles puts the partners' profile crosswalks in front of lk.
func WithProfiles(lk ItemLookup, p *Profiles) ItemLookup {
	if p == nil {
		return lk
	}
	return profileLookup{lk, p}
}

type profileLookup struct {
	ItemLookup
	p *Profiles
}

func (l profileLookup) Crosswalk(ctx context.Context, partner, kind, value string) (string, error) {
	if prof, ok := l.p.Get(partner); ok {
		m := prof.Crosswalk.BuyerItems
		if kind == "gtin" {
			m = prof.Crosswalk.GTINs
		}
		if sku, ok := m[value]; ok {
			return sku, nil
		}
	}
	if l.ItemLookup == nil {
		return "", ErrNoMatch
	}
	return l.ItemLookup.Crosswalk(ctx, partner, kind, value)
}

func (l profileLookup) SKUByGTIN(ctx context.Context, gtin string) (string, error) {
	if l.ItemLookup == nil {
		return "", ErrNoMatch
	}
	return l.ItemLookup.SKUByGTIN(ctx, gtin)
}
