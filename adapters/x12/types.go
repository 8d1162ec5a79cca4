// Package x12 reads and writes ANSI ASC X12: it streams interchanges into
// transaction sets with every envelope checked, maps purchase orders (850)
// and purchase order changes (860) into canonical orders, and writes the
// answers a trading partner expects: 997 or 999 functional
// acknowledgements, TA1 interchange acknowledgements and 855 purchase order
// acknowledgements.
//
// Delimiters come from each interchange's ISA segment, never assumed.
// Reading is streaming: a transaction set is held while it is read (its
// segments are needed together to map it), nothing larger.
package x12

import (
	"fmt"
	"strings"
)

// Delimiters are the separators an interchange declares in its ISA segment.
type Delimiters struct {
	// Element separates elements: the byte after "ISA".
	Element byte
	// Component separates the components of a composite element: ISA16.
	Component byte
	// Repetition separates repeats of an element: ISA11 from version 00402
	// on; 0 when the interchange has none ("U" in ISA11).
	Repetition byte
	// Segment ends a segment: the character after ISA16, one byte or a
	// UTF-8 character of up to four. Line breaks after it are ignored.
	// When the terminator is a line break it is "\n", "\r" or "\r\n" as
	// the ISA ends, and any of CR, LF or CRLF ends a segment.
	Segment string
}

// InterchangeHeader holds what an ISA segment says.
type InterchangeHeader struct {
	AuthQualifier, AuthInfo         string // ISA01, ISA02
	SecurityQualifier, SecurityInfo string // ISA03, ISA04
	SenderQualifier, SenderID       string // ISA05, ISA06 (trimmed)
	ReceiverQualifier, ReceiverID   string // ISA07, ISA08 (trimmed)
	Date, Time                      string // ISA09 YYMMDD, ISA10 HHMM
	Standards                       string // ISA11 as written (a repetition separator from 00402)
	Version                         string // ISA12, e.g. "00401", "00501"
	Control                         string // ISA13, nine digits as written
	AckRequested                    bool   // ISA14 = 1
	Usage                           string // ISA15: P production, T test, I information
	Delimiters                      Delimiters
	// Charset is "CP037" when the document was EBCDIC (IBM code page 037):
	// it was read as ISO-8859-1 and its Delimiters are ISO-8859-1 bytes; an
	// answer to it goes back in EBCDIC. Empty for ASCII/UTF-8 documents.
	Charset string
}

// GroupHeader holds what a GS segment says.
type GroupHeader struct {
	FunctionalID string // GS01: PO for 850, PC for 860, FA for 997/999, PR for 855
	Sender       string // GS02
	Receiver     string // GS03
	Date, Time   string // GS04, GS05
	Control      string // GS06
	Agency       string // GS07: X
	Version      string // GS08: e.g. "004010", "005010X220"
}

// Level is where in a document an error is, and so which acknowledgement
// segment reports it.
type Level int

const (
	// LevelInterchange: reported in a TA1 (TA105 codes).
	LevelInterchange Level = iota + 1
	// LevelGroup: reported in AK9 (AK905 codes).
	LevelGroup
	// LevelTransaction: reported in AK5/IK5 (AK502/IK502 codes).
	LevelTransaction
	// LevelSegment: reported in AK3/IK3 (AK304/IK304 codes).
	LevelSegment
	// LevelElement: reported in AK4/IK4 (AK403/IK403 codes).
	LevelElement
)

func (l Level) String() string {
	switch l {
	case LevelInterchange:
		return "interchange"
	case LevelGroup:
		return "group"
	case LevelTransaction:
		return "transaction set"
	case LevelSegment:
		return "segment"
	case LevelElement:
		return "element"
	}
	return "unknown"
}

// Codes used in acknowledgements, by level. Every Error carries one, so
// callers branch on Level and Code with errors.As, and the 997/999/TA1
// writers report it as it is.
const (
	// TA105 interchange note codes.
	TA1NoError                   = "000"
	TA1ControlNumberMismatch     = "001" // ISA13 and IEA02 differ
	TA1UnsupportedStandard       = "002" // ISA11
	TA1UnsupportedVersion        = "003" // ISA12
	TA1InvalidSegmentTerminator  = "004"
	TA1InvalidSenderQualifier    = "005" // ISA05
	TA1InvalidSenderID           = "006" // ISA06
	TA1InvalidReceiverQualifier  = "007" // ISA07
	TA1InvalidReceiverID         = "008" // ISA08
	TA1InvalidDate               = "014" // ISA09
	TA1InvalidTime               = "015" // ISA10
	TA1InvalidStandardsID        = "016" // ISA11
	TA1InvalidVersionID          = "017" // ISA12
	TA1InvalidControlNumber      = "018" // ISA13
	TA1InvalidAckRequested       = "019" // ISA14
	TA1InvalidUsage              = "020" // ISA15
	TA1InvalidGroupCount         = "021" // IEA01
	TA1InvalidControlCharacters  = "022" // delimiters
	TA1PrematureEnd              = "023" // end of file before IEA
	TA1InvalidContent            = "024" // e.g. a GS where none may be, an unparsable ISA
	TA1InvalidAuthQualifier      = "010" // ISA01
	TA1InvalidAuthInfo           = "011" // ISA02
	TA1InvalidSecurityQualifier  = "012" // ISA03
	TA1InvalidSecurityInfo       = "013" // ISA04
	TA1InvalidElementSeparator   = "026"
	TA1InvalidComponentSeparator = "027"

	// AK905 functional group syntax error codes.
	GroupNotSupported          = "1"
	GroupVersionNotSupported   = "2"
	GroupTrailerMissing        = "3"
	GroupControlNumberMismatch = "4" // GS06 and GE02 differ
	GroupSetCountMismatch      = "5" // GE01 and the count differ
	GroupControlNumberInvalid  = "6"

	// AK502/IK502 transaction set syntax error codes.
	SetNotSupported           = "1"
	SetTrailerMissing         = "2"
	SetControlNumberMismatch  = "3" // ST02 and SE02 differ
	SetSegmentCountMismatch   = "4" // SE01 and the count differ
	SetSegmentsInError        = "5"
	SetIDInvalid              = "6"
	SetControlNumberInvalid   = "7"
	SetControlNumberNotUnique = "23" // ST02 used twice in one functional group

	// AK304/IK304 segment syntax error codes.
	SegmentUnrecognized     = "1"
	SegmentUnexpected       = "2"
	SegmentMandatoryMissing = "3"
	SegmentLoopOverMax      = "4"
	SegmentOverMaxUse       = "5"
	SegmentNotInSet         = "6"
	SegmentOutOfSequence    = "7"
	SegmentHasElementErrors = "8"

	// AK403/IK403 element syntax error codes.
	ElementMandatoryMissing   = "1"
	ElementConditionalMissing = "2"
	ElementTooMany            = "3"
	ElementTooShort           = "4"
	ElementTooLong            = "5"
	ElementInvalidCharacter   = "6"
	ElementInvalidCode        = "7"
	ElementInvalidDate        = "8"
	ElementInvalidTime        = "9"
	ElementExclusionViolated  = "10"
)

// Error is one problem in an X12 document, located as precisely as the
// problem allows, with the acknowledgement code that reports it.
type Error struct {
	// Doc is the document name.
	Doc string
	// Interchange, Group and Transaction are the control numbers (ISA13,
	// GS06, ST02) of the envelopes the problem is in, as far as known.
	Interchange, Group, Transaction string
	// Set is the transaction set identifier (ST01), e.g. "850".
	Set string
	// Segment is the segment's position in its transaction set (ST is 1),
	// 0 for problems outside a transaction set.
	Segment int
	// Tag is the segment ID, e.g. "SE".
	Tag string
	// Element and Component are 1-based positions, 0 when not about one.
	Element, Component int
	// Offset is the byte offset of the segment in the document.
	Offset int64
	Level  Level
	// Code is the acknowledgement code for Level (TA105, AK905, AK502,
	// AK304 or AK403).
	Code string
	// Msg says what was expected and what was found.
	Msg string
}

// Error reads like "PO_7.edi: ST 0002 segment 21 (SE): SE01 says 9
// segments, counted 8".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Doc != "" {
		b.WriteString(e.Doc)
		b.WriteString(": ")
	}
	switch {
	case e.Transaction != "":
		fmt.Fprintf(&b, "ST %s", e.Transaction)
	case e.Group != "":
		fmt.Fprintf(&b, "GS %s", e.Group)
	case e.Interchange != "":
		fmt.Fprintf(&b, "ISA %s", e.Interchange)
	default:
		fmt.Fprintf(&b, "byte %d", e.Offset)
	}
	if e.Segment > 0 {
		fmt.Fprintf(&b, " segment %d", e.Segment)
	}
	if e.Tag != "" {
		fmt.Fprintf(&b, " (%s", e.Tag)
		if e.Element > 0 {
			fmt.Fprintf(&b, "%02d", e.Element)
			if e.Component > 0 {
				fmt.Fprintf(&b, "-%d", e.Component)
			}
		}
		b.WriteString(")")
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// DocPosition is where the error is, for reports that list problems by
// place (intake's error reports).
func (e *Error) DocPosition() string {
	switch {
	case e.Transaction != "":
		return "ST " + e.Transaction
	case e.Group != "":
		return "GS " + e.Group
	case e.Interchange != "":
		return "ISA " + e.Interchange
	}
	return fmt.Sprintf("byte %d", e.Offset)
}

// InterchangeReport is what reading one interchange found: everything the
// TA1 and the 997/999 for it need.
type InterchangeReport struct {
	Doc    string
	Header InterchangeHeader
	// Errors are the interchange-level problems (TA1). Any makes the whole
	// interchange rejected: none of its transaction sets is taken.
	Errors []*Error
	Groups []*GroupReport
}

// Rejected tells whether the interchange was refused as a whole.
func (r *InterchangeReport) Rejected() bool { return len(r.Errors) > 0 }

// GroupReport is what reading one functional group found.
type GroupReport struct {
	Header GroupHeader
	// Errors are the group-level problems (AK9). Any makes the whole group
	// rejected.
	Errors []*Error
	// Sets are the group's transaction sets, in order.
	Sets []*SetReport
	// Declared is GE01, the number of sets the group says it holds, when
	// DeclaredOK (a GE was read and its GE01 is a number).
	Declared   int
	DeclaredOK bool
}

// SetReport is what reading one transaction set found.
type SetReport struct {
	Code    string // ST01
	Control string // ST02
	// Errors are the set's problems, at transaction, segment or element
	// level. Any makes the set rejected.
	Errors []*Error
	// Taken says the set was mapped into canonical orders (its group and
	// interchange being sound too).
	Taken bool
}

// Accepted tells whether the set is acknowledged as accepted (AK501/IK501 A).
func (s *SetReport) Accepted() bool { return len(s.Errors) == 0 }
