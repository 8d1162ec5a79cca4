// Package drop pulls partners' documents from their remote drops (FTP,
// FTPS, SFTP) into intake, and puts answers back on the same servers.
//
// The protocols live in adapters/ftp and adapters/sftp; each gives a Conn.
// Everything that makes a pull safe is here, once, for both: a file is
// taken only when it has stopped changing, it is claimed by a rename into a
// directory of this process's own before it is read, it is downloaded to
// the local spool, synced and hashed, and recorded in the ledger before
// anything is done to it on the server, so a crash between any two steps
// leaves a document that is processed exactly once after restart. An
// answer is uploaded under a temporary name and renamed, so the partner
// never reads half of one.
package drop

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/url"
	"time"
)

// Entry is one name in a remote directory.
type Entry struct {
	Name    string
	Size    int64
	ModTime time.Time
	Dir     bool
}

// Conn is one logged-in session with a remote server. Paths are the
// server's, absolute or relative to the login directory, with "/" between
// elements. A Conn is used by one goroutine at a time.
//
// Every method honours ctx: when it ends, the operation in flight is
// abandoned (the connection may be closed to get out of a blocked read),
// and the Conn is not used again. Implementations also bound each
// operation by their own timeout, so a server that stops answering cannot
// hold a poll forever.
//
// Errors wrap ErrNotFound, ErrPermission and ErrAuth where the server says
// so, so callers can tell a file another process took from a drop they
// may not read.
type Conn interface {
	// List returns the files and directories directly in dir (not "." or
	// ".."), with size and modification time as the server reports them.
	List(ctx context.Context, dir string) ([]Entry, error)
	// Stat returns one entry.
	Stat(ctx context.Context, path string) (Entry, error)
	// Fetch copies the file at path to w and returns the bytes copied.
	Fetch(ctx context.Context, path string, w io.Writer) (int64, error)
	// Put writes r to path, creating it or replacing what is there.
	Put(ctx context.Context, path string, r io.Reader) (int64, error)
	// Rename moves from to to, replacing to where the server can (SFTP's
	// posix-rename). A server that cannot replace fails with an error;
	// callers that mean to replace remove to first.
	Rename(ctx context.Context, from, to string) error
	// Remove deletes a file.
	Remove(ctx context.Context, path string) error
	// MkdirAll creates dir and its parents; an existing dir is no error.
	MkdirAll(ctx context.Context, dir string) error
	// Close ends the session.
	Close() error
}

// Errors a Conn's errors wrap where the server's answer says which.
var (
	// ErrNotFound: no such file or directory (a file another process
	// claimed first, or its owner deleted).
	ErrNotFound = errors.New("no such file or directory")
	// ErrPermission: the server refused the operation on that path.
	ErrPermission = errors.New("permission denied")
	// ErrAuth: the login was refused (wrong user, password or key).
	ErrAuth = errors.New("login refused")
	// ErrHostKey: the SSH server's host key is not the one trusted for it
	// (unknown, or changed). The error's text names the key's fingerprint.
	ErrHostKey = errors.New("host key not trusted")
)

// Endpoint is where and how to log in to a partner's server.
type Endpoint struct {
	// URL is ftp://, ftps:// (explicit TLS, AUTH TLS on the FTP port) or
	// sftp://, with host, optional port and user. A password in the URL
	// is ignored: secrets come from Password.
	URL *url.URL
	// User is the login name (default: the URL's user, else "anonymous"
	// for FTP).
	User string
	// Password is the login password, already read from its env var or
	// file.
	Password string
	// PrivateKey is an SSH private key in PEM or OpenSSH form (SFTP).
	PrivateKey []byte
	// KeyPassphrase decrypts PrivateKey when it is encrypted.
	KeyPassphrase string
	// KnownHosts is an OpenSSH known_hosts file the SFTP server's host
	// key must be found in, unless HostKeyFingerprints is set.
	KnownHosts string
	// HostKeyFingerprints are the accepted host keys' SHA-256 fingerprints
	// ("SHA256:..." as ssh-keygen -lf prints them). When set they are the
	// only keys accepted, and KnownHosts is not read.
	HostKeyFingerprints []string
	// TLS is the client TLS config for ftps:// (server name, roots).
	TLS *tls.Config
	// Timeout bounds the dial and the login, and each operation's wait
	// for the server (an idle read or write, not a whole transfer).
	// Default 30s.
	Timeout time.Duration
	// DisableEPSV makes FTP use PASV only, for servers (and NATs) that
	// get EPSV wrong.
	DisableEPSV bool
}

// Dialer opens a Conn to an endpoint.
type Dialer func(ctx context.Context, ep Endpoint) (Conn, error)

// Redacted is the endpoint's URL for logs and status: no password, ever.
func (ep Endpoint) Redacted() string {
	if ep.URL == nil {
		return ""
	}
	u := *ep.URL
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.String()
}

// DefaultTimeout is Endpoint.Timeout when it is not set.
const DefaultTimeout = 30 * time.Second

// OpTimeout is the endpoint's timeout, or DefaultTimeout.
func (ep Endpoint) OpTimeout() time.Duration {
	if ep.Timeout > 0 {
		return ep.Timeout
	}
	return DefaultTimeout
}
