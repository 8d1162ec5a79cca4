// Package sshd runs an SFTP server for tests: OpenSSH's sshd from the
// system, on 127.0.0.1 and a free port, with host keys, a client key and a
// root directory of the test's own, stopped by the PID the test started.
//
// Where sshd cannot run, Start falls back to an in-process server
// (x/crypto/ssh and pkg/sftp's server) and says so in the test's log; with
// ORDERHUB_REQUIRE_SERVERS=1 it fails instead, so `make test` proves the
// adapter against the real thing.
package sshd

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
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
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Binary is where Debian's openssh-server puts sshd.
const Binary = "/usr/sbin/sshd"

// Options change the server.
type Options struct {
	// HostKeyTypes are the host keys the server has, of "ed25519" and
	// "ecdsa". Default: ed25519 only.
	HostKeyTypes []string
	// InProcess uses the in-process server even where sshd runs, for
	// what sshd makes hard to test (password logins).
	InProcess bool
	// Password, in-process only, is accepted for User by SSH's password
	// method, and by keyboard-interactive as the answer to one prompt.
	Password string
	// NoPasswordMethod, in-process only, offers keyboard-interactive but
	// not the password method, as many servers configured for PAM do.
	NoPasswordMethod bool
	// CutAfter, in-process only, when > 0, ends each SFTP session cleanly
	// (channel EOF and close, no error) once it has sent that many bytes,
	// as a server or middlebox that gives up mid-transfer would.
	CutAfter int64
}

// Server is a running SFTP server.
type Server struct {
	// Addr is "127.0.0.1:port".
	Addr string
	// User is the login name.
	User string
	// Root is the local path of the directory the server starts the
	// session in, writable by User; Dir is the same directory as the
	// server's paths name it.
	Root, Dir string
	// HostKey is the host key the server presents to a client with
	// default preferences (the first of HostKeys).
	HostKey ssh.PublicKey
	// HostKeys are all the server's host keys.
	HostKeys []ssh.PublicKey
	// ClientKeyPEM is the private key (OpenSSH form) in authorized_keys.
	ClientKeyPEM []byte
	// InProcess is true when the fallback server runs instead of sshd.
	InProcess bool

	t        testing.TB
	opts     Options
	work     string // config, keys, logs
	cfgFile  string
	uid, gid int // the login user's, -1 when it is the test's own

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	log    *testserver.Output
	inproc *inProcess
}

// URL is sftp://user@addr.
func (s *Server) URL() string { return "sftp://" + s.User + "@" + s.Addr }

// KnownHostsLine is the known_hosts line trusting HostKey at Addr.
func (s *Server) KnownHostsLine() string {
	return knownhosts.Line([]string{knownhosts.Normalize(s.Addr)}, s.HostKey)
}

// WriteKnownHosts writes a known_hosts file trusting HostKey at Addr and
// returns its path.
func (s *Server) WriteKnownHosts() string {
	p := filepath.Join(s.t.TempDir(), "known_hosts")
	if err := os.WriteFile(p, []byte(s.KnownHostsLine()+"\n"), 0o600); err != nil {
		s.t.Fatal(err)
	}
	return p
}

// Start runs the server and returns once it accepts connections. It is
// stopped in t.Cleanup.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if len(opts.HostKeyTypes) == 0 {
		opts.HostKeyTypes = []string{"ed25519"}
	}
	s := &Server{t: t, opts: opts, work: t.TempDir(), uid: -1, gid: -1}
	s.makeKeys()
	s.makeRoot()
	require := testserver.Required()
	useSSHD := !opts.InProcess
	if useSSHD {
		if _, err := os.Stat(Binary); err != nil {
			if require {
				t.Fatalf("sshd: %s is missing (install openssh-server); ORDERHUB_REQUIRE_SERVERS=1 wants the real server", Binary)
			}
			t.Logf("sshd: %s is missing (install openssh-server): using the in-process SFTP server instead", Binary)
			useSSHD = false
		}
	}
	if useSSHD {
		err := s.startSSHD()
		if err == nil {
			t.Cleanup(s.Stop)
			return s
		}
		if require {
			t.Fatalf("sshd: %v", err)
		}
		t.Logf("sshd cannot run here (%v): using the in-process SFTP server instead", err)
	} else if opts.InProcess {
		t.Logf("sshd: using the in-process SFTP server, as the test asks")
	}
	s.InProcess = true
	s.User = "orderhub"
	s.uid, s.gid = -1, -1
	if err := s.startInProcess(""); err != nil {
		t.Fatalf("in-process SFTP server: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) makeKeys() {
	t := s.t
	for _, typ := range s.opts.HostKeyTypes {
		var priv any
		switch typ {
		case "ed25519":
			_, k, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			priv = k
		case "ecdsa":
			k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			priv = k
		default:
			t.Fatalf("sshd: host key type %q: want ed25519 or ecdsa", typ)
		}
		signer, err := ssh.NewSignerFromKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		s.HostKeys = append(s.HostKeys, signer.PublicKey())
		s.writeKey(filepath.Join(s.work, "host_"+typ), priv)
	}
	s.HostKey = s.HostKeys[0]
	if len(s.HostKeys) > 1 {
		// x/crypto prefers ECDSA to Ed25519 among host key algorithms.
		for _, k := range s.HostKeys {
			if strings.HasPrefix(k.Type(), "ecdsa") {
				s.HostKey = k
			}
		}
	}
	_, ck, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s.ClientKeyPEM = s.writeKey(filepath.Join(s.work, "client"), ck)
	cs, err := ssh.NewSignerFromKey(ck)
	if err != nil {
		t.Fatal(err)
	}
	ak := ssh.MarshalAuthorizedKey(cs.PublicKey())
	if err := os.WriteFile(filepath.Join(s.work, "authorized_keys"), ak, 0o644); err != nil {
		t.Fatal(err)
	}
}

func (s *Server) writeKey(path string, priv any) []byte {
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		s.t.Fatal(err)
	}
	b := pem.EncodeToMemory(block)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		s.t.Fatal(err)
	}
	return b
}

// makeRoot makes the session's directory. As root, sshd logs in an
// unprivileged user, so that permission tests mean something: the
// directory is that user's, and every directory above it (the test's temp
// dirs are 0700) is made traversable.
func (s *Server) makeRoot() {
	t := s.t
	s.Root = filepath.Join(t.TempDir(), "root")
	if err := os.Mkdir(s.Root, 0o755); err != nil {
		t.Fatal(err)
	}
	s.Dir = s.Root
	if os.Geteuid() != 0 {
		u, err := user.Current()
		if err != nil {
			t.Fatal(err)
		}
		s.User = u.Username
		return
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Fatalf("sshd: running as root, the login user is nobody: %v", err)
	}
	s.User = u.Username
	s.uid, _ = strconv.Atoi(u.Uid)
	s.gid, _ = strconv.Atoi(u.Gid)
	if err := os.Chown(s.Root, s.uid, s.gid); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{filepath.Dir(s.Root), s.work} {
		traversable(t, d)
	}
}

// traversable adds search permission for others to dir and its parents.
func traversable(t testing.TB, dir string) {
	for d := dir; ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o001 == 0 {
			if err := os.Chmod(d, st.Mode().Perm()|0o011); err != nil {
				t.Fatal(err)
			}
		}
		if d == filepath.Dir(d) {
			return
		}
	}
}

// Chown gives path to the login user (a no-op when that is the test's
// own user), for files a test makes in Root before logging in.
func (s *Server) Chown(path string) {
	if s.uid < 0 {
		return
	}
	if err := os.Lchown(path, s.uid, s.gid); err != nil {
		s.t.Fatal(err)
	}
}

// RealPermissions says whether the server's user is refused what file
// modes deny; it is not when the server runs as root (in-process as root).
func (s *Server) RealPermissions() bool {
	return !(s.InProcess && os.Geteuid() == 0)
}

func (s *Server) writeConfig(port int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Port %d\nListenAddress 127.0.0.1\n", port)
	for _, typ := range s.opts.HostKeyTypes {
		fmt.Fprintf(&b, "HostKey %s\n", filepath.Join(s.work, "host_"+typ))
	}
	fmt.Fprintf(&b, `PidFile none
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthenticationMethods publickey
AuthorizedKeysFile %s
AllowUsers %s
PermitRootLogin no
AllowTcpForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTTY no
MaxStartups 100
MaxSessions 100
LogLevel VERBOSE
Subsystem sftp internal-sftp
ForceCommand internal-sftp -d %s
`, filepath.Join(s.work, "authorized_keys"), s.User, quoteConfig(s.Dir))
	s.cfgFile = filepath.Join(s.work, "sshd_config")
	return os.WriteFile(s.cfgFile, []byte(b.String()), 0o644)
}

// quoteConfig quotes a path for sshd_config when it has spaces.
func quoteConfig(p string) string {
	if strings.ContainsAny(p, " \t") {
		return `"` + p + `"`
	}
	return p
}

// startSSHD starts sshd on a free port, trying again when another
// process took the port between our look and sshd's bind.
func (s *Server) startSSHD() error {
	if os.Geteuid() == 0 {
		// sshd's privilege separation needs its empty directory.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			return fmt.Errorf("privilege separation directory: %w", err)
		}
	}
	var err error
	for range 5 {
		var port int
		if port, err = testserver.FreePort(); err != nil {
			return err
		}
		if err = s.writeConfig(port); err != nil {
			return err
		}
		s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if err = s.runSSHD(); err == nil {
			if err = s.probeLogin(); err != nil {
				s.Stop()
			}
			return err
		}
		if !strings.Contains(err.Error(), "Address already in use") {
			return err
		}
	}
	return err
}

// runSSHD starts sshd on s.Addr and waits until it greets a client.
func (s *Server) runSSHD() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd := exec.Command(Binary, "-D", "-e", "-f", s.cfgFile)
	log := &testserver.Output{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", Binary, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	if err := waitGreeting(s.Addr, exited, 10*time.Second); err != nil {
		cmd.Process.Kill()
		<-exited
		return fmt.Errorf("%w; sshd said: %s", err, strings.TrimSpace(log.String()))
	}
	s.cmd, s.exited, s.log = cmd, exited, log
	return nil
}

// probeLogin logs in once: sshd may start and still refuse the user (an
// account it takes for locked, when not run as root).
func (s *Server) probeLogin() error {
	signer, err := ssh.ParsePrivateKey(s.ClientKeyPEM)
	if err != nil {
		return err
	}
	c, err := ssh.Dial("tcp", s.Addr, &ssh.ClientConfig{
		User:            s.User,
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.FixedHostKey(s.HostKey),
		Timeout:         10 * time.Second,
	})
	if err != nil {
		var why []string
		for _, l := range strings.Split(s.Log(), "\n") {
			if strings.Contains(l, s.User) {
				why = append(why, strings.TrimSpace(l))
			}
		}
		return fmt.Errorf("sshd refuses the login as %s: %v; sshd said: %s", s.User, err, strings.Join(why, "; "))
	}
	return c.Close()
}

// waitGreeting waits until addr answers with an SSH banner.
func waitGreeting(addr string, exited <-chan struct{}, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		select {
		case <-exited:
			return errors.New("sshd exited")
		default:
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.SetDeadline(time.Now().Add(2 * time.Second))
			line, rerr := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if rerr == nil && strings.HasPrefix(line, "SSH-2.0-") {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no SSH greeting on %s within %s", addr, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Log is what sshd wrote so far, for a failing test's message.
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.log == nil {
		return ""
	}
	return s.log.String()
}

// Stop ends the server and every session it runs.
func (s *Server) Stop() { s.halt(syscall.SIGTERM) }

// Kill ends the server and its sessions with SIGKILL, as a crash would:
// clients see their connections drop mid-transfer.
func (s *Server) Kill() { s.halt(syscall.SIGKILL) }

func (s *Server) halt(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inproc != nil {
		s.inproc.close()
		s.inproc = nil
		return
	}
	if s.cmd == nil {
		return
	}
	// sshd runs each connection in a child that starts its own session
	// (setsid), so neither the listener's signal nor its process group
	// reaches them: signal the whole tree under the PID we started.
	pids := descendants(s.cmd.Process.Pid)
	s.cmd.Process.Signal(sig)
	for _, p := range pids {
		syscall.Kill(p, sig)
	}
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	if sig != syscall.SIGKILL {
		for _, p := range pids {
			syscall.Kill(p, syscall.SIGKILL)
		}
	}
	s.cmd = nil
}

// Restart starts the server again after Stop or Kill, on the same port,
// with the same keys and root.
func (s *Server) Restart() {
	s.t.Helper()
	if s.InProcess {
		if err := s.startInProcess(s.Addr); err != nil {
			s.t.Fatalf("restart in-process SFTP server: %v", err)
		}
		return
	}
	// The port may linger a moment after the kill.
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := s.runSSHD()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("restart sshd on %s: %v", s.Addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// descendants lists the processes under pid, read from /proc (Linux); it
// is empty where there is no /proc.
func descendants(pid int) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	children := map[int][]int{}
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parens.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		children[ppid] = append(children[ppid], p)
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}

// Freeze stops (SIGSTOP) sshd and its sessions: connections stay open
// and nothing answers, as with a hung server or a dead network path.
// Thaw (SIGCONT) undoes it. sshd only: the in-process server cannot be
// frozen, and Freeze fails the test there.
func (s *Server) Freeze() { s.signalTree(syscall.SIGSTOP) }

// Thaw lets a frozen server run again.
func (s *Server) Thaw() { s.signalTree(syscall.SIGCONT) }

func (s *Server) signalTree(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		if s.InProcess {
			s.t.Fatalf("sshd: %v needs sshd's processes; this is the in-process server", sig)
		}
		return
	}
	s.cmd.Process.Signal(sig)
	for _, p := range descendants(s.cmd.Process.Pid) {
		syscall.Kill(p, sig)
	}
}
