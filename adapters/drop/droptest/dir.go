package droptest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/orderhub/orderhub/adapters/drop"
)

// Dir is a drop.Conn on a local directory: the server's "/" is Root. Fail,
// when set, is asked before each operation and its error returned instead,
// so a test can make a server refuse, vanish or break mid-transfer.
type Dir struct {
	Root string
	// Fail is called with the operation ("list", "stat", "fetch", "put",
	// "rename", "remove", "mkdir") and the server path.
	Fail func(op, path string) error

	mu     sync.Mutex
	closed bool
}

// Dialer returns a drop.Dialer whose Conns are Dirs on root sharing fail.
func Dialer(root string, fail func(op, path string) error) drop.Dialer {
	return func(ctx context.Context, ep drop.Endpoint) (drop.Conn, error) {
		if fail != nil {
			if err := fail("dial", ep.Redacted()); err != nil {
				return nil, err
			}
		}
		return &Dir{Root: root, Fail: fail}, nil
	}
}

func (d *Dir) local(p string) string {
	return filepath.Join(d.Root, filepath.FromSlash(strings.TrimPrefix(p, "/")))
}

func (d *Dir) check(ctx context.Context, op, p string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.mu.Lock()
	closed := d.closed
	d.mu.Unlock()
	if closed {
		return errors.New("droptest: connection closed")
	}
	if d.Fail != nil {
		return d.Fail(op, p)
	}
	return nil
}

func wrap(op, p string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s %s: %w", op, p, drop.ErrNotFound)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%s %s: %w", op, p, drop.ErrPermission)
	}
	return fmt.Errorf("%s %s: %w", op, p, err)
}

func entry(fi fs.FileInfo) drop.Entry {
	return drop.Entry{Name: fi.Name(), Size: fi.Size(), ModTime: fi.ModTime(), Dir: fi.IsDir()}
}

func (d *Dir) List(ctx context.Context, dir string) ([]drop.Entry, error) {
	if err := d.check(ctx, "list", dir); err != nil {
		return nil, err
	}
	des, err := os.ReadDir(d.local(dir))
	if err != nil {
		return nil, wrap("list", dir, err)
	}
	out := make([]drop.Entry, 0, len(des))
	for _, de := range des {
		fi, err := de.Info()
		if err != nil {
			continue // gone since ReadDir
		}
		out = append(out, entry(fi))
	}
	return out, nil
}

func (d *Dir) Stat(ctx context.Context, p string) (drop.Entry, error) {
	if err := d.check(ctx, "stat", p); err != nil {
		return drop.Entry{}, err
	}
	fi, err := os.Stat(d.local(p))
	if err != nil {
		return drop.Entry{}, wrap("stat", p, err)
	}
	return entry(fi), nil
}

func (d *Dir) Fetch(ctx context.Context, p string, w io.Writer) (int64, error) {
	if err := d.check(ctx, "fetch", p); err != nil {
		return 0, err
	}
	f, err := os.Open(d.local(p))
	if err != nil {
		return 0, wrap("fetch", p, err)
	}
	defer f.Close()
	n, err := io.Copy(w, f)
	return n, wrap("fetch", p, err)
}

func (d *Dir) Put(ctx context.Context, p string, r io.Reader) (int64, error) {
	if err := d.check(ctx, "put", p); err != nil {
		return 0, err
	}
	f, err := os.Create(d.local(p))
	if err != nil {
		return 0, wrap("put", p, err)
	}
	n, err := io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, wrap("put", p, err)
}

func (d *Dir) Rename(ctx context.Context, from, to string) error {
	if err := d.check(ctx, "rename", from); err != nil {
		return err
	}
	return wrap("rename", from, os.Rename(d.local(from), d.local(to)))
}

func (d *Dir) Remove(ctx context.Context, p string) error {
	if err := d.check(ctx, "remove", p); err != nil {
		return err
	}
	return wrap("remove", p, os.Remove(d.local(p)))
}

func (d *Dir) MkdirAll(ctx context.Context, dir string) error {
	if err := d.check(ctx, "mkdir", dir); err != nil {
		return err
	}
	return wrap("mkdir", dir, os.MkdirAll(d.local(dir), 0o755))
}

func (d *Dir) Close() error {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	return nil
}
