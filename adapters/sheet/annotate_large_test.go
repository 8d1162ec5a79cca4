package sheet

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestAnnotateLarge annotates 100,000 rows of 8 columns with 1,000
// problems, every other row accepted, as an xlsx and as a CSV.
func TestAnnotateLarge(t *testing.T) {
	// A load test: make test stays quick; make bench runs it.
	if os.Getenv("ORDERHUB_LONG_TESTS") == "" {
		t.Skip("set ORDERHUB_LONG_TESTS=1 to annotate 100,000 rows")
	}
	const nRows, nCols, nProblems = 100_000, 8, 1_000
	const limit = 15 * time.Second
	header := []string{"PO", "Line", "SKU", "GTIN", "Qty", "Price", "Delivery", "Ship to"}
	cellValue := func(r, c int) any {
		switch c {
		case 0:
			return fmt.Sprintf("45%06d", r/5)
		case 1, 4:
			return r%7 + 1
		case 5:
			return float64(r%1000) + 0.25
		case 6:
			return 45500 + r%60
		}
		return fmt.Sprintf("%s-%d", header[c], r)
	}
	xlsx := func(t *testing.T) []byte {
		f := excelize.NewFile()
		defer f.Close()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			t.Fatal(err)
		}
		price, _ := f.NewStyle(&excelize.Style{CustomNumFmt: annPtr(annPriceFmt)})
		hdr := make([]any, nCols)
		for i, h := range header {
			hdr[i] = h
		}
		if err := sw.SetRow("A1", hdr); err != nil {
			t.Fatal(err)
		}
		vals := make([]any, nCols)
		for r := 2; r <= nRows+1; r++ {
			for c := range vals {
				vals[c] = cellValue(r, c)
			}
			vals[5] = excelize.Cell{StyleID: price, Value: vals[5]}
			if err := sw.SetRow(fmt.Sprintf("A%d", r), vals); err != nil {
				t.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := f.Write(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	csvDoc := func(t *testing.T) []byte {
		var b bytes.Buffer
		b.WriteString(strings.Join(header, ";") + "\n")
		for r := 2; r <= nRows+1; r++ {
			for c := range nCols {
				if c > 0 {
					b.WriteByte(';')
				}
				fmt.Fprint(&b, cellValue(r, c))
			}
			b.WriteByte('\n')
		}
		return b.Bytes()
	}
	for _, tc := range []struct {
		name, file, sheet string
		doc               func(*testing.T) []byte
	}{
		{"xlsx", "big.xlsx", "Sheet1", xlsx},
		{"csv", "big.csv", "big", csvDoc},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := tc.doc(t)
			a := &Annotations{Header: map[string]int{tc.sheet: 1}, Accepted: map[string][]int{}}
			bad := map[int]bool{}
			for i := range nProblems {
				r := 2 + i*nRows/nProblems
				bad[r] = true
				if i%3 == 0 {
					a.Problems = append(a.Problems, Problem{Sheet: tc.sheet, Row: r, Msg: "no item on the row"})
					continue
				}
				col := header[4+i%2]
				cell, _ := excelize.CoordinatesToCellName(5+i%2, r)
				a.Problems = append(a.Problems, Problem{Sheet: tc.sheet, Row: r, Cell: cell, Column: col, Msg: "not a number"})
			}
			for r := 2; r <= nRows+1; r += 2 {
				if !bad[r] {
					a.Accepted[tc.sheet] = append(a.Accepted[tc.sheet], r)
				}
			}
			a.Orders, a.Refused = len(a.Accepted[tc.sheet])/5, nProblems

			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			peak, done := annPeakHeap()
			start := time.Now()
			var out bytes.Buffer
			if err := Annotate(&out, doc, tc.file, a); err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			done()
			runtime.ReadMemStats(&after)
			t.Logf("%s: %d rows × %d columns, %d problems, %d accepted rows: %v; heap peak %.0f MiB (%.0f MiB before), %.0f MiB allocated; %.1f MiB in, %.1f MiB out",
				tc.name, nRows, nCols, nProblems, len(a.Accepted[tc.sheet]), took.Round(time.Millisecond),
				float64(*peak)/(1<<20), float64(before.HeapInuse)/(1<<20), float64(after.TotalAlloc-before.TotalAlloc)/(1<<20),
				float64(len(doc))/(1<<20), float64(out.Len())/(1<<20))
			if took > limit {
				t.Errorf("took %v, over %v", took, limit)
			}

			f, err := excelize.OpenReader(&out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if got := f.GetSheetList(); !slices.Equal(got, []string{"Summary", tc.sheet}) {
				t.Fatalf("sheets %q", got)
			}
			p := a.Problems[1] // a cell problem
			if got := annFill(t, f, tc.sheet, p.Cell); got != annRed {
				t.Errorf("%s fill %q", p.Cell, got)
			}
			if got := annValue(t, f, tc.sheet, fmt.Sprintf("I%d", p.Row)); got != p.Cell+": not a number" {
				t.Errorf("I%d = %q", p.Row, got)
			}
			if got := annValue(t, f, tc.sheet, "I4"); got != "accepted" {
				t.Errorf("I4 = %q", got)
			}
			if cmts, _ := f.GetComments(tc.sheet); len(cmts) != nProblems-(nProblems+2)/3 {
				t.Errorf("%d comments", len(cmts))
			}
		})
	}
}

// annPeakHeap samples the heap in use until done is called.
func annPeakHeap() (peak *uint64, done func()) {
	peak = new(uint64)
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			*peak = max(*peak, m.HeapInuse)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	return peak, func() { close(stop); <-stopped }
}

// TestAnnotatePlacement: where the marks go when the sheet is not a plain
// table.
