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
	"os"
	"strings"
	"time"

	jftp "github.com/jlaffaye/ftp"

	"github.com/orderhub/orderhub/adapters/drop"
)

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
