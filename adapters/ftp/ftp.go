// Package ftp is the drop.Conn for partners' FTP servers: ftp:// in the
// clear and ftps:// with explicit TLS (AUTH TLS on the control port, then
// PBSZ 0 / PROT P so every data connection is protected too), on
// github.com/jlaffaye/ftp.
//
// What this package adds to the library is what a poller needs to stay
// unattended:
//
//   - Time limits. Dial and login together are bounded by the endpoint's
//     timeout; after that every read and write on the control and data
//     connections is (an idle limit, not a limit on a whole transfer), so a
//     server that goes quiet mid-command or mid-transfer fails the
//     operation instead of hanging the poll. When the caller's context
//     ends, the connections are closed under the operation in flight; the
//     Conn is then dead and says so.
//   - Passive mode: EPSV, and PASV from then on if the server refuses EPSV
//     (the library's own behaviour); PASV only with Endpoint.DisableEPSV.
//     The data address is always the control connection's host, never
//     the one a PASV reply names (which NATs get wrong).
//   - Listings: MLSD where the server offers MLST (exact sizes, types,
//     UTC times to the second), else LIST parsed as Unix or DOS listings,
//     run without an argument inside the directory because servers read
//     options and globs in LIST's argument (a name with a space or a
//     bracket would list something else). LIST times are read as UTC and
//     may be to the minute only. "." and ".." are never returned.
//   - Stat: MLST where offered (pure-ftpd, proftpd); else the entry in a
//     listing of the parent (vsftpd has no MLST), its time refined by MDTM
//     for files. SIZE alone cannot tell a directory from a missing file.
//   - Errors wrap drop.ErrNotFound, ErrPermission and ErrAuth by the
//     reply's code and text; where a 550 says neither (pure-ftpd's "Can't
//     check for file existence", vsftpd's "Failed to open file."), the
//     parent directory is listed to tell a missing file from a refused
//     one. Every error names the operation and the path; login errors
//     name the URL without the password.
//   - Fetch streams RETR into the writer in constant memory and checks the
//     byte count against SIZE where the server answers it, so a transfer
//     cut short (the server dying mid-file) is never taken for the file.
package ftp

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	jftp "github.com/jlaffaye/ftp"

	"github.com/orderhub/orderhub/adapters/drop"
)

var _ drop.Dialer = Dial

// Dial connects to ep.URL (ftp:// or ftps://, port 21 by default) and
// logs in as ep.User, else the URL's user, else anonymous.
func Dial(ctx context.Context, ep drop.Endpoint) (drop.Conn, error) {
	return dial(ctx, ep, options{})
}

// options are choices tests make that endpoints do not.
type options struct {
	// noMLSD makes the session list with LIST and stat from listings, as
	// with a server that has no MLST (vsftpd).
	noMLSD bool
	// listLocation is the time zone LIST times are read in (default UTC).
	listLocation *time.Location
	// transcript receives what the server says on the control connection.
	transcript io.Writer
}

func dial(ctx context.Context, ep drop.Endpoint, o options) (*conn, error) {
	if ep.URL == nil {
		return nil, errors.New("ftp dial: no URL")
	}
	where := ep.Redacted()
	scheme := ep.URL.Scheme
	if scheme != "ftp" && scheme != "ftps" {
		return nil, fmt.Errorf("ftp dial %s: scheme %q; want ftp or ftps", where, scheme)
	}
	host := ep.URL.Hostname()
	if host == "" {
		return nil, fmt.Errorf("ftp dial %s: no host", where)
	}
	port := ep.URL.Port()
	if port == "" {
		port = "21"
	}
	user := ep.User
	if user == "" && ep.URL.User != nil {
		user = ep.URL.User.Username()
	}
	if user == "" {
		user = "anonymous"
	}
	password := ep.Password
	if password == "" && user == "anonymous" {
		password = "anonymous@"
	}
	timeout := ep.OpTimeout()

	var tlsConfig *tls.Config
	if scheme == "ftps" {
		tlsConfig = ftpsConfig(ep.TLS, host)
	}
	nc := newNetConns(timeout, tlsConfig)
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	nc.setContext(dctx)
	stop := context.AfterFunc(dctx, nc.abort)

	opts := []jftp.DialOption{
		jftp.DialWithDialFunc(nc.dial),
		jftp.DialWithDisabledEPSV(ep.DisableEPSV),
		jftp.DialWithDisabledMLSD(o.noMLSD),
	}
	if o.listLocation != nil {
		opts = append(opts, jftp.DialWithLocation(o.listLocation))
	}
	if o.transcript != nil {
		opts = append(opts, jftp.DialWithDebugOutput(o.transcript))
	}
	if tlsConfig != nil {
		opts = append(opts, jftp.DialWithExplicitTLS(tlsConfig))
	}
	c := &conn{nc: nc, where: where, timeout: timeout}
	sc, err := jftp.Dial(net.JoinHostPort(host, port), opts...)
	if err == nil {
		c.sc = sc
		err = sc.Login(user, password)
		if err == nil {
			err = c.afterLogin()
		} else {
			err = errLogin(err)
		}
	}
	if !stop() {
		// dctx ended: the connections are closed, whatever err says.
		if ctx.Err() != nil {
			return nil, fmt.Errorf("ftp dial %s: %w", where, ctx.Err())
		}
		return nil, fmt.Errorf("ftp dial %s: no answer within %s: %w", where, timeout, context.DeadlineExceeded)
	}
	nc.setContext(context.Background())
	if err != nil {
		nc.abort()
		return nil, dialError(where, user, timeout, err)
	}
	return c, nil
}

// afterLogin learns what the session needs from the server once logged
// in.
func (c *conn) afterLogin() error {
	if c.sc.IsTimePreciseInList() {
		return nil
	}
	// Listing with LIST changes directory and back; back is the login
	// directory.
	home, err := c.sc.CurrentDir()
	c.home = home
	return err
}

// loginRefused marks an error the server gave to USER or PASS.
type loginRefused struct{ err error }

func (e loginRefused) Error() string { return e.err.Error() }
func (e loginRefused) Unwrap() error { return e.err }

// errLogin marks err as the server's refusal of the login where it is
// one. jlaffaye/ftp's Login gives a reply error for a refused PASS, but
// only the reply's text for a refused USER, and plain text too for a
// refused OPTS UTF8 later on; the words of the text tell them apart.
func errLogin(err error) error {
	if err == nil {
		return nil
	}
	if r, ok := asReply(err); ok {
		if classify(r) == drop.ErrAuth {
			return loginRefused{err}
		}
		return err
	}
	if transport(err) {
		return err
	}
	msg := strings.ToLower(err.Error())
	if containsAny(msg, []string{"login", "user", "anonymous", "password", "denied", "not allowed", "private"}) {
		return loginRefused{err}
	}
	return err
}

func dialError(where, user string, timeout time.Duration, err error) error {
	var lr loginRefused
	var cve *tls.CertificateVerificationError
	switch {
	case errors.As(err, &lr):
		return fmt.Errorf("ftp login to %s as %s: %w: %w", where, user, drop.ErrAuth, lr.err)
	case errors.As(err, &cve):
		fp := ""
		if len(cve.UnverifiedCertificates) > 0 {
			sum := sha256.Sum256(cve.UnverifiedCertificates[0].Raw)
			fp = " SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
		}
		return fmt.Errorf("ftp dial %s: the server's TLS certificate%s is not trusted (give the partner's CA, or check the host name in the URL): %w: %w", where, fp, drop.ErrHostKey, err)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("ftp dial %s: no answer within %s: %w", where, timeout, err)
	}
	return fmt.Errorf("ftp dial %s: %w", where, err)
}

// ftpsConfig is base (or an empty config) for host, with a session cache:
// servers that insist the data connections resume the control
// connection's TLS session (vsftpd's require_ssl_reuse) get that.
func ftpsConfig(base *tls.Config, host string) *tls.Config {
	c := &tls.Config{}
	if base != nil {
		c = base.Clone()
	}
	if c.ServerName == "" {
		c.ServerName = host
	}
	if c.ClientSessionCache == nil {
		c.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	}
	return c
}

// conn is one logged-in session.
type conn struct {
	sc      *jftp.ServerConn
	nc      *netConns
	where   string
	timeout time.Duration
	home    string // the login directory, for LIST (see rawList)
	// dead is why the session can no longer be used: the connection was
	// lost, timed out, or closed when a context ended.
	dead   error
	closed bool
}

// localError is a failure on our side of a transfer (the caller's reader
// or writer, or a short transfer): the session itself is fine.
type localError struct{ err error }

func (e localError) Error() string { return e.err.Error() }
func (e localError) Unwrap() error { return e.err }

// run does one operation: op and label name it in errors, subject is the
// path whose existence tells a bare 550 apart (see explain).
func (c *conn) run(ctx context.Context, op, label, subject string, f func() error) error {
	switch {
	case c.closed:
		return fmt.Errorf("ftp %s %s: %w", op, label, net.ErrClosed)
	case c.dead != nil:
		return fmt.Errorf("ftp %s %s: the session ended before (dial again): %w", op, label, c.dead)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("ftp %s %s: %w", op, label, err)
	}
	c.nc.setContext(ctx)
	stop := context.AfterFunc(ctx, c.nc.abort)
	err := f()
	if err != nil {
		err = c.fail(op, label, subject, err)
	}
	if !stop() {
		c.dead = fmt.Errorf("%s %s cancelled: %w", op, label, ctx.Err())
		return fmt.Errorf("ftp %s %s: %w (connection closed; this Conn cannot be used again)", op, label, ctx.Err())
	}
	c.nc.setContext(context.Background())
	return err
}

// fail is err with the operation's name and the drop error it means; it
// marks the session dead when err leaves it in an unknown state.
func (c *conn) fail(op, label, subject string, err error) error {
	prefix := "ftp " + op + " " + label
	var le localError
	switch {
	case errors.As(err, &le):
		return fmt.Errorf("%s: %w", prefix, le.err)
	case errors.Is(err, drop.ErrNotFound), errors.Is(err, drop.ErrPermission):
		return fmt.Errorf("%s: %w", prefix, err)
	case errors.Is(err, jftp.ErrInvalidCommand):
		return fmt.Errorf("%s: FTP cannot send a name with CR or LF in it: %w", prefix, err)
	}
	if r, ok := asReply(err); ok && !transport(err) {
		if r.Code == 421 {
			// "Service not available, closing control connection."
			c.dead = err
		}
		kind := classify(r)
		if kind == nil && r.Code == 550 && c.dead == nil {
			kind = c.explain(subject)
		}
		if kind != nil {
			return fmt.Errorf("%s: %w: %w", prefix, kind, err)
		}
		return fmt.Errorf("%s: %w", prefix, err)
	}
	c.dead = err
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("%s: no answer from the server within %s: %w", prefix, c.timeout, err)
	}
	return fmt.Errorf("%s: %w", prefix, err)
}

// transport says whether err is the connection's failure rather than the
// server's answer: after one, the control connection is closed or out of
// step, and the session cannot go on.
func transport(err error) bool {
	var ne net.Error
	var pe textproto.ProtocolError
	var re tls.RecordHeaderError
	var ae tls.AlertError
	return errors.As(err, &ne) || errors.As(err, &pe) || errors.As(err, &re) || errors.As(err, &ae) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, errAborted) ||
		strings.HasPrefix(err.Error(), "tls: ")
}

// explain tells why the server refused subject with a 550 that does not
// say: it lists the parent and looks for the name. Not there: ErrNotFound.
// There (or the parent there but not listable): ErrPermission. The parent
// refused as well: the same question one level up. nil when the listing
// fails otherwise.
func (c *conn) explain(subject string) error {
	p := path.Clean(subject)
	for range 64 {
		dir, name := path.Dir(p), path.Base(p)
		if name == "/" || name == "." {
			return drop.ErrPermission // the root or login directory exists
		}
		es, err := c.rawList(dir)
		if err == nil {
			for _, e := range es {
				if e.Name == name {
					return drop.ErrPermission
				}
			}
			return drop.ErrNotFound
		}
		r, ok := asReply(err)
		if !ok || transport(err) {
			c.dead = err
			return nil
		}
		if kind := classify(r); kind != nil {
			if kind == drop.ErrNotFound {
				return drop.ErrNotFound
			}
			return drop.ErrPermission
		}
		if r.Code != 550 {
			return nil
		}
		p = dir
	}
	return nil
}

// rawList lists dir with MLSD, or else with LIST inside it.
func (c *conn) rawList(dir string) ([]*jftp.Entry, error) {
	if c.sc.IsTimePreciseInList() {
		return c.sc.List(dir)
	}
	if err := c.sc.ChangeDir(dir); err != nil {
		return nil, err
	}
	es, err := c.sc.List("")
	if cerr := c.sc.ChangeDir(c.home); cerr != nil {
		// Relative paths would now mean other files.
		c.dead = fmt.Errorf("back to the login directory %s: %w", c.home, cerr)
		return nil, errors.Join(err, c.dead)
	}
	return es, err
}

func entry(e *jftp.Entry) drop.Entry {
	return drop.Entry{Name: e.Name, Size: int64(e.Size), ModTime: e.Time, Dir: e.Type == jftp.EntryTypeFolder}
}

func (c *conn) List(ctx context.Context, dir string) ([]drop.Entry, error) {
	out := []drop.Entry{}
	err := c.run(ctx, "list", dir, dir, func() error {
		es, err := c.rawList(dir)
		if err != nil {
			return err
		}
		for _, e := range es {
			// Some servers name MLSD's cdir/pdir entries by their path.
			if e.Name == "" || e.Name == "." || e.Name == ".." || strings.Contains(e.Name, "/") {
				continue
			}
			out = append(out, entry(e))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (c *conn) Stat(ctx context.Context, p string) (drop.Entry, error) {
	var out drop.Entry
	err := c.run(ctx, "stat", p, p, func() error {
		var err error
		out, err = c.stat(p)
		return err
	})
	return out, err
}

func (c *conn) stat(p string) (drop.Entry, error) {
	clean := path.Clean(p)
	name := path.Base(clean)
	if c.sc.IsTimePreciseInList() {
		e, err := c.sc.GetEntry(p)
		if err != nil {
			return drop.Entry{}, err
		}
		out := entry(e)
		out.Name = name
		return out, nil
	}
	if name == "/" || name == "." {
		return drop.Entry{Name: name, Dir: true}, nil
	}
	dir := path.Dir(clean)
	es, err := c.rawList(dir)
	if err != nil {
		return drop.Entry{}, err
	}
	for _, e := range es {
		if e.Name != name {
			continue
		}
		out := entry(e)
		if !out.Dir && c.sc.IsGetTimeSupported() {
			// LIST gives minutes at best; MDTM gives seconds.
			t, err := c.sc.GetTime(p)
			switch {
			case err == nil:
				out.ModTime = t
			case transport(err):
				return drop.Entry{}, err
			}
		}
		return out, nil
	}
	return drop.Entry{}, fmt.Errorf("not in the listing of %s: %w", dir, drop.ErrNotFound)
}

func (c *conn) Fetch(ctx context.Context, p string, w io.Writer) (int64, error) {
	cw := &countingWriter{w: w}
	err := c.run(ctx, "fetch", p, p, func() error {
		size := int64(-1)
		s, err := c.sc.FileSize(p)
		switch {
		case err == nil:
			size = s
		case transport(err):
			return err
		}
		// Any refusal of SIZE is left to RETR to say better.
		resp, err := c.sc.Retr(p)
		if err != nil {
			return err
		}
		_, cerr := io.Copy(cw, resp)
		if cerr != nil && transport(cerr) {
			// The data connection broke or went quiet: the control
			// connection's answer would be no better, and waiting for it
			// would double the time the caller waits.
			return fmt.Errorf("after %d of %s bytes: %w", cw.n, sizeText(size), cerr)
		}
		rerr := resp.Close() // reads the server's 226
		switch {
		case cw.err != nil:
			if rerr != nil && transport(rerr) {
				c.dead = rerr
			}
			return localError{fmt.Errorf("after %d bytes: writing: %w", cw.n, cw.err)}
		case cerr != nil:
			return fmt.Errorf("after %d of %s bytes: %w", cw.n, sizeText(size), cerr)
		case rerr != nil:
			return fmt.Errorf("after %d of %s bytes: %w", cw.n, sizeText(size), rerr)
		case size >= 0 && cw.n != size:
			return localError{fmt.Errorf("got %d bytes; the server gave the file's size as %d (did it change during the transfer?)", cw.n, size)}
		}
		return nil
	})
	return cw.n, err
}

func sizeText(size int64) string {
	if size < 0 {
		return "?"
	}
	return strconv.FormatInt(size, 10)
}

func (c *conn) Put(ctx context.Context, p string, r io.Reader) (int64, error) {
	cr := &countingReader{r: r}
	err := c.run(ctx, "put", p, p, func() error {
		err := c.sc.Stor(p, cr)
		if cr.err != nil {
			// The library has closed the upload and read the server's
			// answer: what the server holds now is cut short.
			return localError{fmt.Errorf("reading what to upload, after %d bytes: %w", cr.n, cr.err)}
		}
		return err
	})
	return cr.n, err
}

// Rename is RNFR/RNTO. A 550 that does not say why is explained by
// whether from still exists: gone means another process claimed it.
func (c *conn) Rename(ctx context.Context, from, to string) error {
	return c.run(ctx, "rename", from+" to "+to, from, func() error {
		return c.sc.Rename(from, to)
	})
}

func (c *conn) Remove(ctx context.Context, p string) error {
	return c.run(ctx, "remove", p, p, func() error {
		return c.sc.Delete(p)
	})
}

// MkdirAll makes each missing element of dir with MKD. Whether an element
// already exists is asked (Stat), not read in MKD's refusal, whose words
// differ from server to server.
func (c *conn) MkdirAll(ctx context.Context, dir string) error {
	return c.run(ctx, "mkdir", dir, dir, func() error {
		clean := path.Clean(dir)
		if e, err := c.stat(clean); err == nil && e.Dir {
			return nil
		} else if err != nil && transport(err) {
			return err
		}
		var todo []string
		for p := clean; p != "/" && p != "."; p = path.Dir(p) {
			todo = append(todo, p)
		}
		for i := len(todo) - 1; i >= 0; i-- {
			p := todo[i]
			err := c.sc.MakeDir(p)
			if err == nil {
				continue
			}
			if transport(err) {
				return err
			}
			e, serr := c.stat(p)
			if serr == nil && e.Dir {
				continue
			}
			if serr != nil && transport(serr) {
				return serr
			}
			if serr == nil {
				return localError{fmt.Errorf("%s exists and is not a directory", p)}
			}
			return fmt.Errorf("%s: %w", p, err)
		}
		return nil
	})
}

// Close says QUIT and closes the connections.
func (c *conn) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	if c.dead != nil {
		c.nc.abort()
		return nil
	}
	err := c.sc.Quit()
	c.nc.abort()
	if err != nil {
		return fmt.Errorf("ftp close %s: %w", c.where, err)
	}
	return nil
}

type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (cw *countingWriter) Write(b []byte) (int, error) {
	n, err := cw.w.Write(b)
	cw.n += int64(n)
	if err != nil {
		cw.err = err
	}
	return n, err
}

type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (cr *countingReader) Read(b []byte) (int, error) {
	n, err := cr.r.Read(b)
	cr.n += int64(n)
	if err != nil && err != io.EOF {
		cr.err = err
	}
	return n, err
}
