package sheet

import (
	"errors"
	"math"
	"testing"
)

func TestExcelSerialDate(t *testing.T) {
	const bad = "error"
	tests := []struct {
		serial   float64
		date1904 bool
		want     string
	}{
		{1, false, "1900-01-01"},
		{1.99, false, "1900-01-01"},
		{2, false, "1900-01-02"},
		{31, false, "1900-01-31"},
		{59, false, "1900-02-28"},
		{59.5, false, "1900-02-28"},
		{60, false, bad},
		{60.25, false, bad},
		{61, false, "1900-03-01"},
		{366, false, "1900-12-31"},
		{367, false, "1901-01-01"},
		{1461, false, "1903-12-31"},
		{1462, false, "1904-01-01"},
		{25569, false, "1970-01-01"},
		{36526, false, "2000-01-01"},
		{45981, false, "2025-11-20"},
		{45981.75, false, "2025-11-20"},
		{46346, false, "2026-11-20"},
		{2958465, false, "9999-12-31"},
		{2958465.999, false, "9999-12-31"},
		{2958466, false, bad},
		{0, false, bad},
		{0.5, false, bad},
		{0.999, false, bad},
		{-1, false, bad},
		{1e300, false, bad},
		{math.NaN(), false, bad},
		{math.Inf(1), false, bad},
		{math.Inf(-1), false, bad},
		{0, true, "1904-01-01"},
		{0.5, true, "1904-01-01"},
		{1, true, "1904-01-02"},
		{59, true, "1904-02-29"},
		{60, true, "1904-03-01"},
		{44519, true, "2025-11-20"},
		{44884, true, "2026-11-20"},
		{2957003, true, "9999-12-31"},
		{2957004, true, bad},
		{-0.5, true, bad},
		{-1, true, bad},
		{math.NaN(), true, bad},
	}
	for _, tt := range tests {
		got, err := ExcelSerialDate(tt.serial, tt.date1904)
		if tt.want == bad {
			var ve *ValueError
			if !errors.As(err, &ve) {
				t.Errorf("ExcelSerialDate(%v, %v) = %q, %v; want a *ValueError", tt.serial, tt.date1904, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ExcelSerialDate(%v, %v) = %q, %v; want %q", tt.serial, tt.date1904, got, err, tt.want)
		}
	}
	// The two systems are 1462 days apart from 1904-01-01 on.
	for _, s := range []float64{1462, 20000, 45981, 2958465} {
		a, err1 := ExcelSerialDate(s, false)
		b, err2 := ExcelSerialDate(s-1462, true)
		if err1 != nil || err2 != nil || a != b {
			t.Errorf("serial %v: 1900 system %q (%v), 1904 system %q (%v)", s, a, err1, b, err2)
		}
	}
}

func TestExcelSerialDateErrors(t *testing.T) {
	tests := []struct {
		serial   float64
		date1904 bool
		want     string
	}{
		{0, false, `want an Excel date serial from 1 to 2958465, got "0"`},
		{2958466.5, false, `want an Excel date serial from 1 to 2958465, got "2958466.5"`},
		{60, false, `want an Excel date serial from 1 to 2958465, got "60"; serial 60 is 1900-02-29, which Excel counts but the calendar does not have`},
		{-1, true, `want an Excel date serial from 0 to 2957003 (1904 date system), got "-1"`},
		{math.NaN(), false, `want an Excel date serial from 1 to 2958465, got "NaN"`},
	}
	for _, tt := range tests {
		_, err := ExcelSerialDate(tt.serial, tt.date1904)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ExcelSerialDate(%v, %v) error:\n got %v\nwant %s", tt.serial, tt.date1904, err, tt.want)
		}
	}
}
