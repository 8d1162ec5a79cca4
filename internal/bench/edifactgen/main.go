// Command edifactgen writes a synthetic UN/EDIFACT document of about -mb
// megabytes: EANCOM ORDERS D96A messages of 10 lines (BGM, DTM, RFF, NAD
// with GLNs and addresses, some with release characters and ISO 8859-1
// letters, CUX, LIN/PIA/IMD/QTY/PRI, UNS, CNT) in UNOC interchanges, for
// measuring the EDIFACT reader and the whole product on large files.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/orderhub/orderhub/internal/bench/edifactgen/orders96a"
)

func main() {
	mb := flag.Int("mb", 100, "size to write, in MiB")
	out := flag.String("o", "", "output file (default standard output)")
	lines := flag.Int("lines", 10, "LIN groups per order")
	perIX := flag.Int("messages-per-interchange", 1000, "messages per interchange; -1: all in one interchange")
	term := flag.String("term", "'\n", "segment terminator ('), with what follows it")
	seed := flag.Uint64("seed", 1, "seed of the values")
	flag.Parse()
	cfg := orders96a.Config{
		Size: int64(*mb) << 20, Lines: *lines, MessagesPerInterchange: *perIX, Terminator: *term, Seed: *seed,
	}
	if err := run(*out, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "edifactgen:", err)
		os.Exit(1)
	}
}

func run(out string, cfg orders96a.Config) error {
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

func write(w *os.File, cfg orders96a.Config) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	st, err := orders96a.Write(bw, cfg)
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "edifactgen: %d bytes, %d interchanges, %d messages, %d lines, %d segments\n",
		st.Bytes, st.Interchanges, st.Messages, st.Lines, st.Segments)
	return nil
}
