package outbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/orderhub/orderhub/ordermsg"
)

func TestDeliverKeepsAnswers(t *testing.T) {
	wb := func(key, body string) ordermsg.Ack {
		return ordermsg.Ack{Partner: "SHOP", Kind: "errors.xlsx", Name: "orders.errors.xlsx", Key: key, Body: []byte(body)}
	}
	type file struct{ path, body string } // relative to the test's directory; body "" = absent
	for _, tt := range []struct {
		name  string
		sent  bool
		acks  []ordermsg.Ack
		files []file
	}{
		{name: "two documents, one name: the outbox has the last, each is kept",
			sent: true, acks: []ordermsg.Ack{wb("doc_1", "first"), wb("doc_2", "second")},
			files: []file{{"outbox/SHOP/orders.errors.xlsx", "second"},
				{"sent/SHOP/doc_1/orders.errors.xlsx", "first"}, {"sent/SHOP/doc_2/orders.errors.xlsx", "second"}}},
		{name: "the same answer twice: delivered and kept again",
			sent: true, acks: []ordermsg.Ack{wb("doc_1", "first"), wb("doc_1", "first")},
			files: []file{{"outbox/SHOP/orders.errors.xlsx", "first"}, {"sent/SHOP/doc_1/orders.errors.xlsx", "first"}}},
		{name: "keeping off",
			sent: false, acks: []ordermsg.Ack{wb("doc_1", "first")},
			files: []file{{"outbox/SHOP/orders.errors.xlsx", "first"}, {"sent/SHOP/doc_1/orders.errors.xlsx", ""}}},
		{name: "no key: delivered, not kept",
			sent: true, acks: []ordermsg.Ack{wb("", "first")},
			files: []file{{"outbox/SHOP/orders.errors.xlsx", "first"}, {"sent/SHOP/_/orders.errors.xlsx", ""}}},
		{name: "names kept to one path element",
			sent: true, acks: []ordermsg.Ack{{Partner: "../P", Name: "../a.x12", Key: "../k", Body: []byte("x")}},
			files: []file{{"outbox/.._P/.._a.x12", "x"}, {"sent/.._P/.._k/.._a.x12", "x"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			o := &Outbox{Dir: filepath.Join(dir, "outbox")}
			if tt.sent {
				o.Sent = filepath.Join(dir, "sent")
			}
			for _, a := range tt.acks {
				if _, err := o.Deliver(context.Background(), a); err != nil {
					t.Fatal(err)
				}
			}
			for _, f := range tt.files {
				b, err := os.ReadFile(filepath.Join(dir, f.path))
				switch {
				case f.body == "" && !errors.Is(err, os.ErrNotExist):
					t.Errorf("%s: %q, %v; want none", f.path, b, err)
				case f.body != "" && string(b) != f.body:
					t.Errorf("%s: %q, %v; want %q", f.path, b, err, f.body)
				}
			}
			if tt.sent && tt.acks[0].Key != "" {
				a := tt.acks[len(tt.acks)-1]
				if !Kept(Path(o.Dir, a.Partner, a.Name)) {
					t.Error("the delivered answer is not kept (not linked)")
				}
			}
		})
	}
}

// A transport taking the outbox file away leaves the kept answer.
func TestKeptAfterTheOutboxFileIsTaken(t *testing.T) {
	dir := t.TempDir()
	o := &Outbox{Dir: filepath.Join(dir, "outbox"), Sent: filepath.Join(dir, "sent")}
	p, err := o.Deliver(context.Background(), ordermsg.Ack{Partner: "P", Name: "997_1.x12", Key: "doc_1", Body: []byte("ISA")})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(SentPath(o.Sent, "P", "doc_1", "997_1.x12")); string(b) != "ISA" {
		t.Errorf("kept: %q, %v", b, err)
	}
}

// A temporary file a crash left in the outbox after it was linked into
// sent/ is not written through: the answer kept there stays as it was.
func TestDeliverDoesNotWriteThroughALeftTemporary(t *testing.T) {
	dir := t.TempDir()
	o := &Outbox{Dir: filepath.Join(dir, "outbox"), Sent: filepath.Join(dir, "sent")}
	tmp := filepath.Join(o.Dir, "P", ".orders.errors.xlsx.tmp")
	kept := SentPath(o.Sent, "P", "doc_1", "orders.errors.xlsx")
	for _, d := range []string{filepath.Dir(tmp), filepath.Dir(kept)} {
		os.MkdirAll(d, 0o755)
	}
	os.WriteFile(tmp, []byte("first"), 0o644)
	if err := os.Link(tmp, kept); err != nil {
		t.Skip("no hard links here:", err)
	}
	if _, err := o.Deliver(context.Background(), ordermsg.Ack{Partner: "P", Name: "orders.errors.xlsx", Key: "doc_2", Body: []byte("second")}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(kept); string(b) != "first" {
		t.Errorf("doc_1's kept answer became %q", b)
	}
}

// Where a link cannot be made, the answer is kept as a copy.
func TestKeepCopiesWhenLinkingFails(t *testing.T) {
	dir := t.TempDir()
	to := filepath.Join(dir, "sent", "P", "k", "a.x12")
	for _, existing := range []bool{false, true} {
		if existing {
			os.WriteFile(to, []byte("old"), 0o644)
		}
		if err := keep(filepath.Join(dir, "gone"), to, []byte("body")); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(to); string(b) != "body" {
			t.Errorf("existing %v: kept %q", existing, b)
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(to), ".a.x12.tmp")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("temporary file left: %v", err)
		}
	}
}

func TestSentPath(t *testing.T) {
	for _, tt := range []struct{ partner, key, name, want string }{
		{"SHOP", "doc_1", "orders.errors.xlsx", "/s/SHOP/doc_1/orders.errors.xlsx"},
		{"a/b", `c\d`, "..", "/s/a_b/c_d/_"},
		{"", "", "", "/s/_/_/_"},
	} {
		if got := SentPath("/s", tt.partner, tt.key, tt.name); got != tt.want {
			t.Errorf("SentPath(%q, %q, %q) = %q, want %q", tt.partner, tt.key, tt.name, got, tt.want)
		}
	}
}
