// Command edifact measures orderhub on a large EDIFACT ORDERS document,
// against the goals of the EDIFACT issue:
//
//   - R, the reader alone: edifact.NewReader and Next over the file, every
//     message's segments counted, nothing mapped. No goal: it shows how
//     much of A's time is reading.
//   - A, bytes to canonical orders: edifact.Format.Read over the file,
//     every order counted and dropped. Goal ≥ 250 MB/s with < 64 MiB peak
//     RSS.
//   - B, `orderhub translate FILE > /dev/null`: the real binary, which
//     also hashes the file, tidies each order, resolves its SKUs and encodes
//     it as a JSON line. The issue sets no goal for it.
//
// The document is written once by orders96a (-mb MiB of EANCOM ORDERS
// D96A, 10-line orders; -file keeps or reuses it). Each run is its own
// process, so the peak RSS (getrusage's ru_maxrss of the child) is that of
// the work alone, not of this process or of the generator: measures R and
// A re-execute this command, measure B runs orderhub, built from the
// repository unless -bin names it. The time is the wall clock around the
// child, start to exit. MB/s counts MB of 10^6 bytes of the file; MiB/s is
// given beside it. Each measure runs -runs times; the best and the median
// are printed. The goals are printed beside the figures; the exit code
// does not depend on them.
//
// The file is read from the page cache (it was just written, or read by the
// previous run): the figures are the CPU's, not the disk's.
//
// -cpuprofile writes a CPU profile of measure A (of R when A is not run),
// taken in one extra run after the timed ones so that profiling does not
// weigh on the figures.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/orderhub/orderhub/adapters/edifact"
	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/internal/bench/benchproc"
	"github.com/orderhub/orderhub/internal/bench/edifactgen/orders96a"
)

// The children of measures R and A are this command with these variables
// set: the file to read, the measure, whether to tune the runtime and
// where to write a CPU profile.
const (
	childEnv        = "ORDERHUB_BENCH_EDIFACT_READ"
	childMeasureEnv = "ORDERHUB_BENCH_EDIFACT_MEASURE"
	childTuneEnv    = "ORDERHUB_BENCH_EDIFACT_TUNE"
	childCPUEnv     = "ORDERHUB_BENCH_EDIFACT_CPUPROFILE"
	goalAMBps       = 250.0
	goalARSSMiB     = 64.0
)

func main() {
	if path := os.Getenv(childEnv); path != "" {
		err := child(path, os.Getenv(childMeasureEnv), os.Getenv(childTuneEnv) == "1", os.Getenv(childCPUEnv))
		if err != nil {
			fmt.Fprintln(os.Stderr, "edifact bench child:", err)
			os.Exit(1)
		}
		return
	}
	var cfg config
	flag.IntVar(&cfg.mb, "mb", 100, "size of the generated ORDERS document, in MiB")
	flag.IntVar(&cfg.perInterchange, "messages-per-interchange", 1000, "messages per UNB..UNZ in the generated document; -1: all in one")
	flag.StringVar(&cfg.file, "file", "", "document to read: reused if it exists, else generated there and kept (default a temporary file, removed after)")
	flag.IntVar(&cfg.runs, "runs", 3, "timed runs of each measure")
	flag.StringVar(&cfg.bin, "bin", "", "orderhub binary for measure B (default: built from the repository into a temporary directory)")
	flag.StringVar(&cfg.cpuprofile, "cpuprofile", "", "write a CPU profile of measure A (R when A is not run) here, from one extra, untimed run")
	flag.BoolVar(&cfg.tune, "tune", true, "in measures R and A, tune the Go runtime as orderhub does (app.TuneRuntime: GOGC 400, 1 GiB memory limit, unless GOGC/GOMEMLIMIT are set); false keeps Go's defaults")
	only := flag.String("only", "RAB", "measures to run: any of R, A and B")
	flag.Parse()
	cfg.only = strings.ToUpper(*only)
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "edifact bench:", err)
		os.Exit(1)
	}
}

type config struct {
	mb, perInterchange, runs    int
	file, bin, cpuprofile, only string
	tune                        bool
}

// childResult is what a child of measure R or A reports on its stdout.
type childResult struct {
	// Orders are A's orders; R's messages.
	Orders     int     `json:"orders"`
	Lines      int     `json:"lines"`  // A: order lines; R: LIN segments
	Errors     int     `json:"errors"` // A: refusals yielded; R: messages with errors
	FirstError string  `json:"first_error,omitempty"`
	Seconds    float64 `json:"seconds"` // the read alone, in the child
}

// child is the work of measure R or A.
func child(path, measure string, tune bool, cpuprofile string) error {
	if tune {
		app.TuneRuntime()
	}
	stop, err := benchproc.CPUProfile(cpuprofile)
	if err != nil {
		return err
	}
	defer stop()
	start := time.Now()
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var res childResult
	switch measure {
	case "R":
		err = readMessages(f, filepath.Base(path), &res)
	case "A":
		err = readOrders(f, filepath.Base(path), &res)
	default:
		err = fmt.Errorf("unknown measure %q", measure)
	}
	if err != nil {
		return err
	}
	res.Seconds = time.Since(start).Seconds()
	return json.NewEncoder(os.Stdout).Encode(res)
}

// readMessages is measure R: every message through the reader, its LIN
// segments counted, nothing mapped.
func readMessages(f *os.File, name string, res *childResult) error {
	r := edifact.NewReader(f, edifact.Options{Doc: name})
	defer r.Close()
	for {
		m, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		res.Orders++
		if len(m.Report.Errors) > 0 {
			if res.Errors == 0 {
				res.FirstError = m.Report.Errors[0].Error()
			}
			res.Errors++
		}
		for i := range m.Segments {
			if m.Segments[i].Is("LIN") {
				res.Lines++
			}
		}
	}
}

// readOrders is measure A: the file through edifact.Format.Read, every
// order counted and dropped.
func readOrders(f *os.File, name string, res *childResult) error {
	doc := format.Doc{Name: name, Transport: "file"}
	for o, err := range (&edifact.Format{}).Read(context.Background(), f, doc) {
		if err != nil {
			if fe := (*format.FatalError)(nil); errors.As(err, &fe) {
				return err
			}
			if res.Errors == 0 {
				res.FirstError = err.Error()
			}
			res.Errors++
			continue
		}
		res.Orders++
		res.Lines += len(o.Lines)
	}
	return nil
}

func run(cfg config) error {
	if cfg.runs < 1 {
		return errors.New("-runs must be at least 1")
	}
	doR, doA, doB := strings.Contains(cfg.only, "R"), strings.Contains(cfg.only, "A"), strings.Contains(cfg.only, "B")
	if !doR && !doA && !doB || strings.Trim(cfg.only, "RAB") != "" {
		return fmt.Errorf("-only %q: want any of R, A and B", cfg.only)
	}
	tmp, err := os.MkdirTemp("", "orderhub-bench-edifact-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	load := benchproc.LoadAvg()
	path, size, err := document(cfg, tmp)
	if err != nil {
		return err
	}

	var r, a, b []benchproc.Sample
	var resR, resA childResult
	if doR {
		profile := ""
		if !doA {
			profile = cfg.cpuprofile
		}
		if r, resR, err = measureChild("R", path, cfg.runs, cfg.tune, profile); err != nil {
			return err
		}
	}
	if doA {
		if a, resA, err = measureChild("A", path, cfg.runs, cfg.tune, cfg.cpuprofile); err != nil {
			return err
		}
	}
	if doB {
		if b, err = benchproc.Translate(path, cfg.runs, cfg.bin, tmp); err != nil {
			return err
		}
	}

	fmt.Println()
	fmt.Printf("EDIFACT ORDERS D96A (EANCOM) document: %d bytes (%.1f MiB)", size, float64(size)/(1<<20))
	switch {
	case doA:
		fmt.Printf(", %d orders, %d lines, %d refusals", resA.Orders, resA.Lines, resA.Errors)
	case doR:
		fmt.Printf(", %d messages, %d LIN, %d refused", resR.Orders, resR.Lines, resR.Errors)
	}
	fmt.Println()
	fmt.Printf("MB = 10^6 bytes, MiB = 2^20 bytes; wall clock of each child process, start to exit; %d runs each; %d CPUs, %s\n",
		cfg.runs, runtime.NumCPU(), runtime.Version())
	if load != "" {
		fmt.Printf("load average before the runs: %s (other work on the machine slows the wall clock; CPU s is the child's user+system time)\n", load)
	}
	if doR || doA {
		gc := "Go defaults"
		if cfg.tune {
			gc = "app.TuneRuntime, as orderhub"
		}
		fmt.Printf("R and A runtime: %s%s\n", gc, benchproc.EnvGC())
	}
	fmt.Println()
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measure\trun\tMB/s\tMiB/s\torders/s\tpeak RSS MiB\tCPU s\tgoal\tmet")
	none := func(float64, float64) bool { return false }
	if doR {
		benchproc.Row(tw, "R reader alone (edifact.NewReader/Next; messages/s)", r, size, resR.Orders, "none (A's part)", none)
	}
	if doA {
		benchproc.Row(tw, "A bytes → canonical orders (edifact.Format.Read)", a, size, resA.Orders,
			fmt.Sprintf("≥ %.0f MB/s & < %.0f MiB", goalAMBps, goalARSSMiB),
			func(mbps, rss float64) bool { return mbps >= goalAMBps && rss < goalARSSMiB })
	}
	if doB {
		orders := resA.Orders
		if !doA {
			orders = resR.Orders
		}
		benchproc.Row(tw, "B orderhub translate > /dev/null", b, size, orders, "none set by the issue", none)
	}
	tw.Flush()
	fmt.Println("best: fastest run, smallest peak RSS; median: median of each figure. orders/s of B uses A's order count (R's message count without A).")
	if cfg.cpuprofile != "" && (doA || doR) {
		what := "A"
		if !doA {
			what = "R"
		}
		fmt.Printf("CPU profile of measure %s (one extra run): %s — go tool pprof -top %s\n", what, cfg.cpuprofile, cfg.cpuprofile)
	}
	return nil
}

// document returns the path and size of the document to read: cfg.file if
// it exists, else one generated at cfg.file or in tmp.
func document(cfg config, tmp string) (string, int64, error) {
	file := cfg.file
	if file != "" {
		if st, err := os.Stat(file); err == nil {
			fmt.Printf("reusing %s (%d bytes)\n", file, st.Size())
			return file, st.Size(), nil
		}
	} else {
		file = filepath.Join(tmp, "orders.edi")
	}
	if cfg.mb < 1 {
		return "", 0, errors.New("-mb must be at least 1")
	}
	start := time.Now()
	f, err := os.Create(file)
	if err != nil {
		return "", 0, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	st, err := orders96a.Write(bw, orders96a.Config{Size: int64(cfg.mb) << 20, MessagesPerInterchange: cfg.perInterchange})
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, fmt.Errorf("writing %s: %w", file, err)
	}
	fmt.Printf("generated %s: %d bytes, %d interchanges, %d messages, %d lines, %d segments in %v\n",
		file, st.Bytes, st.Interchanges, st.Messages, st.Lines, st.Segments, time.Since(start).Round(time.Millisecond))
	return file, st.Bytes, nil
}

// measureChild runs measure R or A -runs times, each in a child, and once
// more with a CPU profile when one is asked for.
func measureChild(measure, path string, runs int, tune bool, cpuprofile string) ([]benchproc.Sample, childResult, error) {
	tuneVal := "0"
	if tune {
		tuneVal = "1"
	}
	one := func(profile string) (benchproc.Sample, childResult, error) {
		var res childResult
		s, err := benchproc.RunSelf([]string{childEnv + "=" + path, childMeasureEnv + "=" + measure,
			childTuneEnv + "=" + tuneVal, childCPUEnv + "=" + profile}, &res)
		if err != nil {
			err = fmt.Errorf("measure %s: %w", measure, err)
		}
		return s, res, err
	}
	what := "orders"
	if measure == "R" {
		what = "messages"
	}
	var ss []benchproc.Sample
	var res childResult
	for i := range runs {
		s, r, err := one("")
		if err != nil {
			return nil, res, err
		}
		res = r
		fmt.Printf("%s run %d: %v, %d %s, %d refused, peak RSS %.1f MiB (read alone %.3fs in the child)\n",
			measure, i+1, s.Wall.Round(time.Millisecond), r.Orders, what, r.Errors, float64(s.RSSKiB)/1024, r.Seconds)
		if r.Errors > 0 {
			fmt.Printf("  first refusal: %s\n", r.FirstError)
		}
		ss = append(ss, s)
	}
	if cpuprofile != "" {
		abs, err := filepath.Abs(cpuprofile)
		if err != nil {
			return nil, res, err
		}
		if _, _, err := one(abs); err != nil {
			return nil, res, err
		}
	}
	return ss, res, nil
}
