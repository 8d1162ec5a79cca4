package edifact

import (
	"time"

	"github.com/orderhub/orderhub/order"
)

// date reads DTM C507 (2380 in format 2379) as YYYY-MM-DD, or records why
// it cannot. latest takes the end of a range or week rather than its
// start.
func (m *mapper) date(s *Segment, latest bool) (string, bool) {
	v, format := s.Raw(1, 2), s.Str(1, 3)
	if len(v) == 0 {
		m.fail(s, 1, 2, CodeMissing, "the date (2380) is missing")
		return "", false
	}
	iso, res := ediDate(v, format, latest)
	switch res {
	case dateOK:
		return iso, true
	case dateFormat:
		m.fail(s, 1, 3, CodeInvalidValue, "date format %q is not one orderhub reads (101, 102, 203, 204, 616, 718, 719)", format)
	default:
		f := formatOr(format, len(v))
		m.fail(s, 1, 2, CodeInvalidValue, "want a date in format %s (%s), got %q", f, dateLayouts[f], v)
	}
	return "", false
}

// Results of ediDate.
const (
	dateOK     = iota
	dateFormat // a format orderhub does not read
	dateValue  // a value that is not a date in its format
)

// dateLayouts are the formats (2379) orderhub reads, by code.
var dateLayouts = map[string]string{
	"101": "YYMMDD",
	"102": "CCYYMMDD",
	"203": "CCYYMMDDHHMM",
	"204": "CCYYMMDDHHMMSS",
	"616": "CCYYWW",
	"718": "CCYYMMDD-CCYYMMDD",
	"719": "CCYYMMDDHHMM-CCYYMMDDHHMM",
}

// formatOr is format, or when it is absent (2379 is conditional) the one
// a value of n characters is written in.
func formatOr(format string, n int) string {
	if format != "" {
		return format
	}
	switch n {
	case 6:
		return "101"
	case 12:
		return "203"
	case 14:
		return "204"
	}
	return "102"
}

// ediDate reads v, written in format (2379), as YYYY-MM-DD. Of a range
// (718, 719) or a week (616, ISO 8601: Monday to Sunday) it takes the
// start, or the end when latest is set. A time of day is checked, and
// dropped: canonical dates have none.
func ediDate(v []byte, format string, latest bool) (string, int) {
	format = formatOr(format, len(v))
	layout, ok := dateLayouts[format]
	if !ok {
		return "", dateFormat
	}
	if len(v) != len(layout) {
		return "", dateValue
	}
	for i := 0; i < len(v); i++ {
		if layout[i] == '-' {
			if v[i] != '-' {
				return "", dateValue
			}
		} else if v[i] < '0' || v[i] > '9' {
			return "", dateValue
		}
	}
	switch format {
	case "616":
		return weekDate(atoiDigits(v[:4]), atoiDigits(v[4:6]), latest)
	case "718", "719":
		half := (len(v) - 1) / 2
		from, to := v[:half], v[half+1:]
		a, ra := calendarDate(from)
		b, rb := calendarDate(to)
		if ra != dateOK || rb != dateOK || b < a {
			return "", dateValue
		}
		if latest {
			return b, dateOK
		}
		return a, dateOK
	}
	return calendarDate(v)
}

// calendarDate reads YYMMDD, CCYYMMDD and those followed by HHMM or
// HHMMSS.
func calendarDate(v []byte) (string, int) {
	if n := len(v); n == 12 || n == 14 {
		hh, mm := atoiDigits(v[8:10]), atoiDigits(v[10:12])
		ss := 0
		if n == 14 {
			ss = atoiDigits(v[12:14])
		}
		if hh > 24 || mm > 59 || ss > 59 || hh == 24 && mm+ss > 0 {
			return "", dateValue
		}
		v = v[:8]
	}
	iso, ok := order.FromCompactDate(v)
	if !ok {
		return "", dateValue
	}
	return iso, dateOK
}

// weekDate is the Monday (or with latest the Sunday) of ISO week w of
// year y.
func weekDate(y, w int, latest bool) (string, int) {
	// 4 January is always in week 1.
	jan4 := time.Date(y, time.January, 4, 0, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	d := monday.AddDate(0, 0, (w-1)*7)
	if yy, ww := d.ISOWeek(); w < 1 || yy != y || ww != w {
		return "", dateValue
	}
	if latest {
		d = d.AddDate(0, 0, 6)
	}
	return d.Format(time.DateOnly), dateOK
}

// atoiDigits reads digits already checked to be digits.
func atoiDigits(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}
