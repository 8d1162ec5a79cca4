// Package orders96a writes synthetic UN/EDIFACT purchase orders for
// benchmarks and fuzzing: ORDERS D96A under EANCOM (EAN008), with the
// segment mix and sizes of a retailer's real files, deterministic for a
// given seed, any size. It is shared by the edifactgen command, the edifact
// bench command and the edifact package's benchmarks and fuzz seeds.
//
// Each message is UNH, BGM 220, DTM 137 and 2 (format 102), RFF CT, NAD BY,
// SU and DP with GLNs and addresses, CUX, then per line LIN (GTIN-13), PIA
// (supplier's article number), IMD, QTY 21 and PRI AAA, then UNS, CNT 2 and
// UNT. Some party names hold release characters (?+ ?: ?' ??) and some
// ISO 8859-1 letters (valid in UNOC, the declared character set), so a
// reader's slow paths are taken as often as in real traffic.
package orders96a

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
)

// Config says what to write. The zero value writes 1 MiB.
type Config struct {
	// Size is the number of bytes to write at least (default 1 MiB):
	// messages are written until it is reached, then the interchange is
	// closed. One message at least is written.
	Size int64
	// Lines is the number of LIN groups per order (default 10).
	Lines int
	// MessagesPerInterchange (default 1000) is how many messages each
	// UNB..UNZ holds; negative puts every message in one interchange.
	MessagesPerInterchange int
	// Terminator ends each segment (default "'\n"): it must start with the
	// segment terminator, "'"; what follows it (line breaks) is no data.
	Terminator string
	// Seed makes the values (default 1).
	Seed uint64
}

// Stats says what was written.
type Stats struct {
	Bytes                                   int64
	Interchanges, Messages, Lines, Segments int
}

func (c *Config) setDefaults() {
	if c.Size <= 0 {
		c.Size = 1 << 20
	}
	if c.Lines <= 0 {
		c.Lines = 10
	}
	if c.MessagesPerInterchange == 0 {
		c.MessagesPerInterchange = 1000
	}
	if c.Terminator == "" {
		c.Terminator = "'\n"
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
}

// ErrTerminator is returned for a Config.Terminator that does not start
// with the segment terminator the UNA declares.
var ErrTerminator = errors.New("orders96a: the terminator must start with '")

// The parties: the buyer's head office sends, the supplier receives.
const (
	senderGLN    = "5412345000013"
	recipientGLN = "4012345000009"
)

// writer builds one message at a time in buf, so UNT can count its
// segments, and writes it whole.
type writer struct {
	out  io.Writer
	term string
	buf  []byte
	segs int // segments in buf
	st   Stats
	err  error
}

func (w *writer) seg(format string, args ...any) {
	w.buf = fmt.Appendf(w.buf, format, args...)
	w.buf = append(w.buf, w.term...)
	w.segs++
}

func (w *writer) flush() {
	if w.err != nil {
		return
	}
	n, err := w.out.Write(w.buf)
	w.st.Bytes += int64(n)
	w.st.Segments += w.segs
	w.err = err
	w.buf, w.segs = w.buf[:0], 0
}

// Write writes orders to out until cfg.Size bytes are written.
func Write(out io.Writer, cfg Config) (Stats, error) {
	cfg.setDefaults()
	if cfg.Terminator[0] != '\'' {
		return Stats{}, ErrTerminator
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9E3779B97F4A7C15))
	w := &writer{out: out, term: cfg.Terminator, buf: make([]byte, 0, 8<<10)}
	icr, po := 0, 4500000000+int(rng.IntN(1000000))
	// At least one message, however small the size.
	more := func() bool { return w.st.Messages == 0 || w.st.Bytes+int64(len(w.buf)) < cfg.Size }
	for more() && w.err == nil {
		icr++
		w.st.Interchanges++
		// A UNA speaks for the interchange it opens: each has its own,
		// as files that concatenate interchanges have. It is no segment
		// (not counted); its terminator is the one it declares.
		w.buf = append(w.buf, "UNA:+.? '"...)
		w.buf = append(w.buf, cfg.Terminator[1:]...)
		w.seg("UNB+UNOC:3+%s:14+%s:14+261120:0930+%d++ORDERS", senderGLN, recipientGLN, icr)
		n := 0
		for ; (cfg.MessagesPerInterchange < 0 || n < cfg.MessagesPerInterchange) && more() && w.err == nil; n++ {
			po++
			writeOrder(w, rng, cfg.Lines, n+1, po)
			w.flush()
		}
		w.seg("UNZ+%d+%d", n, icr)
		w.flush()
	}
	w.flush()
	return w.st, w.err
}

// party is a name and address, as NAD writes it. Names are written as
// they stand in the file: release characters and ISO 8859-1 bytes in
// place.
type party struct{ name, street, city, postcode, country string }

var (
	buyers = []party{
		{"GROSSMARKT NORD GMBH", "HAFENSTRASSE 12", "HAMBURG", "20457", "DE"},
		{"GROOT MARKT?+CO B.V.", "INDUSTRIEWEG 4", "ROTTERDAM", "3044 AS", "NL"},
		{"M\xdcLLER ?? S\xd6HNE KG", "K\xd6NIGSALLEE 8", "D\xdcSSELDORF", "40212", "DE"},
		{"SUPERMERCATI ITALIA S.P.A.", "VIA ROMA 1", "MILANO", "20121", "IT"},
		{"HYPER D?'ANGERS SA", "RUE DE LA GARE 3", "ANGERS", "49000", "FR"},
	}
	suppliers = []party{
		{"BEVERAGE EUROPE NV", "AVENUE LOUISE 54", "BRUXELLES", "1050", "BE"},
		{"GETR\xc4NKE S\xdcD AG", "M\xdcHLWEG 2", "M\xdcNCHEN", "80331", "DE"},
		{"NORDIC DRINKS A/S", "STRANDVEJEN 100", "K\xd8BENHAVN", "2100", "DK"},
	}
	depots = []party{
		{"ZENTRALLAGER WEST", "LOGISTIKPARK 7", "DORTMUND", "44149", "DE"},
		{"DC ZUID", "DISTRIBUTIEWEG 21", "TILBURG", "5048 AB", "NL"},
		{"ENTREP\xd4T CENTRAL", "ZONE INDUSTRIELLE 5", "ORL\xc9ANS", "45000", "FR"},
		{"MAGAZZINO NORD?:2", "VIA DELLA LOGISTICA 9", "BERGAMO", "24126", "IT"},
	}
	items = []string{"COLA CLASSIC 33CL DOSE", "MINERALWASSER SPRITZIG 1L", "ORANGENSAFT 100% 1L", "EISTEE PFIRSICH 0,5L",
		"CAF\xc9 GLAC\xc9 25CL", "APFELSCHORLE 6X1L", "ENERGY DRINK 25CL ?+ 10% GRATIS", "SUCCO DI FRUTTA ALBICOCCA"}
)

// gtin makes a GTIN-13 (or GLN) from a 12-digit number, with its check
// digit.
func gtin(n int64) string {
	var b [13]byte
	sum := 0
	for i := 11; i >= 0; i-- {
		d := int(n % 10)
		n /= 10
		b[i] = byte('0' + d)
		if i%2 == 1 {
			sum += 3 * d
		} else {
			sum += d
		}
	}
	b[12] = byte('0' + (10-sum%10)%10)
	return string(b[:])
}

func (w *writer) nad(qual string, gln int64, p party) {
	w.seg("NAD+%s+%s::9++%s+%s+%s++%s+%s", qual, gtin(gln), p.name, p.street, p.city, p.postcode, p.country)
}

func writeOrder(w *writer, rng *rand.Rand, lines, ref, po int) {
	first := w.segs
	w.seg("UNH+%d+ORDERS:D:96A:UN:EAN008", ref)
	w.seg("BGM+220+%d+9", po)
	w.seg("DTM+137:20261120:102")
	w.seg("DTM+2:202612%02d:102", 1+rng.IntN(28))
	w.seg("RFF+CT:RV-%04d", rng.IntN(10000))
	b := rng.IntN(len(buyers))
	w.nad("BY", 541234500000+int64(b), buyers[b])
	s := rng.IntN(len(suppliers))
	w.nad("SU", 401234500000+int64(s), suppliers[s])
	d := rng.IntN(len(depots))
	w.nad("DP", 541234510000+int64(d*10+rng.IntN(10)), depots[d])
	w.seg("CUX+2:EUR:9")
	for l := 1; l <= lines; l++ {
		w.seg("LIN+%d++%s:EN", l, gtin(400000000000+rng.Int64N(100000000)))
		w.seg("PIA+5+%d:SA", 100000+rng.IntN(900000))
		w.seg("IMD+F++:::%s", items[rng.IntN(len(items))])
		w.seg("QTY+21:%d:PCE", 1+rng.IntN(480))
		w.seg("PRI+AAA:%d.%02d", rng.IntN(50), rng.IntN(100))
	}
	w.seg("UNS+S")
	w.seg("CNT+2:%d", lines)
	w.seg("UNT+%d+%d", w.segs-first+1, ref)
	w.st.Messages++
	w.st.Lines += lines
}
