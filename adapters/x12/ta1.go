package x12

import (
	"errors"
	"fmt"
	"slices"
)

// TA1 is an interchange acknowledgement: what we say about one interchange
// received as a whole.
//
// A TA1 is always sent in an interchange of its own (ISA, TA1, IEA with no
// functional group; WriteTA1), never in front of the GS of a 997. The two
// answers then have their own control numbers and can be sent, resent and
// traced apart, and a partner whose translator expects either only groups
// or only TA1s in an interchange reads both. An interchange that asked for
// a TA1 (ISA14 = 1) and was accepted gets the TA1 interchange and then the
// 997/999 interchange; one that was rejected gets the TA1 alone.
type TA1 struct {
	// Control is TA101: the ISA13 of the interchange acknowledged, nine
	// digits.
	Control string
	// Date and Time are TA102/TA103: its ISA09 (YYMMDD) and ISA10 (HHMM).
	Date, Time string
	// Status is TA104: "A" accepted, "E" accepted with errors, "R"
	// rejected.
	Status string
	// Note is TA105: one of the TA1* codes, TA1NoError when all is well.
	Note string
}

// NeedsTA1 tells whether the interchange r must be answered with a TA1: it
// asked for one (ISA14 = 1) or it was rejected, which only a TA1 can say.
func NeedsTA1(r *InterchangeReport) bool { return r.Header.AckRequested || r.Rejected() }

// TA1For returns the TA1 answering the interchange r: R with the code of its
// first interchange error when it was rejected (a TA1 has room for one),
// else A with 000. It never says E: every interchange-level error our reader
// reports rejects the interchange.
func TA1For(r *InterchangeReport) TA1 {
	t := TA1{Control: r.Header.Control, Date: r.Header.Date, Time: r.Header.Time, Status: "A", Note: TA1NoError}
	if r.Rejected() {
		t.Status, t.Note = "R", r.Errors[0].Code
	}
	return t
}

func (t TA1) check() error {
	switch {
	case !isDigits(t.Control, 9, 9):
		return fmt.Errorf("TA101 %q: want the nine-digit ISA13 of the interchange acknowledged", t.Control)
	case !isDigits(t.Date, 6, 6):
		return fmt.Errorf("TA102 %q: want its ISA09 date, YYMMDD", t.Date)
	case !isDigits(t.Time, 4, 4):
		return fmt.Errorf("TA103 %q: want its ISA10 time, HHMM", t.Time)
	case !slices.Contains([]string{"A", "E", "R"}, t.Status):
		return fmt.Errorf("TA104 %q: want A, E or R", t.Status)
	case !isDigits(t.Note, 3, 3):
		return fmt.Errorf("TA105 %q: want a three-digit note code", t.Note)
	}
	return nil
}

// WriteTA1 writes an interchange holding only the TA1 segments acks (one
// per interchange acknowledged): ISA, the TA1s, IEA with 0 groups. env's
// group fields are not used. Like WriteInterchange, it writes nothing
// unless all of it can be written.
func WriteTA1(w *Writer, env Envelope, acks ...TA1) error {
	if w.err != nil {
		return w.err
	}
	if len(acks) == 0 {
		return errors.New("TA1 interchange: no TA1 to write")
	}
	for _, t := range acks {
		if err := t.check(); err != nil {
			return fmt.Errorf("TA1 for interchange %s: %w", t.Control, err)
		}
	}
	env.setDefaults()
	if err := env.validate(); err != nil {
		return err
	}
	return w.writeEnvelope(&env, 0, func(iw *Writer) error {
		for _, t := range acks {
			if err := iw.Segment("TA1", t.Control, t.Date, t.Time, t.Status, t.Note); err != nil {
				return fmt.Errorf("TA1 for interchange %s: %w", t.Control, err)
			}
		}
		return nil
	})
}
