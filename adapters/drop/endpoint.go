package drop

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"

	"github.com/orderhub/orderhub/mappings"
)

// EndpointFor turns a partner's remote profile into an Endpoint: the
// password read from its environment variable or file, the private key
// read, the FTPS trust built. knownHosts is the known_hosts file used when
// the profile names none. The errors say which setting is wrong and never
// hold a secret.
func EndpointFor(partner string, r *mappings.Remote, knownHosts string) (Endpoint, error) {
	u := r.ParsedURL()
	if u == nil {
		return Endpoint{}, fmt.Errorf("remote of %s: bad url %q", partner, r.URL)
	}
	ep := Endpoint{URL: u, Timeout: r.Timeout.Duration, DisableEPSV: r.DisableEPSV, KnownHosts: knownHosts}
	if u.User != nil {
		ep.User = u.User.Username()
	}
	switch {
	case r.PasswordEnv != "":
		v, ok := os.LookupEnv(r.PasswordEnv)
		if !ok {
			return ep, fmt.Errorf("remote of %s (%s): password_env %s is not set in orderhub's environment", partner, ep.Redacted(), r.PasswordEnv)
		}
		ep.Password = v
	case r.PasswordFile != "":
		b, err := os.ReadFile(r.PasswordFile)
		if err != nil {
			return ep, fmt.Errorf("remote of %s (%s): password_file: %w", partner, ep.Redacted(), err)
		}
		ep.Password = strings.TrimRight(string(b), "\r\n")
	}
	if r.PrivateKey != "" {
		b, err := os.ReadFile(r.PrivateKey)
		if err != nil {
			return ep, fmt.Errorf("remote of %s (%s): private_key: %w", partner, ep.Redacted(), err)
		}
		ep.PrivateKey = b
	}
	if r.PassphraseEnv != "" {
		v, ok := os.LookupEnv(r.PassphraseEnv)
		if !ok {
			return ep, fmt.Errorf("remote of %s (%s): passphrase_env %s is not set in orderhub's environment", partner, ep.Redacted(), r.PassphraseEnv)
		}
		ep.KeyPassphrase = v
	}
	if r.HostKey != "" {
		ep.HostKeyFingerprints = []string{r.HostKey}
	}
	if r.KnownHosts != "" {
		ep.KnownHosts = r.KnownHosts
	}
	if u.Scheme == "ftps" {
		cfg := &tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS12}
		if t := r.TLS; t != nil {
			if t.ServerName != "" {
				cfg.ServerName = t.ServerName
			}
			cfg.InsecureSkipVerify = t.InsecureSkipVerify
			if t.CAFile != "" {
				pem, err := os.ReadFile(t.CAFile)
				if err != nil {
					return ep, fmt.Errorf("remote of %s (%s): tls.ca_file: %w", partner, ep.Redacted(), err)
				}
				pool := x509.NewCertPool()
				if !pool.AppendCertsFromPEM(pem) {
					return ep, fmt.Errorf("remote of %s (%s): tls.ca_file %s: no PEM certificate in it", partner, ep.Redacted(), t.CAFile)
				}
				cfg.RootCAs = pool
			}
		}
		ep.TLS = cfg
	}
	return ep, nil
}
