// Package ftpd runs a real pure-ftpd for tests: in the foreground, on
// 127.0.0.1 and a free port, with a temporary root, one virtual user in a
// PureDB file, a passive port range of its own, optional explicit TLS with
// a certificate made for the test, and no anonymous login.
//
// pure-ftpd must run as root: it chroots each session into the user's
// home and switches to the user's uid (run as anyone else it answers
// every login "421 Sorry, but I can't trust you"). Start skips the test
// when the binary is missing or the test does not run as root, and fails
// instead of skipping a missing binary when ORDERHUB_REQUIRE_SERVERS=1.
package ftpd

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/orderhub/orderhub/internal/testserver"
)

// Options are what a test may choose about its server. The zero value is
// a plain-FTP server with user "partner" and a random password.
type Options struct {
	// TLS makes the server require explicit TLS (AUTH TLS) on the control
	// connection and on every data connection (pure-ftpd -Y 3), with a
	// self-signed certificate for 127.0.0.1.
	TLS bool
	// User is the virtual user's login (default "partner").
	User string
	// Password is its password (default: random).
	Password string
}

// Server is a running pure-ftpd.
type Server struct {
	// Addr is host:port of the control connection.
	Addr string
	// User and Password log in; Root is the user's home on the local
	// disk, which is "/" to the FTP client.
	User, Password, Root string
	// UID and GID own Root and everything the server writes in it.
	UID, GID int
	// CAPEM is the server's certificate in PEM (it is its own CA), nil
	// without Options.TLS.
	CAPEM []byte

	t    testing.TB
	bin  string
	args []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has been waited for
	out  *testserver.Output
}

// Start runs a server until the test ends. It returns once the server
// accepts connections.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	bin := lookPath("pure-ftpd")
	pw := lookPath("pure-pw")
	if bin == "" || pw == "" {
		msg := "pure-ftpd not installed (apt-get install pure-ftpd)"
		if testserver.Required() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if os.Geteuid() != 0 {
		t.Skip("pure-ftpd needs root (it chroots into the user's home and switches to the user's uid); run the tests as root")
	}
	if opts.User == "" {
		opts.User = "partner"
	}
	if opts.Password == "" {
		opts.Password = rand.Text()
	}

	dir := t.TempDir()
	s := &Server{User: opts.User, Password: opts.Password, Root: filepath.Join(dir, "home"), t: t, bin: bin}
	s.UID, s.GID = unprivileged(t)
	if err := os.Mkdir(s.Root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(s.Root, s.UID, s.GID); err != nil {
		t.Fatal(err)
	}

	// The "/./" at the end of the home chroots the user into it.
	passwd := filepath.Join(dir, "pureftpd.passwd")
	line := fmt.Sprintf("%s:%s:%d:%d::%s/./::::::::::::\n", s.User, sha512Crypt(s.Password, rand.Text()[:16]), s.UID, s.GID, s.Root)
	if err := os.WriteFile(passwd, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	pdb := filepath.Join(dir, "pureftpd.pdb")
	if out, err := exec.Command(pw, "mkdb", pdb, "-f", passwd).CombinedOutput(); err != nil {
		t.Fatalf("pure-pw mkdb: %v: %s", err, out)
	}

	port, err := testserver.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	first := freeRange(t, passivePorts)
	s.args = []string{
		"-S", "127.0.0.1," + strconv.Itoa(port),
		"-l", "puredb:" + pdb,
		"-E", // no anonymous login
		"-A", // chroot everyone
		"-H", // no reverse DNS
		"-D", // list dot-files too, as most servers do
		"-f", "none",
		"-g", filepath.Join(dir, "pure-ftpd.pid"),
		"-p", fmt.Sprintf("%d:%d", first, first+passivePorts-1),
		// pure-ftpd lowers -c to half the passive ports.
		"-c", strconv.Itoa(passivePorts / 2),
		"-C", strconv.Itoa(passivePorts / 2),
	}
	if opts.TLS {
		certFile := filepath.Join(dir, "pure-ftpd.pem")
		s.CAPEM = selfSigned(t, certFile)
		s.args = append(s.args, "-Y", "3", "-2", certFile)
	}

	t.Cleanup(s.Stop)
	s.start()
	return s
}

// passivePorts is the size of each server's passive range.
const passivePorts = 100

// URL is scheme://user@addr/, the server's URL without the password.
func (s *Server) URL(scheme string) string {
	u := url.URL{Scheme: scheme, User: url.User(s.User), Host: s.Addr, Path: "/"}
	return u.String()
}

// TLSConfig trusts the server's certificate (nil without Options.TLS).
func (s *Server) TLSConfig() *tls.Config {
	if s.CAPEM == nil {
		return nil
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CAPEM)
	return &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

// Create makes a file under Root (name is relative to it, "/"-separated),
// owned by the user as if it had been uploaded.
func (s *Server) Create(name string) (*os.File, error) {
	p := filepath.Join(s.Root, filepath.FromSlash(name))
	f, err := os.Create(p)
	if err != nil {
		return nil, err
	}
	if err := f.Chown(s.UID, s.GID); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// WriteFile writes a file under Root owned by the user.
func (s *Server) WriteFile(name string, data []byte) error {
	f, err := s.Create(name)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// MkdirAll makes a directory under Root, and its parents, owned by the
// user.
func (s *Server) MkdirAll(name string) error {
	p := s.Root
	for _, el := range strings.Split(strings.Trim(name, "/"), "/") {
		p = filepath.Join(p, el)
		if err := os.Mkdir(p, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
		if err := os.Chown(p, s.UID, s.GID); err != nil {
			return err
		}
	}
	return nil
}

// Stop ends the server and its sessions (SIGTERM, then SIGKILL after 5s).
func (s *Server) Stop() { s.signal(syscall.SIGTERM, 5*time.Second) }

// Kill ends the server and every session at once with SIGKILL, as a
// crash would: transfers in flight break off.
func (s *Server) Kill() { s.signal(syscall.SIGKILL, 0) }

// Pause freezes the server and its sessions (SIGSTOP): connections stay
// open and nothing answers, as with a hung server or a dead network.
func (s *Server) Pause() { s.group(syscall.SIGSTOP) }

// Resume undoes Pause.
func (s *Server) Resume() { s.group(syscall.SIGCONT) }

func (s *Server) group(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		syscall.Kill(-s.cmd.Process.Pid, sig)
	}
}

// Restart starts the server again, on the same port and root, after a
// Stop or Kill (or stops it first).
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.start()
}

func (s *Server) start() {
	s.t.Helper()
	cmd := exec.Command(s.bin, s.args...)
	out := &testserver.Output{}
	cmd.Stdout, cmd.Stderr = out, out
	// A group of its own, so Kill reaches the session processes pure-ftpd
	// forks for each client, not only the listener.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start pure-ftpd: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done, s.out = cmd, done, out
	s.mu.Unlock()

	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-done:
			s.t.Fatalf("pure-ftpd %s exited: %v\n%s", strings.Join(s.args, " "), cmd.ProcessState, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.signal(syscall.SIGKILL, 0)
			s.t.Fatalf("pure-ftpd did not accept on %s within 10s: %v\n%s", s.Addr, err, out.String())
		}
	}
}

// signal sends sig to the server's process group and waits for the server
// to exit, escalating to SIGKILL after grace.
func (s *Server) signal(sig syscall.Signal, grace time.Duration) {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	pgid := cmd.Process.Pid
	syscall.Kill(-pgid, sig)
	syscall.Kill(-pgid, syscall.SIGCONT) // a paused server could not act on it
	if grace > 0 {
		select {
		case <-done:
			// The sessions may outlive the listener; end them too.
			syscall.Kill(-pgid, syscall.SIGKILL)
			return
		case <-time.After(grace):
		}
		syscall.Kill(-pgid, syscall.SIGKILL)
	}
	<-done
}

// unprivileged is the uid and gid the virtual user is mapped to: nobody's.
func unprivileged(t testing.TB) (int, int) {
	u, err := user.Lookup("nobody")
	if err != nil {
		return 65534, 65534
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		t.Fatalf("user nobody: uid %q gid %q", u.Uid, u.Gid)
	}
	return uid, gid
}

func lookPath(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/bin", "/usr/local/sbin"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	return ""
}

// freeRange finds n consecutive ports on 127.0.0.1 that can all be bound
// now, away from the kernel's ephemeral range, so that no other test's
// server takes them.
func freeRange(t testing.TB, n int) int {
	for range 50 {
		first := 20000 + mrand.IntN(12000)
		var ls []net.Listener
		ok := true
		for p := first; p < first+n; p++ {
			l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
			if err != nil {
				ok = false
				break
			}
			ls = append(ls, l)
		}
		for _, l := range ls {
			l.Close()
		}
		if ok {
			return first
		}
	}
	t.Fatalf("no %d free consecutive ports found for the passive range", n)
	return 0
}
