// Package outbox delivers outbound documents (acknowledgements, 855s,
// annotated workbooks) to the local outbox, <data>/outbox/<partner>/, where
// a partner's own transport (or a later FTP/SFTP put) picks them up. A file
// appears whole or not at all: it is written under a temporary dot-name,
// synced, then renamed.
//
// With Sent set, every answer with a key (the document or order it answers)
// is also kept at <Sent>/<partner>/<key>/<name>, so it stays there for the
// API to serve after a later answer of the same name replaced it in the
// outbox, or a transport took it away.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"

	"github.com/orderhub/orderhub/internal/pathname"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/orderhub/orderhub/ordermsg"
)

// Outbox writes documents into per-partner directories under Dir.
type Outbox struct {
	Dir string
	// Sent, when set, is where answers are kept per partner and key
	// (SentPath) beside their delivery. Empty: nothing is kept.
	Sent string
	Log  *slog.Logger
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
//
// With Sent set and a key, the answer is kept at SentPath first, as a hard
// link to the file about to be delivered (a copy where linking fails), then
// delivered: an answer that cannot be kept is not delivered either, and
// the retry does not hand the partner a second copy of one it may have
// taken already.
func (o *Outbox) Deliver(_ context.Context, a ordermsg.Ack) (string, error) {
	if a.Partner == "" || a.Name == "" {
		return "", fmt.Errorf("outbox: document without partner or name (%q, %q)", a.Partner, a.Name)
	}
	dest := Path(o.Dir, a.Partner, a.Name)
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("outbox: %w", err)
	}
	tmp := filepath.Join(dir, "."+filepath.Base(dest)+".tmp")
	// A temporary file a crash left may be linked into Sent already:
	// write a new one rather than truncate that.
	os.Remove(tmp)
	if err := writeSync(tmp, a.Body); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("outbox: %s: %w", dest, err)
	}
	if o.Sent != "" && a.Key != "" {
		if err := keep(tmp, SentPath(o.Sent, a.Partner, a.Key, a.Name), a.Body); err != nil {
			os.Remove(tmp)
			return "", fmt.Errorf("outbox: keeping %s: %w", dest, err)
		}
	}
	if err := os.Rename(tmp, dest); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("outbox: %s: %w", dest, err)
	}
	return dest, nil
}

// keep puts the file at from also at to, replacing what is there: a hard
// link when the file system allows one, else a copy of body, either way
// under a temporary name renamed into place.
func keep(from, to string, body []byte) error {
	dir := filepath.Dir(to)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(dir, "."+filepath.Base(to)+".tmp")
	os.Remove(tmp)
	if err := os.Link(from, tmp); err != nil {
		if err := writeSync(tmp, body); err != nil {
			os.Remove(tmp)
			return err
		}
	}
	if err := os.Rename(tmp, to); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
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

// Path is where the document name for partner lands under dir.
func Path(dir, partner, name string) string {
	return filepath.Join(dir, pathname.Element(partner), pathname.Element(name))
}

// SentPath is where the answer name for partner about key (a document or
// order id) is kept under sent: <sent>/<partner>/<key>/<name>, each part
// kept to one path element as in Path.
func SentPath(sent, partner, key, name string) string {
	return filepath.Join(sent, pathname.Element(partner), pathname.Element(key), pathname.Element(name))
}

// Kept tells whether the delivered file at path is also kept under a Sent
// directory: Deliver links it there, so it has more than one name. A file
// delivered before answers were kept, or kept as a copy (Sent on another
// file system), has one.
func Kept(path string) bool {
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Nlink > 1
}
