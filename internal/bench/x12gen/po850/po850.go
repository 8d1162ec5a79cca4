// Package po850 writes synthetic X12 850 purchase orders for benchmarks:
// realistic segment mix and sizes, deterministic for a given seed, any
// size. It is shared by the x12gen command and the x12 package's
// benchmarks.
package po850

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
)

// Config says what to write. The zero value writes 1 MiB.
type Config struct {
	// Size is the number of bytes to write at least (default 1 MiB): orders
	// are written until it is reached, then the envelopes are closed.
	Size int64
	// Lines is the number of PO1 lines per order (default 10).
	Lines int
	// SetsPerGroup (default 1000) and GroupsPerInterchange (default 5)
	// shape the envelopes.
	SetsPerGroup, GroupsPerInterchange int
	// Terminator ends each segment (default "~\n").
	Terminator string
	// Seed makes the values (default 1).
	Seed uint64
}

// Stats says what was written.
type Stats struct {
	Bytes                            int64
	Interchanges, Groups, Sets, Segs int
}

func (c *Config) setDefaults() {
	if c.Size <= 0 {
		c.Size = 1 << 20
	}
	if c.Lines <= 0 {
		c.Lines = 10
	}
	if c.SetsPerGroup <= 0 {
		c.SetsPerGroup = 1000
	}
	if c.GroupsPerInterchange <= 0 {
		c.GroupsPerInterchange = 5
	}
	if c.Terminator == "" {
		c.Terminator = "~\n"
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
}

type writer struct {
	w    *bufio.Writer
	term string
	n    int64
	segs int // segments in the current set
	st   Stats
	err  error
}

func (w *writer) seg(format string, args ...any) {
	if w.err != nil {
		return
	}
	n, err := fmt.Fprintf(w.w, format, args...)
	w.n += int64(n)
	m, err2 := w.w.WriteString(w.term)
	w.n += int64(m)
	if err == nil {
		err = err2
	}
	w.err = err
	w.segs++
	w.st.Segs++
}

// Write writes orders to out until cfg.Size bytes are written.
func Write(out io.Writer, cfg Config) (Stats, error) {
	cfg.setDefaults()
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9E3779B97F4A7C15))
	w := &writer{w: bufio.NewWriterSize(out, 1<<16), term: cfg.Terminator}
	isa, gs, st, po := 100000000, 1000, 1, 4500000000
	for w.n < cfg.Size && w.err == nil {
		isa++
		w.st.Interchanges++
		w.seg("ISA*00*          *00*          *ZZ*BIGRETAIL      *ZZ*ORDERHUB       *261120*0930*U*00401*%09d*0*P*>", isa)
		groups := 0
		for ; groups < cfg.GroupsPerInterchange && w.n < cfg.Size; groups++ {
			gs++
			w.st.Groups++
			w.seg("GS*PO*BIGRETAIL*ORDERHUB*20261120*0930*%d*X*004010", gs)
			sets := 0
			for ; sets < cfg.SetsPerGroup && w.n < cfg.Size; sets++ {
				st++
				po++
				w.st.Sets++
				writeOrder(w, rng, cfg.Lines, st, po)
			}
			w.seg("GE*%d*%d", sets, gs)
		}
		w.seg("IEA*%d*%09d", groups, isa)
	}
	if w.err == nil {
		w.err = w.w.Flush()
	}
	w.st.Bytes = w.n
	return w.st, w.err
}

var (
	cities  = []string{"COLUMBUS*OH*43215", "RENO*NV*89502", "ALLENTOWN*PA*18109", "DALLAS*TX*75201", "ONTARIO*CA*91761"}
	items   = []string{"COLA CLASSIC 12OZ CAN", "SPARKLING WATER LEMON 1L", "ORANGE JUICE 64OZ", "GREEN TEA 500ML", "ENERGY DRINK 16OZ", "ICED COFFEE 9OZ"}
	uoms    = []string{"EA", "CA", "BX", "PK"}
	charges = []string{"C*D240***12500", "A*C310***2500"}
)

func writeOrder(w *writer, rng *rand.Rand, lines, st int, po int) {
	w.segs = 0
	w.seg("ST*850*%04d", st)
	w.seg("BEG*00*SA*%d**20261120", po)
	w.seg("CUR*BY*USD")
	w.seg("REF*DP*%03d", rng.IntN(1000))
	w.seg("REF*IA*%08d", rng.IntN(100000000))
	w.seg("PER*BD*JANE BUYER*TE*5555550100")
	w.seg("FOB*PP*OR*ORIGIN")
	w.seg("ITD*01*3*2**30**60*****2%% 30 NET 60")
	w.seg("DTM*002*202612%02d", 1+rng.IntN(28))
	w.seg("DTM*010*202611%02d", 21+rng.IntN(9))
	w.seg("TD5*O*2*UPSN*M*UPS GROUND")
	w.seg("N1*ST*BIGRETAIL DC %d*92*%04d", rng.IntN(50), rng.IntN(10000))
	w.seg("N2*RECEIVING DOCK %d", 1+rng.IntN(9))
	w.seg("N3*%d DISTRIBUTION WAY", 100+rng.IntN(9900))
	w.seg("N4*%s*US", cities[rng.IntN(len(cities))])
	w.seg("N1*BT*BIGRETAIL ACCOUNTS PAYABLE*92*0001")
	w.seg("N3*1 CORPORATE PLAZA")
	w.seg("N4*COLUMBUS*OH*43215*US")
	for l := 1; l <= lines; l++ {
		sku := 1000 + rng.IntN(9000)
		w.seg("PO1*%d*%d*%s*%d.%02d**UP*0%011d*VN*SKU-%d*IN*%d", l, 1+rng.IntN(240), uoms[rng.IntN(len(uoms))], rng.IntN(100), rng.IntN(100), rng.Int64N(100000000000), sku, 80000+rng.IntN(20000))
		w.seg("PID*F****%s", items[rng.IntN(len(items))])
		w.seg("PO4*%d*%d*EA", 6*(1+rng.IntN(4)), 12)
		if rng.IntN(3) == 0 {
			w.seg("SAC*%s", charges[rng.IntN(len(charges))])
		}
	}
	w.seg("CTT*%d", lines)
	w.seg("AMT*TT*%d.%02d", rng.IntN(100000), rng.IntN(100))
	w.seg("SE*%d*%04d", w.segs+1, st)
}
