package ftp

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"path"
	"strings"

	jftp "github.com/jlaffaye/ftp"

	"github.com/orderhub/orderhub/adapters/drop"
)

// asReply is the server's reply err carries, if it carries one.
func asReply(err error) (*textproto.Error, bool) {
	var r *textproto.Error
	ok := errors.As(err, &r)
	return r, ok
}

// Reply texts that say which of drop's errors a refusal is. Servers agree
// on codes less than on words: pure-ftpd answers a missing file
// "550 Can't open x: No such file or directory" and an unreadable one
// "550 Can't open x: Permission denied" (553 for an upload), vsftpd
// "550 Failed to open file." for both; RNFR of a missing file gets
// "550 Sorry, but that file doesn't exist" from pure-ftpd.
var (
	notFoundWords   = []string{"no such file", "doesn't exist", "does not exist", "not found", "no such directory"}
	permissionWords = []string{"permission denied", "access denied", "not permitted", "operation not allowed"}
)

// classify is the drop error a refusal means by its code and text alone,
// or nil when the server does not say (a bare 550 "Can't check for file
// existence": the caller may look for the file to tell).
func classify(r *textproto.Error) error {
	msg := strings.ToLower(r.Msg)
	switch {
	case r.Code == 530 || r.Code == 430:
		return drop.ErrAuth
	case containsAny(msg, notFoundWords):
		return drop.ErrNotFound
	case containsAny(msg, permissionWords):
		return drop.ErrPermission
	case r.Code == 553 || r.Code == 532:
		// 553 "file name not allowed" and 532 "need account for storing"
		// are refusals of the name or the user, never a missing file.
		return drop.ErrPermission
	}
	return nil
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// localError is a failure on our side of a transfer (the caller's reader
// or writer, or a short transfer): the session itself is fine.
type localError struct{ err error }

func (e localError) Error() string { return e.err.Error() }

func (e localError) Unwrap() error { return e.err }

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
