package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/internal/sqlitedb"
	"github.com/orderhub/orderhub/store"
)

// ledgerData is a data directory whose store holds a small ledger (oldest
// first: in1 archived, in2 in error, in3 a duplicate, out1 an answer
// delivered, in4 from ZED) and two remote transports, ACME's failing.
func ledgerData(t *testing.T, t0 time.Time) string {
	t.Helper()
	ctx := context.Background()
	data := t.TempDir()
	st, err := store.Open(ctx, app.StorePath(data), sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	delivered := t0.Add(5 * time.Minute)
	for i, d := range []*store.Document{
		{ID: "in1", Partner: "ACME", Transport: "sftp", Name: "PO 1 süß.edi", Size: 2048, State: store.DocArchived, Remote: "/out/PO 1 süß.edi"},
		{ID: "in2", Partner: "ACME", Transport: "ftp", Name: "bad\tname.edi", Size: 10, State: store.DocError,
			Error: "ISA at segment 1: want 16 elements,\nfound 12 " + strings.Repeat("and more ", 20)},
		{ID: "in3", Partner: "ACME", Transport: "inbox", Name: "PO 1 again.edi", Size: 2048, State: store.DocDuplicate, DuplicateOf: "in1"},
		{ID: "out1", Partner: "ACME", Transport: "sftp", Name: "997_1.edi", Size: 300, State: store.DocDelivered,
			Direction: store.DirectionOut, Remote: "/in/997_1.edi", DeliveredAt: &delivered},
		{ID: "in4", Partner: "ZED", Transport: "http", Name: "order.json", Size: 3 << 20, State: store.DocArchived},
	} {
		d.SHA256, d.ReceivedAt = "h-"+d.ID, t0.Add(time.Duration(i)*time.Minute)
		if err := st.InsertDocument(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	for _, ts := range []store.TransportState{
		{Partner: "ACME", URL: "sftp://acme:hunter22@drop.acme.example/in", State: store.TransportFailing,
			Error: "ssh: handshake failed: unable to authenticate", Since: t0, Failures: 4, NextTry: t0.Add(8 * time.Minute)},
		{Partner: "ZED", URL: "ftp://ftp.zed.example/in", State: store.TransportOK, Since: t0, LastOK: t0},
	} {
		if err := st.SaveTransport(ctx, ts); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return data
}

func run(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = Main(context.Background(), args, nil, &out, &errOut)
	return code, out.String(), errOut.String()
}

// rowIDs is the second column of a table's rows, up to the first blank
// line.
func rowIDs(table string) []string {
	var ids []string
	for i, line := range strings.Split(table, "\n") {
		if line == "" {
			break
		}
		if f := strings.Fields(line); i > 0 && len(f) > 2 {
			ids = append(ids, f[2]) // date, time, id
		}
	}
	return ids
}

func TestDocumentsCommand(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	data := ledgerData(t, t0)
	for _, tt := range []struct {
		name     string
		args     []string
		code     int
		ids      []string // the rows, in order
		has      []string // in stdout
		lacks    []string // not in stdout
		errHas   []string // in stderr
		jsonRows int      // with --json: this many lines
	}{
		{name: "all, newest first", args: nil, ids: []string{"in4", "out1", "in3", "in2", "in1"},
			has: []string{
				"RECEIVED", "NOTE",
				t0.Local().Format(time.DateTime) + "  in1",
				"PO 1 süß.edi", "2.0 KiB", "3.0 MiB", "10 B",
				"bad?name.edi",
				"ISA at segment 1: want 16 elements, found 12 and more and m…",
				"duplicate of in1",
				"→ /in/997_1.edi, delivered " + t0.Add(5*time.Minute).Local().Format(time.DateTime),
				"\ntransports:\nPARTNER",
				"sftp://acme:xxxxx@drop.acme.example/in", "failing", "ssh: handshake failed",
			},
			lacks: []string{"hunter22", "ftp.zed.example", "and more and more and more and more and more and more and more"}},
		{name: "a partner whose drop is fine", args: []string{"--partner", "ZED"}, ids: []string{"in4"},
			lacks: []string{"transports:", "ACME"}},
		{name: "state", args: []string{"--state", "error"}, ids: []string{"in2"}, has: []string{"transports:"}},
		{name: "direction out", args: []string{"--direction", "out"}, ids: []string{"out1"}},
		{name: "limit and the next page", args: []string{"--limit", "2", "--after", "out1"}, ids: []string{"in3", "in2"}},
		{name: "since", args: []string{"--since", t0.Add(3 * time.Minute).Format(time.RFC3339)}, ids: []string{"in4", "out1"}},
		{name: "nothing matches", args: []string{"--partner", "NOBODY"}, ids: nil, errHas: []string{"no documents"}},
		{name: "json", args: []string{"--json", "--partner", "ACME"}, jsonRows: 4,
			has:    []string{`"id":"out1"`, `"direction":"out"`, `"remote":"/in/997_1.edi"`, `"duplicate_of":"in1"`, `"error":"ISA at segment 1: want 16 elements,\nfound 12 and more`},
			lacks:  []string{"transports:", "ZED"},
			errHas: []string{"1 remote transport(s) failing: see orderhub transports"}},
		{name: "unknown state", args: []string{"--state", "lost"}, code: 2,
			errHas: []string{`--state "lost": want one of received, processing, archived, error, duplicate, delivered`}},
		{name: "unknown direction", args: []string{"--direction", "up"}, code: 2, errHas: []string{`--direction "up"`}},
		{name: "limit too high", args: []string{"--limit", "1001"}, code: 2, errHas: []string{"--limit 1001: want 1 to 1000"}},
		{name: "limit zero", args: []string{"--limit", "0"}, code: 2, errHas: []string{"--limit 0: want 1 to 1000"}},
		{name: "bad since", args: []string{"--since", "yesterday"}, code: 2, errHas: []string{`--since "yesterday": want a date`}},
		{name: "unknown cursor", args: []string{"--after", "nope"}, code: 2, errHas: []string{`cursor "nope" is not a document`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(append([]string{"documents", "--data", data}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, errOut)
			}
			if tt.jsonRows > 0 {
				lines := strings.Split(strings.TrimSpace(out), "\n")
				if len(lines) != tt.jsonRows {
					t.Fatalf("%d JSON lines, want %d:\n%s", len(lines), tt.jsonRows, out)
				}
				for _, l := range lines {
					var d store.Document
					if err := json.Unmarshal([]byte(l), &d); err != nil || d.ID == "" || d.ReceivedAt.IsZero() {
						t.Errorf("line %s: %+v, %v", l, d, err)
					}
				}
			} else if code == 0 {
				if got := rowIDs(out); strings.Join(got, " ") != strings.Join(tt.ids, " ") {
					t.Errorf("rows %v, want %v:\n%s", got, tt.ids, out)
				}
			}
			for _, s := range tt.has {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tt.lacks {
				if strings.Contains(out, s) {
					t.Errorf("stdout has %q:\n%s", s, out)
				}
			}
			for _, s := range tt.errHas {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr lacks %q: %q", s, errOut)
				}
			}
		})
	}
}

func TestTransportsCommand(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	data := ledgerData(t, t0)

	code, out, errOut := run("transports", "--data", data)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "PARTNER") || !strings.HasPrefix(lines[1], "ACME") || !strings.HasPrefix(lines[2], "ZED") {
		t.Fatalf("table:\n%s", out)
	}
	for _, s := range []string{"sftp://acme:xxxxx@drop.acme.example/in", "failing", " 4 ", t0.Add(8 * time.Minute).Local().Format(time.DateTime),
		"unable to authenticate"} {
		if !strings.Contains(lines[1], s) {
			t.Errorf("ACME's row lacks %q: %s", s, lines[1])
		}
	}
	if strings.Contains(out, "hunter22") {
		t.Error("the password is shown")
	}

	code, out, errOut = run("transports", "--data", data, "--json", "--partner", "ZED")
	if code != 0 {
		t.Fatalf("--json: exit %d: %s", code, errOut)
	}
	var ts store.TransportState
	if err := json.Unmarshal([]byte(out), &ts); err != nil || ts.Partner != "ZED" || ts.State != store.TransportOK || !ts.LastOK.Equal(t0) {
		t.Errorf("--json %q: %+v, %v", out, ts, err)
	}
	if strings.Contains(out, "next_try") || strings.Count(out, "\n") != 1 {
		t.Errorf("--json: want one line without the zero next_try: %q", out)
	}

	code, _, errOut = run("transports", "--data", data, "--partner", "NOBODY")
	if code != 0 || !strings.Contains(errOut, "no remote transports") {
		t.Errorf("none: exit %d, %q", code, errOut)
	}
}

// Without a store there is nothing to list: exit 2, naming the file.
func TestDocumentsWithoutStore(t *testing.T) {
	data := t.TempDir()
	for _, cmd := range []string{"documents", "transports"} {
		code, _, errOut := run(cmd, "--data", data)
		if code != 2 || !strings.Contains(errOut, filepath.Join(data, "orderhub.db")) {
			t.Errorf("%s: exit %d, %q", cmd, code, errOut)
		}
	}
}
