package ftp

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orderhub/orderhub/adapters/drop"
	"github.com/orderhub/orderhub/adapters/drop/droptest"
	"github.com/orderhub/orderhub/internal/testserver"
	"github.com/orderhub/orderhub/internal/testserver/ftpd"
)

// endpoint is how a partner profile would point at s.
func endpoint(t testing.TB, s *ftpd.Server, scheme string) drop.Endpoint {
	t.Helper()
	u, err := url.Parse(s.URL(scheme))
	if err != nil {
		t.Fatal(err)
	}
	return drop.Endpoint{URL: u, Password: s.Password, TLS: s.TLSConfig(), Timeout: 10 * time.Second}
}

func mustDial(t testing.TB, ep drop.Endpoint, o options) *conn {
	t.Helper()
	c, err := dial(t.Context(), ep, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name   string
		scheme string
		epsv   bool
		o      options
	}{
		{"ftp", "ftp", true, options{}},
		{"ftps", "ftps", true, options{}},
		{"ftp PASV only", "ftp", false, options{}},
		// What a server without MLST/MLSD (vsftpd) gets: LIST in the
		// directory, Stat from the parent's listing and MDTM. pure-ftpd
		// writes LIST times in its local time zone, which is ours.
		{"ftp LIST", "ftp", true, options{noMLSD: true, listLocation: time.Local}},
		{"ftps LIST PASV", "ftps", false, options{noMLSD: true, listLocation: time.Local}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ftpd.Start(t, ftpd.Options{TLS: tc.scheme == "ftps"})
			ep := endpoint(t, s, tc.scheme)
			ep.DisableEPSV = !tc.epsv
			var transcript testserver.Output
			tc.o.transcript = &transcript
			n := 0
			droptest.Run(t, func(t *testing.T) (drop.Conn, string) {
				n++
				c := mustDial(t, ep, tc.o)
				dir := fmt.Sprintf("/case %d", n)
				if err := c.MkdirAll(t.Context(), dir); err != nil {
					t.Fatal(err)
				}
				return c, dir
			})
			said := transcript.String()
			for _, check := range []struct {
				reply string
				want  bool
			}{
				{"229 Extended Passive mode OK", tc.epsv},
				{"227 Entering Passive Mode", !tc.epsv},
				// MLST's answer; MLSD's listing is on the data connection.
				{"250-Begin", !tc.o.noMLSD},
			} {
				if strings.Contains(said, check.reply) != check.want {
					t.Errorf("server said %q: %v; want %v", check.reply, !check.want, check.want)
				}
			}
		})
	}
}
