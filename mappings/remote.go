package mappings

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/orderhub/orderhub/internal/strictyaml"
)

// Remote is a partner's FTP, FTPS or SFTP drop: where its documents are
// pulled from and its answers put. In the partner's profile:
//
//	remote:
//	  url: sftp://orders@sftp.bigretail.example:22
//	  private_key: /etc/orderhub/keys/bigretail
//	  host_key: SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s
//	  inbound: /outgoing/orders
//	  glob: "*.edi"
//	  poll: 1m
//	  after_pull: move:/outgoing/done
//	  outbound: /incoming/acks
type Remote struct {
	// URL is ftp://, ftps:// (explicit TLS) or sftp://, with the user;
	// never a password (use PasswordEnv or PasswordFile).
	URL string `yaml:"url"`
	// PasswordEnv names the environment variable holding the password.
	PasswordEnv string `yaml:"password_env"`
	// PasswordFile is a file holding the password (one line).
	PasswordFile string `yaml:"password_file"`
	// PrivateKey is an SSH private key file (SFTP).
	PrivateKey string `yaml:"private_key"`
	// PassphraseEnv names the environment variable holding PrivateKey's
	// passphrase, when it has one.
	PassphraseEnv string `yaml:"passphrase_env"`
	// HostKey is the SFTP server's host key fingerprint, "SHA256:..." as
	// ssh-keygen -lf prints it; when set, it is the only key accepted.
	// Otherwise the key must be in KnownHosts.
	HostKey string `yaml:"host_key"`
	// KnownHosts is an OpenSSH known_hosts file. Default
	// <data>/known_hosts, where orderhub trust-host adds keys.
	KnownHosts string `yaml:"known_hosts"`
	// TLS is the FTPS client's trust: a CA file (for a self-signed
	// server, its certificate) and the name to check. Default: the
	// system's roots and the URL's host.
	TLS *RemoteTLS `yaml:"tls"`
	// DisableEPSV makes FTP use PASV only.
	DisableEPSV bool `yaml:"disable_epsv"`
	// Timeout bounds the dial, the login and each wait for the server.
	// Default 30s.
	Timeout strictyaml.Duration `yaml:"timeout"`

	// Inbound is the remote directory documents are pulled from; empty:
	// nothing is pulled (the remote only takes answers).
	Inbound string `yaml:"inbound"`
	// Glob picks the files in Inbound, as path.Match reads it. Default "*".
	// Dot-files and *.tmp, *.part, *.partial, *.filepart are never taken.
	Glob string `yaml:"glob"`
	// Poll is the time between two looks at Inbound. Default 1m.
	Poll strictyaml.Duration `yaml:"poll"`
	// MinAge: a file whose modification time is at least this old is
	// taken at first sight; a younger one only once two polls saw the
	// same size and time. Default 2m; 0 waits for two polls always.
	MinAge *strictyaml.Duration `yaml:"min_age"`
	// AfterPull is what becomes of a file once it is in the ledger:
	// "delete" (default), "move:<dir>" or "keep" (left where it is; the
	// ledger remembers its name, size, time and hash, so it is not pulled
	// again).
	AfterPull string `yaml:"after_pull"`
	// Claim is the remote directory a file is renamed into before it is
	// read, so two orderhub processes never take the same file (each uses
	// a sub-directory named after itself). Default <inbound>/.orderhub;
	// "none" reads files where they are (one puller only).
	Claim string `yaml:"claim"`

	// Outbound is the remote directory answers are put in; empty: they
	// stay in the local outbox.
	Outbound string `yaml:"outbound"`
}

// RemoteTLS is an FTPS client's trust.
type RemoteTLS struct {
	CAFile             string `yaml:"ca_file"`
	ServerName         string `yaml:"server_name"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"`
}

// Remote defaults.
const (
	DefaultRemotePoll   = time.Minute
	DefaultRemoteMinAge = 2 * time.Minute
	AfterPullDelete     = "delete"
	AfterPullKeep       = "keep"
	afterPullMove       = "move:"
	ClaimNone           = "none"
)

func (r *Remote) setDefaults() {
	if r.Glob == "" {
		r.Glob = "*"
	}
	if r.Poll.Duration == 0 {
		r.Poll.Duration = DefaultRemotePoll
	}
	if r.MinAge == nil {
		r.MinAge = &strictyaml.Duration{Duration: DefaultRemoteMinAge}
	}
	if r.AfterPull == "" {
		r.AfterPull = AfterPullDelete
	}
	if r.Claim == "" && r.Inbound != "" && r.AfterPull != AfterPullKeep {
		r.Claim = path.Join(r.Inbound, ".orderhub")
	}
	if r.AfterPull == AfterPullKeep {
		// A kept file stays where it is: there is nothing to claim.
		if r.Claim == "" {
			r.Claim = ClaimNone
		}
	}
}

// MoveTo is the directory of "move:<dir>", or "".
func (r *Remote) MoveTo() string {
	if strings.HasPrefix(r.AfterPull, afterPullMove) {
		return strings.TrimPrefix(r.AfterPull, afterPullMove)
	}
	return ""
}

// Claims tells whether files are claimed by a rename before they are read.
func (r *Remote) Claims() bool { return r.Claim != "" && r.Claim != ClaimNone }

// ParsedURL is the remote's URL, parsed (validate has checked it).
func (r *Remote) ParsedURL() *url.URL {
	u, _ := url.Parse(r.URL)
	return u
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (r *Remote) validate(add func(path, format string, args ...any)) {
	u, err := url.Parse(r.URL)
	switch {
	case r.URL == "":
		add("remote.url", "want ftp://, ftps:// or sftp:// and a host, got nothing")
	case err != nil:
		add("remote.url", "want ftp://, ftps:// or sftp:// and a host, got %q (%v)", r.URL, err)
	case u.Scheme != "ftp" && u.Scheme != "ftps" && u.Scheme != "sftp":
		add("remote.url", "want ftp://, ftps:// or sftp://, got scheme %q", u.Scheme)
	case u.Hostname() == "":
		add("remote.url", "want a host in %q", r.URL)
	default:
		if _, hasPW := u.User.Password(); hasPW {
			add("remote.url", "a password does not belong in the URL: put it in an environment variable (password_env) or a file (password_file)")
		}
		if u.Scheme != "sftp" && (r.PrivateKey != "" || r.HostKey != "") {
			add("remote.private_key", "SSH keys are for sftp:// only")
		}
		if u.Scheme != "ftps" && r.TLS != nil {
			add("remote.tls", "tls is for ftps:// only")
		}
		if u.Scheme == "sftp" && r.PrivateKey == "" && r.PasswordEnv == "" && r.PasswordFile == "" {
			add("remote.private_key", "an sftp:// remote needs a private_key, password_env or password_file")
		}
	}
	if r.PasswordEnv != "" && r.PasswordFile != "" {
		add("remote.password_file", "give password_env or password_file, not both")
	}
	if r.PasswordEnv != "" && !envNameRE.MatchString(r.PasswordEnv) {
		add("remote.password_env", "want an environment variable name, got %q", r.PasswordEnv)
	}
	if r.PassphraseEnv != "" && !envNameRE.MatchString(r.PassphraseEnv) {
		add("remote.passphrase_env", "want an environment variable name, got %q", r.PassphraseEnv)
	}
	if r.HostKey != "" && !strings.HasPrefix(r.HostKey, "SHA256:") {
		add("remote.host_key", `want a fingerprint as ssh-keygen -lf prints it ("SHA256:..."), got %q`, r.HostKey)
	}
	if r.Inbound == "" && r.Outbound == "" {
		add("remote.inbound", "want an inbound directory to pull from, an outbound one to put answers in, or both")
	}
	if _, err := path.Match(r.Glob, ""); err != nil {
		add("remote.glob", "want a pattern such as *.edi, got %q (%v)", r.Glob, err)
	}
	if r.Poll.Duration < time.Second {
		add("remote.poll", "want 1s or more, got %s", r.Poll.Duration)
	}
	if r.MinAge != nil && r.MinAge.Duration < 0 {
		add("remote.min_age", "want 0 or more, got %s", r.MinAge.Duration)
	}
	if r.Timeout.Duration < 0 {
		add("remote.timeout", "want 0 (the default, 30s) or more, got %s", r.Timeout.Duration)
	}
	switch {
	case r.AfterPull == AfterPullDelete || r.AfterPull == AfterPullKeep:
	case strings.HasPrefix(r.AfterPull, afterPullMove) && r.MoveTo() != "":
	default:
		add("remote.after_pull", `want "delete", "keep" or "move:<dir>", got %q`, r.AfterPull)
	}
	if r.AfterPull == AfterPullKeep && r.Claims() {
		add("remote.claim", "after_pull: keep leaves files where they are; they cannot be claimed (claim: none)")
	}
	if r.MoveTo() != "" && r.Inbound != "" && path.Clean(r.MoveTo()) == path.Clean(r.Inbound) {
		add("remote.after_pull", "moving pulled files into the inbound directory would pull them again")
	}
}

// Remotes are the profiles with a remote drop, by partner.
func (p *Profiles) Remotes() map[string]*Remote {
	p.maybeReload()
	p.mu.RLock()
	defer p.mu.RUnlock()
	out := map[string]*Remote{}
	for id, prof := range p.byID {
		if prof.Remote != nil {
			out[id] = prof.Remote
		}
	}
	return out
}

// RemoteFor is a partner's remote drop, or nil.
func (p *Profiles) RemoteFor(partner string) *Remote {
	if prof, ok := p.Get(partner); ok {
		return prof.Remote
	}
	return nil
}

// String is the remote for messages: its URL, which holds no password.
func (r *Remote) String() string {
	return fmt.Sprintf("%s (inbound %q, outbound %q)", r.URL, r.Inbound, r.Outbound)
}

// Dir is the directory the profiles are read from.
func (p *Profiles) Dir() string { return p.dir }
