package sheet

import (
	"context"
	"regexp"
	"strconv"
)

// survey is what a first pass over a table's rows learns: where each
// order ends, and what each numeric and date column's values say about
// their conventions.
type survey struct {
	// keys are the orders (by PO and ship-to): each one's last row (-1
	// once the order has been handed on) and its number of rows.
	keys map[string]keyInfo
	// votes and dayFirst/monthFirst are by column, like layout.cols.
	votes                []decimalVotes
	dayFirst, monthFirst []bool
}

type keyInfo struct{ last, rows int }

// orderKey is the key of an order: its PO and ship-to.
func orderKey(vals *orderVals) string { return vals[iPO] + "\x00" + vals[iShipTo] }

// surveyRows reads the table's data rows once.
func surveyRows(ctx context.Context, t *table, l *layout, c conventions) (*survey, error) {
	s := &survey{keys: map[string]keyInfo{}, votes: make([]decimalVotes, len(l.cols)),
		dayFirst: make([]bool, len(l.cols)), monthFirst: make([]bool, len(l.cols))}
	var prev, vals orderVals
	var lastPO, lastShipTo, lastKey string
	hn := l.headerNum()
	n := 0
	err := t.scan(func(r *row) error {
		if r.num <= hn || skipReason(r) != "" {
			return nil
		}
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		l.values(r, &prev, &vals)
		if vals[iPO] != "" {
			if vals[iPO] != lastPO || vals[iShipTo] != lastShipTo || lastKey == "" {
				lastPO, lastShipTo, lastKey = vals[iPO], vals[iShipTo], orderKey(&vals)
			}
			ki := s.keys[lastKey]
			ki.last = r.num
			ki.rows++
			s.keys[lastKey] = ki
		}
		for i, col := range l.cols {
			switch {
			case col.field == fQuantity || col.field == fUnitPrice:
				if c.decimal != DecimalUnknown {
					continue
				}
				if v := r.cell(col.idx); v != "" && !(t.xlsx && machineNumber(v) && !r.textNum(col.idx)) {
					s.votes[i].add(v)
				}
			case dateFields[col.field] && c.dayFirst == nil:
				d, m, ok := dayMonthParts(r.cell(col.idx))
				if !ok {
					continue
				}
				s.dayFirst[i] = s.dayFirst[i] || d > 12
				s.monthFirst[i] = s.monthFirst[i] || m > 12
			}
		}
		return nil
	})
	return s, err
}

// decideColumns settles each numeric and date column's conventions from
// the survey of its values, unless the profile already did.
func (l *layout) decideColumns(s *survey, c conventions) {
	for i, col := range l.cols {
		switch {
		case col.field == fQuantity || col.field == fUnitPrice:
			col.decimal = c.decimal
			if col.decimal != DecimalUnknown {
				continue
			}
			sep, conflict := s.votes[i].result()
			col.decimal = sep
			if conflict {
				col.decimal = DecimalUnknown
				col.undecided = "the column mixes decimal commas and points"
			}
		case dateFields[col.field]:
			col.dayFirst = c.dayFirst
			if col.dayFirst != nil {
				continue
			}
			switch {
			case s.dayFirst[i] && s.monthFirst[i]:
				col.undecided = "the column has dates both ways round (13/01 and 01/13)"
			case s.dayFirst[i]:
				t := true
				col.dayFirst = &t
			case s.monthFirst[i]:
				f := false
				col.dayFirst = &f
			}
		}
	}
}

// dayMonthParts reads the first two numbers of an a/b/y date.
var abyRE = regexp.MustCompile(`^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})\s*$`)

func dayMonthParts(s string) (a, b int, ok bool) {
	m := abyRE.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, false
	}
	a, _ = strconv.Atoi(m[1])
	b, _ = strconv.Atoi(m[2])
	return a, b, true
}
