package intake

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

// noting is a format for tests, one instruction a line after a "NOTING"
// line: "order PO" yields an order, "bad POS MESSAGE" refuses one at POS,
// "note POS MESSAGE" notes something, "notes N" and "bads N" do it N times.
type noting struct{}

func (noting) Name() string            { return "noting" }
func (noting) Detect(head []byte) bool { return bytes.HasPrefix(head, []byte("NOTING\n")) }
func (noting) Read(_ context.Context, r io.Reader, doc format.Doc) iter.Seq2[*order.Order, error] {
	note := func(pos, msg string) {
		if doc.Note != nil {
			doc.Note(pos, msg)
		}
	}
	return func(yield func(*order.Order, error) bool) {
		sc := bufio.NewScanner(r)
		sc.Scan()
		for sc.Scan() {
			verb, rest, _ := strings.Cut(sc.Text(), " ")
			pos, msg, _ := strings.Cut(rest, " ")
			n, _ := strconv.Atoi(rest)
			switch verb {
			case "order":
				o := &order.Order{PONumber: rest, Partner: doc.Partner, Lines: []order.Line{{LineNo: "1", SKU: "X", Quantity: decimal.NewFromInt(1)}}}
				if !yield(o, nil) {
					return
				}
			case "bad":
				if !yield(nil, &located{pos, msg}) {
					return
				}
			case "bads":
				for i := range n {
					if !yield(nil, &located{fmt.Sprintf("row %d", i+1), "bad"}) {
						return
					}
				}
			case "note":
				note(pos, msg)
			case "notes":
				for i := range n {
					note(fmt.Sprintf("row %d", i+1), "blank row skipped")
				}
			}
		}
	}
}

type located struct{ pos, msg string }

func (e *located) Error() string       { return e.msg }
func (e *located) DocPosition() string { return e.pos }

func TestNotices(t *testing.T) {
	blank := Problem{Order: -1, Position: "Orders!14", Message: "blank row skipped"}
	cols := Problem{Order: -1, Position: "Orders!1", Message: "column Remarks not understood, ignored"}
	notice := func(p Problem) store.DocumentProblem {
		return store.DocumentProblem{Kind: store.KindNotice, Order: p.Order, Position: p.Position, Message: p.Message}
	}
	for _, tt := range []struct {
		name string
		body string
		// what the receipt says
		state   string
		notices int    // len(rc.Notices)
		problem int    // len(rc.Problems)
		last    string // the last notice's message
		// what the report says (no report when empty)
		report []string
		// what the store keeps
		stored     []store.DocumentProblem // when set, exactly these
		storedN    [2]int                  // else how many problems and notices
		storedLast [2]string               // and their last messages
	}{
		{name: "clean with notices: archived, no report, notices kept",
			body:    "order A\nnote Orders!14 blank row skipped\nnote Orders!1 column Remarks not understood, ignored\n",
			state:   store.DocArchived,
			notices: 2,
			last:    cols.Message,
			stored:  []store.DocumentProblem{notice(blank), notice(cols)}},
		{name: "problems and notices: notes listed after the problems",
			body:    "order A\nnote Orders!14 blank row skipped\nbad Orders!C3 want a number\nnote Orders!1 column Remarks not understood, ignored\n",
			state:   store.DocError,
			notices: 2, problem: 1,
			last: cols.Message,
			report: []string{"problems (1):\n- Orders!C3: want a number\n",
				"\nnotes (2):\n- Orders!14: blank row skipped\n- Orders!1: column Remarks not understood, ignored\n"},
			stored: []store.DocumentProblem{
				{Kind: store.KindProblem, Order: 1, Position: "Orders!C3", Message: "want a number"},
				notice(blank), notice(cols)}},
		{name: "no notices: no notes in the report",
			body:  "order A\nbad Orders!C3 want a number\n",
			state: store.DocError, problem: 1,
			report: []string{"problems (1):\n- Orders!C3: want a number\n\nthe other 1 order(s)"},
			stored: []store.DocumentProblem{{Kind: store.KindProblem, Order: 1, Position: "Orders!C3", Message: "want a number"}}},
		{name: "1,500 notices: 1,000 and how many more",
			body:    "order A\nnotes 1500\nbad Orders!C3 want a number\n",
			state:   store.DocError,
			notices: 1001, problem: 1,
			last:       "... and 500 more",
			report:     []string{"\nnotes (1500):\n- row 1: blank row skipped\n", "- row 1000: blank row skipped\n- ... and 500 more\n"},
			storedN:    [2]int{1, 1001},
			storedLast: [2]string{"want a number", "... and 500 more"}},
		{name: "exactly 1,000 notices: no more",
			body:       "order A\nnotes 1000\n",
			state:      store.DocArchived,
			notices:    1000,
			last:       "blank row skipped",
			storedN:    [2]int{0, 1000},
			storedLast: [2]string{"", "blank row skipped"}},
		{name: "1,200 problems: all in the receipt and report, 1,000 and how many more stored",
			body:    "order A\nbads 1200\nnote Orders!14 blank row skipped\n",
			state:   store.DocError,
			notices: 1, problem: 1200,
			last:       blank.Message,
			report:     []string{"problems (1200):\n", "- row 1200: bad\n\nnotes (1):\n- Orders!14: blank row skipped\n"},
			storedN:    [2]int{1001, 1},
			storedLast: [2]string{"... and 200 more", blank.Message}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			in, err := New(r.st, r.pub, Config{DataDir: r.data, Topic: "orders.received", Formats: format.Set{noting{}}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			rc, err := in.File(ctx, r.claim("P", "po.txt", "NOTING\n"+tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if rc.Document.State != tt.state || len(rc.Notices) != tt.notices || len(rc.Problems) != tt.problem {
				t.Fatalf("state %s, %d notices, %d problems; want %s, %d, %d",
					rc.Document.State, len(rc.Notices), len(rc.Problems), tt.state, tt.notices, tt.problem)
			}
			if tt.notices > 0 {
				if last := rc.Notices[len(rc.Notices)-1]; last.Message != tt.last || last.Order != -1 {
					t.Errorf("last notice %+v, want %q", last, tt.last)
				}
			}
			report, err := os.ReadFile(rc.Document.Path + ".error.txt")
			switch {
			case len(tt.report) == 0 && !errors.Is(err, os.ErrNotExist):
				t.Errorf("a report for a clean document: %v\n%s", err, report)
			case len(tt.report) > 0 && err != nil:
				t.Errorf("no report: %v", err)
			}
			for _, want := range tt.report {
				if !strings.Contains(string(report), want) {
					t.Errorf("report lacks %q:\n%s", want, report)
				}
			}
			if len(tt.report) > 0 && tt.problem > 0 && tt.notices > 0 &&
				strings.Index(string(report), "problems (") > strings.Index(string(report), "notes (") {
				t.Errorf("notes before problems:\n%s", report)
			}
			got, err := r.st.DocumentProblems(ctx, rc.Document.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tt.stored != nil {
				if !reflect.DeepEqual(got, tt.stored) {
					t.Errorf("stored %+v\nwant %+v", got, tt.stored)
				}
				return
			}
			var n [2]int
			var last [2]string
			for _, p := range got {
				k := 0
				if p.Kind == store.KindNotice {
					k = 1
				}
				n[k]++
				last[k] = p.Message
			}
			if n != tt.storedN || last != tt.storedLast {
				t.Errorf("stored %v problems and notices, the last %q; want %v, %q", n, last, tt.storedN, tt.storedLast)
			}
		})
	}
}
