// Package sftp is the drop.Conn for sftp:// endpoints: an SSH session
// (golang.org/x/crypto/ssh) carrying the SFTP subsystem (github.com/pkg/sftp).
//
// A connection is only made to a server whose host key is trusted: listed
// by fingerprint in the endpoint, or found in its known_hosts file. An
// unknown or changed key refuses the connection with the key's fingerprint
// in the error, and HostKey and Trust are what `orderhub trust-host` uses
// to look at a server's key and add it.
//
// Every read and write on the network gets a deadline of the endpoint's
// timeout, and a keepalive runs while the session is idle, so a server
// that stops answering ends the session within one timeout instead of
// holding a poll forever.
package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	psftp "github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/orderhub/orderhub/adapters/drop"
)

// DefaultPort is the SSH port used when the URL names none.
const DefaultPort = "22"

// Conn is a logged-in SFTP session. It implements drop.Conn.
type Conn struct {
	where  string // user@host:port, for errors
	nc     *deadlineConn
	ssh    *ssh.Client
	client *psftp.Client
	posix  bool // the server renames over an existing target

	stopKeepalive chan struct{}
	closeOnce     sync.Once
}

var _ drop.Conn = (*Conn)(nil)

// Dial logs in to ep (an sftp:// URL) and starts the SFTP subsystem. The
// dial, the SSH handshake and the login together are bounded by
// ep.OpTimeout(), and by ctx.
func Dial(ctx context.Context, ep drop.Endpoint) (drop.Conn, error) {
	return dial(ctx, ep)
}

func dial(ctx context.Context, ep drop.Endpoint) (*Conn, error) {
	hostport, user, err := target(ep)
	if err != nil {
		return nil, err
	}
	where := user + "@" + hostport
	auth, err := authMethods(ep)
	if err != nil {
		return nil, fmt.Errorf("sftp %s: %w", where, err)
	}
	check, err := newHostKeyCheck(ep, hostport)
	if err != nil {
		return nil, fmt.Errorf("sftp %s: %w", where, err)
	}
	timeout := ep.OpTimeout()

	// One deadline for the whole login, whatever the server does: it may
	// answer every packet just before the per-read deadline.
	lctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	raw, err := d.DialContext(lctx, "tcp", hostport)
	if err != nil {
		return nil, fmt.Errorf("sftp %s: connect: %w", where, err)
	}
	nc := newDeadlineConn(raw, timeout)
	stop := context.AfterFunc(lctx, func() { nc.fail(fmt.Errorf("login not done within %s", timeout)) })

	cfg := &ssh.ClientConfig{
		User:              user,
		Auth:              auth,
		HostKeyCallback:   check.callback,
		HostKeyAlgorithms: check.algorithms(),
	}
	sc, chans, reqs, err := ssh.NewClientConn(nc, hostport, cfg)
	if err != nil {
		stop()
		nc.Close()
		return nil, loginError(ctx, where, check, nc, err)
	}
	client := ssh.NewClient(sc, chans, reqs)
	sf, err := psftp.NewClient(client,
		psftp.UseConcurrentReads(true),
		// Fstat on the open handle: the file's size is that of what is
		// read, even if the name is renamed over meanwhile.
		psftp.UseFstat(true),
		psftp.UseConcurrentWrites(true),
	)
	stopped := stop()
	if err == nil && !stopped {
		// The login deadline fired as the subsystem started.
		sf.Close()
		err = nc.failure()
	}
	if err != nil {
		client.Close()
		if cerr := ctx.Err(); cerr != nil {
			return nil, fmt.Errorf("sftp %s: start sftp subsystem: %w", where, cerr)
		}
		return nil, fmt.Errorf("sftp %s: start sftp subsystem: %w", where, nc.explain(err))
	}
	c := &Conn{where: where, nc: nc, ssh: client, client: sf, stopKeepalive: make(chan struct{})}
	_, c.posix = sf.HasExtension("posix-rename@openssh.com")
	go c.keepalive(timeout)
	return c, nil
}

// target is the endpoint's host:port and login name.
func target(ep drop.Endpoint) (hostport, user string, err error) {
	u := ep.URL
	if u == nil {
		return "", "", errors.New("sftp: endpoint has no URL")
	}
	if u.Scheme != "sftp" {
		return "", "", fmt.Errorf("sftp: URL %s: scheme %q, want sftp", ep.Redacted(), u.Scheme)
	}
	host := u.Hostname()
	if host == "" {
		return "", "", fmt.Errorf("sftp: URL %s names no host", ep.Redacted())
	}
	port := u.Port()
	if port == "" {
		port = DefaultPort
	}
	user = ep.User
	if user == "" && u.User != nil {
		user = u.User.Username()
	}
	if user == "" {
		return "", "", fmt.Errorf("sftp: URL %s names no user and the endpoint has none", ep.Redacted())
	}
	return net.JoinHostPort(host, port), user, nil
}

// authMethods offers the key first, then the password, both as SSH's
// password method and as keyboard-interactive (which many servers use for
// passwords, answering every prompt with it).
func authMethods(ep drop.Endpoint) ([]ssh.AuthMethod, error) {
	var ms []ssh.AuthMethod
	if len(ep.PrivateKey) > 0 {
		var (
			signer ssh.Signer
			err    error
		)
		if ep.KeyPassphrase != "" {
			signer, err = ssh.ParsePrivateKeyWithPassphrase(ep.PrivateKey, []byte(ep.KeyPassphrase))
		} else {
			signer, err = ssh.ParsePrivateKey(ep.PrivateKey)
		}
		var missing *ssh.PassphraseMissingError
		switch {
		case errors.As(err, &missing):
			return nil, errors.New("private key is encrypted and no passphrase was given")
		case err != nil:
			return nil, fmt.Errorf("private key: %w", err)
		}
		ms = append(ms, ssh.PublicKeys(signer))
	}
	if ep.Password != "" {
		pw := ep.Password
		ms = append(ms, ssh.Password(pw),
			ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = pw
				}
				return answers, nil
			}))
	}
	if len(ms) == 0 {
		return nil, errors.New("no private key and no password to log in with")
	}
	return ms, nil
}

// loginError says why the handshake failed: an untrusted host key, a
// refused login, a timeout, ctx, or the network.
func loginError(ctx context.Context, where string, check *hostKeyCheck, nc *deadlineConn, err error) error {
	if check.err != nil {
		return check.err
	}
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("sftp %s: login: %w", where, cerr)
	}
	if strings.Contains(err.Error(), "unable to authenticate") {
		return fmt.Errorf("sftp %s: %w: the server accepted none of the offered methods (%s)", where, drop.ErrAuth, err)
	}
	return fmt.Errorf("sftp %s: login: %w", where, nc.explain(err))
}

// keepalive asks the server for an answer while the session is idle, so
// the read deadline sees traffic from a live server and ends the session
// of a dead one.
func (c *Conn) keepalive(timeout time.Duration) {
	t := time.NewTicker(max(timeout/3, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-c.stopKeepalive:
			return
		case <-t.C:
			if _, _, err := c.ssh.SendRequest("keepalive@openssh.com", true, nil); err != nil {
				return
			}
		}
	}
}

// Close ends the session.
func (c *Conn) Close() error {
	var err error
	c.closeOnce.Do(func() {
		close(c.stopKeepalive)
		c.nc.fail(errors.New("connection closed"))
		c.client.Close()
		err = c.ssh.Close()
		if errors.Is(err, net.ErrClosed) {
			err = nil
		}
	})
	return err
}

// do runs one operation with ctx watched: when ctx ends first, the
// connection is closed to get out of whatever the operation waits on.
func (c *Conn) do(ctx context.Context, op, p string, f func() error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sftp %s %s: %w", op, p, err)
	}
	if err := c.nc.failure(); err != nil {
		return fmt.Errorf("sftp %s %s on %s: %w", op, p, c.where, err)
	}
	stop := context.AfterFunc(ctx, func() { c.nc.fail(fmt.Errorf("abandoned: %w", ctx.Err())) })
	err := f()
	stop()
	if cerr := ctx.Err(); cerr != nil {
		// Whatever f returned, the caller gave up: a success that raced
		// the cancel is not reported as one.
		return fmt.Errorf("sftp %s %s: %w", op, p, cerr)
	}
	if err == nil {
		return nil
	}
	return c.wrap(op, p, err)
}

// wrap names the operation and path, and tells callers what they branch
// on: not found, permission, or a dead connection (with why it died).
func (c *Conn) wrap(op, p string, err error) error {
	inner := err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		inner = pe.Err
	}
	var se *psftp.StatusError
	isStatus := errors.As(err, &se)
	switch {
	case errors.Is(err, fs.ErrNotExist) || isStatus && se.FxCode() == psftp.ErrSSHFxNoSuchFile:
		return fmt.Errorf("sftp %s %s: %w", op, p, drop.ErrNotFound)
	case errors.Is(err, fs.ErrPermission) || isStatus && se.FxCode() == psftp.ErrSSHFxPermissionDenied:
		return fmt.Errorf("sftp %s %s: %w", op, p, drop.ErrPermission)
	}
	if ferr := c.nc.failure(); ferr != nil {
		return fmt.Errorf("sftp %s %s on %s: %w (%v)", op, p, c.where, ferr, inner)
	}
	return fmt.Errorf("sftp %s %s on %s: %w", op, p, c.where, inner)
}

func entry(fi os.FileInfo) drop.Entry {
	return drop.Entry{Name: fi.Name(), Size: fi.Size(), ModTime: fi.ModTime(), Dir: fi.IsDir()}
}

// List returns the entries of dir.
func (c *Conn) List(ctx context.Context, dir string) ([]drop.Entry, error) {
	var es []drop.Entry
	err := c.do(ctx, "list", dir, func() error {
		fis, err := c.client.ReadDirContext(ctx, dir)
		if err != nil {
			return err
		}
		for _, fi := range fis {
			if n := fi.Name(); n == "." || n == ".." {
				continue
			}
			es = append(es, entry(fi))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return es, nil
}

// Stat returns the entry at p.
func (c *Conn) Stat(ctx context.Context, p string) (drop.Entry, error) {
	var e drop.Entry
	err := c.do(ctx, "stat", p, func() error {
		fi, err := c.client.Stat(p)
		if err == nil {
			e = entry(fi)
		}
		return err
	})
	return e, err
}

// Fetch copies the file at p to w with many reads in flight, and fails
// unless it got exactly as many bytes as the file had when it was opened:
// a session that dies mid-transfer can end the read like an end of file.
func (c *Conn) Fetch(ctx context.Context, p string, w io.Writer) (int64, error) {
	var n int64
	err := c.do(ctx, "fetch", p, func() error {
		f, err := c.client.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		if fi.IsDir() {
			return fmt.Errorf("%s is a directory", p)
		}
		n, err = f.WriteTo(w)
		if err != nil {
			return err
		}
		if ferr := c.nc.failure(); ferr != nil {
			return fmt.Errorf("got %d of %d bytes: %w", n, fi.Size(), ferr)
		}
		switch {
		case n < fi.Size():
			return fmt.Errorf("transfer ended after %d of %d bytes", n, fi.Size())
		case n > fi.Size():
			return fmt.Errorf("file grew during the transfer: %d bytes read, %d when opened", n, fi.Size())
		}
		return nil
	})
	return n, err
}

// Put writes r to p, truncating what is there.
func (c *Conn) Put(ctx context.Context, p string, r io.Reader) (int64, error) {
	var n int64
	err := c.do(ctx, "put", p, func() error {
		f, err := c.client.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
		if err != nil {
			return err
		}
		n, err = f.ReadFromWithConcurrency(r, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	})
	return n, err
}

// Rename moves from to to: with posix-rename@openssh.com (OpenSSH) an
// existing to is replaced in one step; plain SFTP rename fails on it.
func (c *Conn) Rename(ctx context.Context, from, to string) error {
	return c.do(ctx, "rename", from+" to "+to, func() error {
		if c.posix {
			return c.client.PosixRename(from, to)
		}
		return c.client.Rename(from, to)
	})
}

// Remove deletes the file at p.
func (c *Conn) Remove(ctx context.Context, p string) error {
	return c.do(ctx, "remove", p, func() error { return c.client.Remove(p) })
}

// MkdirAll creates dir and its parents.
func (c *Conn) MkdirAll(ctx context.Context, dir string) error {
	return c.do(ctx, "mkdir", dir, func() error { return c.client.MkdirAll(dir) })
}
