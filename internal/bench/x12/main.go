// Command x12 measures orderhub on a large X12 850 document, against the
// goals of the X12 issue:
//
//   - A, bytes to canonical orders: x12.Format.Read over the file, every
//     order counted and dropped. Goal ≥ 300 MB/s with < 64 MiB peak RSS.
//   - B, `orderhub translate FILE > /dev/null`: the real binary, which
//     also hashes the file, tidies each order, resolves its SKUs and encodes
//     it as a JSON line. Goal ≥ 150 MB/s.
//
// The document is written once by po850 (-mb MiB, 10-line orders; -file
// keeps or reuses it). Each run is its own process, so the peak RSS
// (getrusage's ru_maxrss of the child) is that of the work alone, not of
// this process or of the generator: measure A re-executes this command,
// measure B runs orderhub, built from the repository unless -bin names it.
// The time is the wall clock around the child, start to exit. MB/s counts
// MB of 10^6 bytes of the file; MiB/s is given beside it. Each measure runs
// -runs times; the best and the median are printed. The goals are printed
// beside the figures; the exit code does not depend on them.
//
// The file is read from the page cache (it was just written, or read by the
// previous run): the figures are the CPU's, not the disk's.
//
// -cpuprofile writes a CPU profile of measure A, taken in one extra run
// after the timed ones so that profiling does not weigh on the figures.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/orderhub/orderhub/internal/bench/benchproc"

	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/adapters/x12"
	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/internal/bench/x12gen/po850"
)

// The child of measure A is this command with these variables set: the
// file to read, and where to write a CPU profile.
const (
	childEnv     = "ORDERHUB_BENCH_X12_READ"
	childTuneEnv = "ORDERHUB_BENCH_X12_TUNE"
	childCPUEnv  = "ORDERHUB_BENCH_X12_CPUPROFILE"
	goalAMBps    = 300.0
	goalARSSMiB  = 64.0
	goalBMBps    = 150.0
)

func main() {
	if path := os.Getenv(childEnv); path != "" {
		if err := child(path, os.Getenv(childTuneEnv) == "1", os.Getenv(childCPUEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "x12 bench child:", err)
			os.Exit(1)
		}
		return
	}
	mb := flag.Int("mb", 100, "size of the generated 850 document, in MiB")
	file := flag.String("file", "", "document to read: reused if it exists, else generated there and kept (default a temporary file, removed after)")
	runs := flag.Int("runs", 3, "timed runs of each measure")
	bin := flag.String("bin", "", "orderhub binary for measure B (default: built from the repository into a temporary directory)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of measure A here (from one extra, untimed run)")
	tune := flag.Bool("tune", true, "in measure A, tune the Go runtime as orderhub does (app.TuneRuntime: GOGC 400, 1 GiB memory limit, unless GOGC/GOMEMLIMIT are set); false keeps Go's defaults")
	only := flag.String("only", "AB", "measures to run: A, B or AB")
	flag.Parse()
	if err := run(*mb, *file, *runs, *bin, *cpuprofile, *tune, strings.ToUpper(*only)); err != nil {
		fmt.Fprintln(os.Stderr, "x12 bench:", err)
		os.Exit(1)
	}
}

// childResult is what the child of measure A reports on its stdout.
type childResult struct {
	Orders     int     `json:"orders"`
	Lines      int     `json:"lines"`
	Errors     int     `json:"errors"`
	FirstError string  `json:"first_error,omitempty"`
	Seconds    float64 `json:"seconds"` // the read alone, in the child
}

// child is measure A's work: the file through x12.Format.Read, every
// order counted and dropped.
func child(path string, tune bool, cpuprofile string) error {
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
	doc := format.Doc{Name: filepath.Base(path), Transport: "file"}
	for o, err := range (&x12.Format{}).Read(context.Background(), f, doc) {
		if err != nil {
			if res.Errors == 0 {
				res.FirstError = err.Error()
			}
			res.Errors++
			continue
		}
		res.Orders++
		res.Lines += len(o.Lines)
	}
	res.Seconds = time.Since(start).Seconds()
	return json.NewEncoder(os.Stdout).Encode(res)
}

func run(mb int, file string, runs int, bin, cpuprofile string, tune bool, only string) error {
	if runs < 1 {
		return errors.New("-runs must be at least 1")
	}
	doA, doB := strings.Contains(only, "A"), strings.Contains(only, "B")
	if !doA && !doB {
		return fmt.Errorf("-only %q: want A, B or AB", only)
	}
	tmp, err := os.MkdirTemp("", "orderhub-bench-x12-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	load := benchproc.LoadAvg()
	path, size, err := document(file, tmp, mb)
	if err != nil {
		return err
	}

	var a, b []benchproc.Sample
	var res childResult
	if doA {
		if a, res, err = measureA(path, runs, tune, cpuprofile); err != nil {
			return err
		}
	}
	if doB {
		if b, err = benchproc.Translate(path, runs, bin, tmp); err != nil {
			return err
		}
	}

	fmt.Println()
	fmt.Printf("X12 850 document: %d bytes (%.1f MiB)", size, float64(size)/(1<<20))
	if doA {
		fmt.Printf(", %d orders, %d lines, %d refused sets", res.Orders, res.Lines, res.Errors)
	}
	fmt.Println()
	fmt.Printf("MB = 10^6 bytes, MiB = 2^20 bytes; wall clock of each child process, start to exit; %d runs each; %d CPUs, %s\n",
		runs, runtime.NumCPU(), runtime.Version())
	if load != "" {
		fmt.Printf("load average before the runs: %s (other work on the machine slows the wall clock; CPU s is the child's user+system time)\n", load)
	}
	if doA {
		gc := "Go defaults"
		if tune {
			gc = "app.TuneRuntime, as orderhub"
		}
		fmt.Printf("A runtime: %s%s\n", gc, benchproc.EnvGC())
	}
	fmt.Println()
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measure\trun\tMB/s\tMiB/s\torders/s\tpeak RSS MiB\tCPU s\tgoal\tmet")
	if doA {
		benchproc.Row(tw, "A bytes → canonical orders (x12.Format.Read)", a, size, res.Orders,
			fmt.Sprintf("≥ %.0f MB/s & < %.0f MiB", goalAMBps, goalARSSMiB),
			func(mbps, rss float64) bool { return mbps >= goalAMBps && rss < goalARSSMiB })
	}
	if doB {
		benchproc.Row(tw, "B orderhub translate > /dev/null", b, size, res.Orders,
			fmt.Sprintf("≥ %.0f MB/s", goalBMBps),
			func(mbps, _ float64) bool { return mbps >= goalBMBps })
	}
	tw.Flush()
	fmt.Println("best: fastest run, smallest peak RSS; median: median of each figure. orders/s uses measure A's order count.")
	if doA && cpuprofile != "" {
		fmt.Printf("CPU profile of measure A (one extra run): %s — go tool pprof -top %s\n", cpuprofile, cpuprofile)
	}
	return nil
}

// document returns the path and size of the document to read: file if it
// exists, else one generated at file or in tmp.
func document(file, tmp string, mb int) (string, int64, error) {
	if file != "" {
		if st, err := os.Stat(file); err == nil {
			fmt.Printf("reusing %s (%d bytes)\n", file, st.Size())
			return file, st.Size(), nil
		}
	} else {
		file = filepath.Join(tmp, "po850.edi")
	}
	if mb < 1 {
		return "", 0, errors.New("-mb must be at least 1")
	}
	start := time.Now()
	f, err := os.Create(file)
	if err != nil {
		return "", 0, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	st, err := po850.Write(bw, po850.Config{Size: int64(mb) << 20})
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, fmt.Errorf("writing %s: %w", file, err)
	}
	fmt.Printf("generated %s: %d bytes, %d interchanges, %d groups, %d sets, %d segments in %v\n",
		file, st.Bytes, st.Interchanges, st.Groups, st.Sets, st.Segs, time.Since(start).Round(time.Millisecond))
	return file, st.Bytes, nil
}

func measureA(path string, runs int, tune bool, cpuprofile string) ([]benchproc.Sample, childResult, error) {
	tuneVal := "0"
	if tune {
		tuneVal = "1"
	}
	one := func(profile string) (benchproc.Sample, childResult, error) {
		var res childResult
		s, err := benchproc.RunSelf([]string{childEnv + "=" + path, childTuneEnv + "=" + tuneVal, childCPUEnv + "=" + profile}, &res)
		return s, res, err
	}
	var ss []benchproc.Sample
	var res childResult
	for i := range runs {
		s, r, err := one("")
		if err != nil {
			return nil, res, err
		}
		res = r
		fmt.Printf("A run %d: %v, %d orders, %d refused, peak RSS %.1f MiB (read alone %.3fs in the child)\n",
			i+1, s.Wall.Round(time.Millisecond), r.Orders, r.Errors, float64(s.RSSKiB)/1024, r.Seconds)
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
