// Command sheet measures orderhub's spreadsheet reader on a large xlsx
// purchase order, against the goal of the sheets issue: a 100,000-row
// workbook to canonical orders (sheet.Format.Read, every order counted and
// dropped) at ≥ 100,000 rows/s with < 200 MiB peak RSS.
//
// The workbook is written once with excelize's StreamWriter (-rows data
// rows; -file keeps or reuses it), laid out as distributors export them: a
// title row, a blank row, the header row
//
//	PO Number | Order Date | Store | SKU | GTIN | Description | Qty | Unit Price | Line Total
//
// then one order per 10 rows (BENCH-000001, …; the same store and date on
// each of an order's rows). Order Date is an Excel date serial with a date
// number format, GTIN a 13-digit text cell (GS1 check digit), Qty an integer,
// Unit Price a number with 2 places and Line Total the formula =G{row}*H{row}
// with its computed value cached, as Excel saves it.
//
// Each run is its own process, this command re-executed, so the peak RSS
// (getrusage's ru_maxrss of the child) is that of the read alone, not of
// this process or of the generator. The time is the wall clock around the
// child, start to exit. rows/s counts data rows; MB/s counts MB of 10^6
// bytes of the file. The child checks what it read: the order, line and
// error counts and the sums of the quantities and line amounts, which the
// data rows determine; a mismatch is flagged. The measure runs -runs times;
// the best and the median are printed, with the goal beside them. The exit
// code does not depend on the goal.
//
// The file is read from the page cache (it was just written, or read by the
// previous run): the figures are the CPU's, not the disk's.
//
// -cpuprofile writes a CPU profile of the read and -memprofile a heap
// profile of the largest live heap seen during the read (polled every
// 20ms), each from one extra run after the timed ones so that profiling
// does not weigh on the figures.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/orderhub/orderhub/internal/bench/benchproc"

	"github.com/xuri/excelize/v2"

	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/adapters/sheet"
	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/order"
)

// The child is this command with these variables set: the file to read,
// whether to tune the runtime, and where to write profiles.
const (
	childEnv      = "ORDERHUB_BENCH_SHEET_READ"
	childTuneEnv  = "ORDERHUB_BENCH_SHEET_TUNE"
	childCPUEnv   = "ORDERHUB_BENCH_SHEET_CPUPROFILE"
	childMemEnv   = "ORDERHUB_BENCH_SHEET_MEMPROFILE"
	goalRowsPerS  = 100_000.0
	goalRSSMiB    = 200.0
	linesPerOrder = 10
	sheetName     = "Orders"
	headerRow     = 3 // title, blank, header
)

var header = []string{"PO Number", "Order Date", "Store", "SKU", "GTIN", "Description", "Qty", "Unit Price", "Line Total"}

func main() {
	if path := os.Getenv(childEnv); path != "" {
		if err := child(path, os.Getenv(childTuneEnv) == "1", os.Getenv(childCPUEnv), os.Getenv(childMemEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "sheet bench child:", err)
			os.Exit(1)
		}
		return
	}
	rows := flag.Int("rows", 100_000, "data rows of the generated workbook (10 per order)")
	file := flag.String("file", "", "workbook to read: reused if it exists, else generated there and kept (default a temporary file, removed after)")
	runs := flag.Int("runs", 3, "timed runs")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the read here (from one extra, untimed run)")
	memprofile := flag.String("memprofile", "", "write a heap profile here, of the largest live heap seen during the read (from one extra, untimed run)")
	tune := flag.Bool("tune", true, "tune the Go runtime as orderhub does (app.TuneRuntime: GOGC 400, 1 GiB memory limit, unless GOGC/GOMEMLIMIT are set); false keeps Go's defaults")
	flag.Parse()
	if err := run(*rows, *file, *runs, *cpuprofile, *memprofile, *tune); err != nil {
		fmt.Fprintln(os.Stderr, "sheet bench:", err)
		os.Exit(1)
	}
}

// --- the workbook ---

// The data row i (from 0) is a pure function of i, so that what the child
// reads can be checked against what any workbook of n rows must hold.

func orderOf(i int) int { return i / linesPerOrder } // from 0

func poNumber(o int) string { return fmt.Sprintf("BENCH-%06d", o+1) }

func store(o int) string { return fmt.Sprintf("ST-%04d", o%250+1) }

// orderDate is the order's date as an Excel serial (1900 date system):
// 46027 is 2026-01-05, then one of 90 days.
func orderDate(o int) int { return 46027 + o%90 }

func sku(i int) string { return fmt.Sprintf("SKU-%05d", (i*7919)%5000+1) }

// gtin is a 13-digit GTIN with its GS1 check digit.
func gtin(i int) string {
	body := fmt.Sprintf("871%09d", (i*7919)%5000+1)
	sum := 0
	for j, w := len(body)-1, 3; j >= 0; j, w = j-1, 4-w {
		sum += int(body[j]-'0') * w
	}
	return body + string(rune('0'+(10-sum%10)%10))
}

func description(i int) string {
	return fmt.Sprintf("Bench item %d, carton of %d", (i*7919)%5000+1, 6+i%3*6)
}

func qty(i int) int { return 1 + (i*31)%48 }

func priceCents(i int) int { return 99 + (i*7717)%9900 }

// totals is what the data rows hold: orders, lines, the sum of the
// quantities and of the line amounts (qty × unit price) in cents.
type totals struct {
	Orders, Lines    int
	Qty, AmountCents int64
}

func expected(n int) totals {
	t := totals{Orders: (n + linesPerOrder - 1) / linesPerOrder, Lines: n}
	for i := range n {
		t.Qty += int64(qty(i))
		t.AmountCents += int64(qty(i) * priceCents(i))
	}
	return t
}

// generate writes a workbook of n data rows to path.
func generate(path string, n int) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheetName); err != nil {
		return err
	}
	dateFmt := "yyyy-mm-dd"
	styles := []*excelize.Style{
		{Font: &excelize.Font{Bold: true, Size: 14}}, // title
		{Font: &excelize.Font{Bold: true}},           // header
		{CustomNumFmt: &dateFmt},                     // date
		{NumFmt: 49},                                 // text: @
		{NumFmt: 1},                                  // 0
		{NumFmt: 2},                                  // 0.00
	}
	ids := make([]int, len(styles))
	for k, s := range styles {
		id, err := f.NewStyle(s)
		if err != nil {
			return err
		}
		ids[k] = id
	}
	titleS, headS, dateS, textS, intS, moneyS := ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]
	sw, err := f.NewStreamWriter(sheetName)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("Purchase orders - orderhub sheet bench, %d lines", n)
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: titleS, Value: title}}); err != nil {
		return err
	}
	if err := sw.SetRow("A2", []any{}); err != nil { // the blank row
		return err
	}
	hdr := make([]any, len(header))
	for k, h := range header {
		hdr[k] = excelize.Cell{StyleID: headS, Value: h}
	}
	if err := sw.SetRow(fmt.Sprintf("A%d", headerRow), hdr); err != nil {
		return err
	}
	vals := make([]any, len(header))
	for i := range n {
		r := headerRow + 1 + i
		o := orderOf(i)
		q, p := qty(i), priceCents(i)
		vals[0] = poNumber(o)
		vals[1] = excelize.Cell{StyleID: dateS, Value: orderDate(o)}
		vals[2] = store(o)
		vals[3] = sku(i)
		vals[4] = excelize.Cell{StyleID: textS, Value: gtin(i)}
		vals[5] = description(i)
		vals[6] = excelize.Cell{StyleID: intS, Value: q}
		vals[7] = excelize.Cell{StyleID: moneyS, Value: float64(p) / 100}
		// OOXML stores a formula without its "=": Excel shows =G4*H4.
		vals[8] = excelize.Cell{StyleID: moneyS, Formula: fmt.Sprintf("G%d*H%d", r, r), Value: float64(q*p) / 100}
		if err := sw.SetRow(fmt.Sprintf("A%d", r), vals); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(path)
}

// document returns the path and size of the workbook to read and its data
// rows (0 when reused: the child counts them): file if it exists, else one
// generated at file or in tmp.
func document(file, tmp string, rows int) (string, int64, int, error) {
	if file != "" {
		if st, err := os.Stat(file); err == nil {
			fmt.Printf("reusing %s (%d bytes)\n", file, st.Size())
			return file, st.Size(), 0, nil
		}
	} else {
		file = filepath.Join(tmp, "orders.xlsx")
	}
	if rows < 1 {
		return "", 0, 0, errors.New("-rows must be at least 1")
	}
	start := time.Now()
	if err := generate(file, rows); err != nil {
		return "", 0, 0, fmt.Errorf("writing %s: %w", file, err)
	}
	st, err := os.Stat(file)
	if err != nil {
		return "", 0, 0, err
	}
	fmt.Printf("generated %s: %d bytes, %d data rows, %d orders in %v\n",
		file, st.Size(), rows, (rows+linesPerOrder-1)/linesPerOrder, time.Since(start).Round(time.Millisecond))
	return file, st.Size(), rows, nil
}

// --- the child ---

// childResult is what the child reports on its stdout.
type childResult struct {
	totals
	// RefusedRows are the data rows of refused orders: with Lines, every
	// data row the reader saw.
	RefusedRows int     `json:"refused_rows"`
	Errors      int     `json:"errors"`
	FirstError  string  `json:"first_error,omitempty"`
	FirstOrder  string  `json:"first_order,omitempty"` // PO, date, ship-to and first line, to show what was read
	Seconds     float64 `json:"seconds"`               // the read alone, in the child
}

// child is the measure's work: the file through sheet.Format.Read, every
// order counted and dropped.
func child(path string, tune bool, cpuprofile, memprofile string) (err error) {
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
	if st, err := f.Stat(); err == nil {
		doc.Size = st.Size() // as intake gives it
	}
	if memprofile != "" {
		stop := watchHeap(memprofile)
		defer func() {
			if werr := stop(); err == nil {
				err = werr
			}
		}()
	}
	for o, err := range (&sheet.Format{}).Read(context.Background(), f, doc) {
		if err != nil {
			if res.Errors == 0 {
				res.FirstError = err.Error()
			}
			res.Errors++
			if oe, ok := errors.AsType[*sheet.OrderError](err); ok {
				res.RefusedRows += len(oe.Rows)
			}
			continue
		}
		if res.Orders == 0 {
			res.FirstOrder = describe(o)
		}
		res.Orders++
		res.Lines += len(o.Lines)
		for _, l := range o.Lines {
			res.Qty += l.Quantity.IntPart()
			if l.UnitPrice != nil {
				res.AmountCents += l.Quantity.Mul(*l.UnitPrice).Shift(2).Round(0).IntPart()
			}
		}
	}
	res.Seconds = time.Since(start).Seconds()
	return json.NewEncoder(os.Stdout).Encode(res)
}

// describe shows an order's PO, date, ship-to and first line.
func describe(o *order.Order) string {
	var b strings.Builder
	fmt.Fprintf(&b, "PO %s, order date %s", o.PONumber, o.OrderDate)
	if len(o.Parties) > 0 {
		p, _ := json.Marshal(o.Parties[0])
		fmt.Fprintf(&b, ", ship-to %s", p)
	}
	if len(o.Lines) > 0 {
		l, _ := json.Marshal(o.Lines[0])
		fmt.Fprintf(&b, ", %d lines, the first %s", len(o.Lines), l)
	}
	return b.String()
}

// watchHeap keeps the heap profile of the largest live heap seen while
// the read runs: every 20ms it reads the live heap the last GC cycle
// marked and, when it is the largest yet, takes a heap profile (which is of
// the same cycle, give or take one). stop writes the kept profile to path.
func watchHeap(path string) (stop func() error) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var best bytes.Buffer
	var max uint64
	done, exited := make(chan struct{}), make(chan struct{})
	take := func() {
		metrics.Read(sample)
		if live := sample[0].Value.Uint64(); live > max {
			max = live
			best.Reset()
			_ = pprof.Lookup("heap").WriteTo(&best, 0)
		}
	}
	go func() {
		defer close(exited)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				take()
				return
			case <-t.C:
				take()
			}
		}
	}()
	return func() error {
		close(done)
		<-exited
		fmt.Fprintf(os.Stderr, "heap profile at the largest live heap seen: %.1f MiB live\n", float64(max)/(1<<20))
		return os.WriteFile(path, best.Bytes(), 0o644)
	}
}

// --- the runs ---

func run(rows int, file string, runs int, cpuprofile, memprofile string, tune bool) error {
	if runs < 1 {
		return errors.New("-runs must be at least 1")
	}
	tmp, err := os.MkdirTemp("", "orderhub-bench-sheet-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	load := benchproc.LoadAvg()
	path, size, generated, err := document(file, tmp, rows)
	if err != nil {
		return err
	}
	ss, res, err := measure(path, runs, tune, cpuprofile, memprofile)
	if err != nil {
		return err
	}
	dataRows := generated
	if dataRows == 0 { // reused: the rows the reader saw
		dataRows = res.Lines + res.RefusedRows
	}
	want := expected(dataRows)

	fmt.Println()
	fmt.Printf("file: %d bytes (%.1f MiB), %d data rows\n", size, float64(size)/(1<<20), dataRows)
	fmt.Printf("read: %d orders, %d lines, %d errors (want %d orders, %d lines, 0 errors)\n",
		res.Orders, res.Lines, res.Errors, want.Orders, want.Lines)
	var bad []string
	if res.Orders != want.Orders {
		bad = append(bad, fmt.Sprintf("%d orders, want %d", res.Orders, want.Orders))
	}
	if res.Lines != want.Lines {
		bad = append(bad, fmt.Sprintf("%d lines, want %d", res.Lines, want.Lines))
	}
	if res.Errors != 0 {
		bad = append(bad, fmt.Sprintf("%d errors, the first: %s", res.Errors, res.FirstError))
	}
	if res.Errors == 0 && res.Qty != want.Qty {
		bad = append(bad, fmt.Sprintf("quantities sum to %d, want %d", res.Qty, want.Qty))
	}
	if res.Errors == 0 && res.AmountCents != want.AmountCents {
		bad = append(bad, fmt.Sprintf("line amounts sum to %d cents, want %d", res.AmountCents, want.AmountCents))
	}
	if len(bad) == 0 {
		fmt.Printf("check: ok (counts, quantities sum %d, line amounts sum %d.%02d)\n", res.Qty, res.AmountCents/100, res.AmountCents%100)
	} else {
		fmt.Println("CHECK FAILED: the figures below are not of a correct read:")
		for _, b := range bad {
			fmt.Println("  -", b)
		}
	}
	if res.FirstOrder != "" {
		fmt.Printf("first order: %s\n", res.FirstOrder)
	}
	fmt.Printf("MB = 10^6 bytes, MiB = 2^20 bytes; wall clock of each child process, start to exit; %d runs; %d CPUs, %s\n",
		runs, runtime.NumCPU(), runtime.Version())
	if load != "" {
		fmt.Printf("load average before the runs: %s (other work on the machine slows the wall clock; CPU s is the child's user+system time)\n", load)
	}
	gc := "Go defaults"
	if tune {
		gc = "app.TuneRuntime, as orderhub"
	}
	fmt.Printf("runtime: %s%s\n", gc, benchproc.EnvGC())
	fmt.Println()

	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measure\trun\trows/s\torders/s\tMB/s\tpeak RSS MiB\tCPU s\tgoal\tmet")
	row(tw, "xlsx → canonical orders (sheet.Format.Read)", ss, size, dataRows, res.Orders)
	tw.Flush()
	fmt.Println("best: fastest run, smallest peak RSS; median: median of each figure.")
	if cpuprofile != "" {
		fmt.Printf("CPU profile (one extra run): %s — go tool pprof -top %s\n", cpuprofile, cpuprofile)
	}
	if memprofile != "" {
		fmt.Printf("heap profile at the largest live heap (one extra run): %s — go tool pprof -sample_index=inuse_space -top %s\n", memprofile, memprofile)
	}
	return nil
}

func measure(path string, runs int, tune bool, cpuprofile, memprofile string) ([]benchproc.Sample, childResult, error) {
	tuneVal := "0"
	if tune {
		tuneVal = "1"
	}
	one := func(cpu, mem string) (benchproc.Sample, childResult, error) {
		var res childResult
		s, err := benchproc.RunSelf([]string{childEnv + "=" + path, childTuneEnv + "=" + tuneVal, childCPUEnv + "=" + cpu, childMemEnv + "=" + mem}, &res)
		return s, res, err
	}
	var ss []benchproc.Sample
	var res childResult
	for i := range runs {
		s, r, err := one("", "")
		if err != nil {
			return nil, res, err
		}
		res = r
		fmt.Printf("run %d: %v, %d orders, %d lines, %d errors, peak RSS %.1f MiB (read alone %.3fs in the child)\n",
			i+1, s.Wall.Round(time.Millisecond), r.Orders, r.Lines, r.Errors, float64(s.RSSKiB)/1024, r.Seconds)
		if r.Errors > 0 {
			fmt.Printf("  first error: %s\n", r.FirstError)
		}
		ss = append(ss, s)
	}
	for _, p := range []struct{ cpu, mem string }{{cpuprofile, ""}, {"", memprofile}} {
		if p.cpu == "" && p.mem == "" {
			continue
		}
		abs := func(s string) (string, error) {
			if s == "" {
				return "", nil
			}
			return filepath.Abs(s)
		}
		cpu, err := abs(p.cpu)
		if err != nil {
			return nil, res, err
		}
		mem, err := abs(p.mem)
		if err != nil {
			return nil, res, err
		}
		if _, _, err := one(cpu, mem); err != nil {
			return nil, res, err
		}
	}
	return ss, res, nil
}

func row(tw *tabwriter.Writer, name string, ss []benchproc.Sample, size int64, dataRows, orders int) {
	best, median := benchproc.BestMedian(ss)
	goal := fmt.Sprintf("≥ %.0f rows/s & < %.0f MiB", goalRowsPerS, goalRSSMiB)
	line := func(label string, wall time.Duration, rssKiB int64, cpu time.Duration) {
		sec := wall.Seconds()
		rowsps := float64(dataRows) / sec
		rssMiB := float64(rssKiB) / 1024
		met := "no"
		switch {
		case rowsps >= goalRowsPerS && rssMiB < goalRSSMiB:
			met = "yes"
		case rowsps >= goalRowsPerS:
			met = "no (RSS)"
		case rssMiB < goalRSSMiB:
			met = "no (rows/s)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%.0f\t%.1f\t%.1f\t%.2f\t%s\t%s\n", name, label,
			rowsps, float64(orders)/sec, float64(size)/1e6/sec, rssMiB, cpu.Seconds(), goal, met)
	}
	line("best", best.Wall, best.RSSKiB, best.CPU)
	line("median", median.Wall, median.RSSKiB, median.CPU)
}
