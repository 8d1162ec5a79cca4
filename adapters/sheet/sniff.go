package sheet

// delimiterCandidates in the order that breaks ties: the comma first as
// the one most files use, the semicolon next as the one Excel writes where
// the comma is the decimal separator.
var delimiterCandidates = [...]byte{',', ';', '\t', '|'}

// SniffDelimiter picks the CSV field delimiter among ',', ';', '\t', '|' from a sample
// of UTF-8 text (the first lines of the file): the one that splits the most lines into
// the same number (>1) of fields, with quotes respected (a delimiter inside "..." does
// not count; quoted fields may contain newlines). Ties go in the order , ; \t |.
// ok is false when no candidate splits any line (a one-column file): the caller then
// uses ','.
//
// A quote opens a quoted field at the start of a line or after any of the
// four candidates, not only after the one being tried: under the wrong
// candidate, `1;"a,b<newline>c,d"` must still read as one record holding
// no comma. Elsewhere a quote is text, as the inch mark in `Pipe 3/4",12`
// is for encoding/csv. Lines end at \n,
// \r\n or a lone \r (old Mac exports). Blank lines count for nothing. A
// last line without its line break is left out when other lines are
// complete, since a sample cut from a longer file usually ends mid-row.
// When ok is false, delim is ','.
func SniffDelimiter(sample []byte) (delim rune, ok bool) {
	best, bestScore := ',', 0
	for _, d := range delimiterCandidates {
		if score := splitScore(sample, d); score > bestScore {
			best, bestScore = rune(d), score
		}
	}
	return best, bestScore > 0
}

// splitScore is how many records of sample split on d into the field count
// most of them share, counts of one field left out.
func splitScore(sample []byte, d byte) int {
	counts := make(map[int]int)
	complete := 0 // records ended by a line break
	fields, blank, inQuote := 1, true, false
	endRecord := func() {
		if !blank && fields > 1 {
			counts[fields]++
		}
		fields, blank = 1, true
	}
	for i := 0; i < len(sample); i++ {
		c := sample[i]
		if inQuote {
			if c == '"' {
				if i+1 < len(sample) && sample[i+1] == '"' {
					i++
				} else {
					inQuote = false
				}
			}
			continue
		}
		switch {
		case c == d:
			fields++
			blank = false
		case c == '\n' || c == '\r':
			if c == '\r' && i+1 < len(sample) && sample[i+1] == '\n' {
				i++
			}
			if !blank {
				complete++
			}
			endRecord()
		case c == '"' && (blank || isCandidate(sample[i-1])):
			inQuote = true
			blank = false
		default:
			blank = false
		}
	}
	if !blank && complete == 0 {
		endRecord()
	}
	best := 0
	for _, n := range counts {
		best = max(best, n)
	}
	return best
}

func isCandidate(c byte) bool {
	return c == ',' || c == ';' || c == '\t' || c == '|'
}
