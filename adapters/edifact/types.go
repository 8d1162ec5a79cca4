// Package edifact reads and writes UN/EDIFACT (ISO 9735): it streams
// interchanges into messages with every envelope checked, maps purchase
// orders (ORDERS) and order changes (ORDCHG) of the D93A to D01B
// directories and their EANCOM subsets into canonical orders, and writes
// the answers a trading partner expects: CONTRL syntax and service reports
// and ORDRSP order responses.
//
// Service characters come from each interchange's UNA, or are the ISO 9735
// defaults when it has none; characters are read in the repertoire its UNB
// declares (UNOA to UNOK, UNOW, UNOY) and handed out as UTF-8. Reading is
// streaming: a message is held while it is mapped, nothing larger.
package edifact

import (
	"fmt"
	"strconv"
	"strings"
)

// Separators are an interchange's service characters: its UNA, or the
// defaults.
type Separators struct {
	Component byte // ':' by default
	Element   byte // '+'
	Decimal   byte // '.' or ','
	Release   byte // '?'; 0 when the interchange has none
	// Repetition separates repeats of a data element (syntax version 4,
	// '*' by default); 0 when unused (UNA's reserved space).
	Repetition byte
	// Segment ends a segment: '\'' by default. A line break as terminator
	// ('\n') ends a segment at CR, LF or CRLF. Line breaks anywhere else are
	// not data: they are dropped where they stand.
	Segment byte
}

// DefaultSeparators are ISO 9735's service characters for an interchange
// without UNA.
var DefaultSeparators = Separators{Component: ':', Element: '+', Decimal: '.', Release: '?', Segment: '\''}

// UNA is the six characters of a UNA segment for s.
func (s Separators) UNA() string {
	b := [6]byte{s.Component, s.Element, s.Decimal, s.Release, s.Repetition, s.Segment}
	if b[3] == 0 {
		b[3] = ' '
	}
	if b[4] == 0 {
		b[4] = ' '
	}
	return string(b[:])
}

// ParseUNA reads the six UNA characters (as ServiceChars gives them).
func ParseUNA(s string) (Separators, error) {
	if len(s) != 6 {
		return Separators{}, fmt.Errorf("UNA: want 6 service characters, got %d (%q)", len(s), s)
	}
	sep := Separators{Component: s[0], Element: s[1], Decimal: s[2], Release: s[3], Repetition: s[4], Segment: s[5]}
	if sep.Release == ' ' {
		sep.Release = 0
	}
	if sep.Repetition == ' ' {
		sep.Repetition = 0
	}
	return sep, sep.check()
}

// check refuses service characters that cannot work together.
func (s Separators) check() error {
	all := []struct {
		name string
		c    byte
	}{{"component separator", s.Component}, {"data element separator", s.Element}, {"release character", s.Release},
		{"repetition separator", s.Repetition}, {"segment terminator", s.Segment}}
	for i, a := range all {
		if a.c == 0 {
			continue
		}
		if isAlnum(a.c) {
			return fmt.Errorf("UNA: the %s %q is a letter or digit", a.name, a.c)
		}
		for _, b := range all[:i] {
			if b.c == a.c {
				return fmt.Errorf("UNA: %q is both the %s and the %s", a.c, b.name, a.name)
			}
		}
	}
	if s.Component == 0 || s.Element == 0 || s.Segment == 0 {
		return fmt.Errorf("UNA: component separator, data element separator and segment terminator are required")
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// InterchangeHeader is what a UNB segment says.
type InterchangeHeader struct {
	Syntax        string // S001 0001: UNOA, UNOB, UNOC ...
	SyntaxVersion string // S001 0002: "1" to "4"
	// Sender and Recipient are S002 and S003: identification, code
	// qualifier and routing address.
	Sender, SenderQualifier, SenderRouting          string
	Recipient, RecipientQualifier, RecipientRouting string
	Date, Time                                      string // S004: YYMMDD (CCYYMMDD in version 4), HHMM
	Control                                         string // 0020, the interchange control reference
	RecipientRef                                    string // S005 0022 (a password, when agreed)
	Application                                     string // 0026
	Priority                                        string // 0029
	AckRequested                                    bool   // 0031 = 1
	Agreement                                       string // 0032
	Test                                            bool   // 0035 = 1
	// Separators are the service characters in force; HasUNA tells
	// whether a UNA said so.
	Separators Separators
	HasUNA     bool
	// Enveloped is false for messages found without any UNB (a bare UNH
	// after an optional UNA): they are read, but have no one to answer.
	Enveloped bool
	// Offset is the byte offset of the UNB (or the UNA before it).
	Offset int64
}

// Party is an interchange party as "qualifier:id" (just the id when there
// is no qualifier), as order.Source keeps it.
func Party(id, qualifier string) string {
	if qualifier == "" {
		return id
	}
	return qualifier + ":" + id
}

// GroupHeader is what a UNG segment says.
type GroupHeader struct {
	ID                            string // 0038: the message type the group holds (ORDERS)
	Sender, SenderQualifier       string // S006
	Recipient, RecipientQualifier string // S007
	Date, Time                    string // S004
	Control                       string // 0048
	Agency                        string // 0051
	Version                       string // S008 as written: "D:96A:EAN008"
}

// MessageHeader is what a UNH segment says.
type MessageHeader struct {
	Ref         string // 0062, the message reference number
	Type        string // S009 0065: ORDERS, ORDCHG ...
	Version     string // 0052: D
	Release     string // 0054: 96A
	Agency      string // 0051: UN
	Association string // 0057: EAN008 ...
	// AccessRef is 0068, the common access reference.
	AccessRef string
}

// Identifier is the message identifier as written: "ORDERS:D:96A:UN:EAN008".
func (h *MessageHeader) Identifier() string { return h.Type + ":" + h.VersionID() }

// VersionID is the identifier without the message type: "D:96A:UN:EAN008",
// as order.Source keeps it.
func (h *MessageHeader) VersionID() string {
	s := h.Version + ":" + h.Release + ":" + h.Agency
	if h.Association != "" {
		s += ":" + h.Association
	}
	return s
}

// Level is where in an interchange an error is, and so which CONTRL
// segment reports it.
type Level int

const (
	// LevelInterchange is reported in UCI.
	LevelInterchange Level = iota + 1
	// LevelGroup is reported in UCF.
	LevelGroup
	// LevelMessage is reported in UCM.
	LevelMessage
	// LevelSegment is reported in UCS under its UCM.
	LevelSegment
	// LevelElement is reported in UCD under its UCS.
	LevelElement
)

// Syntax error codes (ISO 9735 data element 0085) that CONTRL carries.
const (
	CodeSyntaxNotSupported  = "2"  // syntax level or version not supported
	CodeNotRecipient        = "7"  // interchange recipient not actual recipient
	CodeInvalidValue        = "12" // invalid value
	CodeMissing             = "13" // missing
	CodeValueNotSupported   = "14" // value not supported in this position
	CodeNotSupported        = "15" // not supported in this position
	CodeTooManyConstituents = "16" // too many constituents
	CodeNoAgreement         = "17" // no agreement
	CodeUnspecified         = "18" // unspecified error
	CodeInvalidDecimal      = "19" // invalid decimal notation
	CodeInvalidServiceChar  = "20" // character invalid as service character
	CodeInvalidCharacter    = "21" // invalid character(s)
	CodeUnknownSender       = "23" // unknown interchange sender
	CodeDuplicate           = "26" // duplicate detected
	CodeRefsDoNotMatch      = "28" // control references do not match
	CodeCountDoesNotMatch   = "29" // control count does not match instances received
	CodeGroupsAndMessages   = "30" // functional groups and messages mixed
	CodeLowerLevelEmpty     = "32" // lower level empty
	CodeInvalidOutside      = "33" // invalid occurrence outside message, package or group
	CodeTooManyRepetitions  = "35" // too many repetitions
	CodeInvalidTypeOfChars  = "37" // invalid type of characters
	CodeElementTooLong      = "39" // data element too long
	CodeSegmentTooLong      = "18" // a segment past Options.MaxSegment: unspecified
)

// Error is one problem at its place in an interchange: which message,
// which segment (counted from UNH = 1, as UNT and CONTRL count), which
// data element and component (from 1), and what was expected.
type Error struct {
	Doc         string
	Interchange string // UNB 0020
	Group       string // UNG 0048
	Message     string // UNH 0062
	Type        string // UNH S009 0065
	Level       Level
	Segment     int    // position in the message, UNH = 1; 0 outside any message
	Tag         string // segment tag
	Elem, Comp  int    // from 1; 0 when the error is not about one
	Offset      int64  // byte offset of the segment in the document
	Code        string // ISO 9735 syntax error code (0085)
	Msg         string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Doc != "" {
		b.WriteString(e.Doc)
		b.WriteString(": ")
	}
	b.WriteString(e.DocPosition())
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// DocPosition says where the error is: "UNH 12 (ORDERS) segment 7 QTY
// element 1 component 2", "UNB 896 segment UNZ", "byte 1024".
func (e *Error) DocPosition() string {
	var b strings.Builder
	switch {
	case e.Message != "" || e.Type != "":
		b.WriteString("UNH " + e.Message)
		if e.Type != "" {
			b.WriteString(" (" + e.Type + ")")
		}
	case e.Group != "":
		b.WriteString("UNG " + e.Group)
	case e.Interchange != "":
		b.WriteString("UNB " + e.Interchange)
	default:
		b.WriteString("byte " + strconv.FormatInt(e.Offset, 10))
	}
	if e.Segment > 0 {
		b.WriteString(" segment " + strconv.Itoa(e.Segment))
	} else if e.Tag != "" {
		b.WriteString(" segment")
	}
	if e.Tag != "" {
		b.WriteString(" " + e.Tag)
	}
	if e.Elem > 0 {
		b.WriteString(" element " + strconv.Itoa(e.Elem))
		if e.Comp > 0 {
			b.WriteString(" component " + strconv.Itoa(e.Comp))
		}
	}
	return b.String()
}

// InterchangeReport is what was found reading one interchange, for its
// CONTRL: its own errors (UCI) and each group's and message's.
type InterchangeReport struct {
	Header InterchangeHeader
	Errors []*Error
	// Groups are the interchange's functional groups in order; Messages
	// the messages outside any group.
	Groups   []*GroupReport
	Messages []*MessageReport
}

// GroupReport is one functional group's errors (UCF) and messages.
type GroupReport struct {
	Header   GroupHeader
	Errors   []*Error
	Messages []*MessageReport
}

// MessageReport is one message's errors (UCM, UCS, UCD). Taken is set
// when its orders went on: no error of the message, its group or its
// interchange refused it.
type MessageReport struct {
	Header MessageHeader
	Errors []*Error
	Taken  bool
}

// Rejected tells whether the interchange as a whole was refused.
func (r *InterchangeReport) Rejected() bool { return len(r.Errors) > 0 }

// AllMessages lists every message report, grouped or not, in order.
func (r *InterchangeReport) AllMessages() []*MessageReport {
	out := append([]*MessageReport(nil), r.Messages...)
	for _, g := range r.Groups {
		out = append(out, g.Messages...)
	}
	return out
}
