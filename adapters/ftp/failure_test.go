package ftp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/orderhub/orderhub/adapters/drop"
	"github.com/orderhub/orderhub/internal/testserver/ftpd"
)

func TestLoginRefused(t *testing.T) {
	s := ftpd.Start(t, ftpd.Options{})
	for _, tc := range []struct {
		name     string
		url      string
		user     string
		password string
	}{
		{"wrong password", s.URL("ftp"), "", "not-" + s.Password},
		// A password in the URL is not used, and never shown.
		{"password in URL only", strings.Replace(s.URL("ftp"), "@", ":"+s.Password+"@", 1), "", ""},
		{"unknown user", s.URL("ftp"), "nobody-here", s.Password},
		{"anonymous", "ftp://" + s.Addr + "/", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // pure-ftpd makes each refusal wait
			u, err := url.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			ep := drop.Endpoint{URL: u, User: tc.user, Password: tc.password, Timeout: 10 * time.Second}
			start := time.Now()
			c, err := Dial(t.Context(), ep)
			took := time.Since(start)
			if err == nil {
				c.Close()
				t.Fatal("login accepted")
			}
			if !errors.Is(err, drop.ErrAuth) {
				t.Errorf("err = %v; want ErrAuth", err)
			}
			// pure-ftpd waits a few seconds before it refuses a password.
			if took > 8*time.Second {
				t.Errorf("refusal took %v", took)
			}
			msg := err.Error()
			t.Logf("%v: %s", took.Round(time.Millisecond), msg)
			if !strings.Contains(msg, ep.Redacted()) {
				t.Errorf("error %q does not name the URL %s", msg, ep.Redacted())
			}
			for _, secret := range []string{s.Password, tc.password} {
				if secret != "" && strings.Contains(msg, secret) {
					t.Errorf("error %q shows the password", msg)
				}
			}
		})
	}
}

func TestPermissionDenied(t *testing.T) {
	s := ftpd.Start(t, ftpd.Options{})
	// Owned by root, where the server's user (nobody) may not go.
	for _, d := range []struct {
		name string
		mode os.FileMode
	}{{"locked", 0o700}, {"readonly", 0o555}} {
		if err := s.MkdirAll(d.name); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(s.Root, d.name, "f.edi"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(filepath.Join(s.Root, d.name), 0, 0); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(s.Root, d.name), d.mode); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range []struct {
		name string
		o    options
	}{{"MLSD", options{}}, {"LIST", options{noMLSD: true}}} {
		t.Run(o.name, func(t *testing.T) {
			c := mustDial(t, endpoint(t, s, "ftp"), o.o)
			ctx := t.Context()
			for _, tc := range []struct {
				name string
				op   func() error
				want error
			}{
				{"fetch from locked dir", func() error { _, err := c.Fetch(ctx, "/locked/f.edi", io.Discard); return err }, drop.ErrPermission},
				{"fetch unreadable file", func() error { _, err := c.Fetch(ctx, "/readonly/f.edi", io.Discard); return err }, drop.ErrPermission},
				{"stat in locked dir", func() error { _, err := c.Stat(ctx, "/locked/f.edi"); return err }, drop.ErrPermission},
				{"put in locked dir", func() error { _, err := c.Put(ctx, "/locked/new.edi", strings.NewReader("x")); return err }, drop.ErrPermission},
				{"put in read-only dir", func() error { _, err := c.Put(ctx, "/readonly/new.edi", strings.NewReader("x")); return err }, drop.ErrPermission},
				{"remove from read-only dir", func() error { return c.Remove(ctx, "/readonly/f.edi") }, drop.ErrPermission},
				{"mkdir in read-only dir", func() error { return c.MkdirAll(ctx, "/readonly/sub/dir") }, drop.ErrPermission},
				{"rename out of read-only dir", func() error { return c.Rename(ctx, "/readonly/f.edi", "/taken.edi") }, drop.ErrPermission},
				{"missing under a missing dir", func() error { _, err := c.Stat(ctx, "/no/such/f.edi"); return err }, drop.ErrNotFound},
			} {
				err := tc.op()
				if !errors.Is(err, tc.want) {
					t.Errorf("%s: %v; want %v", tc.name, err, tc.want)
				}
			}
			// MLSD refuses a directory it may not read; LIST on pure-ftpd
			// answers it with an empty listing.
			if !o.o.noMLSD {
				if _, err := c.List(ctx, "/locked"); !errors.Is(err, drop.ErrPermission) {
					t.Errorf("list locked dir: %v; want ErrPermission", err)
				}
			}
			// Refusals leave the session usable.
			if _, err := c.List(ctx, "/"); err != nil {
				t.Errorf("List after refusals: %v", err)
			}
		})
	}
}

func TestUntrustedCertificate(t *testing.T) {
	s := ftpd.Start(t, ftpd.Options{TLS: true})
	for _, tc := range []struct {
		name string
		tls  func(*drop.Endpoint)
		want string
	}{
		{"unknown CA", func(ep *drop.Endpoint) { ep.TLS = nil }, "certificate signed by unknown authority"},
		{"wrong name", func(ep *drop.Endpoint) { ep.TLS.ServerName = "ftp.example.com" }, "wanted to match ftp.example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ep := endpoint(t, s, "ftps")
			tc.tls(&ep)
			c, err := Dial(t.Context(), ep)
			if err == nil {
				c.Close()
				t.Fatal("TLS session with an untrusted certificate")
			}
			if !errors.Is(err, drop.ErrHostKey) || !strings.Contains(err.Error(), "TLS certificate SHA256:") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v; want ErrHostKey naming the certificate and %q", err, tc.want)
			}
		})
	}
	// Plain FTP to a TLS-only server is refused, and not as a wrong
	// password.
	c, err := Dial(t.Context(), endpoint(t, s, "ftp"))
	if err == nil {
		c.Close()
		t.Fatal("cleartext login accepted by a TLS-only server")
	}
	t.Logf("cleartext login: %v", err)
}

// A server that accepts the connection and never says anything.
func TestSilentServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	u := &url.URL{Scheme: "ftp", User: url.User("partner"), Host: l.Addr().String()}
	ep := drop.Endpoint{URL: u, Password: "secret", Timeout: 300 * time.Millisecond}
	start := time.Now()
	_, err = Dial(t.Context(), ep)
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Dial took %v with a 300ms timeout", took)
	}
	if err == nil || !strings.Contains(err.Error(), "no answer within 300ms") {
		t.Errorf("err = %v; want no answer within 300ms", err)
	}

	// Cancelled while waiting for the greeting.
	ep.Timeout = time.Minute
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start = time.Now()
	if _, err = Dial(ctx, ep); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 3*time.Second {
		t.Errorf("Dial with a context ending after 200ms = %v after %v", err, time.Since(start))
	}
}

// A server that stops answering in the middle of a session.
func TestHungServer(t *testing.T) {
	s := ftpd.Start(t, ftpd.Options{})
	writeRandom(t, s, "big.bin", 32<<20)
	ep := endpoint(t, s, "ftp")
	ep.Timeout = time.Second
	for _, tc := range []struct {
		name string
		op   func(c *conn, pause func()) error
	}{
		{"between commands", func(c *conn, pause func()) error {
			pause()
			_, err := c.List(t.Context(), "/")
			return err
		}},
		{"mid-transfer", func(c *conn, pause func()) error {
			_, err := c.Fetch(t.Context(), "/big.bin", &afterWriter{n: 1 << 20, do: pause})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustDial(t, ep, options{})
			defer s.Resume()
			start := time.Now()
			err := tc.op(c, s.Pause)
			took := time.Since(start)
			if err == nil || !strings.Contains(err.Error(), "no answer from the server within 1s") {
				t.Errorf("err = %v; want no answer within 1s", err)
			}
			if took > 5*time.Second {
				t.Errorf("took %v with a 1s timeout", took)
			}
			s.Resume()
			if _, err := c.Stat(t.Context(), "/big.bin"); err == nil || !strings.Contains(err.Error(), "session ended") {
				t.Errorf("Stat after the timeout = %v; want the session ended", err)
			}
		})
	}
}

func TestKilledMidFetch(t *testing.T) {
	s := ftpd.Start(t, ftpd.Options{})
	const size = 50 << 20
	want := writeRandom(t, s, "big.bin", size)
	ep := endpoint(t, s, "ftp")
	ep.Timeout = 5 * time.Second

	c := mustDial(t, ep, options{})
	h := sha256.New()
	start := time.Now()
	n, err := c.Fetch(t.Context(), "/big.bin", &afterWriter{w: h, n: 1 << 20, do: s.Kill})
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("Fetch took %v to notice the server gone", took)
	}
	if err == nil || n >= size {
		t.Fatalf("Fetch from a killed server = %d bytes, %v; want an error and fewer than %d", n, err, size)
	}
	t.Logf("killed mid-fetch: %d bytes, %v", n, err)

	s.Restart()
	c = mustDial(t, ep, options{})
	h.Reset()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n, err = c.Fetch(t.Context(), "/big.bin", h)
	runtime.ReadMemStats(&after)
	if err != nil || n != size || !bytes.Equal(h.Sum(nil), want) {
		t.Fatalf("Fetch after Restart = %d bytes, %v; want all %d, same sha256", n, err, size)
	}
	// Streamed, not buffered: a 50 MB file costs a few buffers.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("Fetch of %d MB allocated %d bytes", size>>20, alloc)
	}
}

func TestCancelledFetch(t *testing.T) {
	s := ftpd.Start(t, ftpd.Options{TLS: true})
	writeRandom(t, s, "big.bin", 32<<20)
	ep := endpoint(t, s, "ftps")
	c := mustDial(t, ep, options{})
	ctx, cancel := context.WithCancel(t.Context())
	start := time.Now()
	n, err := c.Fetch(ctx, "/big.bin", &afterWriter{n: 1 << 20, do: cancel})
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("cancelled Fetch took %v", took)
	}
	if !errors.Is(err, context.Canceled) || n >= 32<<20 {
		t.Fatalf("cancelled Fetch = %d, %v; want context.Canceled", n, err)
	}
	if _, err := c.Stat(t.Context(), "/big.bin"); err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Errorf("Stat after cancel = %v; want the session ended by the cancel", err)
	}
	// The server is fine; a new session reads the file.
	c = mustDial(t, ep, options{})
	if n, err := c.Fetch(t.Context(), "/big.bin", io.Discard); err != nil || n != 32<<20 {
		t.Errorf("Fetch in a new session = %d, %v", n, err)
	}
}

// writeRandom puts size pseudo-random bytes in name under the server's
// root and returns their SHA-256.
func writeRandom(t testing.TB, s *ftpd.Server, name string, size int64) []byte {
	t.Helper()
	f, err := s.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	src := rand.NewChaCha8([32]byte{1})
	if _, err := io.CopyN(io.MultiWriter(f, h), src, size); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return h.Sum(nil)
}

// afterWriter calls do once, after n bytes have been written through it.
type afterWriter struct {
	w    io.Writer
	n    int64
	do   func()
	seen int64
}

func (a *afterWriter) Write(b []byte) (int, error) {
	if a.w != nil {
		if _, err := a.w.Write(b); err != nil {
			return 0, err
		}
	}
	before := a.seen
	a.seen += int64(len(b))
	if before < a.n && a.seen >= a.n {
		a.do()
	}
	return len(b), nil
}
