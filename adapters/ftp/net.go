package ftp

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"time"
)

// errAborted is what a dial returns once the session has been aborted.
var errAborted = errors.New("connection closed")

// netConns dials every connection of one session, the control connection
// and each data connection, for jlaffaye/ftp (DialWithDialFunc). It puts
// a deadline on every read and write, so a server that stops answering
// mid-command or mid-transfer fails the operation after the timeout
// instead of hanging it, and it keeps the connections open so abort can
// close them all from another goroutine when a context ends.
type netConns struct {
	timeout time.Duration
	// dataTLS protects data connections (ftps). jlaffaye/ftp upgrades the
	// control connection itself after AUTH TLS but leaves the data
	// connections to a custom dial function.
	dataTLS *tls.Config

	mu      sync.Mutex
	ctx     context.Context // the operation in flight, for dials
	dialed  int
	live    map[*deadlineConn]struct{}
	aborted bool
}

func newNetConns(timeout time.Duration, dataTLS *tls.Config) *netConns {
	return &netConns{timeout: timeout, dataTLS: dataTLS, ctx: context.Background(), live: map[*deadlineConn]struct{}{}}
}

// setContext makes ctx the one later dials are bound to.
func (n *netConns) setContext(ctx context.Context) {
	n.mu.Lock()
	n.ctx = ctx
	n.mu.Unlock()
}

func (n *netConns) dial(network, addr string) (net.Conn, error) {
	n.mu.Lock()
	if n.aborted {
		n.mu.Unlock()
		return nil, errAborted
	}
	ctx := n.ctx
	control := n.dialed == 0
	n.dialed++
	n.mu.Unlock()

	d := net.Dialer{Timeout: n.timeout}
	raw, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	c := &deadlineConn{Conn: raw, timeout: n.timeout, owner: n}
	n.mu.Lock()
	if n.aborted {
		n.mu.Unlock()
		raw.Close()
		return nil, errAborted
	}
	n.live[c] = struct{}{}
	n.mu.Unlock()

	if control || n.dataTLS == nil {
		return c, nil
	}
	// No handshake here: pure-ftpd and proftpd only start theirs once the
	// transfer command has been answered, so it happens on the first read
	// or write (jlaffaye/ftp forces one for an empty upload).
	return tls.Client(c, n.dataTLS), nil
}

// abort closes every connection of the session; operations blocked on
// them return at once, and no new one can be dialed.
func (n *netConns) abort() {
	n.mu.Lock()
	n.aborted = true
	live := n.live
	n.live = map[*deadlineConn]struct{}{}
	n.mu.Unlock()
	for c := range live {
		c.Conn.Close()
	}
}

func (n *netConns) forget(c *deadlineConn) {
	n.mu.Lock()
	delete(n.live, c)
	n.mu.Unlock()
}

// deadlineConn gives each Read and Write the session's timeout from the
// moment it starts: a whole transfer may take as long as it needs, but
// the server may not go quiet for longer than the timeout.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
	owner   *netConns
}

func (c *deadlineConn) Read(b []byte) (int, error) {
	if err := c.Conn.SetReadDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

func (c *deadlineConn) Write(b []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}

func (c *deadlineConn) Close() error {
	c.owner.forget(c)
	return c.Conn.Close()
}
