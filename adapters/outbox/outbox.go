// Package outbox delivers outbound documents (acknowledgements, 855s,
// annotated workbooks) to the local outbox, <data>/outbox/<partner>/, where
// a partner's own transport (or a later FTP/SFTP put) picks them up. A file
// appears whole or not at all: it is written under a temporary dot-name,
// synced, then renamed.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/orderhub/orderhub/ordermsg"
)

// Outbox writes documents into per-partner directories under Dir.
type Outbox struct {
	Dir string
	Log *slog.Logger
}

// Handle is a Watermill consumer handler for the acks topic. Delivering the
// same message twice writes the same file twice: harmless.
func (o *Outbox) Handle(m *message.Message) error {
	a := ordermsg.AckOf(m)
	path, err := o.Deliver(m.Context(), a)
	if err != nil {
		return err
	}
	if o.Log != nil {
		o.Log.Info("answer delivered", "partner", a.Partner, "kind", a.Kind, "path", path)
	}
	return nil
}

// Deliver writes one document and returns its path.
func (o *Outbox) Deliver(_ context.Context, a ordermsg.Ack) (string, error) {
	if a.Partner == "" || a.Name == "" {
		return "", fmt.Errorf("outbox: document without partner or name (%q, %q)", a.Partner, a.Name)
	}
	name := clean(a.Name)
	dir := filepath.Join(o.Dir, clean(a.Partner))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("outbox: %w", err)
	}
	dest := filepath.Join(dir, name)
	tmp := filepath.Join(dir, "."+name+".tmp")
	if err := writeSync(tmp, a.Body); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("outbox: %s: %w", dest, err)
	}
	if err := os.Rename(tmp, dest); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("outbox: %s: %w", dest, err)
	}
	return dest, nil
}

func writeSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	return errors.Join(werr, serr, cerr)
}

// clean keeps a name to one path element.
// Path is where the document name for partner lands under dir.
func Path(dir, partner, name string) string {
	return filepath.Join(dir, clean(partner), clean(name))
}

func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 {
			return '_'
		}
		return r
	}, s)
	if s == "" || s == "." || s == ".." {
		return "_"
	}
	return s
}
