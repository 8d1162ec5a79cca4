package x12

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/internal/bench/x12gen/po850"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
)

// counter is an in-memory ControlNumbers: per partner and kind, increasing,
// the same ref getting the same number, as the store does.
type counter struct {
	mu   sync.Mutex
	next map[string]int64
	refs map[string]int64
}

func (c *counter) ControlNumberFor(_ context.Context, partner, kind, ref string) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.next == nil {
		c.next, c.refs = map[string]int64{}, map[string]int64{}
	}
	if n, ok := c.refs[partner+"\x00"+kind+"\x00"+ref]; ok {
		return n, nil
	}
	c.next[partner+"\x00"+kind]++
	n := c.next[partner+"\x00"+kind]
	c.refs[partner+"\x00"+kind+"\x00"+ref] = n
	return n, nil
}

var fixedNow = func() time.Time { return time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC) }

// TestCorpusFormat reads every corpus file (real files written by others)
// through the Format, answering as the server does: each yields orders or
// located errors, never a panic or a fatal error, and what it yields is
// kept as a golden summary under testdata/format/corpus.
func TestCorpusFormat(t *testing.T) {
	ents, err := os.ReadDir(corpusDir)
	if os.IsNotExist(err) {
		t.Skip("corpus not found at", corpusDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		name := e.Name()
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(corpusDir, name))
			if err != nil {
				t.Fatal(err)
			}
			var answers []ordermsg.Ack
			f := &Format{Numbers: &counter{}, Now: fixedNow}
			_, orders, errs := readOrders(t, f, name, data, format.Doc{Name: name, ID: "doc", Partner: "acme",
				Answer: func(a ordermsg.Ack) { answers = append(answers, a) }})
			if len(orders)+len(errs) == 0 && !onlyAcknowledgements(t, data) {
				t.Errorf("%s yields neither orders nor errors", name)
			}
			var b strings.Builder
			for _, o := range orders {
				ship := ""
				if p := o.Party(order.RoleShipTo); p != nil {
					ship = p.ID
				}
				fmt.Fprintf(&b, "order %s %s ship-to %q lines %d (%s)\n", o.PONumber, o.Purpose, ship, len(o.Lines), o.Source.Position)
			}
			for _, err := range errs {
				if !strings.HasPrefix(err.Error(), name+":") {
					t.Errorf("error not located in the document: %v", err)
				}
				var se *SetError
				var xe *Error
				if !errors.As(err, &se) && !errors.As(err, &xe) {
					t.Errorf("error is neither a *SetError nor an *Error: %T %v", err, err)
				}
				fmt.Fprintf(&b, "error: %v\n", err)
			}
			for _, a := range answers {
				fmt.Fprintf(&b, "answer %s %s:\n", a.Kind, a.Name)
				for _, seg := range strings.Split(strings.TrimSpace(string(a.Body)), "~") {
					seg = strings.TrimSpace(seg)
					if tag, _, _ := strings.Cut(seg, "*"); tag != "ISA" && tag != "GS" && seg != "" {
						fmt.Fprintf(&b, "  %s\n", seg)
					}
				}
			}
			checkGolden(t, filepath.Join("testdata", "format", "corpus", name+".golden"), b.String())
		})
	}
}

// TestFormatAgreesWithBots compares the 997 orderhub sends for a corpus
// file, through the whole read-map-answer path, with the one Bots wrote for
// the same file: the same AK1 to AK9 segments.
func TestFormatAgreesWithBots(t *testing.T) {
	checkAgreesWithBots(t, func(t *testing.T, name string, data []byte) []string {
		var ours []string
		f := &Format{Numbers: &counter{}, Now: fixedNow}
		_, orders, errs := readOrders(t, f, name, data, format.Doc{Name: name, ID: "doc", Partner: "acme",
			Answer: func(a ordermsg.Ack) {
				if a.Kind == "997" {
					segs, err := readSegments(a.Body)
					if err != nil {
						t.Fatalf("our 997 does not read back: %v", err)
					}
					ours = append(ours, wtAckBody(segs)...)
				}
			}})
		if len(orders) == 0 || len(errs) > 0 {
			t.Errorf("%d orders, errors %v", len(orders), errs)
		}
		return ours
	})
}

// botsAcks pairs the corpus's 850 files that Bots (bots-edi) answered with
// the 997 it wrote, under expected/ beside the corpus.
var botsAcks = map[string]string{
	"bots_850-004010-01.x12":     "bots_850-004010-01.x12__997_14.x12",
	"bots_850_01.x12":            "bots_850_01.x12__997_5.x12",
	"bots_850-02.x12":            "bots_850-02.x12__997_3.x12",
	"bots_850-004010VICS-01.x12": "bots_850-004010VICS-01.x12__997_4.x12",
	"bots_850-004010-12.x12":     "bots_850-004010-12.x12__997_9.x12",
}

// checkAgreesWithBots checks, for each file of botsAcks, that ours (the
// segments of our 997s for the file between ST and SE) says what Bots'
// 997 says, segment for segment.
func checkAgreesWithBots(t *testing.T, ours func(t *testing.T, name string, data []byte) []string) {
	expected := filepath.Join(corpusDir, "..", "expected")
	if _, err := os.Stat(expected); err != nil {
		t.Skipf("no corpus: %v", err)
	}
	for in, out := range botsAcks {
		t.Run(in, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(corpusDir, in))
			if err != nil {
				t.Fatal(err)
			}
			bots, err := os.ReadFile(filepath.Join(expected, out))
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(ours(t, in, data), "\n")
			want := strings.Join(wtAckBody(wtSegments(t, bots)), "\n")
			if got != want {
				t.Errorf("ours\n%s\nBots'\n%s", got, want)
			}
		})
	}
}

// readSegments reads a document of ours back with this package's reader:
// the transaction sets' segments as tag and elements. Any error in the
// document, at any level, is returned.
func readSegments(doc []byte) ([][]string, error) {
	var reports []*InterchangeReport
	r := NewReader(bytes.NewReader(doc), Options{Doc: "answer",
		OnInterchange: func(rep *InterchangeReport) { reports = append(reports, rep) }})
	defer r.Close()
	var out [][]string
	for {
		tx, err := r.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, err
		}
		if len(tx.Report.Errors) > 0 {
			return nil, tx.Report.Errors[0]
		}
		for i := range tx.Segments {
			s := &tx.Segments[i]
			seg := []string{string(s.Tag())}
			for j := 1; j <= s.Len(); j++ {
				seg = append(seg, s.Str(j))
			}
			out = append(out, seg)
		}
	}
	if errs := r.Errors(); len(errs) > 0 {
		return nil, errs[0]
	}
	for _, rep := range reports {
		if len(rep.Errors) > 0 {
			return nil, rep.Errors[0]
		}
		for _, g := range rep.Groups {
			if len(g.Errors) > 0 {
				return nil, g.Errors[0]
			}
		}
	}
	return out, nil
}

// onlyAcknowledgements tells whether a document holds nothing but
// acknowledgements (997, 999, TA1), which yield neither orders nor errors.
func onlyAcknowledgements(t *testing.T, data []byte) bool {
	r := NewReader(bytes.NewReader(data), Options{})
	defer r.Close()
	for {
		tx, err := r.Next()
		if err == io.EOF {
			return true
		}
		if err != nil {
			t.Fatal(err)
		}
		if tx.Code != "997" && tx.Code != "999" {
			return false
		}
	}
}

// TestParallelReading reads every corpus and testdata document with one
// worker and with several: the orders, refusals and answers come out the
// same and in the same order. Run under -race, it also checks the workers
// share nothing they should not.
func TestParallelReading(t *testing.T) {
	var paths []string
	for _, pat := range []string{filepath.Join(corpusDir, "*"), "testdata/map/*.x12", "testdata/reader/*.edi"} {
		m, _ := filepath.Glob(pat)
		paths = append(paths, m...)
	}
	// Many sets, so workers overtake each other.
	var big bytes.Buffer
	for _, p := range paths {
		if strings.Contains(p, "VICS") || strings.Contains(p, "bots_850-02") {
			b, _ := os.ReadFile(p)
			for range 20 {
				big.Write(b)
			}
		}
	}
	run := func(name string, data []byte, workers int) string {
		var answers []string
		f := &Format{Numbers: &counter{}, Now: fixedNow, Workers: workers}
		got, _, _ := readOrders(t, f, name, data, format.Doc{Name: name, ID: "doc", Partner: "acme",
			Answer: func(a ordermsg.Ack) { answers = append(answers, a.Name+"\n"+string(a.Body)) }})
		return got + strings.Join(answers, "\n")
	}
	check := func(name string, data []byte) {
		one := run(name, data, 1)
		for _, w := range []int{2, 4} {
			if many := run(name, data, w); many != one {
				t.Errorf("%s: %d workers differ from one", name, w)
			}
		}
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		check(filepath.Base(p), data)
	}
	check("big", big.Bytes())
}

// A caller that stops early leaves no goroutine behind.
func TestParallelStopEarly(t *testing.T) {
	var b bytes.Buffer
	if _, err := po850.Write(&b, po850.Config{Size: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	for range 20 {
		n := 0
		for o, err := range (&Format{Workers: 4}).Read(context.Background(), bytes.NewReader(b.Bytes()), format.Doc{Name: "big"}) {
			if err != nil || o == nil {
				t.Fatal(err)
			}
			if n++; n == 3 {
				break
			}
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left behind", n-before)
	}
}

// AK902 is what GE01 declared, AK903 what was received.
func TestAK9Declared(t *testing.T) {
	doc := "ISA*00*          *00*          *ZZ*RTPARTNER      *ZZ*ORDERHUB       *261120*0930*U*00401*000000778*0*P*>~" +
		"GS*PO*RTPARTNER*ORDERHUB*20261120*0930*78*X*004010~" +
		"ST*850*0001~BEG*00*SA*RT-1**20261120~PO1*1*6*EA*1.25**VN*SKU-1~SE*4*0001~" +
		"ST*850*0002~BEG*00*SA*RT-2**20261120~PO1*1*6*EA*1.25**VN*SKU-1~SE*4*0002~" +
		"GE*3*78~IEA*1*000000778~"
	var fa string
	f := &Format{Numbers: &counter{}, Now: fixedNow}
	readOrders(t, f, "ge.x12", []byte(doc), format.Doc{Name: "ge.x12", ID: "doc", Partner: "acme",
		Answer: func(a ordermsg.Ack) { fa += string(a.Body) }})
	if !strings.Contains(fa, "AK9*R*3*2*0*5~") {
		t.Errorf("997: %s", fa)
	}
}

// Bytes that are not UTF-8 are read as ISO-8859-1, not turned into U+FFFD.
func TestLatin1Values(t *testing.T) {
	doc := "ISA*00*          *00*          *ZZ*RTPARTNER      *ZZ*ORDERHUB       *261120*0930*U*00401*000000779*0*P*>~" +
		"GS*PO*RTPARTNER*ORDERHUB*20261120*0930*79*X*004010~" +
		"ST*850*0001~BEG*00*SA*RT-1**20261120~N1*ST*ALMAC\xc9N NORTE*92*0012~N4*M\xc9XICO*DF*01000*MX~" +
		"PO1*1*6*EA*1.25**VN*SKU-1~PID*F****CAF\xc9 \xe0 la cr\xe8me~SE*7*0001~" +
		"GE*1*79~IEA*1*000000779~"
	_, orders, errs := readOrders(t, &Format{}, "l1.x12", []byte(doc), format.Doc{Name: "l1.x12"})
	if len(orders) != 1 || len(errs) > 0 {
		t.Fatalf("%d orders, %v", len(orders), errs)
	}
	st := orders[0].Party(order.RoleShipTo)
	if st.Name != "ALMACÉN NORTE" || st.City != "MÉXICO" || orders[0].Lines[0].Description != "CAFÉ à la crème" {
		t.Errorf("got %q %q %q", st.Name, st.City, orders[0].Lines[0].Description)
	}
}
