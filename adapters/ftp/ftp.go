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
	"errors"
	"fmt"
	"io"
	"net"
	"path"
	"strconv"
	"strings"
	"time"

	jftp "github.com/jlaffaye/ftp"

	"github.com/orderhub/orderhub/adapters/drop"
)

var _ drop.Dialer = Dial

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
