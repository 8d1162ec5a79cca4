package sftp

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"
)

// deadlineConn gives every Read and Write on the network a deadline of
// timeout from its start, so a server that stops answering (or stops
// reading) ends the session. The SSH read loop is always in a Read, so an
// idle session relies on the keepalive for traffic.
//
// fail closes the connection on purpose (ctx ended, login deadline,
// Close) and remembers why, so the errors the SSH and SFTP layers return
// afterwards (EOF, "use of closed network connection") can be explained.
type deadlineConn struct {
	net.Conn
	timeout time.Duration

	mu  sync.Mutex
	err error // why the connection is dead, first reason wins
}

func newDeadlineConn(c net.Conn, timeout time.Duration) *deadlineConn {
	return &deadlineConn{Conn: c, timeout: timeout}
}

func (c *deadlineConn) Read(b []byte) (int, error) {
	if err := c.Conn.SetReadDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	n, err := c.Conn.Read(b)
	if err != nil {
		c.noteIOError(err)
	}
	return n, err
}

func (c *deadlineConn) Write(b []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	n, err := c.Conn.Write(b)
	if err != nil {
		c.noteIOError(err)
	}
	return n, err
}

func (c *deadlineConn) noteIOError(err error) {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.setErr(fmt.Errorf("no answer from the server within %s", c.timeout))
	case errors.Is(err, net.ErrClosed):
		// Closed by us: fail has said why.
	default:
		c.setErr(fmt.Errorf("connection lost: %w", err))
	}
}

func (c *deadlineConn) setErr(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
}

// fail records why and closes the connection.
func (c *deadlineConn) fail(why error) {
	c.setErr(why)
	c.Conn.Close()
}

// failure is why the connection is dead, or nil while it lives.
func (c *deadlineConn) failure() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// explain adds why the connection died to an error of the layers above.
func (c *deadlineConn) explain(err error) error {
	if ferr := c.failure(); ferr != nil {
		return fmt.Errorf("%w (%v)", ferr, err)
	}
	return err
}
