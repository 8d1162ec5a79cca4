package cli

import (
	"bufio"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/orderhub/orderhub/adapters/drop"
	"github.com/orderhub/orderhub/adapters/sftp"
)

// trustHostCmd shows an SFTP server's host key and adds it to the
// known_hosts file orderhub checks, so the first connection to a partner
// is a decision an operator makes, not one the puller takes silently.
func trustHostCmd(e *env) *cobra.Command {
	var (
		file    string
		yes     bool
		timeout time.Duration
	)
	c := &cobra.Command{
		Use:   "trust-host sftp://host[:port]",
		Short: "Show an SFTP server's host key and add it to orderhub's known_hosts",
		Long: `trust-host connects to an SFTP server (without logging in), prints its host key's
type and SHA256 fingerprint, and adds it to the known_hosts file that partners'
sftp:// remotes are checked against (default <data>/known_hosts), when you answer y
or pass --yes. Compare the fingerprint with the one the partner gives you first.

A key already trusted is reported and left alone. A server whose key differs from
the one trusted for it is shown loudly, with both fingerprints, and not trusted
unless --yes is given: a changed key may mean someone sits between orderhub and the
partner. With --yes the new key is added and the old line must be removed by hand
(the file is only ever appended to).

Instead of known_hosts, a profile can pin the key: host_key: SHA256:...`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			hostport, err := sftpHostPort(args[0])
			if err != nil {
				return err
			}
			if file == "" {
				file = filepath.Join(e.cfg.Data, "known_hosts")
			}
			key, err := sftp.HostKeyFor(cmd.Context(), hostport, file, timeout)
			if err != nil {
				return err
			}
			fp := sftp.Fingerprint(key)
			fmt.Fprintf(e.stdout, "%s offers a %s host key: %s\n", hostport, key.Type(), fp)
			ok, known, err := sftp.Trusted(file, hostport, key)
			if err != nil {
				return err
			}
			if ok {
				fmt.Fprintf(e.stdout, "It is already trusted in %s.\n", file)
				return nil
			}
			var same, other []knownhosts.KnownKey
			for _, k := range known {
				if k.Key.Type() == key.Type() {
					same = append(same, k)
				} else {
					other = append(other, k)
				}
			}
			if len(same) > 0 {
				fmt.Fprintf(e.stderr, `
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
@    WARNING: THE HOST KEY OF %s HAS CHANGED!
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
Someone could be between orderhub and the server (an attack), or the server
was reinstalled. Check the new fingerprint with the partner before trusting it.
  trusted in %s:
`, hostport, file)
				for _, k := range same {
					fmt.Fprintf(e.stderr, "    %s %s (line %d)\n", k.Key.Type(), sftp.Fingerprint(k.Key), k.Line)
				}
				fmt.Fprintf(e.stderr, "  the server now offers:\n    %s %s\n\n", key.Type(), fp)
				if !yes {
					fmt.Fprintf(e.stderr, "Not trusted. If the partner confirms the new key, run this again with --yes\nand remove the old line(s) from %s.\n", file)
					return problemsError{1}
				}
			} else if len(other) > 0 {
				fmt.Fprintf(e.stdout, "%s trusts other keys of this host:\n", file)
				for _, k := range other {
					fmt.Fprintf(e.stdout, "    %s %s (line %d)\n", k.Key.Type(), sftp.Fingerprint(k.Key), k.Line)
				}
			}
			if !yes {
				fmt.Fprintf(e.stdout, "Add it to %s? [y/N] ", file)
				answer, _ := bufio.NewReader(e.stdin).ReadString('\n')
				switch strings.ToLower(strings.TrimSpace(answer)) {
				case "y", "yes":
				default:
					fmt.Fprintln(e.stdout, "Not added.")
					return problemsError{1}
				}
			}
			added, err := sftp.Trust(file, hostport, key)
			if err != nil {
				return err
			}
			if !added {
				fmt.Fprintf(e.stdout, "It is already trusted in %s.\n", file)
				return nil
			}
			fmt.Fprintf(e.stdout, "Added to %s.\n", file)
			if len(same) > 0 {
				lines := make([]string, len(same))
				for i, k := range same {
					lines[i] = fmt.Sprint(k.Line)
				}
				fmt.Fprintf(e.stderr, "Remove the stale line(s) %s for %s from %s: the old key is still trusted there.\n",
					strings.Join(lines, ", "), hostport, file)
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&file, "known-hosts", "", `known_hosts file to add the key to (default "<data>/known_hosts")`)
	f.BoolVar(&yes, "yes", false, "add the key without asking, even when it replaces a changed one")
	f.DurationVar(&timeout, "timeout", drop.DefaultTimeout, "how long to wait for the server")
	return c
}

// sftpHostPort reads sftp://[user@]host[:port] (or host[:port]) as the
// host:port known_hosts names it by.
func sftpHostPort(arg string) (string, error) {
	s := arg
	if !strings.Contains(s, "://") {
		s = "sftp://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("trust-host: %q: %w", arg, err)
	}
	if u.Scheme != "sftp" {
		return "", fmt.Errorf("trust-host: %q: want an sftp:// URL", arg)
	}
	if u.Hostname() == "" {
		return "", fmt.Errorf("trust-host: %q names no host", arg)
	}
	port := u.Port()
	if port == "" {
		port = sftp.DefaultPort
	}
	return net.JoinHostPort(u.Hostname(), port), nil
}
