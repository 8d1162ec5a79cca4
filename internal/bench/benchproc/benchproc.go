// Package benchproc runs a measured piece of work in a child process, so
// that its peak RSS (getrusage's ru_maxrss) and CPU time are the work's
// alone, and describes the machine the figures were taken on. The make
// bench tools share it.
package benchproc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Sample is one run of a child.
type Sample struct {
	Wall   time.Duration
	CPU    time.Duration // user + system
	RSSKiB int64
}

// StderrLines is how much of a child's stderr an error shows.
const StderrLines = 8

// Run runs cmd to its end, timed, with its peak RSS and CPU time. stdout
// is cmd's unless nil, when it is kept and returned.
func Run(cmd *exec.Cmd) (Sample, []byte, error) {
	var out, errb bytes.Buffer
	if cmd.Stdout == nil {
		cmd.Stdout = &out
	}
	cmd.Stderr = &errb
	start := time.Now()
	err := cmd.Run()
	s := Sample{Wall: time.Since(start)}
	if ps := cmd.ProcessState; ps != nil {
		s.CPU = ps.UserTime() + ps.SystemTime()
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			s.RSSKiB = ru.Maxrss // KiB on Linux
		}
	}
	if err != nil {
		return s, out.Bytes(), fmt.Errorf("%s: %v%s", filepath.Base(cmd.Path), err, FirstLines(errb.String(), StderrLines))
	}
	if e := strings.TrimSpace(errb.String()); e != "" {
		fmt.Fprintf(os.Stderr, "(%s wrote on stderr, exit 0:%s)\n", filepath.Base(cmd.Path), FirstLines(e, StderrLines))
	}
	return s, out.Bytes(), nil
}

// RunSelf runs this command again, with env added to its environment, to
// its end (as Run), and reads the JSON report the child writes on its
// stdout into report.
func RunSelf(env []string, report any) (Sample, error) {
	self, err := os.Executable()
	if err != nil {
		return Sample{}, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), env...)
	s, out, err := Run(cmd)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(out, report); err != nil {
		return s, fmt.Errorf("child's report %q: %v", out, err)
	}
	return s, nil
}

// FirstLines is s's first n lines, indented, for an error message.
func FirstLines(s string, n int) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	lines := strings.Split(s, "\n")
	more := ""
	if len(lines) > n {
		more = fmt.Sprintf("\n    … %d more lines", len(lines)-n)
		lines = lines[:n]
	}
	return "\n    " + strings.Join(lines, "\n    ") + more
}

// BestMedian is the best (fastest, smallest) and the median of each figure
// over the runs, taken figure by figure.
func BestMedian(ss []Sample) (best, median Sample) {
	walls := make([]time.Duration, len(ss))
	cpus := make([]time.Duration, len(ss))
	rss := make([]int64, len(ss))
	for i, s := range ss {
		walls[i], cpus[i], rss[i] = s.Wall, s.CPU, s.RSSKiB
	}
	slices.Sort(walls)
	slices.Sort(cpus)
	slices.Sort(rss)
	m := len(ss) / 2
	return Sample{walls[0], cpus[0], rss[0]}, Sample{walls[m], cpus[m], rss[m]}
}

// LoadAvg is the machine's 1, 5 and 15 minute load averages.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// EnvGC names the GC settings the children inherit.
func EnvGC() string {
	var s []string
	for _, k := range []string{"GOGC", "GOMEMLIMIT", "GOMAXPROCS"} {
		if v := os.Getenv(k); v != "" {
			s = append(s, k+"="+v)
		}
	}
	if len(s) == 0 {
		return ""
	}
	return " (" + strings.Join(s, " ") + ")"
}

// CPUProfile starts a CPU profile written to path ("" : none) and returns
// what stops it.
func CPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// Row prints a measure's best and median runs as rows of the figures
// table: MB/s and MiB/s of a document of size bytes, orders/s (when
// orders is known), peak RSS, CPU time, and whether the goal is met ("-"
// when the goal is "none ...").
func Row(tw io.Writer, name string, ss []Sample, size int64, orders int, goal string, met func(mbps, rssMiB float64) bool) {
	best, median := BestMedian(ss)
	line := func(label string, wall time.Duration, rssKiB int64, cpu time.Duration) {
		sec := wall.Seconds()
		mbps := float64(size) / 1e6 / sec
		mibps := float64(size) / (1 << 20) / sec
		rssMiB := float64(rssKiB) / 1024
		ops := "-"
		if orders > 0 {
			ops = fmt.Sprintf("%.0f", float64(orders)/sec)
		}
		ok := "-"
		if !strings.HasPrefix(goal, "none") {
			ok = "no"
			if met(mbps, rssMiB) {
				ok = "yes"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%.0f\t%s\t%.1f\t%.2f\t%s\t%s\n", name, label, mbps, mibps, ops, rssMiB, cpu.Seconds(), goal, ok)
	}
	line("best", best.Wall, best.RSSKiB, best.CPU)
	name = ""
	line("median", median.Wall, median.RSSKiB, median.CPU)
}

// Translate runs `orderhub translate path > /dev/null` runs times, with the
// binary bin (built from the repository into tmp when empty) and an empty
// data directory under tmp.
func Translate(path string, runs int, bin, tmp string) ([]Sample, error) {
	if bin == "" {
		var err error
		if bin, err = BuildOrderhub(tmp); err != nil {
			return nil, err
		}
	} else if abs, err := filepath.Abs(bin); err == nil {
		bin = abs
	}
	// An empty data directory, also the working directory so that no
	// ./orderhub.yaml is picked up: no store, no partner profiles.
	data := filepath.Join(tmp, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	defer devnull.Close()
	var ss []Sample
	for i := range runs {
		cmd := exec.Command(bin, "--data", data, "translate", path)
		cmd.Dir = data
		cmd.Stdout = devnull
		s, _, err := Run(cmd)
		if err != nil {
			return nil, fmt.Errorf("measure B (%s translate %s): %w", bin, path, err)
		}
		fmt.Printf("B run %d: %v, peak RSS %.1f MiB\n", i+1, s.Wall.Round(time.Millisecond), float64(s.RSSKiB)/1024)
		ss = append(ss, s)
	}
	return ss, nil
}

// BuildOrderhub builds orderhub from the repository holding the working directory.
func BuildOrderhub(tmp string) (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(tmp, "orderhub")
	start := time.Now()
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/orderhub")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building orderhub in %s: %w", root, err)
	}
	fmt.Printf("built %s in %v\n", bin, time.Since(start).Round(time.Millisecond))
	return bin, nil
}

// repoRoot is the nearest directory holding a go.mod, from the working
// directory up.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: give -bin")
		}
		dir = parent
	}
}
