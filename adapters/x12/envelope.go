package x12

import (
	"fmt"
	"strconv"
	"strings"
)

// The walker follows the envelope structure of a document token by token:
// interchanges (ISA..IEA), functional groups (GS..GE) and transaction sets
// (ST..SE). It checks what the envelopes say of themselves (header fields,
// trailer counts and control numbers) and reports, as events, where sets
// start and end. Both passes run it: the first to learn every envelope
// verdict before any set is handed out, the second to hand the sets out.

type event uint8

const (
	evEOF        event = iota
	evErr              // read error: scanner.err
	evIXStart          // an ISA: walker.ixHdr, walker.ixErrs so far
	evIXEnd            // the interchange is over: walker.ixErrs complete
	evGroupStart       // a GS: walker.grpHdr, walker.grpErrs so far
	evGroupEnd         // the group is over: walker.grpErrs complete
	evSetStart         // the token is the set's first segment (ST, or a stray one)
	evSetSeg           // the token is the set's next segment (SE included)
	evSetEnd           // the set is over: walker.setComplete, walker.cutTag
	evJunk             // the token is a run of bytes outside interchanges
)

type wstate uint8

const (
	stDoc    wstate = iota // outside interchanges
	stIX                   // in an interchange, outside groups
	stIXBad                // after an ISA that cannot be read: the interchange ends at once
	stGroup                // in a group, outside sets
	stSet                  // in a set
	stSetEnd               // after SE
)

// maxErrors bounds the errors kept for one interchange, group or set, so
// that a document of garbage cannot grow a report without bound.
const maxErrors = 100

type walker struct {
	sc      *scanner
	doc     string
	state   wstate
	pending bool // the current token is handled again by the next step

	ixOrd   int // ordinal of the current interchange in the document, from 0
	ixHdr   InterchangeHeader
	ixErrs  []*Error
	ixBad   bool // the last ISA could not be read
	groups  int  // GS segments in the interchange
	ta1s    int  // TA1 segments in the interchange
	stray   bool // in a run of segments that belong to no group
	charset string

	grpOrd  int // ordinal of the current group in its interchange
	grpHdr  GroupHeader
	grpErrs []*Error
	geSets  int // GE01 of the group just ended, -1 when missing or not a number
	sets    int // transaction sets counted for GE01

	headerless  bool   // the current set did not start with ST
	setComplete bool   // the set ended with its SE
	cutTag      string // the segment that ended the set instead of SE ("" at the end of the document)
	cutOff      int64
}

func newWalker(sc *scanner, doc, charset string) *walker {
	return &walker{sc: sc, doc: doc, ixOrd: -1, charset: charset}
}

// step handles tokens until the next event.
func (w *walker) step() (event, *token) {
	for {
		switch w.state {
		case stSetEnd:
			w.state = stGroup
			return evSetEnd, nil
		case stIXBad:
			w.state = stDoc
			return evIXEnd, nil
		}
		var t *token
		if w.pending {
			t = &w.sc.tok
			w.pending = false
		} else {
			w.sc.inSet = w.state == stSet
			t = w.sc.next()
		}
		if t.kind == tokEOF && w.sc.err != nil {
			return evErr, t
		}
		switch w.state {
		case stDoc:
			switch t.kind {
			case tokEOF:
				return evEOF, t
			case tokJunk:
				return evJunk, t
			case tokISA:
				w.beginIX(t)
				return evIXStart, t
			}
			// A segment cannot come outside an interchange: the scanner
			// reads bytes there. Nothing to do.
		case stIX:
			switch t.kind {
			case tokEOF:
				w.ixErr(TA1PrematureEnd, t.off, "", 0, "IEA missing: the document ends inside the interchange")
				w.state, w.pending = stDoc, true
				return evIXEnd, t
			case tokISA:
				w.ixErr(TA1PrematureEnd, t.off, "ISA", 0, "IEA missing: found ISA where IEA was expected")
				w.state, w.pending = stDoc, true
				return evIXEnd, t
			case tokSeg:
				switch t.tag {
				case tagGS:
					w.stray = false
					w.beginGroup(t)
					w.state = stGroup
					return evGroupStart, t
				case tagIEA:
					w.checkIEA(t)
					w.sc.leaveInterchange()
					w.state = stDoc
					return evIXEnd, t
				case tagTA1:
					w.ta1s++
					w.stray = false
				case tagISB, tagISE:
					w.stray = false
				default:
					if !w.stray {
						w.stray = true
						tag := w.sc.tagString(t)
						w.ixErr(TA1InvalidContent, t.off, tag, 0, "%s outside a functional group: expected GS, IEA, ISB, ISE or TA1", tag)
					}
				}
			}
		case stGroup:
			switch t.kind {
			case tokEOF, tokISA:
				w.missingGE(t)
				return evGroupEnd, t
			case tokSeg:
				switch t.tag {
				case tagGE:
					w.checkGE(t)
					w.state = stIX
					return evGroupEnd, t
				case tagGS, tagIEA:
					w.missingGE(t)
					return evGroupEnd, t
				case tagST:
					w.sets++
					w.headerless = false
				default:
					w.headerless = true
				}
				w.setComplete, w.cutTag, w.cutOff = false, "", 0
				w.state = stSet
				return evSetStart, t
			}
		case stSet:
			switch t.kind {
			case tokEOF, tokISA:
				w.cut(t)
				return evSetEnd, nil
			case tokSeg:
				switch t.tag {
				case tagSE:
					if w.headerless {
						// Most likely an ST that was garbled: counting
						// the set keeps GE01 in agreement.
						w.sets++
					}
					w.setComplete = true
					w.state = stSetEnd
					return evSetSeg, t
				case tagST, tagGE, tagGS, tagIEA:
					w.cut(t)
					return evSetEnd, nil
				}
				return evSetSeg, t
			}
		}
	}
}

// cut ends the current set at token t, which is handled again afterwards.
func (w *walker) cut(t *token) {
	w.setComplete = false
	w.cutOff = t.off
	switch t.kind {
	case tokISA:
		w.cutTag = "ISA"
	case tokSeg:
		w.cutTag = w.sc.tagString(t)
	default:
		w.cutTag = ""
	}
	w.state, w.pending = stGroup, true
}

func (w *walker) missingGE(t *token) {
	switch t.kind {
	case tokEOF:
		w.grpErr(GroupTrailerMissing, t.off, "", "GE missing: the document ends inside the functional group")
	case tokISA:
		w.grpErr(GroupTrailerMissing, t.off, "ISA", "GE missing: found ISA where GE was expected")
	default:
		tag := w.sc.tagString(t)
		w.grpErr(GroupTrailerMissing, t.off, tag, "GE missing: found %s where GE was expected", tag)
	}
	w.state, w.pending = stIX, true
}

func (w *walker) beginIX(t *token) {
	w.ixOrd++
	w.groups, w.ta1s, w.stray = 0, 0, false
	w.ixErrs = nil
	isa := &w.sc.isa
	w.ixHdr = InterchangeHeader{}
	w.ixBad = isa.bad != ""
	w.ixHdr, w.ixErrs = parseISA(isa, w.doc)
	w.ixHdr.Charset = w.charset
	if w.ixBad {
		w.state = stIXBad
	} else {
		w.state = stIX
	}
}

func (w *walker) beginGroup(t *token) {
	w.grpOrd = w.groups
	w.groups++
	w.sets = 0
	w.geSets = -1
	w.grpErrs = nil
	sc := w.sc
	str := func(i int) string { return string(sc.element(t, i)) }
	w.grpHdr = GroupHeader{
		FunctionalID: str(1), Sender: str(2), Receiver: str(3),
		Date: str(4), Time: str(5), Control: str(6), Agency: str(7), Version: str(8),
	}
	h := &w.grpHdr
	if h.FunctionalID == "" {
		w.grpErr(GroupNotSupported, t.off, "GS", "GS01 (functional identifier code) is missing")
	}
	if !isDigits(h.Control, 1, 9) {
		w.grpErr(GroupControlNumberInvalid, t.off, "GS", "GS06 is %q, expected a control number of 1 to 9 digits", h.Control)
	}
	if h.Version == "" {
		w.grpErr(GroupVersionNotSupported, t.off, "GS", "GS08 (version) is missing")
	}
}

func (w *walker) checkGE(t *token) {
	n, c := w.sc.element(t, 1), w.sc.element(t, 2)
	if v, ok := number(n); ok {
		w.geSets = v
	}
	if v, ok := number(n); !ok || v != w.sets {
		w.grpErr(GroupSetCountMismatch, t.off, "GE", "GE01 says %s transaction sets, counted %d", shown(n), w.sets)
	}
	if !sameNumber(c, w.grpHdr.Control) {
		w.grpErr(GroupControlNumberMismatch, t.off, "GE", "GE02 says %s, GS06 is %s", shown(c), shown([]byte(w.grpHdr.Control)))
	}
}

func (w *walker) checkIEA(t *token) {
	n, c := w.sc.element(t, 1), w.sc.element(t, 2)
	// A TA1-only interchange is sometimes sent with its TA1s counted in
	// IEA01: tolerated, as nothing is lost by it.
	if v, ok := number(n); !ok || (v != w.groups && (w.ta1s == 0 || v != w.groups+w.ta1s)) {
		w.ixErr(TA1InvalidGroupCount, t.off, "IEA", 0, "IEA01 says %s functional groups, counted %d", shown(n), w.groups)
	}
	if !sameNumber(c, w.ixHdr.Control) {
		w.ixErr(TA1ControlNumberMismatch, t.off, "IEA", 0, "IEA02 says %s, ISA13 is %s", shown(c), shown([]byte(w.ixHdr.Control)))
	}
}

func (w *walker) ixErr(code string, off int64, tag string, elem int, format string, args ...any) {
	if len(w.ixErrs) >= maxErrors {
		return
	}
	w.ixErrs = append(w.ixErrs, &Error{
		Doc: w.doc, Interchange: w.ixHdr.Control, Tag: tag, Element: elem, Offset: off,
		Level: LevelInterchange, Code: code, Msg: fmt.Sprintf(format, args...),
	})
}

func (w *walker) grpErr(code string, off int64, tag string, format string, args ...any) {
	if len(w.grpErrs) >= maxErrors {
		return
	}
	w.grpErrs = append(w.grpErrs, &Error{
		Doc: w.doc, Interchange: w.ixHdr.Control, Group: w.grpHdr.Control, Tag: tag, Offset: off,
		Level: LevelGroup, Code: code, Msg: fmt.Sprintf(format, args...),
	})
}

// ISA element widths and the TA105 code that reports each when it is wrong.
var (
	isaWidths = [16]int{2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1}
	isaCodes  = [16]string{
		TA1InvalidAuthQualifier, TA1InvalidAuthInfo, TA1InvalidSecurityQualifier, TA1InvalidSecurityInfo,
		TA1InvalidSenderQualifier, TA1InvalidSenderID, TA1InvalidReceiverQualifier, TA1InvalidReceiverID,
		TA1InvalidDate, TA1InvalidTime, TA1InvalidStandardsID, TA1InvalidVersionID,
		TA1InvalidControlNumber, TA1InvalidAckRequested, TA1InvalidUsage, TA1InvalidComponentSeparator,
	}
)

// parseISA turns what the scanner read of an ISA into a header and the
// problems with it. The ISA is fixed-width (106 bytes): a partner whose
// translator pads or trims it would be misread by any receiver that reads
// it by position, so each wrong width is an error, reported with the code
// of its element.
func parseISA(isa *isaInfo, doc string) (InterchangeHeader, []*Error) {
	var h InterchangeHeader
	var errs []*Error
	add := func(code string, elem int, format string, args ...any) {
		errs = append(errs, &Error{
			Doc: doc, Interchange: h.Control, Tag: "ISA", Element: elem, Offset: isa.off,
			Level: LevelInterchange, Code: code, Msg: fmt.Sprintf(format, args...),
		})
	}
	el := func(i int) []byte { // ISA element i, from 1
		if i < 1 || i > len(isa.seps) {
			return nil
		}
		a := isa.seps[i-1] + 1
		if i == len(isa.seps) {
			return isa.raw[a:]
		}
		return isa.raw[a:isa.seps[i]]
	}
	str := func(i int) string { return string(el(i)) }
	if len(isa.seps) == 16 {
		h = InterchangeHeader{
			AuthQualifier: str(1), AuthInfo: str(2), SecurityQualifier: str(3), SecurityInfo: str(4),
			SenderQualifier: str(5), SenderID: strings.TrimSpace(str(6)),
			ReceiverQualifier: str(7), ReceiverID: strings.TrimSpace(str(8)),
			Date: str(9), Time: str(10), Standards: str(11), Version: str(12),
			Control: strings.TrimSpace(str(13)), AckRequested: str(14) == "1", Usage: str(15),
			Delimiters: isa.d,
		}
	}
	if isa.bad != "" {
		elem := 0
		switch isa.badCode {
		case TA1InvalidSegmentTerminator, TA1InvalidControlCharacters:
			elem = 16
		}
		add(isa.badCode, elem, "%s", isa.bad)
		return h, errs
	}
	widthOK := [17]bool{}
	for i := 1; i <= 15; i++ {
		if n := len(el(i)); n != isaWidths[i-1] {
			add(isaCodes[i-1], i, "ISA%02d is %d bytes, expected %d (the ISA segment has fixed widths)", i, n, isaWidths[i-1])
		} else {
			widthOK[i] = true
		}
	}
	if widthOK[9] && !isDate6(el(9)) {
		add(TA1InvalidDate, 9, "ISA09 is %q, expected a date YYMMDD", el(9))
	}
	if widthOK[10] && !isTime4(el(10)) {
		add(TA1InvalidTime, 10, "ISA10 is %q, expected a time HHMM", el(10))
	}
	if widthOK[12] && !isDigits(string(el(12)), 5, 5) {
		add(TA1InvalidVersionID, 12, "ISA12 is %q, expected a 5-digit version such as 00401", el(12))
	}
	if widthOK[13] && !isDigits(string(el(13)), 9, 9) {
		add(TA1InvalidControlNumber, 13, "ISA13 is %q, expected 9 digits", el(13))
	}
	if e := el(14); widthOK[14] && e[0] != '0' && e[0] != '1' {
		add(TA1InvalidAckRequested, 14, "ISA14 is %q, expected 0 or 1", e)
	}
	if e := el(15); widthOK[15] && e[0] != 'P' && e[0] != 'T' && e[0] != 'I' {
		add(TA1InvalidUsage, 15, "ISA15 is %q, expected P, T or I", e)
	}
	isa16 := el(16)
	switch {
	case isa.fifteen:
		add(TA1InvalidComponentSeparator, 16, "ISA16 (component separator) is missing: the ISA has 15 elements and %s after ISA15 ends it", quote(isa.d.Segment))
	case len(isa16) == 1 && isa.d.Component == 0:
		add(TA1InvalidComponentSeparator, 16, "ISA16 component separator %s is a letter or digit or is also another delimiter", quoteByte(isa16[0]))
	}
	if e11, e12 := el(11), el(12); len(e11) == 1 && !isAlnum(e11[0]) && string(e12) >= "00402" && isa.d.Repetition == 0 {
		add(TA1InvalidControlCharacters, 11, "ISA11 repetition separator %s is also another delimiter", quoteByte(e11[0]))
	}
	return h, errs
}

func isDigits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i]-'0' >= 10 {
			return false
		}
	}
	return true
}

func isDate6(b []byte) bool {
	if !isDigits(string(b), 6, 6) {
		return false
	}
	m := int(b[2]-'0')*10 + int(b[3]-'0')
	d := int(b[4]-'0')*10 + int(b[5]-'0')
	return m >= 1 && m <= 12 && d >= 1 && d <= 31
}

func isTime4(b []byte) bool {
	if !isDigits(string(b), 4, 4) {
		return false
	}
	return (b[0]-'0')*10+(b[1]-'0') < 24 && (b[2]-'0')*10+(b[3]-'0') < 60
}

// number reads an unsigned decimal count as written ("000001" is 1).
func number(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c-'0' >= 10 {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// sameNumber compares two control numbers: numerically when both are
// digits (GS06/GE02 and ISA13/IEA02 are numeric, so "3438" and
// "000003438" agree), else as written.
func sameNumber(a []byte, b string) bool {
	x, ok1 := number(a)
	y, ok2 := number([]byte(b))
	if ok1 && ok2 {
		return x == y
	}
	return string(a) == b
}

// shown is a value as put in a message: as written, or "nothing".
func shown(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	if len(b) > 40 {
		return strconv.Quote(string(b[:40])) + "..."
	}
	for _, c := range b {
		if c < ' ' || c >= 0x7F || c == '"' {
			return strconv.Quote(string(b))
		}
	}
	return string(b)
}

func quote(s string) string { return strconv.QuoteToASCII(s) }

func quoteByte(c byte) string {
	if c < 0x80 {
		return strconv.QuoteToASCII(string(rune(c)))
	}
	return fmt.Sprintf("byte 0x%02X", c)
}

func itoa(n int) string { return strconv.Itoa(n) }
