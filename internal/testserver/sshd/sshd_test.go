package sshd

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// login opens an SFTP session with the server's client key, checking the
// host key is the one the harness reports.
func login(t *testing.T, s *Server) *sftp.Client {
	t.Helper()
	signer, err := ssh.ParsePrivateKey(s.ClientKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ssh.Dial("tcp", s.Addr, &ssh.ClientConfig{
		User:            s.User,
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.FixedHostKey(s.HostKey),
	})
	if err != nil {
		t.Fatalf("login to %s as %s: %v\n%s", s.Addr, s.User, err, s.Log())
	}
	sc, err := sftp.NewClient(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sc.Close(); c.Close() })
	return sc
}

func TestServer(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"sshd", Options{HostKeyTypes: []string{"ed25519", "ecdsa"}}},
		{"in-process", Options{InProcess: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Start(t, tc.opts)
			if tc.opts.InProcess != s.InProcess {
				t.Logf("in-process: %v", s.InProcess)
			}
			sc := login(t, s)
			wd, err := sc.Getwd()
			if err != nil || wd != s.Dir {
				t.Errorf("Getwd = %q, %v; want the root %q", wd, err, s.Dir)
			}
			f, err := sc.Create("hello.txt")
			if err != nil {
				t.Fatal(err)
			}
			f.Write([]byte("hi"))
			f.Close()
			if b, err := os.ReadFile(filepath.Join(s.Root, "hello.txt")); err != nil || string(b) != "hi" {
				t.Fatalf("file in Root = %q, %v", b, err)
			}

			s.Kill()
			if _, err := sc.Stat("hello.txt"); err == nil {
				t.Fatal("session survived Kill")
			}
			if c, err := net.Dial("tcp", s.Addr); err == nil {
				c.Close()
				t.Fatal("server still accepts after Kill")
			}
			s.Restart()
			sc = login(t, s)
			if _, err := sc.Stat("hello.txt"); err != nil {
				t.Fatalf("after Restart: %v", err)
			}
		})
	}
}
