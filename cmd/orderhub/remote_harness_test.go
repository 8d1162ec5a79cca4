package main

// The remote tests' harness: a partner's real server (sshd, pure-ftpd)
// seen from both sides, and orderhub serve child processes on a data
// directory of their own.

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/orderhub/orderhub/app"
	"github.com/orderhub/orderhub/internal/testserver/ftpd"
	"github.com/orderhub/orderhub/internal/testserver/sshd"
	"github.com/orderhub/orderhub/store"
)

// partnerDrop is a partner's server as the remote tests see it: a real
// sshd or pure-ftpd on 127.0.0.1, with the local directory that is its
// user's home, so the test can play the partner (upload, look).
type partnerDrop struct {
	t    *testing.T
	kind string
	// root is the local directory the server shows as base.
	root, base string
	// remote is the profile's remote: block, less the directories.
	remote string
	env    []string
	owner  func(path string)
	kill   func()
	start  func()
}

func sftpDrop(t *testing.T) *partnerDrop {
	s := sshd.Start(t, sshd.Options{})
	if s.InProcess {
		t.Log("sshd cannot run here: the in-process SSH server stands in")
	}
	key := filepath.Join(t.TempDir(), "id_partner")
	if err := os.WriteFile(key, s.ClientKeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	remote := fmt.Sprintf("  url: %s\n  private_key: %s\n  known_hosts: %s\n", s.URL(), key, s.WriteKnownHosts())
	return &partnerDrop{t: t, kind: "sftp", root: s.Root, base: s.Dir, remote: remote, owner: s.Chown, kill: s.Kill, start: s.Restart}
}

func ftpDrop(t *testing.T, tls bool) *partnerDrop {
	s := ftpd.Start(t, ftpd.Options{TLS: tls})
	scheme := "ftp"
	remote := ""
	if tls {
		scheme = "ftps"
		ca := filepath.Join(t.TempDir(), "ca.pem")
		if err := os.WriteFile(ca, s.CAPEM, 0o644); err != nil {
			t.Fatal(err)
		}
		remote = fmt.Sprintf("  tls: {ca_file: %s}\n", ca)
	}
	remote = fmt.Sprintf("  url: %s\n  password_env: DROP_PASSWORD\n", s.URL(scheme)) + remote
	own := func(p string) { os.Lchown(p, s.UID, s.GID) }
	return &partnerDrop{t: t, kind: scheme, root: s.Root, base: "/", remote: remote,
		env: []string{"DROP_PASSWORD=" + s.Password}, owner: own, kill: s.Kill, start: s.Restart}
}

// dir is a server path under the base.
func (d *partnerDrop) dir(p string) string { return path.Join(d.base, p) }

func (d *partnerDrop) mkdir(p string) {
	local := filepath.Join(d.root, p)
	if err := os.MkdirAll(local, 0o755); err != nil {
		d.t.Fatal(err)
	}
	d.owner(local)
}

// upload puts a file in out/ as a careful partner does: a dot-name first,
// then a rename.
func (d *partnerDrop) upload(name string, body []byte) {
	d.t.Helper()
	tmp := filepath.Join(d.root, "out", "."+name+".part")
	if err := os.WriteFile(tmp, body, 0o644); err != nil {
		d.t.Fatal(err)
	}
	d.owner(tmp)
	if err := os.Rename(tmp, filepath.Join(d.root, "out", name)); err != nil {
		d.t.Fatal(err)
	}
}

func (d *partnerDrop) ls(p string) []string {
	es, _ := os.ReadDir(filepath.Join(d.root, p))
	var out []string
	for _, e := range es {
		if !e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// profile is BIGRETAIL's profile with this drop as its remote.
func (d *partnerDrop) profile(extra string) string {
	return "partner: BIGRETAIL\nx12:\n  sender_qualifier: ZZ\n  sender_id: BIGRETAIL\n  version: \"004010\"\n  acks: [997, 855]\nremote:\n" +
		// pure-ftpd answers a wrong password after 3 to 4.5 s: a timeout
		// near that would report a busy machine's refusal as silence.
		d.remote + fmt.Sprintf("  inbound: %s\n  glob: \"*.x12\"\n  poll: 1s\n  min_age: 0\n  after_pull: move:%s\n  outbound: %s\n  timeout: 15s\n",
		d.dir("out"), d.dir("done"), d.dir("acks")) + extra
}

// interchange is an X12 850 from BIGRETAIL for one PO, padded to at least
// pad bytes with line breaks after the IEA.
func interchange(control int, po string, pad int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "ISA*00*          *00*          *ZZ*BIGRETAIL      *ZZ*ORDERHUB       *261120*0930*U*00401*%09d*0*P*>~\n", control)
	fmt.Fprintf(&b, "GS*PO*BIGRETAIL*ORDERHUB*20261120*0930*%d*X*004010~\n", control)
	fmt.Fprintf(&b, "ST*850*0001~\nBEG*00*SA*%s**20261120~\nPO1*1*1*EA**VN*SKU-1002~\nCTT*1~\nSE*5*0001~\n", po)
	fmt.Fprintf(&b, "GE*1*%d~\nIEA*1*%09d~\n", control, control)
	if n := pad - b.Len(); n > 0 {
		b.WriteString(strings.Repeat("\n", n))
	}
	return []byte(b.String())
}

// hub is one orderhub's data directory, served by child processes.
type hub struct {
	t    *testing.T
	data string
	addr string
	env  []string
	srv  *server
}

func newHub(t *testing.T, d *partnerDrop, extra string) *hub {
	data := t.TempDir()
	cfg := "inbox:\n  enabled: false\nbus:\n  poll_interval: 100ms\nlog:\n  level: info\n"
	if err := os.WriteFile(filepath.Join(data, "orderhub.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"catalog", "stock", "prices", "partners", "crosswalk"} {
		orderhub(t, "load", kind, filepath.Join("..", "..", "testdata", "masterdata", kind+".csv"), "--data", data, "--config", filepath.Join(data, "orderhub.yaml"))
	}
	os.MkdirAll(filepath.Join(data, "profiles"), 0o755)
	if err := os.WriteFile(filepath.Join(data, "profiles", "bigretail.yaml"), []byte(d.profile(extra)), 0o644); err != nil {
		t.Fatal(err)
	}
	return &hub{t: t, data: data, addr: freeAddr(t), env: d.env}
}

// serve starts orderhub serve, with env added; it does not wait for it to
// be healthy when it is meant to die.
func (h *hub) serve(env ...string) {
	h.t.Helper()
	h.srv = startServerEnv(h.t, h.data, h.addr, len(env) == 0, append(h.env, env...)...)
	h.t.Cleanup(h.stop)
}

func (h *hub) stop() {
	if h.srv != nil {
		h.srv.stop()
		h.srv = nil
	}
}

// died waits for a serve that is meant to kill itself.
func (h *hub) died() {
	h.t.Helper()
	done := make(chan error, 1)
	go func() { done <- h.srv.cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			h.t.Fatal("serve exited cleanly; want killed at its failpoint")
		}
	case <-time.After(30 * time.Second):
		h.t.Fatalf("serve did not die at its failpoint:\n%s", h.log())
	}
	h.srv.log.Close()
	h.srv = nil
}

func (h *hub) log() string {
	b, _ := os.ReadFile(filepath.Join(h.data, "serve.log"))
	return string(b)
}

// docs are the ledger's documents in from the partner, by name.
func (h *hub) docs() map[string][]*store.Document {
	st, err := store.OpenReadOnly(app.StorePath(h.data))
	if err != nil {
		h.t.Fatal(err)
	}
	defer st.Close()
	ds, err := st.Documents(context.Background(), store.DocumentFilter{Direction: store.DirectionIn, Limit: 1000})
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string][]*store.Document{}
	for _, d := range ds {
		out[d.Name] = append(out[d.Name], d)
	}
	return out
}

// orders counts the hub's orders by PO number.
func (h *hub) orders(pos ...string) map[string]int {
	st, err := store.OpenReadOnly(app.StorePath(h.data))
	if err != nil {
		h.t.Fatal(err)
	}
	defer st.Close()
	out := map[string]int{}
	for _, po := range pos {
		rows, err := st.OrdersByPO(context.Background(), "BIGRETAIL", po)
		if err != nil {
			h.t.Fatal(err)
		}
		out[po] = len(rows)
	}
	return out
}

func waitFor(t *testing.T, what string, within time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func remoteDrops(t *testing.T) map[string]func(t *testing.T) *partnerDrop {
	return map[string]func(t *testing.T) *partnerDrop{
		"sftp": sftpDrop,
		"ftp":  func(t *testing.T) *partnerDrop { return ftpDrop(t, false) },
		"ftps": func(t *testing.T) *partnerDrop { return ftpDrop(t, true) },
	}
}
