// Command pipeline measures orderhub end to end on the embedded default:
// canonical JSON orders of -lines lines, submitted as NDJSON documents
// through intake (the path the inbox and the CLI take), through every stage
// of the pipeline on the durable SQLite bus and store, until all are routed.
// It prints orders per second and the process's peak RSS; -cpuprofile
// writes a pprof profile of the run.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"time"

	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/config"
	"github.com/orderhub/orderhub/intake"
	"github.com/orderhub/orderhub/internal/bench/benchproc"
	"github.com/orderhub/orderhub/internal/sqlitedb"
	"github.com/orderhub/orderhub/masterdata"
	"github.com/orderhub/orderhub/order"
)

// benchWindow is the allocation window the rules-on run uses.
var benchWindow time.Duration

func main() {
	orders := flag.Int("orders", 20000, "orders to push through")
	lines := flag.Int("lines", 10, "lines per order")
	perDoc := flag.Int("per-doc", 500, "orders per NDJSON document")
	skus := flag.Int("skus", 500, "catalog size")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile here")
	keep := flag.String("data", "", "data directory to use (default a temporary one, removed after)")
	intakeOnly := flag.Bool("intake-only", false, "measure intake alone: do not run the pipeline")
	flag.DurationVar(&benchWindow, "window", 100*time.Millisecond, "the allocation window with rules on (0: off)")
	withRules := flag.Bool("rules", true, "run with business rules on: warehouses by region, a protected share, restrictions, safety stock, a partner policy rounding to cases")
	flag.Parse()
	app.TuneRuntime()
	if err := run(*orders, *lines, *perDoc, *skus, *cpuprofile, *keep, *intakeOnly, *withRules); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(n, lines, perDoc, skus int, cpuprofile, data string, intakeOnly, withRules bool) error {
	ctx := context.Background()
	if data == "" {
		dir, err := os.MkdirTemp("", "orderhub-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		data = dir
	}
	cfg := config.Default()
	cfg.Data = data
	if v := os.Getenv("BENCH_INFLIGHT"); v != "" {
		cfg.Pipeline.MaxInFlight, _ = strconv.Atoi(v)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if withRules {
		if err := writeRules(cfg); err != nil {
			return err
		}
	} else if err := os.WriteFile(filepath.Join(cfg.Data, "rules.yaml"), []byte("allocation: {window: 0}\n"), 0o644); err != nil {
		// The skeleton's figure: first come, first served, no wait.
		return err
	}
	fmt.Printf("business rules: %v\n", withRules)
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := seed(ctx, a, data, skus, withRules); err != nil {
		return err
	}
	docs, err := writeDocs(data, n, lines, perDoc, skus)
	if err != nil {
		return err
	}

	p, err := a.NewPipeline()
	if err != nil {
		return err
	}
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if !intakeOnly {
		go p.Run(pctx)
		<-p.Running()
	}

	stop, err := benchproc.CPUProfile(cpuprofile)
	if err != nil {
		return err
	}
	defer stop()
	start := time.Now()
	if tf := os.Getenv("BENCH_TRACE"); tf != "" {
		go func() {
			time.Sleep(2 * time.Second)
			f, _ := os.Create(tf)
			trace.Start(f)
			time.Sleep(2 * time.Second)
			trace.Stop()
			f.Close()
		}()
	}
	if os.Getenv("BENCH_GOROUTINES") != "" {
		go func() {
			time.Sleep(3 * time.Second)
			f, _ := os.Create(os.Getenv("BENCH_GOROUTINES"))
			pprof.Lookup("goroutine").WriteTo(f, 1)
			f.Close()
		}()
	}
	var ids []string
	for i, d := range docs {
		dest := a.Intake.ProcessingPath("BENCH", filepath.Base(d))
		os.MkdirAll(filepath.Dir(dest), 0o755)
		if err := os.Rename(d, dest); err != nil {
			return err
		}
		rc, err := a.Intake.File(ctx, intake.Submission{Path: dest, Name: fmt.Sprintf("bench-%d.ndjson", i), Partner: "BENCH", Transport: "bench"})
		if err != nil {
			return err
		}
		if len(rc.Problems) > 0 {
			return fmt.Errorf("document %d refused: %v", i, rc.Problems[0])
		}
		for _, o := range rc.Orders {
			ids = append(ids, o.ID)
		}
	}
	submitted := time.Since(start)
	if intakeOnly {
		fmt.Printf("intake: %d orders in %.2fs: %.0f orders/s\n", n, submitted.Seconds(), float64(n)/submitted.Seconds())
		return nil
	}
	// Wait on the route stage's counter rather than querying the store, so
	// the wait itself costs nothing; the store is checked once at the end.
	last, lastMove := int64(-1), time.Now()
	for {
		stats := p.Stats()
		got := stats[len(stats)-1].Messages
		if got >= int64(n) {
			break
		}
		if got != last {
			last, lastMove = got, time.Now()
		} else if time.Since(lastMove) > 30*time.Second {
			// Orders that end before the route stage (held, rejected)
			// never reach it: say where they are rather than wait.
			c, _ := a.Store.CountByStatus(ctx)
			return fmt.Errorf("%d of %d orders routed and nothing moved for 30s; by status: %v", got, n, c)
		}
		time.Sleep(10 * time.Millisecond)
	}
	elapsed := time.Since(start)
	c, err := a.Store.CountByStatus(ctx)
	if err != nil {
		return err
	}
	if c[order.StatusRouted] != n {
		return fmt.Errorf("expected %d routed, got %v", n, c)
	}
	cancel()
	p.Close()
	fmt.Printf("end to end: %d orders x %d lines in %.2fs: %.0f orders/s (%.0f lines/s); intake alone %.0f orders/s\n",
		n, lines, elapsed.Seconds(), float64(n)/elapsed.Seconds(), float64(n*lines)/elapsed.Seconds(),
		float64(n)/submitted.Seconds())
	fmt.Println("where the time goes, per message (prepare: decode + the stage's reads, outside the store's writer; writer: the stage's transaction; queue: waiting for the writer and the commit; publish: the outputs onto the bus):")
	for _, st := range p.Stats() {
		fmt.Printf("  %-9s %6d msgs  prepare %8s  writer %8s  queue %8s  publish %8s\n", st.Stage, st.Messages,
			st.Prepare.Round(time.Microsecond), st.Writer.Round(time.Microsecond), st.Queue.Round(time.Microsecond), st.Publish.Round(time.Microsecond))
	}
	for _, w := range []struct {
		name string
		st   sqlitedb.WriterStats
	}{{"store", a.Store.DB().WriterStats()}, {"bus", a.BusDB.WriterStats()}} {
		fmt.Printf("  %-5s writer: busy %.0f%% of the run, %d commits of %.1f writes, COMMIT %.0f%% of busy, longest transaction %s\n",
			w.name, 100*w.st.Busy.Seconds()/elapsed.Seconds(), w.st.Commits, float64(w.st.Writes)/float64(max(w.st.Commits, 1)),
			100*w.st.Commit.Seconds()/max(w.st.Busy.Seconds(), 1e-9), w.st.Longest.Round(time.Microsecond))
	}
	fmt.Printf("end to end: peak RSS %.1f MB\n", float64(peakRSS())/1024)
	return nil
}

// writeRules gives the bench the rules a supplier would run with: every
// order is checked against them and allocated under them (warehouses
// ranked for its ship-to, a share of every SKU protected for key accounts,
// restrictions looked up, safety stock, the partner's quantities rounded up
// to whole cases of 12, its PO prices checked against ours and its orders
// against a credit limit; priced with a loyalty discount, tax and a
// buy-X-get-Y promotion looked up for every line), and routed under them
// (each warehouse's cut-off and calendar, carrier rules down to a weight
// threshold, so every shipment is weighed before its carrier is chosen).
func writeRules(cfg config.Config) error {
	if err := os.MkdirAll(cfg.ProfilesDir(), 0o755); err != nil {
		return err
	}
	rs := `warehouses:
  WH-EAST: {cut_off: "15:00", timezone: America/New_York, closed: [sat, sun], holidays: [2026-11-26, 2026-12-25],
    serves: [{country: US, regions: [NY, OH, PA], priority: 1}, {country: US, priority: 2}]}
  WH-WEST: {cut_off: "14:00", timezone: America/Los_Angeles, closed: [sun], holidays: [2026-11-26, 2026-12-25],
    serves: [{country: US, regions: [CA, OR, WA], priority: 1}, {country: US, priority: 2}]}
carriers:
  - {id: key-short, tiers: [key_account], short: true, carrier: UPS, service: priority}
  - {id: rush, within_days: 2, carrier: UPS, service: express}
  - {id: freight, min_weight_kg: 150, carrier: ODFL, service: ltl}
  - {id: west-coast, warehouses: [WH-WEST], countries: [US], regions: [CA, OR, WA], carrier: ONTRAC, service: ground}
  - {id: parcel, max_weight_kg: 30, carrier: UPS, service: ground}
  - {id: default, carrier: FEDEX, service: ground}
protections:
  - {category: general, for: key_account, share: 10%, below: 1000000000}
restrictions:
  - {category: alcohol, regions: [UT], reason: no alcohol to Utah}
  - {category: general, partners: [NOT-BENCH], reason: not for this partner}
allocation: {window: ` + benchWindow.String() + `}
pricing:
  loyalty: [{years: 3, percent_off: 1%}, {years: 5, percent_off: 2%}]
  tax: [{country: US, category: food, rate: 0}, {country: US, rate: 7.25%}]
  promotions:
    - {id: BUY-12-GET-1, skus: [SKU-00000, SKU-00001], buy: {quantity: 12}, get: {sku: SKU-00000, quantity: 1}}
`
	if err := os.WriteFile(filepath.Join(cfg.Data, "rules.yaml"), []byte(rs), 0o644); err != nil {
		return err
	}
	// Every PO price is checked against ours (they agree, so nothing is
	// held) and every order against a credit limit it never reaches.
	prof := "partner: BENCH\npolicy:\n  allocation: allow_split\n  case_pack: round_up\n  price_check: {tolerance: 5%, on_mismatch: hold}\n"
	return os.WriteFile(filepath.Join(cfg.ProfilesDir(), "BENCH.yaml"), []byte(prof), 0o644)
}

func seed(ctx context.Context, a *app.App, data string, skus int, withRules bool) error {
	var cat, stock, prices strings.Builder
	cat.WriteString("sku,gtin,description,uom,pack_size,moq,category,weight_kg,volume_m3\n")
	stock.WriteString("warehouse,sku,on_hand,safety_stock\n")
	prices.WriteString("price_list,sku,currency,unit_price,min_qty,valid_from,valid_to\n")
	for i := 0; i < skus; i++ {
		sku := fmt.Sprintf("SKU-%05d", i)
		fmt.Fprintf(&cat, "%s,,ITEM %d,EA,12,1,general,0.5,0.0006\n", sku, i)
		safety := 0
		if withRules {
			safety = 1000
		}
		fmt.Fprintf(&stock, "WH-EAST,%s,100000000,%d\nWH-WEST,%s,100000000,%d\n", sku, safety, sku, safety)
		fmt.Fprintf(&prices, "BENCH-USD,%s,USD,%d.%02d,0,,\n", sku, 1+i%20, i%100)
	}
	credit := ""
	if withRules {
		credit = "1000000000 USD"
	}
	partners := "partner,name,tier,price_list,token,since,credit_limit\nBENCH,Bench Partner,standard,BENCH-USD,bench-token-0123456789,2020-01-01," + credit + "\n"
	for _, f := range []struct{ kind, body string }{
		{"catalog", cat.String()}, {"stock", stock.String()}, {"prices", prices.String()}, {"partners", partners},
	} {
		if _, err := masterdata.LoadReader(ctx, a.Store, f.kind, f.kind+".csv", strings.NewReader(f.body)); err != nil {
			return err
		}
	}
	return nil
}

// writeDocs writes the orders as NDJSON documents, perDoc orders each.
func writeDocs(data string, n, lines, perDoc, skus int) ([]string, error) {
	dir := filepath.Join(data, "bench-src")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var docs []string
	var w *bufio.Writer
	var f *os.File
	flush := func() error {
		if f == nil {
			return nil
		}
		if err := w.Flush(); err != nil {
			return err
		}
		return f.Close()
	}
	type line struct {
		LineNo    string `json:"line_no"`
		SKU       string `json:"sku"`
		Quantity  string `json:"quantity"`
		UOM       string `json:"uom"`
		UnitPrice string `json:"unit_price"`
	}
	for i := 0; i < n; i++ {
		if i%perDoc == 0 {
			if err := flush(); err != nil {
				return nil, err
			}
			p := filepath.Join(dir, fmt.Sprintf("doc-%05d.ndjson", len(docs)))
			var err error
			if f, err = os.Create(p); err != nil {
				return nil, err
			}
			w = bufio.NewWriter(f)
			docs = append(docs, p)
		}
		o := map[string]any{
			"po_number": "PO-" + strconv.Itoa(1000000+i), "order_date": "2026-11-20", "currency": "USD",
			"requested_delivery_date": "2026-12-01",
			"parties": []map[string]any{{"role": "ship_to", "id": strconv.Itoa(i % 97), "name": "STORE " + strconv.Itoa(i%97),
				"address": []string{"1 MAIN ST"}, "city": "COLUMBUS", "region": "OH", "postal_code": "43215", "country": "US"}},
		}
		ls := make([]line, lines)
		for j := range ls {
			k := (i*7 + j*13) % skus
			ls[j] = line{LineNo: strconv.Itoa(j + 1), SKU: fmt.Sprintf("SKU-%05d", k), Quantity: strconv.Itoa(1 + (i+j)%48), UOM: "EA",
				UnitPrice: fmt.Sprintf("%d.%02d", 1+k%20, k%100)}
		}
		o["lines"] = ls
		b, err := json.Marshal(o)
		if err != nil {
			return nil, err
		}
		w.Write(b)
		w.WriteByte('\n')
	}
	return docs, flush()
}

// peakRSS is the process's high-water resident set, in KiB.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			if len(f) >= 2 {
				v, _ := strconv.ParseInt(f[1], 10, 64)
				return v
			}
		}
	}
	return 0
}
