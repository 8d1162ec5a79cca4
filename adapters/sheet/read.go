package sheet

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/mappings"
)

// maxProblems caps the problems collected per document: enough to fix a
// sheet in one go, not so many that a wrong file floods the report.
const maxProblems = 1000

// conventions are what the partner's profile says about its sheets.
type conventions struct {
	own          map[string]Field // normalised header → field
	decimal      byte             // DecimalUnknown: decide per column
	dayFirst     *bool            // nil: decide per column, refuse what stays ambiguous
	layouts      []string
	defaults     map[Field]string
	headerRow    int
	allOrNothing bool
}

func conventionsOf(p *mappings.SheetProfile) conventions {
	c := conventions{own: map[string]Field{}, defaults: map[Field]string{}}
	if p == nil {
		return c
	}
	for f, h := range p.Columns {
		c.own[normHeader(h)] = Field(f)
	}
	switch strings.ToLower(p.Decimal) {
	case "comma":
		c.decimal = DecimalComma
	case "point":
		c.decimal = DecimalPoint
	}
	switch strings.ToLower(p.Dates) {
	case "day_first":
		t := true
		c.dayFirst = &t
	case "month_first":
		f := false
		c.dayFirst = &f
	}
	c.layouts = p.DateLayouts
	for f, v := range p.Defaults {
		c.defaults[Field(f)] = v
	}
	c.headerRow = p.HeaderRow
	c.allOrNothing = p.AllOrNothing
	return c
}

// column is a recognised column of the table.
type column struct {
	idx    int
	field  Field
	header string
	// decimal is the column's decimal separator, decided from its values
	// or the profile; dayFirst its date convention.
	decimal  byte
	dayFirst *bool
	// undecided says why the column's convention could not be decided,
	// for the errors of the values it leaves ambiguous.
	undecided string
}

// machineNumber tells whether an xlsx raw value is a number as the
// workbook stores it: digits, at most one point, maybe an exponent.
func machineNumber(v string) bool {
	i := 0
	if i < len(v) && v[i] == '-' {
		i++
	}
	digits := func() bool {
		start := i
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
		return i > start
	}
	if !digits() {
		return false
	}
	if i < len(v) && v[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		if i < len(v) && (v[i] == '-' || v[i] == '+') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(v)
}

// Problem is one thing wrong in a sheet, at a cell.
type Problem struct {
	Sheet  string
	Row    int    // from 1; 0 for the sheet as a whole
	Cell   string // "C14"; "" for a whole row or sheet
	Column string // the sheet's own header, when about a column
	Msg    string
}

// Where is the problem's place: "Orders!C14", "Orders!14" or "Orders".
func (p Problem) Where() string {
	switch {
	case p.Cell != "":
		return p.Sheet + "!" + p.Cell
	case p.Row > 0:
		return fmt.Sprintf("%s!%d", p.Sheet, p.Row)
	}
	return p.Sheet
}

func (p Problem) String() string { return p.Where() + ": " + p.text() }

// text is the problem without its place: the column, if any, and what is
// wrong.
func (p Problem) text() string {
	if p.Column != "" {
		return p.Column + ": " + p.Msg
	}
	return p.Msg
}

// numberCell reads a quantity or price cell; nil when empty.
func numberCell(t *table, col *column, r *row, c conventions) (*decimal.Decimal, error) {
	v := r.cell(col.idx)
	if v == "" {
		return nil, nil
	}
	sep := col.decimal
	if t.xlsx && machineNumber(v) && !r.textNum(col.idx) {
		sep = DecimalPoint // a number cell: the workbook's own notation
	}
	d, err := ParseDecimal(v, sep)
	if err != nil {
		var ve *ValueError
		if col.undecided != "" && asValueError(err, &ve) && ve.Hint == "" {
			ve.Hint = col.undecided + `: set decimal: comma or point in the partner's sheet profile`
		}
		return nil, err
	}
	return &d, nil
}

func asValueError(err error, target **ValueError) bool {
	ve, ok := err.(*ValueError)
	if ok {
		*target = ve
	}
	return ok
}

// parseDateCell reads a date: an Excel serial in a workbook (or a CSV that
// was saved from one), else text in the column's convention.
func parseDateCell(t *table, col *column, v string, c conventions) (string, error) {
	if n, err := strconv.ParseFloat(v, 64); err == nil && machineNumber(v) && (t.xlsx || (n >= 20000 && n < 80000)) {
		return ExcelSerialDate(n, t.date1904)
	}
	var dayFirst *bool
	undecided := ""
	if col != nil {
		dayFirst, undecided = col.dayFirst, col.undecided
	} else {
		dayFirst = c.dayFirst
	}
	if dayFirst == nil && strings.Count(v, ".") == 2 {
		// 01.12.2026: dotted dates are written day first wherever they
		// are written (Germany, the Netherlands, Scandinavia, Russia).
		t := true
		dayFirst = &t
	}
	if dayFirst == nil && AmbiguousDate(v) {
		msg := "a date such as 2026-11-20"
		hint := "the day and month could be either way round: set dates: day_first or month_first in the partner's sheet profile"
		if undecided != "" {
			hint = undecided + "; " + hint
		}
		return "", &ValueError{Value: v, Want: msg, Hint: hint}
	}
	df := dayFirst != nil && *dayFirst
	return ParseDate(v, df, c.layouts)
}
