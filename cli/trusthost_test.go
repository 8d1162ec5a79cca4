package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/orderhub/orderhub/adapters/drop"
	"github.com/orderhub/orderhub/adapters/sftp"
	"github.com/orderhub/orderhub/internal/testserver/sshd"
)

func runTrustHost(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = Main(context.Background(), append([]string{"trust-host"}, args...), strings.NewReader(stdin), &o, &e)
	return code, o.String(), e.String()
}

func TestTrustHost(t *testing.T) {
	s := sshd.Start(t, sshd.Options{})
	data := t.TempDir()
	file := filepath.Join(data, "known_hosts")
	fp := sftp.Fingerprint(s.HostKey)
	u, _ := url.Parse(s.URL())
	dial := func() error {
		c, err := sftp.Dial(t.Context(), drop.Endpoint{URL: u, PrivateKey: s.ClientKeyPEM, KnownHosts: file})
		if err == nil {
			c.Close()
		}
		return err
	}
	if err := dial(); !errors.Is(err, drop.ErrHostKey) {
		t.Fatalf("Dial before trust-host = %v; want ErrHostKey", err)
	}

	// Answered no: nothing is written.
	code, out, errOut := runTrustHost(t, "n\n", "--data", data, "sftp://"+s.Addr)
	if code != exitProblems || !strings.Contains(out, fp) || !strings.Contains(out, s.HostKey.Type()) || !strings.Contains(out, "Not added") {
		t.Fatalf("answer n: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("known_hosts after answering n: %v", err)
	}

	// Answered y: the default file, under --data, is created and trusted.
	code, out, errOut = runTrustHost(t, "y\n", "--data", data, "sftp://"+s.Addr)
	if code != exitOK || !strings.Contains(out, "Add it to "+file+"? [y/N]") || !strings.Contains(out, "Added") {
		t.Fatalf("answer y: exit %d\n%s%s", code, out, errOut)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("known_hosts: %v, %v; want mode 0600", st, err)
	}
	if err := dial(); err != nil {
		t.Fatalf("Dial after trust-host: %v", err)
	}

	// Again: already trusted, nothing asked or added.
	before, _ := os.ReadFile(file)
	code, out, errOut = runTrustHost(t, "", "--data", data, "sftp://"+s.Addr)
	if code != exitOK || !strings.Contains(out, "already trusted") || strings.Contains(out, "[y/N]") {
		t.Fatalf("again: exit %d\n%s%s", code, out, errOut)
	}
	if after, _ := os.ReadFile(file); !bytes.Equal(before, after) {
		t.Fatalf("known_hosts changed by a second trust-host:\n%s", after)
	}
}

func TestTrustHostChanged(t *testing.T) {
	s := sshd.Start(t, sshd.Options{})
	file := filepath.Join(t.TempDir(), "sub", "kh")
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	old, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	// A file others wrote, without a final newline.
	content := "# partners\n" + knownhosts.Line([]string{knownhosts.Normalize(s.Addr)}, old)
	os.MkdirAll(filepath.Dir(file), 0o700)
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}

	// Answering y at a prompt is not enough for a changed key: none is asked.
	code, out, errOut := runTrustHost(t, "y\n", "--known-hosts", file, s.Addr)
	if code != exitProblems || !strings.Contains(errOut, "CHANGED") ||
		!strings.Contains(errOut, sftp.Fingerprint(old)) || !strings.Contains(errOut, sftp.Fingerprint(s.HostKey)) {
		t.Fatalf("changed key: exit %d\n%s%s", code, out, errOut)
	}
	if b, _ := os.ReadFile(file); string(b) != content {
		t.Fatalf("known_hosts written though the change was refused:\n%s", b)
	}

	code, out, errOut = runTrustHost(t, "", "--known-hosts", file, "--yes", "sftp://"+s.Addr)
	if code != exitOK || !strings.Contains(errOut, "Remove the stale line(s) 2") {
		t.Fatalf("changed key with --yes: exit %d\n%s%s", code, out, errOut)
	}
	b, _ := os.ReadFile(file)
	if string(b) != content+"\n"+s.KnownHostsLine()+"\n" {
		t.Fatalf("known_hosts after --yes:\n%s", b)
	}
	if ok, _, err := sftp.Trusted(file, s.Addr, s.HostKey); !ok || err != nil {
		t.Fatalf("Trusted after --yes = %v, %v", ok, err)
	}
}

func TestTrustHostBadArgs(t *testing.T) {
	for _, arg := range []string{"ftp://example.com", "sftp://"} {
		if code, _, errOut := runTrustHost(t, "", "--data", t.TempDir(), arg); code != exitFailed || !strings.Contains(errOut, "trust-host") {
			t.Errorf("trust-host %s: exit %d, %s", arg, code, errOut)
		}
	}
	for arg, want := range map[string]string{
		"sftp://u@example.com":     "example.com:22",
		"example.com:2222":         "example.com:2222",
		"sftp://[::1]:2022":        "[::1]:2022",
		"sftp://orders@10.0.0.1:7": "10.0.0.1:7",
	} {
		if got, err := sftpHostPort(arg); err != nil || got != want {
			t.Errorf("sftpHostPort(%q) = %q, %v; want %q", arg, got, err, want)
		}
	}
}
