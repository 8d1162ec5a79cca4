package sftp

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/orderhub/orderhub/adapters/drop"
	"github.com/orderhub/orderhub/adapters/drop/droptest"
	"github.com/orderhub/orderhub/internal/testserver/sshd"
)

// endpoint logs in to s with its client key, trusting its host key
// through a known_hosts file.
func endpoint(t testing.TB, s *sshd.Server) drop.Endpoint {
	u, err := url.Parse(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	return drop.Endpoint{URL: u, PrivateKey: s.ClientKeyPEM, KnownHosts: s.WriteKnownHosts(), Timeout: 5 * time.Second}
}

func dialT(t testing.TB, ep drop.Endpoint) drop.Conn {
	t.Helper()
	c, err := Dial(t.Context(), ep)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestConformance(t *testing.T) {
	s := sshd.Start(t, sshd.Options{})
	ep := endpoint(t, s)
	n := 0
	droptest.Run(t, func(t *testing.T) (drop.Conn, string) {
		c := dialT(t, ep)
		n++
		dir := path.Join(s.Dir, fmt.Sprintf("case%d", n))
		if err := c.MkdirAll(t.Context(), dir); err != nil {
			t.Fatal(err)
		}
		return c, dir
	})
}

func TestWrongKey(t *testing.T) {
	s := sshd.Start(t, sshd.Options{})
	ep := endpoint(t, s)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(other, "")
	if err != nil {
		t.Fatal(err)
	}
	ep.PrivateKey = pemEncode(block)
	_, err = Dial(t.Context(), ep)
	if !errors.Is(err, drop.ErrAuth) {
		t.Fatalf("Dial with a key not in authorized_keys = %v; want ErrAuth", err)
	}
	if want := s.User + "@" + s.Addr; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name %s", err, want)
	}
}

func TestEncryptedKey(t *testing.T) {
	s := sshd.Start(t, sshd.Options{})
	ep := endpoint(t, s)
	raw, err := ssh.ParseRawPrivateKey(s.ClientKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKeyWithPassphrase(raw, "", []byte("open sesame"))
	if err != nil {
		t.Fatal(err)
	}
	ep.PrivateKey = pemEncode(block)

	ep.KeyPassphrase = ""
	if _, err := Dial(t.Context(), ep); err == nil || !strings.Contains(err.Error(), "passphrase") {
		t.Errorf("Dial without the passphrase = %v; want an error saying the key needs one", err)
	}
	ep.KeyPassphrase = "open sesame"
	c := dialT(t, ep)
	if _, err := c.List(t.Context(), s.Dir); err != nil {
		t.Fatal(err)
	}
}

func TestHostKey(t *testing.T) {
	s := sshd.Start(t, sshd.Options{HostKeyTypes: []string{"ed25519", "ecdsa"}})
	fp := Fingerprint(s.HostKey)
	otherKey := func(t *testing.T) ssh.PublicKey {
		pub, _, _ := ed25519.GenerateKey(rand.Reader)
		k, err := ssh.NewPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	writeKnown := func(t *testing.T, keys ...ssh.PublicKey) string {
		var b strings.Builder
		b.WriteString("# a comment\nexample.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n")
		for _, k := range keys {
			b.WriteString(knownhosts.Line([]string{knownhosts.Normalize(s.Addr)}, k) + "\n")
		}
		p := filepath.Join(t.TempDir(), "known_hosts")
		if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var ed25519Key ssh.PublicKey
	for _, k := range s.HostKeys {
		if k.Type() == ssh.KeyAlgoED25519 {
			ed25519Key = k
		}
	}

	for _, tc := range []struct {
		name    string
		ep      func(t *testing.T, ep *drop.Endpoint)
		refused string // "" when the login must succeed, else a word the error must hold
	}{
		{"known", func(t *testing.T, ep *drop.Endpoint) {}, ""},
		// The server has two keys and x/crypto prefers ECDSA: the known
		// Ed25519 key must be asked for.
		{"known other type", func(t *testing.T, ep *drop.Endpoint) { ep.KnownHosts = writeKnown(t, ed25519Key) }, ""},
		{"missing known_hosts", func(t *testing.T, ep *drop.Endpoint) { ep.KnownHosts = filepath.Join(t.TempDir(), "nope") }, "unknown"},
		{"no trust configured", func(t *testing.T, ep *drop.Endpoint) { ep.KnownHosts = "" }, "unknown"},
		{"unknown", func(t *testing.T, ep *drop.Endpoint) { ep.KnownHosts = writeKnown(t) }, "unknown"},
		{"changed", func(t *testing.T, ep *drop.Endpoint) {
			// Another key of the type the server shows.
			ep.KnownHosts = writeKnown(t, otherECDSA(t))
		}, "CHANGED"},
		{"pinned", func(t *testing.T, ep *drop.Endpoint) {
			ep.KnownHosts = writeKnown(t) // not read when pinned
			ep.HostKeyFingerprints = []string{Fingerprint(otherKey(t)), fp}
		}, ""},
		{"pin refused", func(t *testing.T, ep *drop.Endpoint) {
			ep.HostKeyFingerprints = []string{Fingerprint(otherKey(t))}
		}, "CHANGED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ep := endpoint(t, s)
			tc.ep(t, &ep)
			c, err := Dial(t.Context(), ep)
			if tc.refused == "" {
				if err != nil {
					t.Fatal(err)
				}
				c.Close()
				return
			}
			if err == nil {
				c.Close()
				t.Fatal("Dial succeeded; want the host key refused")
			}
			if !errors.Is(err, drop.ErrHostKey) {
				t.Fatalf("Dial = %v; want ErrHostKey", err)
			}
			msg := err.Error()
			for _, want := range []string{tc.refused, fp, s.HostKey.Type(), s.Addr, "orderhub trust-host sftp://" + s.Addr} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not say %q", msg, want)
				}
			}
		})
	}
}

func otherECDSA(t *testing.T) ssh.PublicKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ssh.NewPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

func pemEncode(b *pem.Block) []byte { return pem.EncodeToMemory(b) }

func TestPasswordLogin(t *testing.T) {
	for _, tc := range []struct {
		name   string
		noPass bool
	}{
		{"password method", false},
		{"keyboard-interactive", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// sshd checks passwords against the system's accounts: the
			// in-process server stands in.
			s := sshd.Start(t, sshd.Options{InProcess: true, Password: "s3cret pass", NoPasswordMethod: tc.noPass})
			ep := endpoint(t, s)
			ep.PrivateKey = nil
			ep.Password = "s3cret pass"
			c := dialT(t, ep)
			if _, err := c.List(t.Context(), s.Dir); err != nil {
				t.Fatal(err)
			}
			ep.Password = "wrong horse"
			_, err := Dial(t.Context(), ep)
			if !errors.Is(err, drop.ErrAuth) {
				t.Fatalf("Dial with a wrong password = %v; want ErrAuth", err)
			}
			if strings.Contains(err.Error(), "wrong horse") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestPermission(t *testing.T) {
	s := sshd.Start(t, sshd.Options{})
	if !s.RealPermissions() {
		t.Skip("the in-process server runs as root here: file modes refuse it nothing")
	}
	// Made by the test (root, or the login user itself): mode bits alone
	// refuse the login user, as root or not.
	locked := filepath.Join(s.Root, "locked")
	secret := filepath.Join(s.Root, "secret")
	if err := os.Mkdir(locked, 0o555); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(secret, 0o333); err != nil {
		t.Fatal(err)
	}
	os.Chmod(locked, 0o555)
	os.Chmod(secret, 0o333)
	t.Cleanup(func() { os.Chmod(locked, 0o755); os.Chmod(secret, 0o755) })
	c := dialT(t, endpoint(t, s))
	ctx := t.Context()
	if _, err := c.Put(ctx, path.Join(s.Dir, "locked", "x.edi"), strings.NewReader("x")); !errors.Is(err, drop.ErrPermission) {
		t.Errorf("Put into a read-only dir = %v; want ErrPermission", err)
	} else if !strings.Contains(err.Error(), "put "+path.Join(s.Dir, "locked", "x.edi")) {
		t.Errorf("error %q does not name the operation and path", err)
	}
	if _, err := c.List(ctx, path.Join(s.Dir, "secret")); !errors.Is(err, drop.ErrPermission) {
		t.Errorf("List of an unreadable dir = %v; want ErrPermission", err)
	}
	if err := c.MkdirAll(ctx, path.Join(s.Dir, "locked", "sub")); !errors.Is(err, drop.ErrPermission) {
		t.Errorf("MkdirAll in a read-only dir = %v; want ErrPermission", err)
	}
	// The session is still good.
	if _, err := c.List(ctx, s.Dir); err != nil {
		t.Fatal(err)
	}
}

// A server that accepts and never says a word: the login gives up after
// the endpoint's timeout.
func TestDialTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	})
	u, _ := url.Parse("sftp://someone@" + l.Addr().String())
	ep := drop.Endpoint{URL: u, Password: "x", KnownHosts: filepath.Join(t.TempDir(), "kh"), Timeout: 300 * time.Millisecond}
	start := time.Now()
	_, err = Dial(t.Context(), ep)
	took := time.Since(start)
	if err == nil {
		t.Fatal("Dial to a silent server succeeded")
	}
	if took > 3*time.Second {
		t.Errorf("Dial took %s with a 300ms timeout", took)
	}
	if !strings.Contains(err.Error(), "300ms") {
		t.Errorf("error %q does not say which timeout ran out", err)
	}
}

// An idle session outlives its timeout (the keepalive keeps it busy);
// a session whose server stops answering ends within one.
func TestIdleAndFrozen(t *testing.T) {
	s := sshd.Start(t, sshd.Options{})
	ep := endpoint(t, s)
	ep.Timeout = 400 * time.Millisecond
	c := dialT(t, ep)
	ctx := t.Context()
	time.Sleep(3 * ep.Timeout)
	if _, err := c.List(ctx, s.Dir); err != nil {
		t.Fatalf("List after an idle spell of 3 timeouts: %v", err)
	}
	if s.InProcess {
		t.Skip("freezing needs sshd's processes")
	}
	s.Freeze()
	t.Cleanup(s.Thaw)
	start := time.Now()
	_, err := c.List(ctx, s.Dir)
	if err == nil {
		t.Fatal("List on a frozen server succeeded")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("List on a frozen server took %s with a %s timeout", took, ep.Timeout)
	}
	if !strings.Contains(err.Error(), "no answer") {
		t.Errorf("error %q does not say the server stopped answering", err)
	}
}

// writeBig puts n random bytes in the server's root and returns their
// SHA-256.
func writeBig(t *testing.T, s *sshd.Server, name string, n int) [32]byte {
	b := make([]byte, n)
	rand.Read(b)
	p := filepath.Join(s.Root, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	s.Chown(p)
	return sha256.Sum256(b)
}

// onFirstWrite calls f once, before the first bytes are taken.
type onFirstWrite struct {
	w    io.Writer
	once sync.Once
	f    func()
	n    atomic.Int64
}

func (o *onFirstWrite) Write(p []byte) (int, error) {
	o.once.Do(o.f)
	o.n.Add(int64(len(p)))
	return o.w.Write(p)
}

func TestServerKilledMidFetch(t *testing.T) {
	s := sshd.Start(t, sshd.Options{})
	const size = 64 << 20
	sum := writeBig(t, s, "big.bin", size)
	ep := endpoint(t, s)
	ep.Timeout = 2 * time.Second
	c := dialT(t, ep)
	p := path.Join(s.Dir, "big.bin")

	w := &onFirstWrite{w: io.Discard, f: s.Kill}
	start := time.Now()
	n, err := c.Fetch(t.Context(), p, w)
	took := time.Since(start)
	if err == nil {
		t.Fatalf("Fetch through a server killed mid-transfer succeeded with %d of %d bytes", n, size)
	}
	if took > 2*ep.Timeout+time.Second {
		t.Errorf("Fetch took %s to notice the server died", took)
	}
	t.Logf("Fetch after %s, %d bytes: %v", took, n, err)

	s.Restart()
	c2 := dialT(t, ep)
	h := sha256.New()
	n, err = c2.Fetch(t.Context(), p, h)
	if err != nil || n != size {
		t.Fatalf("Fetch after restart = %d, %v; want %d", n, err, size)
	}
	if !bytes.Equal(h.Sum(nil), sum[:]) {
		t.Fatal("Fetch after restart: content differs")
	}
}

func TestCancelMidFetch(t *testing.T) {
	s := sshd.Start(t, sshd.Options{})
	writeBig(t, s, "big.bin", 32<<20)
	c := dialT(t, endpoint(t, s))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	w := &onFirstWrite{w: io.Discard, f: cancel}
	start := time.Now()
	_, err := c.Fetch(ctx, path.Join(s.Dir, "big.bin"), w)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Fetch with ctx cancelled = %v; want context.Canceled", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Fetch took %s after the cancel", took)
	}
	// The session was abandoned: it says so instead of hanging.
	if _, err := c.List(t.Context(), s.Dir); err == nil {
		t.Error("List on an abandoned session succeeded")
	}
}

func TestEndpointErrors(t *testing.T) {
	for _, tc := range []struct {
		url  string
		ep   drop.Endpoint
		want string
	}{
		{"ftp://u@h", drop.Endpoint{Password: "p"}, "scheme"},
		{"sftp://h:22", drop.Endpoint{Password: "p"}, "no user"},
		{"sftp://u@h", drop.Endpoint{}, "no private key and no password"},
		{"sftp://u@h", drop.Endpoint{PrivateKey: []byte("not a key")}, "private key"},
	} {
		ep := tc.ep
		ep.URL, _ = url.Parse(tc.url)
		if _, err := Dial(t.Context(), ep); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Dial %s = %v; want an error saying %q", tc.url, err, tc.want)
		}
	}
	// Port 22 is the default, and ep.User wins over the URL's.
	u, _ := url.Parse("sftp://urluser@example.com")
	hp, user, err := target(drop.Endpoint{URL: u, User: "epuser"})
	if err != nil || hp != "example.com:22" || user != "epuser" {
		t.Errorf("target = %q, %q, %v", hp, user, err)
	}
}

// A session that ends cleanly mid-transfer (no error, just the end) must
// not pass for a whole file: Fetch compares what came with the size.
func TestSessionCutMidFetch(t *testing.T) {
	s := sshd.Start(t, sshd.Options{InProcess: true, CutAfter: 1 << 20})
	writeBig(t, s, "big.bin", 8<<20)
	c := dialT(t, endpoint(t, s))
	n, err := c.Fetch(t.Context(), path.Join(s.Dir, "big.bin"), io.Discard)
	if err == nil {
		t.Fatalf("Fetch of a session cut after 1 MiB succeeded with %d of %d bytes", n, 8<<20)
	}
	t.Logf("Fetch = %d, %v", n, err)
}
