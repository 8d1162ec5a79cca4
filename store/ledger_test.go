package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Documents filters by partner, state, direction and time, newest first,
// and pages with a cursor; a filter it cannot apply is ErrBadFilter.
func TestDocumentsFilter(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	// d1..d6, a minute apart; d6 and d7 arrive in the same instant, so
	// the id orders them.
	docs := []struct {
		id, partner, state, dir string
		at                      time.Time
	}{
		{"d1", "ACME", DocArchived, DirectionIn, t0},
		{"d2", "ACME", DocError, DirectionIn, t0.Add(1 * time.Minute)},
		{"d3", "ZED", DocArchived, DirectionIn, t0.Add(2 * time.Minute)},
		{"d4", "ACME", DocDelivered, DirectionOut, t0.Add(3*time.Minute + 500*time.Millisecond)},
		{"d5", "ACME", DocDuplicate, DirectionIn, t0.Add(4 * time.Minute)},
		{"d6", "ACME", DocProcessing, DirectionIn, t0.Add(5 * time.Minute)},
		{"d7", "ACME", DocProcessing, DirectionIn, t0.Add(5 * time.Minute)},
	}
	for _, d := range docs {
		doc := &Document{ID: d.id, SHA256: "h" + d.id, Partner: d.partner, Transport: "sftp", Name: d.id + ".edi",
			ReceivedAt: d.at, State: d.state, Direction: d.dir}
		if err := st.InsertDocument(ctx, doc); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(ds []*Document) []string {
		out := []string{}
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		f    DocumentFilter
		want []string
		bad  string // in the error, which wraps ErrBadFilter
	}{
		{name: "all, newest first", want: []string{"d7", "d6", "d5", "d4", "d3", "d2", "d1"}},
		{name: "partner", f: DocumentFilter{Partner: "ZED"}, want: []string{"d3"}},
		{name: "state", f: DocumentFilter{State: DocProcessing}, want: []string{"d7", "d6"}},
		{name: "direction out", f: DocumentFilter{Direction: DirectionOut}, want: []string{"d4"}},
		{name: "limit", f: DocumentFilter{Limit: 2}, want: []string{"d7", "d6"}},
		{name: "cursor between equal times", f: DocumentFilter{Cursor: "d7", Limit: 2}, want: []string{"d6", "d5"}},
		{name: "cursor with partner", f: DocumentFilter{Partner: "ACME", Cursor: "d4"}, want: []string{"d2", "d1"}},
		{name: "cursor at the end", f: DocumentFilter{Cursor: "d1"}, want: []string{}},
		{name: "since, to the second", f: DocumentFilter{Since: t0.Add(3*time.Minute + 900*time.Millisecond)}, want: []string{"d7", "d6", "d5", "d4"}},
		{name: "since and state", f: DocumentFilter{Since: t0.Add(time.Minute), State: DocArchived}, want: []string{"d3"}},
		{name: "unknown state", f: DocumentFilter{State: "lost"}, bad: "state \"lost\", want one of received, processing, archived, error, duplicate, delivered"},
		{name: "unknown direction", f: DocumentFilter{Direction: "sideways"}, bad: `direction "sideways"`},
		{name: "limit too high", f: DocumentFilter{Limit: MaxDocuments + 1}, bad: "limit 1001, want 1 to 1000"},
		{name: "negative limit", f: DocumentFilter{Limit: -1}, bad: "limit -1"},
		{name: "unknown cursor", f: DocumentFilter{Cursor: "nope"}, bad: `cursor "nope" is not a document`},
		{name: "another partner's cursor", f: DocumentFilter{Partner: "ZED", Cursor: "d4"}, bad: `cursor "d4" is not a document`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.Documents(ctx, tt.f)
			if tt.bad != "" {
				if !errors.Is(err, ErrBadFilter) || !strings.Contains(err.Error(), tt.bad) {
					t.Fatalf("err %v, want ErrBadFilter with %q", err, tt.bad)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ids(got), tt.want) {
				t.Errorf("got %v, want %v", ids(got), tt.want)
			}
		})
	}
}

// Paging with the cursor visits every document once, whatever the page
// size.
func TestDocumentsPaging(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	const n = 25
	for i := range n {
		// Three at a time share a received time.
		d := &Document{ID: fmt.Sprintf("doc%02d", i), SHA256: "h", Partner: "P", Transport: "inbox", Name: "x",
			ReceivedAt: t0.Add(time.Duration(i/3) * time.Second), State: DocArchived}
		if err := st.InsertDocument(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if all, err := st.Documents(ctx, DocumentFilter{}); err != nil || len(all) != n {
		t.Fatalf("default limit: %d documents, %v", len(all), err)
	}
	for _, size := range []int{1, 4, 7, n} {
		seen := map[string]bool{}
		f := DocumentFilter{Limit: size}
		for pages := 0; ; pages++ {
			if pages > n {
				t.Fatalf("page size %d: paging does not end", size)
			}
			page, err := st.Documents(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, d := range page {
				if seen[d.ID] {
					t.Fatalf("page size %d: %s twice", size, d.ID)
				}
				seen[d.ID] = true
			}
			f.Cursor = page[len(page)-1].ID
		}
		if len(seen) != n {
			t.Errorf("page size %d: saw %d of %d", size, len(seen), n)
		}
	}
}
