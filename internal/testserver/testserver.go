// Package testserver holds what the test servers (ftpd, sshd) share: the
// switch that makes a missing server a failure, free ports, and a buffer
// for a server's output that its goroutines and the test read at once.
package testserver

import (
	"bytes"
	"net"
	"os"
	"sync"
)

// Required tells whether a test whose server is missing must fail rather
// than skip: ORDERHUB_REQUIRE_SERVERS=1, which make test sets.
func Required() bool { return os.Getenv("ORDERHUB_REQUIRE_SERVERS") == "1" }

// FreePort is a TCP port on 127.0.0.1 nobody listens on just now.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Output collects a server's output for failure messages; safe for
// concurrent writes and reads.
type Output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}
