package mappings

import (
	"fmt"
	"slices"
	"strings"
)

// EDIFACTProfile is a partner's UN/EDIFACT identity and preferences:
//
//	edifact:
//	  sender_id: "4012345000009"   # UNB S002 0004
//	  sender_qualifier: "14"       # UNB S002 0007 (14 = GS1 GLN); empty: any
//	  acks: [CONTRL, ORDRSP]
type EDIFACTProfile struct {
	// SenderID and SenderQualifier are the partner's interchange sender
	// identification (UNB S002 0004 and 0007). An empty qualifier matches
	// any: many partners leave it out.
	SenderID        string `yaml:"sender_id"`
	SenderQualifier string `yaml:"sender_qualifier"`
	// GroupSender is its UNG sender, when it differs from SenderID and
	// tells partners sharing an interchange identity apart.
	GroupSender string `yaml:"group_sender"`
	// RecipientID and RecipientQualifier are ours as the partner addresses
	// us (UNB S003), and what our answers are sent from. Default ORDERHUB
	// without a qualifier.
	RecipientID        string `yaml:"recipient_id"`
	RecipientQualifier string `yaml:"recipient_qualifier"`
	// Acks are the answers it wants: CONTRL and ORDRSP. Default: ORDRSP,
	// and CONTRL for each interchange whose UNB asks for one (0031 = 1).
	// Listing CONTRL answers every interchange.
	Acks []string `yaml:"acks"`
	// ORDRSPVersion is the message version of our ORDRSP: "D:96A:UN:EAN005"
	// (the default, EANCOM 1997's ORDRSP), "D:01B:UN:EAN010", "D:96A:UN".
	ORDRSPVersion string `yaml:"ordrsp_version"`
	// Syntax is our answers' syntax identifier and version ("UNOC:3").
	// Default: the one the partner's interchange used.
	Syntax string `yaml:"syntax"`
	// ServiceChars are our answers' six UNA characters (component, element,
	// decimal mark, release, reserved, terminator), e.g. ":+.? '". Default:
	// the partner's own.
	ServiceChars string `yaml:"service_chars"`
	// LineBreak follows each segment terminator of our answers: "" (none,
	// the default), "lf" or "crlf".
	LineBreak string `yaml:"line_break"`
	// LenientCharset accepts characters the declared syntax level does not
	// have (lower case letters under UNOA, say) instead of refusing the
	// message: for partners whose systems declare UNOA and send more.
	LenientCharset bool `yaml:"lenient_charset"`
	// Test marks our answers as test interchanges (UNB 0035 = 1).
	Test bool `yaml:"test"`
}

// EDIFACTAcks are the answers an EDIFACT partner may ask for.
var EDIFACTAcks = []string{"CONTRL", "ORDRSP"}

// Wants tells whether the partner listed an answer of this kind.
func (p *EDIFACTProfile) Wants(kind string) bool {
	return slices.ContainsFunc(p.Acks, func(a string) bool { return strings.EqualFold(a, kind) })
}

// LineBreakBytes is what follows each segment terminator of our answers.
func (p *EDIFACTProfile) LineBreakBytes() string {
	switch strings.ToLower(p.LineBreak) {
	case "lf":
		return "\n"
	case "crlf":
		return "\r\n"
	}
	return ""
}

// DefaultEDIFACTProfile is the profile of an EDIFACT partner that has said
// nothing: ORDRSP D:96A:UN:EAN005, CONTRL when asked, from ORDERHUB.
func DefaultEDIFACTProfile() *EDIFACTProfile {
	e := &EDIFACTProfile{}
	e.setDefaults()
	return e
}

func (e *EDIFACTProfile) setDefaults() {
	if e.Acks == nil {
		e.Acks = []string{"ORDRSP"}
	}
	if e.RecipientID == "" {
		e.RecipientID = "ORDERHUB"
	}
	if e.ORDRSPVersion == "" {
		e.ORDRSPVersion = "D:96A:UN:EAN005"
	}
}

func (e *EDIFACTProfile) validate(add func(path, format string, args ...any)) {
	if e.SenderID == "" || len(e.SenderID) > 35 {
		add("edifact.sender_id", "want the UNB sender identification, 1 to 35 characters, got %q", e.SenderID)
	}
	if len(e.SenderQualifier) > 4 {
		add("edifact.sender_qualifier", "want a UNB partner identification code qualifier such as 14 or ZZZ, got %q", e.SenderQualifier)
	}
	if len(e.RecipientID) > 35 {
		add("edifact.recipient_id", "want 1 to 35 characters, got %q", e.RecipientID)
	}
	if len(e.RecipientQualifier) > 4 {
		add("edifact.recipient_qualifier", "want a qualifier of up to 4 characters, got %q", e.RecipientQualifier)
	}
	for i, a := range e.Acks {
		if !slices.Contains(EDIFACTAcks, strings.ToUpper(a)) {
			add(fmt.Sprintf("edifact.acks[%d]", i), "want CONTRL or ORDRSP, got %q", a)
		}
	}
	if parts := strings.Split(e.ORDRSPVersion, ":"); len(parts) < 3 || len(parts) > 4 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		add("edifact.ordrsp_version", `want version:release:agency[:association], such as "D:96A:UN:EAN005", got %q`, e.ORDRSPVersion)
	}
	if s := e.Syntax; s != "" {
		id, v, _ := strings.Cut(s, ":")
		if len(id) != 4 || !strings.HasPrefix(id, "UNO") || (v != "" && (len(v) != 1 || v[0] < '1' || v[0] > '4')) {
			add("edifact.syntax", `want a syntax identifier and version such as "UNOA:3" or "UNOC:3", got %q`, s)
		}
	}
	if s := e.ServiceChars; s != "" {
		if len(s) != 6 {
			add("edifact.service_chars", `want the six UNA characters, such as ":+.? '", got %q`, s)
		} else {
			seen := map[byte]bool{}
			for i := 0; i < 6; i++ {
				c := s[i]
				if i == 4 && c == ' ' {
					continue // reserved: space when unused
				}
				if i == 2 && (c == ',' || c == '.') {
					continue
				}
				if c == ' ' && i != 3 || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || seen[c] {
					add("edifact.service_chars", "character %d %q: want a distinct character that is not a letter or digit", i+1, string(c))
				}
				seen[c] = true
			}
		}
	}
	if !slices.Contains([]string{"", "lf", "crlf"}, strings.ToLower(e.LineBreak)) {
		add("edifact.line_break", `want "lf", "crlf" or nothing, got %q`, e.LineBreak)
	}
}
