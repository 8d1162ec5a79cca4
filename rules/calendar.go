package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	// The zone database in the binary: a warehouse's time zone must not
	// depend on the machine's /usr/share/zoneinfo (absent in a minimal
	// container, and a missing zone would stop the rules from loading).
	_ "time/tzdata"
)

// calendar is a warehouse's shipping calendar as validate reads it from
// cut_off, timezone, closed and holidays.
type calendar struct {
	loc *time.Location
	// cutOff is the time of day (since midnight) from which an order ships
	// the next working day; negative: no cut-off.
	cutOff   time.Duration
	closed   [7]bool // by time.Weekday
	holidays map[string]bool
}

// workday tells whether the warehouse ships on day (a date at midnight
// UTC).
func (c *calendar) workday(day time.Time) bool {
	return !c.closed[day.Weekday()] && !c.holidays[day.Format(dateLayout)]
}

// ShipDate is the day (YYYY-MM-DD) warehouse wh ships an order routed at
// now: in the warehouse's time zone, today when now is before its cut-off
// (at the cut-off is after it), else the next day; not before notBefore
// (the requested ship date, "" for none); and from there the first day the
// warehouse works (not closed, not a holiday). A warehouse the rules give
// no calendar works every day, in UTC, without a cut-off.
func (s *Set) ShipDate(wh string, now time.Time, notBefore string) string {
	c := &calendar{loc: time.UTC, cutOff: -1}
	if w := s.warehouse(wh); w != nil && w.cal != nil {
		c = w.cal
	}
	local := now.In(c.loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	// The cut-off is a wall-clock time, also on the days the clocks change.
	wall := time.Duration(local.Hour())*time.Hour + time.Duration(local.Minute())*time.Minute + time.Duration(local.Second())*time.Second
	if c.cutOff >= 0 && wall >= c.cutOff {
		day = day.AddDate(0, 0, 1)
	}
	if notBefore != "" {
		if nb, err := time.Parse(dateLayout, notBefore); err == nil && nb.After(day) {
			day = nb
		}
	}
	// validate refuses a week with no working day, so this ends within a
	// week plus the holidays in a row; the bound guards a calendar made in
	// code.
	for i := 0; i <= 7+len(c.holidays) && !c.workday(day); i++ {
		day = day.AddDate(0, 0, 1)
	}
	return day.Format(dateLayout)
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// weekday reads "sat", "Saturday" or "SAT".
func weekday(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) < 3 {
		return 0, false
	}
	d, ok := weekdays[s[:3]]
	if !ok || (len(s) > 3 && s != strings.ToLower(d.String())) {
		return 0, false
	}
	return d, true
}

// validateCalendar checks a warehouse's cut_off, timezone, closed and
// holidays, and keeps what they say for ShipDate.
func (w *Warehouse) validateCalendar(path string, add func(path, format string, args ...any)) {
	if w.CutOff == "" && w.Timezone == "" && len(w.Closed) == 0 && len(w.Holidays) == 0 {
		w.cal = nil
		return
	}
	c := &calendar{loc: time.UTC, cutOff: -1, holidays: map[string]bool{}}
	if w.Timezone != "" {
		loc, err := time.LoadLocation(w.Timezone)
		// "Local" is whatever machine runs orderhub: never a
		// warehouse's zone.
		if err != nil || w.Timezone == "Local" {
			add(path+".timezone", "want an IANA time zone such as America/New_York or Europe/Amsterdam, got %q", w.Timezone)
		} else {
			c.loc = loc
		}
	}
	if w.CutOff != "" {
		d, ok := clock(w.CutOff)
		if !ok {
			add(path+".cut_off", `want a time of day HH:MM such as "15:00", got %q`, w.CutOff)
		} else {
			c.cutOff = d
		}
	}
	for i, s := range w.Closed {
		d, ok := weekday(s)
		if !ok {
			add(fmt.Sprintf("%s.closed[%d]", path, i), "want a day of the week (mon, tue, wed, thu, fri, sat, sun), got %q", s)
			continue
		}
		c.closed[d] = true
	}
	if c.closed == [7]bool{true, true, true, true, true, true, true} {
		add(path+".closed", "a warehouse closed every day of the week never ships")
	}
	for i, h := range w.Holidays {
		if _, err := time.Parse(dateLayout, h); err != nil {
			add(fmt.Sprintf("%s.holidays[%d]", path, i), "want a date YYYY-MM-DD, got %q", h)
			continue
		}
		c.holidays[h] = true
	}
	w.cal = c
}

// clock reads "HH:MM" (24-hour) as the time since midnight.
func clock(s string) (time.Duration, bool) {
	hh, mm, ok := strings.Cut(s, ":")
	if !ok || len(hh) < 1 || len(hh) > 2 || len(mm) != 2 || strings.Trim(hh+mm, "0123456789") != "" {
		return 0, false
	}
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, true
}
