package sheet

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// dateWant is what a date column wants.
const dateWant = "a date such as 2026-11-20"

// ParseDate reads a date cell written as text: ISO (2026-11-20, 2026/11/20,
// 20261120), and day/month forms with / . - separators and 2- or 4-digit years
// (20/11/2026, 20.11.26, 11/20/2026). dayFirst says how to read a/b/yyyy when both a
// and b are ≤ 12: true day first (Europe), false month first (US); when the
// values themselves settle it (a part > 12) they win and dayFirst is not needed.
// layouts are extra Go time layouts from the partner profile, tried first.
// Chinese forms "2026年11月20日" and month names in English, Dutch, German, French,
// Spanish ("20 Nov 2026", "20 november 2026", "20. November 2026", "20 nov. 2026",
// "20 de noviembre de 2026") are accepted. Returns ISO YYYY-MM-DD or a *ValueError
// (Want: "a date such as 2026-11-20").
//
// Also accepted: a time of day after the date, which is dropped
// ("2026-11-20 14:30:00", "20/11/2026 2:30 PM", "2026-11-20T14:30:00Z");
// month-first and year-first names ("Nov 20, 2026", "2026 Nov 20"); Excel's
// "20-Nov-26"; ordinals ("20th", "1er", "1º"); a leading weekday name
// ("Friday, 20 November 2026"); 2026年11月20号 and the Korean 년월일 form;
// fullwidth digits. Month names may be abbreviated to any prefix of three
// letters or more that names one month ("sept", "févr", "juil"), with or
// without accents. A two-digit year is read as Go's time package reads
// "06": 69–99 are 1969–1999, 00–68 are 2000–2068. Forms not listed, such as
// 6-digit 201126, are errors rather than guesses.
func ParseDate(s string, dayFirst bool, layouts []string) (string, error) {
	t := strings.TrimSpace(s)
	for _, layout := range layouts {
		if tm, err := time.Parse(layout, t); err == nil && tm.Year() >= 1 && tm.Year() <= 9999 {
			return tm.Format(time.DateOnly), nil
		}
	}
	y, m, d, hint, ok := parseDate(t, dayFirst)
	if !ok {
		return "", &ValueError{Value: s, Want: dateWant, Hint: hint}
	}
	if hint = checkDate(y, m, d); hint != "" {
		return "", &ValueError{Value: s, Want: dateWant, Hint: hint}
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d), nil
}

// AmbiguousDate tells whether s is an a/b/y date with both a and b ≤ 12 and a != b
// (so which is the day depends on the convention).
func AmbiguousDate(s string) bool {
	toks, ok := dateTokens(strings.TrimSpace(s))
	if !ok {
		return false
	}
	a, b, y, ok := numericDMY(toks)
	if !ok || len(a) > 2 || len(b) > 2 || len(y) != 2 && len(y) != 4 {
		return false
	}
	ai, bi := atoi(a), atoi(b)
	return ai >= 1 && ai <= 12 && bi >= 1 && bi <= 12 && ai != bi
}

// parseDate reads the fields of t; checkDate then says whether they make
// a day. hint says why t is no date when there is more to say than Want.
func parseDate(t string, dayFirst bool) (y, m, d int, hint string, ok bool) {
	if strings.ContainsAny(t, "年년") {
		return parseCJKDate(t)
	}
	toks, ok := dateTokens(t)
	if !ok {
		return 0, 0, 0, "", false
	}
	if len(toks) == 1 && toks[0].kind == tokNum && len(toks[0].text) == 8 {
		n := toks[0].text
		return atoi(n[:4]), atoi(n[4:6]), atoi(n[6:]), "", true
	}
	if a, b, c, ok := numericDMY(toks); ok {
		if len(a) == 4 {
			if len(b) > 2 || len(c) > 2 {
				return 0, 0, 0, "", false
			}
			return atoi(a), atoi(b), atoi(c), "", true
		}
		if len(a) > 2 || len(b) > 2 || len(c) != 2 && len(c) != 4 {
			return 0, 0, 0, "", false
		}
		ai, bi := atoi(a), atoi(b)
		y = year(c)
		switch {
		case ai > 12 && bi > 12:
			return 0, 0, 0, fmt.Sprintf("neither %d nor %d can be the month", ai, bi), false
		case ai > 12:
			return y, bi, ai, "", true
		case bi > 12 || !dayFirst:
			return y, ai, bi, "", true
		default:
			return y, bi, ai, "", true
		}
	}
	return namedDate(toks)
}

// checkDate says what is wrong with y-m-d as a day of the calendar, ""
// when nothing is.
func checkDate(y, m, d int) string {
	switch {
	case y < 1 || y > 9999:
		return fmt.Sprintf("year %d is out of range", y)
	case m < 1 || m > 12:
		return fmt.Sprintf("%d is not a month", m)
	}
	days := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if d < 1 || d > days {
		return fmt.Sprintf("%s %d has %d days", time.Month(m), y, days)
	}
	return ""
}

// year reads a 2- or 4-digit year; 2 digits as Go reads "06".
func year(s string) int {
	y := atoi(s)
	if len(s) == 2 {
		if y >= 69 {
			return 1900 + y
		}
		return 2000 + y
	}
	return y
}

// atoi reads a run of at most 9 ASCII digits, as dateTokens makes them.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// parseCJKDate reads 2026年11月20日 (also 号, and 년월일), spaces allowed.
func parseCJKDate(t string) (y, m, d int, hint string, ok bool) {
	t, ok = cutTime(foldNumber(t))
	if !ok {
		return 0, 0, 0, "", false
	}
	t = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, t)
	var parts [3]string
	for i, marks := range [3][]string{{"年", "년"}, {"月", "월"}, {"日", "일", "号", "號"}} {
		found := false
		for _, mark := range marks {
			if before, after, ok := strings.Cut(t, mark); ok {
				parts[i], t, found = before, after, true
				break
			}
		}
		if !found && i == 2 {
			parts[i], t, found = t, "", true // 2026年11月20
		}
		if !found {
			return 0, 0, 0, "", false
		}
	}
	if t != "" || len(parts[0]) != 4 || !allDigits(parts[0]) {
		return 0, 0, 0, "", false
	}
	for _, p := range parts[1:] {
		if p == "" || len(p) > 2 || !allDigits(p) {
			return 0, 0, 0, "", false
		}
	}
	return atoi(parts[0]), atoi(parts[1]), atoi(parts[2]), "", true
}

type tokKind uint8

const (
	tokNum  tokKind = iota // digits
	tokWord                // letters, lower case, accents off
	tokSep                 // one of / . - , or a space
)

type dateToken struct {
	kind tokKind
	text string
}

// dateTokens splits a date (its time of day cut off) into numbers, words
// and separators; ok is false on any other character, on a number of more
// than 8 digits or on more than 16 tokens: no date is that long.
func dateTokens(t string) (toks []dateToken, ok bool) {
	t, ok = cutTime(foldNumber(t))
	if !ok {
		return nil, false
	}
	for i := 0; i < len(t); {
		r, size := utf8.DecodeRuneInString(t[i:])
		switch {
		case '0' <= r && r <= '9':
			j := i
			for j < len(t) && '0' <= t[j] && t[j] <= '9' {
				j++
			}
			if j-i > 8 {
				return nil, false
			}
			toks = append(toks, dateToken{tokNum, t[i:j]})
			i = j
		case unicode.IsLetter(r):
			j := i
			for j < len(t) {
				r, size := utf8.DecodeRuneInString(t[j:])
				if !unicode.IsLetter(r) {
					break
				}
				j += size
			}
			toks = append(toks, dateToken{tokWord, foldAccents(t[i:j])})
			i = j
		case r == '/' || r == '.' || r == '-' || r == ',':
			toks = append(toks, dateToken{tokSep, t[i : i+1]})
			i++
		case r == ' ':
			toks = append(toks, dateToken{tokSep, " "})
			i += size
		default:
			return nil, false
		}
		if len(toks) > 16 {
			return nil, false
		}
	}
	return toks, len(toks) > 0
}

// numericDMY matches number sep number sep number with the same separator
// (/ . or -) twice, spaces allowed around them ("20. 11. 2026").
func numericDMY(toks []dateToken) (a, b, c string, ok bool) {
	var nums []string
	var seps []string
	pending := ""
	for _, tk := range toks {
		switch tk.kind {
		case tokWord:
			return "", "", "", false
		case tokNum:
			if len(nums) > 0 {
				if pending == "" {
					return "", "", "", false
				}
				seps = append(seps, pending)
			} else if pending != "" {
				return "", "", "", false
			}
			nums = append(nums, tk.text)
			pending = ""
		case tokSep:
			if tk.text == " " {
				continue
			}
			if pending != "" {
				return "", "", "", false
			}
			pending = tk.text
		}
	}
	if len(nums) != 3 || pending != "" || seps[0] != seps[1] || seps[0] == "," {
		return "", "", "", false
	}
	return nums[0], nums[1], nums[2], true
}

// namedDate reads a date with its month in words: day month year, month
// day year or year month day, with fillers, ordinals and a weekday about.
func namedDate(toks []dateToken) (y, m, d int, hint string, ok bool) {
	type item struct {
		num   string
		month int // 0 for a number
	}
	var items []item
	for i, tk := range toks {
		switch tk.kind {
		case tokSep:
			continue
		case tokNum:
			items = append(items, item{num: tk.text})
			continue
		}
		if dateFillers[tk.text] {
			continue
		}
		if weekdays[tk.text] && i == 0 {
			continue
		}
		mo := monthOf(tk.text)
		if mo == 0 {
			return 0, 0, 0, "", false
		}
		items = append(items, item{month: mo})
	}
	if len(items) != 3 {
		return 0, 0, 0, "", false
	}
	dayYear := func(day, yr string) (int, int, int, string, bool) {
		if len(day) > 2 || len(yr) != 2 && len(yr) != 4 {
			return 0, 0, 0, "", false
		}
		return year(yr), 0, atoi(day), "", true
	}
	switch a, b, c := items[0], items[1], items[2]; {
	case a.month == 0 && b.month != 0 && c.month == 0 && len(a.num) == 4:
		if len(c.num) > 2 {
			return 0, 0, 0, "", false
		}
		return atoi(a.num), b.month, atoi(c.num), "", true
	case a.month == 0 && b.month != 0 && c.month == 0:
		y, _, d, hint, ok = dayYear(a.num, c.num)
		return y, b.month, d, hint, ok
	case a.month != 0 && b.month == 0 && c.month == 0:
		y, _, d, hint, ok = dayYear(b.num, c.num)
		return y, a.month, d, hint, ok
	}
	return 0, 0, 0, "", false
}

// dateFillers are the words a written date has besides its parts:
// Spanish "de", English "of", ordinal endings (1st, 1er, 1e, 1º).
var dateFillers = map[string]bool{
	"de": true, "del": true, "of": true, "the": true, "le": true,
	"st": true, "nd": true, "rd": true, "th": true, "er": true, "e": true,
	"º": true, "ª": true,
}

// weekdays may open a date ("Friday, 20 November 2026"); whole names only,
// and English abbreviations, since Spanish "mar" (martes) is also March.
var weekdays = map[string]bool{
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true, "saturday": true, "sunday": true,
	"mon": true, "tue": true, "tues": true, "wed": true, "thu": true, "thur": true, "thurs": true, "fri": true, "sat": true, "sun": true,
	"maandag": true, "dinsdag": true, "woensdag": true, "donderdag": true, "vrijdag": true, "zaterdag": true, "zondag": true,
	"montag": true, "dienstag": true, "mittwoch": true, "donnerstag": true, "freitag": true, "samstag": true, "sonntag": true,
	"lundi": true, "mardi": true, "mercredi": true, "jeudi": true, "vendredi": true, "samedi": true, "dimanche": true,
	"lunes": true, "martes": true, "miercoles": true, "jueves": true, "viernes": true, "sabado": true, "domingo": true,
}

// monthNames are the months' full names in English, Dutch, German, French
// and Spanish, lower case and without accents; a word of three letters or
// more that begins only names of one month is that month.
var monthNames = [...][]string{
	1:  {"january", "januari", "januar", "janner", "janvier", "enero"},
	2:  {"february", "februari", "februar", "fevrier", "febrero"},
	3:  {"march", "maart", "marz", "maerz", "mars", "marzo"},
	4:  {"april", "avril", "abril"},
	5:  {"may", "mei", "mai", "mayo"},
	6:  {"june", "juni", "juin", "junio"},
	7:  {"july", "juli", "juillet", "julio"},
	8:  {"august", "augustus", "aout", "agosto"},
	9:  {"september", "septembre", "septiembre", "setiembre"},
	10: {"october", "oktober", "octobre", "octubre"},
	11: {"november", "novembre", "noviembre"},
	12: {"december", "dezember", "decembre", "diciembre"},
}

// monthAbbrevs are the abbreviations that are no prefix of a name.
var monthAbbrevs = map[string]int{"mrt": 3, "mrz": 3}

// monthOf is the month w names, 0 when none or more than one.
func monthOf(w string) int {
	if m, ok := monthAbbrevs[w]; ok {
		return m
	}
	if utf8.RuneCountInString(w) < 3 {
		return 0
	}
	found := 0
	for m, names := range monthNames {
		for _, name := range names {
			if strings.HasPrefix(name, w) {
				if found != 0 && found != m {
					return 0
				}
				found = m
			}
		}
	}
	return found
}

// foldAccents lowers w and takes the accents off the letters month names
// use, so "Février", "fevrier" and "FÉVR" meet.
func foldAccents(w string) string {
	return strings.Map(func(r rune) rune {
		switch r = unicode.ToLower(r); r {
		case 'á', 'à', 'â', 'ä':
			return 'a'
		case 'é', 'è', 'ê', 'ë':
			return 'e'
		case 'í', 'ì', 'î', 'ï':
			return 'i'
		case 'ó', 'ò', 'ô', 'ö':
			return 'o'
		case 'ú', 'ù', 'û', 'ü':
			return 'u'
		case 'ç':
			return 'c'
		case 'ñ':
			return 'n'
		}
		return r
	}, w)
}

// cutTime cuts a time of day off the end of t: after a space or a T, H:MM
// with optional :SS, fraction, AM/PM and zone (Z, +01:00, +0100). ok is
// false when there is a colon but no such time.
func cutTime(t string) (date string, ok bool) {
	colon := strings.IndexByte(t, ':')
	if colon < 0 {
		return t, true
	}
	h := colon
	for h > 0 && '0' <= t[h-1] && t[h-1] <= '9' {
		h--
	}
	if colon-h < 1 || colon-h > 2 || h < 2 || t[h-1] != ' ' && t[h-1] != 'T' {
		return "", false
	}
	if !validTime(t[h:]) {
		return "", false
	}
	return strings.TrimRight(t[:h-1], " "), true
}

// validTime tells whether s is a time of day as cutTime takes it.
func validTime(s string) bool {
	digits := func(n int) (int, bool) {
		if len(s) < n || !allDigits(s[:n]) {
			return 0, false
		}
		v := atoi(s[:n])
		s = s[n:]
		return v, true
	}
	hourLen := 1
	if len(s) > 1 && '0' <= s[1] && s[1] <= '9' {
		hourLen = 2
	}
	hour, _ := digits(hourLen)
	s = s[1:] // the colon
	minute, ok := digits(2)
	if !ok || hour > 23 || minute > 59 {
		return false
	}
	if strings.HasPrefix(s, ":") {
		s = s[1:]
		if sec, ok := digits(2); !ok || sec > 60 {
			return false
		}
		if strings.HasPrefix(s, ".") || strings.HasPrefix(s, ",") {
			s = s[1:]
			n := 0
			for n < len(s) && '0' <= s[n] && s[n] <= '9' {
				n++
			}
			if n == 0 {
				return false
			}
			s = s[n:]
		}
	}
	s = strings.TrimLeft(s, " ")
	if len(s) >= 2 && (strings.EqualFold(s[:2], "am") || strings.EqualFold(s[:2], "pm")) {
		if hour < 1 || hour > 12 {
			return false
		}
		s = strings.TrimLeft(s[2:], " ")
	}
	switch {
	case s == "" || s == "Z" || s == "z":
		return true
	case s[0] == '+' || s[0] == '-':
		s = s[1:]
		if _, ok := digits(2); !ok {
			return false
		}
		s = strings.TrimPrefix(s, ":")
		if s == "" {
			return true
		}
		_, ok := digits(2)
		return ok && s == ""
	}
	return false
}
