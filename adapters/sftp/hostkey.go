package sftp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/orderhub/orderhub/adapters/drop"
)

// Fingerprint is k's SHA-256 fingerprint as ssh-keygen -lf prints it
// ("SHA256:..."), the form host_key: in a profile takes.
func Fingerprint(k ssh.PublicKey) string { return ssh.FingerprintSHA256(k) }

// HostKeyError is a refused host key: errors.Is(err, drop.ErrHostKey).
type HostKeyError struct {
	HostPort string
	Key      ssh.PublicKey
	// Changed: a different key of the same type is trusted for the host.
	// The server may have been replaced, or someone sits between us.
	Changed bool
	// Known are the keys trusted for the host (known_hosts lines, or the
	// pinned fingerprints).
	Known []string
	// Source is where trust was looked up: the known_hosts file or
	// "the profile's host_key".
	Source string
}

func (e *HostKeyError) Error() string {
	var b strings.Builder
	fp := Fingerprint(e.Key)
	if e.Changed {
		fmt.Fprintf(&b, "host key of %s has CHANGED: the server offers %s key %s, but %s trusts %s. "+
			"This may be an attack (someone between us and the server) or a reinstalled server: check with the partner before trusting the new key; "+
			"then remove the old line and run `orderhub trust-host sftp://%s`, or set host_key: %s in the profile",
			e.HostPort, e.Key.Type(), fp, e.Source, strings.Join(e.Known, ", "), e.HostPort, fp)
		return b.String()
	}
	fmt.Fprintf(&b, "host key of %s is unknown: the server offers %s key %s, and %s does not list it", e.HostPort, e.Key.Type(), fp, e.Source)
	if len(e.Known) > 0 {
		fmt.Fprintf(&b, " (it lists %s)", strings.Join(e.Known, ", "))
	}
	fmt.Fprintf(&b, "; if that is the partner's key, run `orderhub trust-host sftp://%s` or set host_key: %s in the profile", e.HostPort, fp)
	return b.String()
}

func (e *HostKeyError) Unwrap() error { return drop.ErrHostKey }

// hostKeyCheck decides whether the server's key is trusted, and keeps its
// refusal, which the SSH layer would otherwise bury in its own error.
type hostKeyCheck struct {
	hostport string
	pins     []string            // fingerprints, when the endpoint pins
	db       ssh.HostKeyCallback // known_hosts, when it does not
	source   string
	known    []knownhosts.KnownKey
	err      *HostKeyError
}

func newHostKeyCheck(ep drop.Endpoint, hostport string) (*hostKeyCheck, error) {
	h := &hostKeyCheck{hostport: hostport}
	if len(ep.HostKeyFingerprints) > 0 {
		h.pins = ep.HostKeyFingerprints
		h.source = "the profile's host_key"
		return h, nil
	}
	if ep.KnownHosts == "" {
		h.source = "the endpoint (no known_hosts file, no host_key)"
		return h, nil
	}
	h.source = ep.KnownHosts
	db, known, err := loadKnownHosts(ep.KnownHosts, hostport)
	if err != nil {
		return nil, err
	}
	h.db, h.known = db, known
	return h, nil
}

// loadKnownHosts reads file (missing: nothing trusted) and returns its
// check and the keys it holds for hostport.
func loadKnownHosts(file, hostport string) (ssh.HostKeyCallback, []knownhosts.KnownKey, error) {
	db, err := knownhosts.New(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("known_hosts: %w", err)
	}
	// A key no line can match makes knownhosts list the host's lines.
	var ke *knownhosts.KeyError
	if err := db(hostport, addrOf(hostport), nothingKey{}); errors.As(err, &ke) {
		return db, ke.Want, nil
	}
	return db, nil, nil
}

func (h *hostKeyCheck) callback(_ string, _ net.Addr, key ssh.PublicKey) error {
	fp := Fingerprint(key)
	refuse := func(changed bool, known []string) error {
		h.err = &HostKeyError{HostPort: h.hostport, Key: key, Changed: changed, Known: known, Source: h.source}
		return h.err
	}
	if h.pins != nil {
		if slices.Contains(h.pins, fp) {
			return nil
		}
		// A pin does not say the key's type, so any other key is a
		// change: the pin was taken from this server.
		return refuse(true, h.pins)
	}
	if h.db == nil {
		return refuse(false, nil)
	}
	err := h.db(h.hostport, addrOf(h.hostport), key)
	if err == nil {
		return nil
	}
	var (
		ke *knownhosts.KeyError
		re *knownhosts.RevokedError
	)
	switch {
	case errors.As(err, &re):
		return refuse(true, []string{"@revoked " + Fingerprint(re.Revoked.Key)})
	case errors.As(err, &ke):
		changed := false
		var known []string
		for _, k := range ke.Want {
			known = append(known, fmt.Sprintf("%s %s (line %d)", k.Key.Type(), Fingerprint(k.Key), k.Line))
			changed = changed || k.Key.Type() == key.Type()
		}
		return refuse(changed, known)
	}
	return fmt.Errorf("known_hosts %s: %w", h.source, err)
}

// algorithms puts the host key algorithms of the keys already trusted
// for the host first, as OpenSSH does, so a server with several keys
// shows the one we know instead of one we would call unknown.
func (h *hostKeyCheck) algorithms() []string {
	return preferAlgorithms(h.known)
}

func preferAlgorithms(known []knownhosts.KnownKey) []string {
	if len(known) == 0 {
		return nil
	}
	var first []string
	for _, k := range known {
		first = append(first, algorithmsFor(k.Key.Type())...)
	}
	all := append(first, ssh.SupportedAlgorithms().HostKeys...)
	var out []string
	for _, a := range all {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

func algorithmsFor(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}

// HostKey connects to hostport and returns the key the server presents,
// without logging in (the handshake is ended once the key is seen). The
// server picks among its keys in x/crypto's default order, which is the
// order Dial uses for a host it knows no key of.
func HostKey(ctx context.Context, hostport string, timeout time.Duration) (ssh.PublicKey, error) {
	return hostKey(ctx, hostport, timeout, nil)
}

// HostKeyFor is HostKey with the algorithms of the keys knownHosts (may be
// "" or missing) holds for hostport preferred, as Dial prefers them, so a
// server with several keys shows the one already trusted.
func HostKeyFor(ctx context.Context, hostport, knownHosts string, timeout time.Duration) (ssh.PublicKey, error) {
	var known []knownhosts.KnownKey
	if knownHosts != "" {
		var err error
		if _, known, err = loadKnownHosts(knownHosts, hostport); err != nil {
			return nil, err
		}
	}
	return hostKey(ctx, hostport, timeout, preferAlgorithms(known))
}

var errGotKey = errors.New("host key captured")

func hostKey(ctx context.Context, hostport string, timeout time.Duration, algos []string) (ssh.PublicKey, error) {
	if timeout <= 0 {
		timeout = drop.DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", hostport)
	if err != nil {
		return nil, fmt.Errorf("sftp host key of %s: connect: %w", hostport, err)
	}
	nc := newDeadlineConn(raw, timeout)
	defer nc.Close()
	stop := context.AfterFunc(ctx, func() { nc.fail(fmt.Errorf("no host key within %s", timeout)) })
	defer stop()
	var key ssh.PublicKey
	cfg := &ssh.ClientConfig{
		User:              "orderhub-trust-host",
		HostKeyAlgorithms: algos,
		HostKeyCallback: func(_ string, _ net.Addr, k ssh.PublicKey) error {
			key = k
			return errGotKey
		},
	}
	_, _, _, err = ssh.NewClientConn(nc, hostport, cfg)
	if key != nil {
		return key, nil
	}
	if err == nil {
		return nil, fmt.Errorf("sftp host key of %s: the handshake ended without a key", hostport)
	}
	return nil, fmt.Errorf("sftp host key of %s: %w", hostport, nc.explain(err))
}

// Trusted says whether knownHostsFile trusts k for hostport; when it does
// not, known lists the keys it holds for hostport instead (a key of the
// same type among them means the server's key changed).
func Trusted(knownHostsFile, hostport string, k ssh.PublicKey) (ok bool, known []knownhosts.KnownKey, err error) {
	db, known, err := loadKnownHosts(knownHostsFile, hostport)
	if err != nil || db == nil {
		return false, nil, err
	}
	err = db(hostport, addrOf(hostport), k)
	var ke *knownhosts.KeyError
	var re *knownhosts.RevokedError
	switch {
	case err == nil:
		return true, nil, nil
	case errors.As(err, &ke):
		return false, ke.Want, nil
	case errors.As(err, &re):
		return false, nil, fmt.Errorf("%s: the key %s is marked @revoked", knownHostsFile, Fingerprint(k))
	}
	return false, nil, fmt.Errorf("%s: %w", knownHostsFile, err)
}

// Trust adds k for hostport to knownHostsFile, creating the file (0600)
// and its directory as needed. The file is only appended to: lines others
// wrote, comments and hashed hosts stay as they are. A key already there
// is not added again (added is false).
func Trust(knownHostsFile, hostport string, k ssh.PublicKey) (added bool, err error) {
	if ok, _, err := Trusted(knownHostsFile, hostport, k); err != nil || ok {
		return false, err
	}
	if err := os.MkdirAll(filepath.Dir(knownHostsFile), 0o700); err != nil {
		return false, fmt.Errorf("known_hosts: %w", err)
	}
	f, err := os.OpenFile(knownHostsFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return false, fmt.Errorf("known_hosts: %w", err)
	}
	line := knownhosts.Line([]string{knownhosts.Normalize(hostport)}, k) + "\n"
	// A file whose last line has no newline would glue ours onto it.
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if r, err := os.Open(knownHostsFile); err == nil {
			if _, err := r.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
				line = "\n" + line
			}
			r.Close()
		}
	}
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return false, fmt.Errorf("known_hosts %s: %w", knownHostsFile, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return false, fmt.Errorf("known_hosts %s: %w", knownHostsFile, err)
	}
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("known_hosts %s: %w", knownHostsFile, err)
	}
	return true, nil
}

// addrOf is hostport as the net.Addr knownhosts wants; it only looks at
// the host name we pass, but parses the address too.
func addrOf(hostport string) net.Addr { return hostAddr(hostport) }

type hostAddr string

func (a hostAddr) Network() string { return "tcp" }
func (a hostAddr) String() string  { return string(a) }

// nothingKey is a key no known_hosts line holds.
type nothingKey struct{}

func (nothingKey) Type() string                            { return "orderhub-none" }
func (nothingKey) Marshal() []byte                         { return []byte("orderhub-none") }
func (nothingKey) Verify(_ []byte, _ *ssh.Signature) error { return errors.New("not a key") }
