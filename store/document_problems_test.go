package store

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/orderhub/orderhub/internal/sqlitedb"
)

func TestDocumentProblems(t *testing.T) {
	ctx := context.Background()
	bad := DocumentProblem{Kind: KindProblem, Order: 1, Position: "po.csv!C3", Path: "lines[0].quantity", Message: "want a number"}
	whole := DocumentProblem{Kind: KindProblem, Order: -1, Message: "no orders in the document"}
	blank := DocumentProblem{Kind: KindNotice, Order: -1, Position: "Orders!14", Message: "blank row skipped"}
	total := DocumentProblem{Kind: KindNotice, Order: -1, Position: "Orders!20", Message: "total row skipped"}
	for _, tt := range []struct {
		name  string
		saves [][]DocumentProblem // saved one after the other: each replaces the last
		want  []DocumentProblem
		err   string
	}{
		{name: "none", saves: nil, want: nil},
		{name: "problems then notices, each in the order saved",
			saves: [][]DocumentProblem{{blank, bad, total, whole}},
			want:  []DocumentProblem{bad, whole, blank, total}},
		{name: "saved again: replaced, not added to",
			saves: [][]DocumentProblem{{bad, whole, blank}, {total}},
			want:  []DocumentProblem{total}},
		{name: "saved empty: cleared",
			saves: [][]DocumentProblem{{bad, blank}, nil},
			want:  nil},
		{name: "unknown kind refused, nothing changed",
			saves: [][]DocumentProblem{{bad}, {blank, {Kind: "warning", Order: -1, Message: "x"}}},
			want:  []DocumentProblem{bad},
			err:   "CHECK constraint failed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := openTestStore(t)
			// Another document's rows are never touched or returned.
			if err := st.SaveDocumentProblems(ctx, "doc_other", []DocumentProblem{whole, total}); err != nil {
				t.Fatal(err)
			}
			var err error
			for _, ps := range tt.saves {
				if err = st.SaveDocumentProblems(ctx, "doc_1", ps); err != nil {
					break
				}
			}
			if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("save: %v, want error %q", err, tt.err)
			}
			got, err := st.DocumentProblems(ctx, "doc_1")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			other, _ := st.DocumentProblems(ctx, "doc_other")
			if !reflect.DeepEqual(other, []DocumentProblem{whole, total}) {
				t.Errorf("the other document's: %+v", other)
			}
		})
	}
}

// The final state and the problems are saved in one transaction: when the
// ledger update fails, the problems are not kept either.
func TestDocumentProblemsWithTheLedger(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	st, err := Open(ctx, path, sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := &Document{ID: "doc_1", SHA256: "x", Partner: "P", Transport: "inbox", Name: "po.csv", ReceivedAt: time.Now(), State: DocReceived}
	if err := st.InsertDocument(ctx, d); err != nil {
		t.Fatal(err)
	}
	ps := []DocumentProblem{{Kind: KindProblem, Order: 0, Position: "po.csv!C2", Message: "want a number"}}
	missing := &Document{ID: "doc_missing", State: DocError}
	err = st.Update(ctx, func(t *Tx) error {
		if err := t.SaveDocumentProblems(missing.ID, ps); err != nil {
			return err
		}
		return t.SaveDocument(missing)
	})
	if err == nil {
		t.Fatal("saving a document not in the ledger: no error")
	}
	if got, _ := st.DocumentProblems(ctx, missing.ID); len(got) != 0 {
		t.Errorf("problems kept after the ledger update failed: %+v", got)
	}
	d.State = DocError
	if err := st.Update(ctx, func(t *Tx) error {
		if err := t.SaveDocumentProblems(d.ID, ps); err != nil {
			return err
		}
		return t.SaveDocument(d)
	}); err != nil {
		t.Fatal(err)
	}
	// The table comes with the schema, and a restart (migrations run
	// again) keeps what is in it.
	st.Close()
	st, err = Open(ctx, path, sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got, _ := st.DocumentProblems(ctx, d.ID); !reflect.DeepEqual(got, ps) {
		t.Errorf("after restart: %+v", got)
	}
}
