// Command x12gen writes a synthetic X12 850 document of about -mb
// megabytes: 10-line purchase orders with a realistic segment mix (BEG, CUR,
// REF, PER, FOB, ITD, DTM, TD5, N1/N2/N3/N4 loops, PO1, PID, PO4, SAC, CTT,
// AMT) in several interchanges and functional groups, for measuring the
// X12 reader and the whole product on large files.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/orderhub/orderhub/internal/bench/x12gen/po850"
)

func main() {
	mb := flag.Int("mb", 100, "size to write, in MiB")
	out := flag.String("o", "", "output file (default standard output)")
	lines := flag.Int("lines", 10, "PO1 lines per order")
	perGroup := flag.Int("sets-per-group", 1000, "transaction sets per functional group")
	perIX := flag.Int("groups-per-interchange", 5, "functional groups per interchange")
	term := flag.String("term", "~\n", "segment terminator, with what follows it")
	seed := flag.Uint64("seed", 1, "seed of the values")
	flag.Parse()
	cfg := po850.Config{
		Size: int64(*mb) << 20, Lines: *lines, SetsPerGroup: *perGroup,
		GroupsPerInterchange: *perIX, Terminator: *term, Seed: *seed,
	}
	if err := run(*out, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "x12gen:", err)
		os.Exit(1)
	}
}

func run(out string, cfg po850.Config) error {
	if out == "" {
		return write(os.Stdout, cfg)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := write(f, cfg); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func write(w *os.File, cfg po850.Config) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	st, err := po850.Write(bw, cfg)
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "x12gen: %d bytes, %d interchanges, %d groups, %d sets, %d segments\n", st.Bytes, st.Interchanges, st.Groups, st.Sets, st.Segs)
	return nil
}
