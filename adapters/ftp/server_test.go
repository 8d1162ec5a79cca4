package ftp

import (
	"bytes"
	"strings"
	"testing"

	"github.com/orderhub/orderhub/internal/testserver/ftpd"
)

// pure-ftpd's RNTO replaces an existing file (rename(2)), as drop.Conn's
// Rename asks where the server can.
func TestRenameReplaces(t *testing.T) {
	s := ftpd.Start(t, ftpd.Options{})
	c := mustDial(t, endpoint(t, s, "ftp"), options{})
	ctx := t.Context()
	for name, body := range map[string]string{"/ack.tmp": "new", "/ack.997": "old"} {
		if _, err := c.Put(ctx, name, strings.NewReader(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Rename(ctx, "/ack.tmp", "/ack.997"); err != nil {
		t.Fatalf("Rename over an existing file: %v", err)
	}
	var b bytes.Buffer
	if _, err := c.Fetch(ctx, "/ack.997", &b); err != nil || b.String() != "new" {
		t.Errorf("after Rename: %q, %v; want new", b.String(), err)
	}
}

// An empty file still opens a data connection; over TLS its handshake
// must happen although nothing is written or read.
func TestEmptyFile(t *testing.T) {
	for _, scheme := range []string{"ftp", "ftps"} {
		t.Run(scheme, func(t *testing.T) {
			s := ftpd.Start(t, ftpd.Options{TLS: scheme == "ftps"})
			c := mustDial(t, endpoint(t, s, scheme), options{})
			ctx := t.Context()
			if n, err := c.Put(ctx, "/empty.edi", strings.NewReader("")); err != nil || n != 0 {
				t.Fatalf("Put empty = %d, %v", n, err)
			}
			var b bytes.Buffer
			if n, err := c.Fetch(ctx, "/empty.edi", &b); err != nil || n != 0 {
				t.Fatalf("Fetch empty = %d, %v", n, err)
			}
			if e, err := c.Stat(ctx, "/empty.edi"); err != nil || e.Size != 0 || e.Dir {
				t.Fatalf("Stat empty = %+v, %v", e, err)
			}
		})
	}
}
