package sshd

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// inProcess is the fallback server: x/crypto/ssh's server carrying
// pkg/sftp's server on Root. It runs as the test's own user.
type inProcess struct {
	l     net.Listener
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// startInProcess listens on addr ("" for a free port) and serves.
func (s *Server) startInProcess(addr string) error {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	cfg, err := s.serverConfig()
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.Addr = l.Addr().String()
	ip := &inProcess{l: l, conns: map[net.Conn]struct{}{}}
	s.mu.Lock()
	s.inproc = ip
	s.mu.Unlock()
	ip.wg.Add(1)
	go func() {
		defer ip.wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			if !ip.track(c) {
				c.Close()
				return
			}
			ip.wg.Add(1)
			go func() {
				defer ip.wg.Done()
				defer ip.untrack(c)
				s.serveConn(c, cfg)
			}()
		}
	}()
	return nil
}

func (s *Server) serverConfig() (*ssh.ServerConfig, error) {
	clientKey, err := ssh.ParsePrivateKey(s.ClientKeyPEM)
	if err != nil {
		return nil, err
	}
	allowed := clientKey.PublicKey().Marshal()
	cfg := &ssh.ServerConfig{
		PublicKeyCallback: func(m ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
			if m.User() == s.User && bytes.Equal(k.Marshal(), allowed) {
				return nil, nil
			}
			return nil, fmt.Errorf("key %s not authorized for %s", ssh.FingerprintSHA256(k), m.User())
		},
	}
	if pw := s.opts.Password; pw != "" {
		ok := func(user, given string) bool {
			return user == s.User && subtle.ConstantTimeCompare([]byte(given), []byte(pw)) == 1
		}
		if !s.opts.NoPasswordMethod {
			cfg.PasswordCallback = func(m ssh.ConnMetadata, given []byte) (*ssh.Permissions, error) {
				if ok(m.User(), string(given)) {
					return nil, nil
				}
				return nil, errors.New("wrong password")
			}
		}
		cfg.KeyboardInteractiveCallback = func(m ssh.ConnMetadata, ask ssh.KeyboardInteractiveChallenge) (*ssh.Permissions, error) {
			answers, err := ask(m.User(), "", []string{"Password: "}, []bool{false})
			if err != nil {
				return nil, err
			}
			if len(answers) == 1 && ok(m.User(), answers[0]) {
				return nil, nil
			}
			return nil, errors.New("wrong password")
		}
	}
	for _, typ := range s.opts.HostKeyTypes {
		b, err := os.ReadFile(filepath.Join(s.work, "host_"+typ))
		if err != nil {
			return nil, err
		}
		signer, err := ssh.ParsePrivateKey(b)
		if err != nil {
			return nil, err
		}
		cfg.AddHostKey(signer)
	}
	return cfg, nil
}

func (s *Server) serveConn(c net.Conn, cfg *ssh.ServerConfig) {
	sc, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		return
	}
	defer sc.Close()
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			return
		}
		go func() {
			defer ch.Close()
			for r := range creqs {
				// A subsystem request's payload is the name as an SSH
				// string: a 4-byte length, then "sftp".
				if r.Type != "subsystem" || len(r.Payload) < 4 || string(r.Payload[4:]) != "sftp" {
					r.Reply(false, nil)
					continue
				}
				r.Reply(true, nil)
				var rwc io.ReadWriteCloser = ch
				if s.opts.CutAfter > 0 {
					rwc = &cutter{Channel: ch, left: s.opts.CutAfter}
				}
				srv, err := sftp.NewServer(rwc, sftp.WithServerWorkingDirectory(s.Dir))
				if err != nil {
					return
				}
				go ssh.DiscardRequests(creqs)
				srv.Serve()
				srv.Close()
				return
			}
		}()
	}
}

func (ip *inProcess) track(c net.Conn) bool {
	ip.mu.Lock()
	defer ip.mu.Unlock()
	if ip.conns == nil {
		return false
	}
	ip.conns[c] = struct{}{}
	return true
}

func (ip *inProcess) untrack(c net.Conn) {
	ip.mu.Lock()
	defer ip.mu.Unlock()
	delete(ip.conns, c)
}

// close stops listening and drops every connection, as a crash would.
func (ip *inProcess) close() {
	ip.l.Close()
	ip.mu.Lock()
	for c := range ip.conns {
		c.Close()
	}
	ip.conns = nil
	ip.mu.Unlock()
	ip.wg.Wait()
}

// cutter ends a session once left bytes are sent: what is cut off is
// never sent, and the channel is closed as if the server were done.
type cutter struct {
	ssh.Channel
	mu   sync.Mutex
	left int64
}

func (c *cutter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if int64(len(p)) > c.left {
		c.Channel.CloseWrite()
		c.Channel.Close()
		return 0, io.ErrClosedPipe
	}
	c.left -= int64(len(p))
	return c.Channel.Write(p)
}
