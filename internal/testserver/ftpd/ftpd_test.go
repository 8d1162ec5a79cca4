package ftpd

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"
)

func login(t *testing.T, s *Server, opts ...ftp.DialOption) *ftp.ServerConn {
	t.Helper()
	c, err := ftp.Dial(s.Addr, append(opts, ftp.DialWithTimeout(5*time.Second))...)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(s.User, s.Password); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Quit() })
	return c
}

func TestServer(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"plain", Options{}},
		{"tls", Options{TLS: true, User: "tlsuser", Password: "pw with space"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Start(t, tc.opts)
			var dial []ftp.DialOption
			if tc.opts.TLS {
				// A cleartext login must be refused: the server requires TLS.
				c, err := ftp.Dial(s.Addr, ftp.DialWithTimeout(5*time.Second))
				if err != nil {
					t.Fatal(err)
				}
				if err := c.Login(s.User, s.Password); err == nil {
					t.Error("cleartext login accepted by a TLS-only server")
				}
				c.Quit()
				dial = append(dial, ftp.DialWithExplicitTLS(s.TLSConfig()))
			}
			c := login(t, s, dial...)
			if err := c.Stor("up load.txt", bytes.NewReader([]byte("hello"))); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(filepath.Join(s.Root, "up load.txt"))
			if err != nil {
				t.Fatal(err)
			}
			if st := fi.Sys().(*syscall.Stat_t); int(st.Uid) != s.UID {
				t.Errorf("uploaded file owned by uid %d; want %d", st.Uid, s.UID)
			}
			if err := s.WriteFile("local.txt", []byte("from the test")); err != nil {
				t.Fatal(err)
			}
			r, err := c.Retr("local.txt")
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(r)
			r.Close()
			if err != nil || string(b) != "from the test" {
				t.Fatalf("RETR = %q, %v", b, err)
			}
		})
	}
}

func TestKillRestart(t *testing.T) {
	s := Start(t, Options{})
	c := login(t, s)
	s.Kill()
	// The session dies with the server, not only the listener.
	if err := c.NoOp(); err == nil {
		t.Error("session still answers after Kill")
	}
	if conn, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
		conn.Close()
		t.Fatal("server still accepts after Kill")
	}
	s.WriteFile("kept.txt", []byte("x"))
	s.Restart()
	c = login(t, s)
	if n, err := c.FileSize("kept.txt"); err != nil || n != 1 {
		t.Fatalf("SIZE after Restart = %d, %v", n, err)
	}
}
