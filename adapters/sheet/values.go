package sheet

import (
	"strconv"
)

// ValueError is a cell value that is not what its column wants.
type ValueError struct {
	Value string // as found
	Want  string // e.g. "a number such as 12.5", "a date such as 2026-11-20"
	Hint  string // optional: how to fix, e.g. "set decimal: comma in the partner's sheet profile"
}

// Error reads like `want a date such as 2026-11-20, got "31/02/2026"; February 2026 has 28 days`.
func (e *ValueError) Error() string {
	s := "want " + e.Want + ", got " + strconv.Quote(e.Value)
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}
