package sheet

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Excel's day 0 in each system. In the 1900 system serials from 61 on
// count from 1899-12-30, because Lotus 1-2-3, and Excel after it, holds
// 1900 a leap year: serial 60 is 1900-02-29, a day that never was, and
// serials 1 to 59 count from 1899-12-31.
var (
	excelEpoch1900 = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	excelEpoch1904 = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	lastISODay     = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
)

// ExcelSerialDate turns an Excel date serial (days, fraction = time of day, ignored) into
// ISO YYYY-MM-DD. date1904 selects the 1904 system (serial 0 = 1904-01-01); otherwise the
// 1900 system with Lotus's phantom 1900-02-29 (serial 60), so serial 1 = 1900-01-01,
// 59 = 1900-02-28, 61 = 1900-03-01, 45981 = 2025-11-20. Serials < 1 (or < 0 in 1904) or
// beyond 9999-12-31 are a *ValueError.
//
// Serial 60 itself is a *ValueError too: the day it stands for did not
// exist, and moving it to a neighbour would be a guess.
func ExcelSerialDate(serial float64, date1904 bool) (string, error) {
	epoch, first := excelEpoch1900, 1.0
	if date1904 {
		epoch, first = excelEpoch1904, 0
	}
	// Unix seconds: a time.Duration does not reach 8000 years.
	last := float64((lastISODay.Unix() - epoch.Unix()) / 86400)
	value := strconv.FormatFloat(serial, 'f', -1, 64)
	want := fmt.Sprintf("an Excel date serial from %.0f to %.0f", first, last)
	if date1904 {
		want += " (1904 date system)"
	}
	day := math.Floor(serial)
	if math.IsNaN(serial) || day < first || day > last {
		return "", &ValueError{Value: value, Want: want}
	}
	n := int(day)
	if !date1904 {
		switch {
		case n == 60:
			return "", &ValueError{Value: value, Want: want,
				Hint: "serial 60 is 1900-02-29, which Excel counts but the calendar does not have"}
		case n < 60:
			n++
		}
	}
	return epoch.AddDate(0, 0, n).Format(time.DateOnly), nil
}
