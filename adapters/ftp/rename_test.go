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
