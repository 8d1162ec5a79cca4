package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderhub/orderhub/intake"
	"github.com/orderhub/orderhub/store"
)

// TestRemotePullAndAnswer runs orderhub serve against each kind of real
// server: files pulled once when complete and moved, a copy under another
// name reported as a duplicate, a file still growing left until it stops,
// names with spaces and accents, the server killed in the middle of a
// download, and the answers put back so that a reader polling the
// partner's directory never sees half of one.
func TestRemotePullAndAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers and orderhub processes")
	}
	for _, kind := range []string{"sftp", "ftp", "ftps"} {
		t.Run(kind, func(t *testing.T) {
			d := remoteDrops(t)[kind](t)
			for _, dir := range []string{"out", "done", "acks"} {
				d.mkdir(dir)
			}
			h := newHub(t, d, "")
			h.serve()

			// The partner's reader: every file it can see in acks/ must
			// be a whole interchange.
			var partial atomic.Value
			stopReader := make(chan struct{})
			var readerWG sync.WaitGroup
			readerWG.Add(1)
			go func() {
				defer readerWG.Done()
				for {
					select {
					case <-stopReader:
						return
					default:
					}
					for _, name := range d.ls("acks") {
						if strings.HasPrefix(name, ".") {
							continue
						}
						b, err := os.ReadFile(filepath.Join(d.root, "acks", name))
						if err == nil && !strings.HasSuffix(strings.TrimSpace(string(b)), "~") {
							partial.Store(fmt.Sprintf("%s: %q", name, b))
						}
					}
					time.Sleep(2 * time.Millisecond)
				}
			}()

			d.upload("PO 1 Müller & Söhne.x12", interchange(301, "R-1", 0))
			d.upload("PO 1 again.x12", interchange(301, "R-1", 0))
			// A file still being written: a little more every 300ms for 3s
			// (longer than two polls), then the rest. It must not be
			// taken before it stops changing.
			grow := interchange(302, "R-2", 0)
			growing := filepath.Join(d.root, "out", "growing.x12")
			os.WriteFile(growing, grow[:10], 0o644)
			d.owner(growing)
			for i := 1; i <= 10; i++ {
				time.Sleep(300 * time.Millisecond)
				if len(h.docs()["growing.x12"]) != 0 {
					t.Fatalf("a file still being written was pulled after %d appends", i)
				}
				f, _ := os.OpenFile(growing, os.O_APPEND|os.O_WRONLY, 0)
				if i < 10 {
					f.Write([]byte("\n"))
				} else {
					f.Write(grow[10:])
				}
				f.Close()
			}

			// A large file, and the server killed while it downloads.
			big := interchange(303, "R-3", 40<<20)
			d.upload("big.x12", big)
			spool := filepath.Join(h.data, "processing", "BIGRETAIL")
			killed := false
			waitFor(t, "the large file's download to start", 30*time.Second, func() bool {
				es, _ := os.ReadDir(spool)
				for _, e := range es {
					if strings.HasSuffix(e.Name(), ".tmp") && strings.Contains(e.Name(), "big.x12") {
						d.kill()
						killed = true
						return true
					}
				}
				return len(h.docs()["big.x12"]) > 0
			})
			if killed {
				t.Log("server killed during the download of big.x12")
				time.Sleep(500 * time.Millisecond)
				d.start()
			} else {
				t.Log("big.x12 was pulled before the server could be killed")
			}

			pos := []string{"R-1", "R-2", "R-3"}
			waitFor(t, "every document to be read", 60*time.Second, func() bool {
				ds := h.docs()
				for _, n := range []string{"PO 1 Müller & Söhne.x12", "PO 1 again.x12", "growing.x12", "big.x12"} {
					if len(ds[n]) == 0 || intake.Unfinished(ds[n][0].State) {
						return false
					}
				}
				return true
			})
			ds := h.docs()
			states := map[string]int{}
			for name, docs := range ds {
				if len(docs) != 1 {
					t.Errorf("%s is in the ledger %d times", name, len(docs))
				}
				states[docs[0].State]++
				if docs[0].State == store.DocError {
					t.Errorf("%s: %s", name, docs[0].Error)
				}
				if docs[0].Transport != kind {
					t.Errorf("%s came by %q; want %s", name, docs[0].Transport, kind)
				}
			}
			if states[store.DocArchived] != 3 || states[store.DocDuplicate] != 1 {
				t.Errorf("ledger states %v; want 3 archived, 1 duplicate", states)
			}
			for po, n := range h.orders(pos...) {
				if n != 1 {
					t.Errorf("PO %s: %d orders; want 1", po, n)
				}
			}
			waitFor(t, "the pulled files to be moved to done/", 20*time.Second, func() bool {
				return len(d.ls("out")) == 0 && len(d.ls("done")) == 4
			})
			// 997s for three interchanges (the duplicate is not answered)
			// and 855s for three orders.
			waitFor(t, "the answers on the partner's server", 60*time.Second, func() bool {
				n := 0
				for _, name := range d.ls("acks") {
					if !strings.HasPrefix(name, ".") {
						n++
					}
				}
				return n >= 6
			})
			close(stopReader)
			readerWG.Wait()
			if p := partial.Load(); p != nil {
				t.Errorf("the partner read a partial answer: %v", p)
			}
			out, _, code := run(t, "documents", "--data", h.data, "--config", filepath.Join(h.data, "orderhub.yaml"))
			if code != 0 || !strings.Contains(out, "delivered") || !strings.Contains(out, "duplicate") {
				t.Errorf("orderhub documents (exit %d):\n%s", code, out)
			}
		})
	}
}

// TestRemoteCrashPoints kills orderhub serve with SIGKILL at each step of
// a pull (ORDERHUB_FAILPOINT) and restarts it: each document is read once,
// and the file ends in done/ on the server.
func TestRemoteCrashPoints(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers and orderhub processes")
	}
	d := sftpDrop(t)
	for _, dir := range []string{"out", "done", "acks"} {
		d.mkdir(dir)
	}
	h := newHub(t, d, "")
	for i, step := range []string{"drop.fetched", "drop.recorded", "drop.read"} {
		name := fmt.Sprintf("crash %d.x12", i)
		po := fmt.Sprintf("C-%d", i)
		d.upload(name, interchange(400+i, po, 0))
		h.serve("ORDERHUB_FAILPOINT=" + step)
		h.died()
		h.serve()
		waitFor(t, name+" read after the crash at "+step, 30*time.Second, func() bool {
			ds := h.docs()[name]
			return len(ds) > 0 && !intake.Unfinished(ds[0].State) && len(d.ls("out")) == 0
		})
		waitFor(t, name+" moved to done/", 10*time.Second, func() bool {
			for _, n := range d.ls("done") {
				if n == name {
					return true
				}
			}
			return false
		})
		h.stop()
		if ds := h.docs()[name]; len(ds) != 1 || ds[0].State != store.DocArchived {
			t.Errorf("crash at %s: ledger has %d entries for %s (%+v); want 1, archived", step, len(ds), name, ds)
		}
		if n := h.orders(po)[po]; n != 1 {
			t.Errorf("crash at %s: %d orders for %s; want 1", step, n, po)
		}
	}
}

// TestRemoteTwoProcesses has two orderhub serve processes, each with its
// own data directory, poll one drop: each file is read by exactly one.
func TestRemoteTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers and orderhub processes")
	}
	for _, kind := range []string{"sftp", "ftp"} {
		t.Run(kind, func(t *testing.T) {
			d := remoteDrops(t)[kind](t)
			for _, dir := range []string{"out", "done", "acks"} {
				d.mkdir(dir)
			}
			a, b := newHub(t, d, ""), newHub(t, d, "")
			a.serve()
			b.serve()
			const files = 30
			var pos []string
			for i := range files {
				po := fmt.Sprintf("T-%02d", i)
				pos = append(pos, po)
				d.upload(fmt.Sprintf("two %02d.x12", i), interchange(500+i, po, 0))
			}
			waitFor(t, "every file pulled", 60*time.Second, func() bool {
				return len(a.docs())+len(b.docs()) >= files && len(d.ls("out")) == 0
			})
			time.Sleep(2 * time.Second) // let a late double pull show
			da, db := a.docs(), b.docs()
			for name := range da {
				if len(db[name]) > 0 {
					t.Errorf("%s pulled by both processes", name)
				}
			}
			if len(da)+len(db) != files {
				t.Errorf("%d + %d documents; want %d", len(da), len(db), files)
			}
			oa, ob := a.orders(pos...), b.orders(pos...)
			for _, po := range pos {
				if oa[po]+ob[po] != 1 {
					t.Errorf("PO %s: %d + %d orders; want 1", po, oa[po], ob[po])
				}
			}
			t.Logf("process a pulled %d files, b %d", len(da), len(db))
		})
	}
}

// TestRemoteRefusals: a wrong password, a directory the user may not read
// and an unknown host key each show in orderhub transports with the
// partner, the URL (no password) and the reason, and are not retried in a
// hot loop.
func TestRemoteRefusals(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers and orderhub processes")
	}
	for _, tc := range []struct {
		name, kind string
		setup      func(d *partnerDrop, h *hub)
		want       string
	}{
		{"wrong password", "ftp", func(d *partnerDrop, h *hub) {
			h.env = []string{"DROP_PASSWORD=not-the-password"}
		}, "login"},
		{"permission denied", "sftp", func(d *partnerDrop, h *hub) {
			os.Chmod(filepath.Join(d.root, "out"), 0o000)
			os.Lchown(filepath.Join(d.root, "out"), 0, 0)
		}, "permission denied"},
		{"unknown host key", "sftp", func(d *partnerDrop, h *hub) {
			os.WriteFile(strings.TrimSpace(strings.SplitN(strings.SplitN(d.remote, "known_hosts: ", 2)[1], "\n", 2)[0]), nil, 0o600)
		}, "SHA256:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if os.Getuid() != 0 && tc.name == "permission denied" {
				t.Skip("needs root to make a directory the server's user may not read")
			}
			d := remoteDrops(t)[tc.kind](t)
			for _, dir := range []string{"out", "done", "acks"} {
				d.mkdir(dir)
			}
			h := newHub(t, d, "")
			tc.setup(d, h)
			h.serve()
			var out string
			waitFor(t, "the drop to show as failing", 20*time.Second, func() bool {
				out, _, _ = run(t, "transports", "--json", "--data", h.data, "--config", filepath.Join(h.data, "orderhub.yaml"))
				return strings.Contains(out, "failing")
			})
			if !strings.Contains(out, "BIGRETAIL") || !strings.Contains(out, tc.want) {
				t.Errorf("orderhub transports --json:\n%s\nwant BIGRETAIL and %q", out, tc.want)
			}
			// Retried with a backoff, not in a loop; logged once.
			time.Sleep(4 * time.Second)
			if strings.Contains(out, "not-the-password") || strings.Contains(h.log(), "not-the-password") {
				t.Error("the password is shown")
			}
			if n := strings.Count(h.log(), "remote drop failing"); n < 1 || n > 2 {
				t.Errorf("the failure was logged %d times; want once (or twice, if its text changed)", n)
			}
		})
	}
}

// TestRemotePullByHand runs orderhub pull against a real sshd: it prints
// each file and what became of it, and the document is in the ledger.
func TestRemotePullByHand(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	d := sftpDrop(t)
	for _, dir := range []string{"out", "done", "acks"} {
		d.mkdir(dir)
	}
	h := newHub(t, d, "")
	d.upload("by hand.x12", interchange(601, "H-1", 0))
	tmp := filepath.Join(d.root, "out", "half.x12.part")
	os.WriteFile(tmp, []byte("ISA*"), 0o644)
	d.owner(tmp)
	url := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(d.remote, "\n", 2)[0], "  url:"))
	out, errs, code := run(t, "pull", url, "--data", h.data, "--config", filepath.Join(h.data, "orderhub.yaml"), "--settle", "100ms")
	if code != 0 {
		t.Fatalf("orderhub pull exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	for _, want := range []string{"for BIGRETAIL", "by hand.x12", "pulled", "archived, 1 order(s)", "half.x12.part", "skipped", "1 pulled, 1 skipped"} {
		if !strings.Contains(out, want) {
			t.Errorf("orderhub pull printed:\n%s\nwant %q in it", out, want)
		}
	}
	if ds := h.docs()["by hand.x12"]; len(ds) != 1 || ds[0].State != store.DocArchived || ds[0].Transport != "sftp" {
		t.Errorf("ledger: %+v", ds)
	}
	if got := d.ls("done"); len(got) != 1 || got[0] != "by hand.x12" {
		t.Errorf("done/ holds %q", got)
	}
	// A URL no profile names is refused with a message.
	_, errs, code = run(t, "pull", "sftp://nobody@127.0.0.1:1", "--data", h.data, "--config", filepath.Join(h.data, "orderhub.yaml"))
	if code != 2 || !strings.Contains(errs, "no partner profile has a remote at sftp://nobody@127.0.0.1:1") {
		t.Errorf("pull of an unknown URL: exit %d, %s", code, errs)
	}
}
