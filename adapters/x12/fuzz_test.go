package x12

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/order"
)

// Fuzz targets for the reader and the 850/860 mapper, seeded from the
// shared corpus and this package's own inputs. Run one with
//
//	go test -run '^$' -fuzz '^FuzzReader$' -fuzztime 3m ./adapters/x12/
//
// (or make fuzz for all of them). Crashers land in testdata/fuzz/<target>
// and are replayed by go test from then on.

// fuzzDoc is the document name the targets read under: every error must
// start with it.
const fuzzDoc = "fuzz"

// Small limits keep the memory of one run bounded and reach the code that
// cuts long segments and refuses large sets (MaxSegment cannot go below
// minMaxSegment).
const (
	fuzzMaxSegment     = minMaxSegment
	fuzzMaxTransaction = 4 << 10
)

// fuzzSeedFiles returns every file of the corpus (none when it is missing),
// of testdata/reader and of testdata/map, golden files left out.
func fuzzSeedFiles(f *testing.F) [][]byte {
	var out [][]byte
	for _, dir := range []string{corpusDir, readerDir, filepath.Join("testdata", "map")} {
		ents, err := os.ReadDir(dir)
		if err != nil {
			if os.IsNotExist(err) && dir == corpusDir {
				continue
			}
			f.Fatal(err)
		}
		for _, e := range ents {
			if e.IsDir() || strings.HasSuffix(e.Name(), ".golden") {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				f.Fatal(err)
			}
			out = append(out, data)
		}
	}
	return out
}

// FuzzReader reads any input in every way the Reader can be driven and
// checks what must hold whatever the input: no panic, no error but io.EOF
// from an in-memory source, io.EOF for good once returned, every *Error
// named after the document and carrying a level and code, every set
// handed out reported once in its interchange's report, segments that
// read back as their bytes and are located at their offsets, envelope
// refusals reaching every set of a refused group or interchange; and the
// same sets and reports read in two passes and in one, a byte at a time
// and all at once.
func FuzzReader(f *testing.F) {
	for _, data := range fuzzSeedFiles(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		two := fuzzRead(t, data, bytes.NewReader(data), false)
		one := fuzzRead(t, data, bytes.NewReader(data), true)
		if two.sets != one.sets {
			t.Errorf("sets differ\n--- two passes\n%s--- one pass\n%s", two.sets, one.sets)
		}
		if two.reports != one.reports {
			t.Errorf("reports differ\n--- two passes\n%s--- one pass\n%s", two.reports, one.reports)
		}
		for _, v := range []struct {
			what   string
			in     io.Reader
			single bool
			want   string
		}{
			// Spooled to a file first: io.Copy does not care how the
			// bytes come, and one write per byte would be slow.
			{"not seekable (spooled)", iotest.HalfReader(bytes.NewReader(data)), false, two.full},
			{"one byte at a time, one pass", iotest.OneByteReader(bytes.NewReader(data)), true, one.full},
			{"EOF with the last data, one pass", iotest.DataErrReader(iotest.HalfReader(bytes.NewReader(data))), true, one.full},
		} {
			if got := fuzzRead(t, data, v.in, v.single); got.full != v.want {
				t.Errorf("%s: output differs\n--- got\n%s--- want\n%s", v.what, got.full, v.want)
			}
		}
		// And with the default limits.
		twoD, oneD, err := reportsBothWays(data)
		if err != nil {
			t.Fatalf("default limits: %v", err)
		}
		if twoD != oneD {
			t.Errorf("default limits: reports differ\n--- two passes\n%s--- one pass\n%s", twoD, oneD)
		}
	})
}

// fuzzResult is what one read of a document gave.
type fuzzResult struct {
	// full is everything in the order the Reader gave it: the sets with
	// their segments and errors as handed out, the interchange reports,
	// the document errors.
	full string
	// sets are the sets with their segments and their own errors (not
	// those saying their envelope refused them, which a single pass adds
	// only at the interchange's end).
	sets string
	// reports are the interchange reports and the document errors.
	reports string
}

func fuzzRead(t *testing.T, data []byte, in io.Reader, single bool) fuzzResult {
	t.Helper()
	mode := "two passes"
	if single {
		mode = "one pass"
	}
	var full, sets, reports strings.Builder
	var handed, reported []*SetReport
	opts := Options{Doc: fuzzDoc, MaxSegment: fuzzMaxSegment, MaxTransaction: fuzzMaxTransaction, singlePass: single,
		OnInterchange: func(rep *InterchangeReport) {
			fuzzCheckReport(t, data, rep)
			dumpReport(&full, rep)
			dumpReport(&reports, rep)
			for _, g := range rep.Groups {
				reported = append(reported, g.Sets...)
			}
		}}
	r := NewReader(in, opts)
	defer r.Close()
	for {
		tx, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: Next: %v", mode, err)
		}
		fuzzCheckSet(t, data, tx)
		dumpSet(&full, tx)
		fmt.Fprintf(&sets, "set %s %s (ISA %s, GS %s): %d segments\n", tx.Code, tx.Control, tx.Interchange.Control, tx.Group.Control, len(tx.Segments))
		for i := range tx.Segments {
			s := &tx.Segments[i]
			fmt.Fprintf(&sets, "  %3d @%-5d %s\n", s.Pos(), s.Offset(), showSegment(s))
		}
		for _, e := range tx.Report.Errors {
			if e.Level >= LevelTransaction {
				fmt.Fprintf(&sets, "  error: %s [%s %s]\n", e, e.Level, e.Code)
			}
		}
		handed = append(handed, tx.Report)
	}
	for range 3 {
		if tx, err := r.Next(); tx != nil || err != io.EOF {
			t.Fatalf("%s: Next after io.EOF: %v, %v", mode, tx, err)
		}
	}
	for _, e := range r.Errors() {
		fuzzCheckError(t, data, e)
		if e.Level != LevelInterchange || e.Code != TA1InvalidContent {
			t.Errorf("%s: document error %q is %s %s, want interchange %s", mode, e, e.Level, e.Code, TA1InvalidContent)
		}
		fmt.Fprintf(&full, "document error: %s [%s %s]\n", e, e.Level, e.Code)
		fmt.Fprintf(&reports, "document error: %s [%s %s]\n", e, e.Level, e.Code)
	}
	if err := r.Close(); err != nil {
		t.Errorf("%s: Close: %v", mode, err)
	}
	if len(handed) != len(reported) {
		t.Fatalf("%s: %d sets handed out, %d in the interchange reports", mode, len(handed), len(reported))
	}
	for i := range handed {
		if handed[i] != reported[i] {
			t.Fatalf("%s: set %d handed out (ST %s) is not the one reported (ST %s)", mode, i+1, handed[i].Control, reported[i].Control)
		}
	}
	return fuzzResult{full: full.String(), sets: sets.String(), reports: reports.String()}
}

// fuzzCheckError checks what every error must be: named after the
// document, with a level, a code and a message, located inside it.
func fuzzCheckError(t *testing.T, data []byte, e *Error) {
	t.Helper()
	if e == nil {
		t.Fatal("nil *Error")
	}
	msg := e.Error()
	if e.Doc != fuzzDoc || !strings.HasPrefix(msg, fuzzDoc+": ") {
		t.Errorf("error %q (Doc %q) does not start with the document name", msg, e.Doc)
	}
	if e.Level < LevelInterchange || e.Level > LevelElement || e.Code == "" || e.Msg == "" {
		t.Errorf("error %q: level %d, code %q: want both, and a message", msg, e.Level, e.Code)
	}
	if e.Offset < 0 || e.Offset > int64(len(data)) {
		t.Errorf("error %q: offset %d outside the document (%d bytes)", msg, e.Offset, len(data))
	}
}

func fuzzCheckReport(t *testing.T, data []byte, rep *InterchangeReport) {
	t.Helper()
	if rep.Doc != fuzzDoc {
		t.Errorf("interchange report of document %q", rep.Doc)
	}
	for _, e := range rep.Errors {
		fuzzCheckError(t, data, e)
	}
	for _, g := range rep.Groups {
		for _, e := range g.Errors {
			fuzzCheckError(t, data, e)
		}
		for _, s := range g.Sets {
			for _, e := range s.Errors {
				fuzzCheckError(t, data, e)
			}
			// A refused interchange or group refuses each of its sets.
			if (rep.Rejected() || len(g.Errors) > 0) && s.Accepted() {
				t.Errorf("ISA %s GS %s: set %s %s accepted in a refused envelope", rep.Header.Control, g.Header.Control, s.Code, s.Control)
			}
		}
	}
}

// fuzzCheckSet checks a transaction set as handed out.
func fuzzCheckSet(t *testing.T, data []byte, tx *Transaction) {
	t.Helper()
	if tx.Doc != fuzzDoc || tx.Report == nil || tx.Interchange == nil || tx.Group == nil {
		t.Fatalf("set %s %s: doc %q, report %v, headers %v %v", tx.Code, tx.Control, tx.Doc, tx.Report, tx.Interchange, tx.Group)
	}
	if tx.Code != tx.Report.Code || tx.Control != tx.Report.Control {
		t.Errorf("set %s %s, its report says %s %s", tx.Code, tx.Control, tx.Report.Code, tx.Report.Control)
	}
	for _, e := range tx.Report.Errors {
		fuzzCheckError(t, data, e)
	}
	d := tx.Interchange.Delimiters
	last := int64(-1)
	for i := range tx.Segments {
		s := &tx.Segments[i]
		b := s.Bytes()
		if s.Pos() != i+1 {
			t.Errorf("set %s: segment %d has position %d", tx.Control, i+1, s.Pos())
		}
		if len(b) == 0 {
			t.Fatalf("set %s: segment %d is empty", tx.Control, i+1)
		}
		off := s.Offset()
		if off <= last || off >= int64(len(data)) {
			t.Fatalf("set %s: segment %d at offset %d, after %d, in %d bytes", tx.Control, i+1, off, last, len(data))
		}
		last = off
		// The segment starts where it says (no line break can come
		// first: they are skipped before a segment).
		c := data[off]
		if tx.Interchange.Charset == "CP037" {
			c = cp037[c]
		}
		if c != b[0] {
			t.Errorf("set %s: segment %d %q is at offset %d, where the document has %q", tx.Control, i+1, b, off, c)
		}
		// Line breaks are never data, a one-byte terminator never inside.
		if bytes.ContainsAny(b, "\r\n") || (len(d.Segment) == 1 && bytes.IndexByte(b, d.Segment[0]) >= 0) {
			t.Errorf("set %s: segment %d %q holds a line break or the terminator %q", tx.Control, i+1, b, d.Segment)
		}
		// The tag and elements, joined with the element separator, are
		// the segment.
		re := append([]byte(nil), s.Tag()...)
		for j := 1; j <= s.Len(); j++ {
			re = append(re, d.Element)
			re = append(re, s.Elem(j)...)
		}
		if !bytes.Equal(re, b) {
			t.Errorf("set %s: segment %d %q reads back as %q", tx.Control, i+1, b, re)
		}
		if s.Elem(0) != nil || s.Elem(s.Len()+1) != nil {
			t.Errorf("set %s: segment %d has elements outside 1..%d", tx.Control, i+1, s.Len())
		}
		for j := 1; j <= s.Len()+1; j++ {
			_ = s.Str(j)
			_ = s.Comp(j, 1)
			_ = s.Comp(j, 2)
			for k := range s.Reps(j) + 1 {
				_ = s.RepComp(j, k, 1)
			}
		}
	}
	if len(tx.Report.Errors) > 0 {
		return
	}
	// An accepted set is ST..SE, counted right.
	n := len(tx.Segments)
	if n < 2 || !tx.Segments[0].Is("ST") || !tx.Segments[n-1].Is("SE") {
		t.Fatalf("set %s accepted with %d segments, not ST..SE", tx.Control, n)
	}
	se := &tx.Segments[n-1]
	if v, ok := number(se.Elem(1)); !ok || v != n {
		t.Errorf("set %s accepted with SE01 %q, %d segments", tx.Control, se.Elem(1), n)
	}
	if string(se.Elem(2)) != tx.Control || string(tx.Segments[0].Elem(2)) != tx.Control {
		t.Errorf("set %s accepted with ST02 %q and SE02 %q", tx.Control, tx.Segments[0].Elem(2), se.Elem(2))
	}
}

// FuzzMap850 reads any input with the Format: no panic, no fatal error
// from an in-memory document, every error named after the document, every
// order with a PO number and a canonical JSON that decodes back to itself.
func FuzzMap850(f *testing.F) {
	for _, data := range fuzzSeedFiles(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzCheckFormat(t, data)
	})
}

// FuzzMap850Body fuzzes the mapper rather than the envelopes: the input is
// the body of a purchase order (860 when change is set), the segments
// between ST and SE with "*" and "~", put in a sound envelope with the
// right SE01.
func FuzzMap850Body(f *testing.F) {
	for _, data := range fuzzSeedFiles(f) {
		for _, set := range fuzzBodies(data) {
			f.Add(set.body, set.code == "860")
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, change bool) {
		code := "850"
		if change {
			code = "860"
		}
		doc := fuzzEnvelope(code, body)
		fuzzCheckFormat(t, doc)
		fuzzCheckMapStrict(t, doc)
	})
}

// fuzzCheckFormat reads data with the Format and checks what it yields;
// then reads it again, stopping at the first thing yielded.
func fuzzCheckFormat(t *testing.T, data []byte) {
	t.Helper()
	f := &Format{}
	for o, err := range f.Read(context.Background(), bytes.NewReader(data), format.Doc{Name: fuzzDoc}) {
		if err != nil {
			fuzzCheckYieldedError(t, data, err)
			continue
		}
		fuzzCheckOrder(t, o)
		if o.Source == nil || o.Source.Document != fuzzDoc || o.Source.Format != "x12" {
			t.Errorf("PO %s: source %+v", o.PONumber, o.Source)
		}
	}
	for range f.Read(context.Background(), bytes.NewReader(data), format.Doc{Name: fuzzDoc}) {
		break
	}
}

func fuzzCheckYieldedError(t *testing.T, data []byte, err error) {
	t.Helper()
	if fe := (*format.FatalError)(nil); errors.As(err, &fe) {
		t.Fatalf("fatal error reading a document in memory: %v", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, fuzzDoc) {
		t.Errorf("error %q does not start with the document name", msg)
	}
	switch e := err.(type) {
	case *Error:
		fuzzCheckError(t, data, e)
	case *SetError:
		if e.Doc != fuzzDoc || len(e.Errors) == 0 {
			t.Errorf("set error %q: doc %q, %d errors", e, e.Doc, len(e.Errors))
		}
		for _, le := range e.Errors {
			fuzzCheckError(t, data, le)
		}
	default:
		t.Errorf("error %q is a %T, want *Error or *SetError", err, err)
	}
}

// fuzzCheckOrder checks an order the mapper gave: it has a PO number and
// its canonical JSON decodes, and encodes again the same.
func fuzzCheckOrder(t *testing.T, o *order.Order) {
	t.Helper()
	if o == nil {
		t.Fatal("nil order without an error")
	}
	if o.PONumber == "" {
		t.Errorf("order without a PO number: %+v", o)
	}
	js, err := order.Marshal(o)
	if err != nil {
		t.Fatalf("PO %q: Marshal: %v", o.PONumber, err)
	}
	back, err := order.Decode(js)
	if err != nil {
		t.Fatalf("PO %q: its JSON does not decode: %v\n%s", o.PONumber, err, js)
	}
	js2, err := order.Marshal(back)
	if err != nil {
		t.Fatalf("PO %q: Marshal after Decode: %v", o.PONumber, err)
	}
	if !bytes.Equal(js, js2) && !bytes.Contains(js, []byte(`\ufffd`)) {
		t.Fatalf("PO %q: JSON changes through Decode\n--- before\n%s\n--- after\n%s", o.PONumber, js, js2)
	}
	// Invalid UTF-8 is written as \ufffd (as encoding/json does), which
	// decodes to a valid U+FFFD, written as it is: from then on the JSON
	// is stable.
	back2, err := order.Decode(js2)
	if err != nil {
		t.Fatalf("PO %q: JSON after Decode does not decode: %v\n%s", o.PONumber, err, js2)
	}
	if js3, _ := order.Marshal(back2); !bytes.Equal(js2, js3) {
		t.Fatalf("PO %q: JSON changes through Decode\n--- before\n%s\n--- after\n%s", o.PONumber, js2, js3)
	}
}

// fuzzCheckMapStrict maps the sets of data directly, as a partner with
// strict_hash set has them mapped: the errors it adds are located and
// named after the document, the warnings too.
func fuzzCheckMapStrict(t *testing.T, data []byte) {
	t.Helper()
	r := NewReader(bytes.NewReader(data), Options{Doc: fuzzDoc})
	defer r.Close()
	for {
		tx, err := r.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if len(tx.Report.Errors) > 0 {
			continue
		}
		before := len(tx.Report.Errors)
		orders := MapOrders(tx, MapOptions{StrictHash: true, Warn: func(e *Error) {
			t.Errorf("warned with strict hash: %v", e)
		}})
		added := tx.Report.Errors[before:]
		if (len(orders) == 0) == (len(added) == 0) {
			t.Errorf("set %s %s: %d orders and %d errors", tx.Code, tx.Control, len(orders), len(added))
		}
		for _, e := range added {
			fuzzCheckError(t, data, e)
		}
		for _, o := range orders {
			fuzzCheckOrder(t, o)
		}
	}
}

// fuzzEnvelope puts body, the segments of a transaction set between ST and
// SE, in an interchange with sound envelopes: SE01 counts the segments as
// the Reader will (a piece between terminators that is only spaces is no
// segment).
func fuzzEnvelope(code string, body []byte) []byte {
	gs01 := "PO"
	if code == "860" {
		gs01 = "PC"
	}
	var b bytes.Buffer
	b.WriteString("ISA*00*          *00*          *ZZ*FUZZSENDER     *ZZ*ORDERHUB       *260101*1200*U*00401*000000001*0*P*>~\n")
	fmt.Fprintf(&b, "GS*%s*FUZZSENDER*ORDERHUB*20260101*1200*1*X*004010~\n", gs01)
	fmt.Fprintf(&b, "ST*%s*0001~\n", code)
	b.Write(body)
	if t := bytes.TrimRightFunc(body, func(r rune) bool { return r < 0x80 && isSpace(byte(r)) }); len(t) > 0 && t[len(t)-1] != '~' {
		b.WriteByte('~')
	}
	n := 2
	for _, seg := range bytes.Split(body, []byte("~")) {
		for _, c := range seg {
			if !isSpace(c) {
				n++
				break
			}
		}
	}
	fmt.Fprintf(&b, "SE*%d*0001~\nGE*1*1~\nIEA*1*000000001~\n", n)
	return b.Bytes()
}

type fuzzBody struct {
	code string
	body []byte
}

// fuzzBodies returns the bodies (between ST and SE) of the 850s and 860s of
// a document whose delimiters are "*" and "~".
func fuzzBodies(data []byte) []fuzzBody {
	i := bytes.Index(data, []byte("ISA*"))
	if i < 0 {
		return nil
	}
	// The terminator follows ISA16, after the sixteenth separator.
	seps, j := 0, i+3
	for ; j < len(data) && seps < 16; j++ {
		if data[j] == '*' {
			seps++
		}
	}
	if seps < 16 || j+1 >= len(data) || data[j+1] != '~' {
		return nil
	}
	var out []fuzzBody
	var cur *fuzzBody
	for _, seg := range bytes.Split(data[j+2:], []byte("~")) {
		seg = bytes.TrimSpace(seg)
		switch {
		case bytes.HasPrefix(seg, []byte("ST*")):
			cur = nil
			if code, _, _ := strings.Cut(string(seg[3:]), "*"); code == "850" || code == "860" {
				cur = &fuzzBody{code: code}
			}
		case bytes.HasPrefix(seg, []byte("SE*")):
			if cur != nil {
				out = append(out, *cur)
			}
			cur = nil
		case cur != nil:
			cur.body = append(append(cur.body, seg...), '~')
		}
	}
	return out
}

// TestFuzzBodies checks the seeds FuzzMap850Body starts from: the bodies
// of the package's own purchase orders, in a fresh envelope, read as they
// did in theirs.
func TestFuzzBodies(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "map", "*_full.x12"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		bodies := fuzzBodies(data)
		if len(bodies) == 0 {
			t.Fatalf("%s: no body found", path)
		}
		for i, b := range bodies {
			doc := fuzzEnvelope(b.code, b.body)
			got, orders, errs := readOrders(t, &Format{}, fuzzDoc, doc, format.Doc{})
			if len(errs) > 0 || len(orders) == 0 {
				t.Errorf("%s: body %d: %d orders, errors %v\n%s\n%s", path, i+1, len(orders), errs, doc, got)
			}
		}
	}
	if got := fuzzEnvelope("850", []byte("BEG*00*SA*1**20260101~ \r\n~~PO1*1*1*EA\n")); !bytes.Contains(got, []byte("SE*"+strconv.Itoa(4)+"*0001~")) {
		t.Errorf("SE01 miscounted:\n%s", got)
	}
}
