package order

// FromCompactDate reads a date written as EDI writes it, CCYYMMDD or YYMMDD
// (50 to 99 the 1900s, as X12 and EDIFACT readers take them), as the
// canonical YYYY-MM-DD. It is false when v is not a calendar date in one
// of those forms.
func FromCompactDate(v []byte) (string, bool) {
	var d [8]byte
	switch len(v) {
	case 6:
		if v[0] >= '5' {
			d[0], d[1] = '1', '9'
		} else {
			d[0], d[1] = '2', '0'
		}
		copy(d[2:], v)
	case 8:
		copy(d[:], v)
	default:
		return "", false
	}
	for _, c := range d {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	y, mo, day := digits(d[:4]), digits(d[4:6]), digits(d[6:8])
	if mo < 1 || mo > 12 || day < 1 || day > daysIn(y, mo) {
		return "", false
	}
	var out [10]byte
	copy(out[:4], d[:4])
	out[4], out[7] = '-', '-'
	copy(out[5:7], d[4:6])
	copy(out[8:], d[6:8])
	return string(out[:]), true
}

// digits reads digits already checked to be digits.
func digits(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
