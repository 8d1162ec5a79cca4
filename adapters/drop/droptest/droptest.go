// Package droptest is the behaviour every drop.Conn must have, as a test
// suite the FTP and SFTP adapters run against their real servers, and a
// local-directory Conn that passes it, for tests of the puller that need
// no server (and can fail on demand).
package droptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orderhub/orderhub/adapters/drop"
)

// Setup gives a test a fresh Conn and a directory on its server that is
// empty and writable, named as the Conn's methods take it.
type Setup func(t *testing.T) (c drop.Conn, dir string)

// Run runs the suite.
func Run(t *testing.T, setup Setup) {
	ctx := context.Background()
	t.Run("PutFetchList", func(t *testing.T) {
		c, dir := setup(t)
		before := time.Now().Add(-2 * time.Minute)
		body := []byte("ISA*00*          *00*...~\n")
		p := path.Join(dir, "po 1.edi")
		if n, err := c.Put(ctx, p, bytes.NewReader(body)); err != nil || n != int64(len(body)) {
			t.Fatalf("Put = %d, %v; want %d, nil", n, err, len(body))
		}
		var got bytes.Buffer
		if n, err := c.Fetch(ctx, p, &got); err != nil || n != int64(len(body)) || !bytes.Equal(got.Bytes(), body) {
			t.Fatalf("Fetch = %d, %q, %v; want %q", n, got.Bytes(), err, body)
		}
		es, err := c.List(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 1 || es[0].Name != "po 1.edi" || es[0].Size != int64(len(body)) || es[0].Dir {
			t.Fatalf("List = %+v; want one file po 1.edi of %d bytes", es, len(body))
		}
		// Some servers list times to the minute: only say it is recent.
		if mt := es[0].ModTime; mt.Before(before) || mt.After(time.Now().Add(2*time.Minute)) {
			t.Errorf("ModTime = %v; want about now", mt)
		}
		st, err := c.Stat(ctx, p)
		if err != nil || st.Size != int64(len(body)) || st.Dir || st.Name != "po 1.edi" {
			t.Errorf("Stat = %+v, %v", st, err)
		}
	})
	t.Run("Names", func(t *testing.T) {
		c, dir := setup(t)
		names := []string{"with space.edi", "Bestellung-Müller-Größe.csv", "注文.xlsx", "a+b&c (1).x12"}
		for _, n := range names {
			if _, err := c.Put(ctx, path.Join(dir, n), strings.NewReader(n)); err != nil {
				t.Fatalf("Put %q: %v", n, err)
			}
		}
		es, err := c.List(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		var listed []string
		for _, e := range es {
			listed = append(listed, e.Name)
		}
		slices.Sort(listed)
		want := slices.Clone(names)
		slices.Sort(want)
		if !slices.Equal(listed, want) {
			t.Fatalf("List names = %q; want %q", listed, want)
		}
		for _, n := range names {
			var b bytes.Buffer
			if _, err := c.Fetch(ctx, path.Join(dir, n), &b); err != nil || b.String() != n {
				t.Errorf("Fetch %q = %q, %v", n, b.String(), err)
			}
		}
	})
	t.Run("Dirs", func(t *testing.T) {
		c, dir := setup(t)
		sub := path.Join(dir, "a", "b c")
		if err := c.MkdirAll(ctx, sub); err != nil {
			t.Fatal(err)
		}
		if err := c.MkdirAll(ctx, sub); err != nil {
			t.Fatalf("MkdirAll again: %v", err)
		}
		es, err := c.List(ctx, dir)
		if err != nil || len(es) != 1 || es[0].Name != "a" || !es[0].Dir {
			t.Fatalf("List = %+v, %v; want dir a", es, err)
		}
		if es, err := c.List(ctx, sub); err != nil || len(es) != 0 {
			t.Fatalf("List new dir = %+v, %v; want empty", es, err)
		}
	})
	t.Run("Rename", func(t *testing.T) {
		c, dir := setup(t)
		if err := c.MkdirAll(ctx, path.Join(dir, "claimed")); err != nil {
			t.Fatal(err)
		}
		from, to := path.Join(dir, "x.edi"), path.Join(dir, "claimed", "x.edi")
		c.Put(ctx, from, strings.NewReader("x"))
		if err := c.Rename(ctx, from, to); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Stat(ctx, from); !errors.Is(err, drop.ErrNotFound) {
			t.Errorf("Stat of the old name = %v; want ErrNotFound", err)
		}
		// The second of two claimers finds the file gone.
		if err := c.Rename(ctx, from, to+"2"); !errors.Is(err, drop.ErrNotFound) {
			t.Errorf("Rename of a file gone = %v; want ErrNotFound", err)
		}
		var b bytes.Buffer
		if _, err := c.Fetch(ctx, to, &b); err != nil || b.String() != "x" {
			t.Errorf("Fetch renamed = %q, %v", b.String(), err)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		c, dir := setup(t)
		missing := path.Join(dir, "missing.edi")
		if _, err := c.Fetch(ctx, missing, io.Discard); !errors.Is(err, drop.ErrNotFound) {
			t.Errorf("Fetch = %v; want ErrNotFound", err)
		}
		if _, err := c.Stat(ctx, missing); !errors.Is(err, drop.ErrNotFound) {
			t.Errorf("Stat = %v; want ErrNotFound", err)
		}
		if err := c.Remove(ctx, missing); !errors.Is(err, drop.ErrNotFound) {
			t.Errorf("Remove = %v; want ErrNotFound", err)
		}
		// A claim directory not made yet is an empty claim, not a failure.
		if _, err := c.List(ctx, path.Join(dir, "no-such-dir")); !errors.Is(err, drop.ErrNotFound) {
			t.Errorf("List of a missing directory = %v; want ErrNotFound", err)
		}
		// The connection is still good after the server said no.
		if _, err := c.List(ctx, dir); err != nil {
			t.Errorf("List after errors: %v", err)
		}
	})
	t.Run("ReplaceAndRemove", func(t *testing.T) {
		c, dir := setup(t)
		p := path.Join(dir, "ack.997")
		c.Put(ctx, p, strings.NewReader("first, longer"))
		if _, err := c.Put(ctx, p, strings.NewReader("second")); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := c.Fetch(ctx, p, &b); err != nil || b.String() != "second" {
			t.Fatalf("Fetch after replace = %q, %v", b.String(), err)
		}
		if err := c.Remove(ctx, p); err != nil {
			t.Fatal(err)
		}
		if es, _ := c.List(ctx, dir); len(es) != 0 {
			t.Fatalf("List after Remove = %+v", es)
		}
	})
	t.Run("Large", func(t *testing.T) {
		c, dir := setup(t)
		body := make([]byte, 3<<20+17)
		rand.Read(body)
		p := path.Join(dir, "big.bin")
		if _, err := c.Put(ctx, p, bytes.NewReader(body)); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if n, err := c.Fetch(ctx, p, &got); err != nil || n != int64(len(body)) || !bytes.Equal(got.Bytes(), body) {
			t.Fatalf("Fetch = %d, %v; bytes equal %v", n, err, bytes.Equal(got.Bytes(), body))
		}
		// The session goes on after a transfer.
		if _, err := c.Stat(ctx, p); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		c, dir := setup(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		done := make(chan error, 1)
		go func() { _, err := c.List(cctx, dir); done <- err }()
		select {
		case err := <-done:
			if err == nil {
				t.Error("List with a cancelled context succeeded")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("List with a cancelled context did not return")
		}
	})
}
