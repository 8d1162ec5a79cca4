package drop

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"

	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/store"
)

// Deliver puts every answer waiting in the partner's outbox on its server,
// oldest first: uploaded under a temporary dot-name, then renamed, so the
// partner's poller never reads half a file; recorded in the ledger
// (direction out, state delivered, the remote name and time); then removed
// from the outbox (the answer stays kept under sent/). A crash after the
// rename and before the removal puts the same answer again at the next
// start: a partner may see an answer twice, never half of one, and never
// miss one.
//
// It returns how many answers it put; with none waiting, it does not
// connect.
func (p *Puller) Deliver(ctx context.Context) (int, error) {
	if p.Outbox == "" {
		return 0, nil
	}
	es, err := os.ReadDir(p.Outbox)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("outbox: %w", err)
	}
	type waiting struct {
		name string
		info os.FileInfo
	}
	var ws []waiting
	for _, e := range es {
		if !e.Type().IsRegular() || Ignored(e.Name()) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		ws = append(ws, waiting{e.Name(), fi})
	}
	if len(ws) == 0 {
		return 0, nil
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i].info.ModTime().Before(ws[j].info.ModTime()) })
	c, err := p.connect(ctx)
	if err != nil {
		return 0, err
	}
	if err := p.mkdir(ctx, c, p.Remote.Outbound); err != nil {
		p.dropBroken(err)
		return 0, fmt.Errorf("outbound directory %s: %w", p.Remote.Outbound, err)
	}
	for i, w := range ws {
		if err := p.deliverOne(ctx, c, w.name, w.info); err != nil {
			p.dropBroken(err)
			return i, err
		}
	}
	return len(ws), nil
}

func (p *Puller) dropBroken(err error) {
	if broken(err) {
		p.Close()
	}
}

func (p *Puller) deliverOne(ctx context.Context, c Conn, name string, fi os.FileInfo) error {
	local := filepath.Join(p.Outbox, name)
	body, err := os.ReadFile(local)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	final := path.Join(p.Remote.Outbound, name)
	tmp := path.Join(p.Remote.Outbound, "."+name+".tmp")
	if _, err := c.Put(ctx, tmp, bytes.NewReader(body)); err != nil {
		return fmt.Errorf("put %s: %w", tmp, err)
	}
	if err := c.Rename(ctx, tmp, final); err != nil {
		if errors.Is(err, ErrNotFound) || ctx.Err() != nil {
			return fmt.Errorf("rename %s to %s: %w", tmp, name, err)
		}
		// A server that will not rename onto an existing name (the same
		// answer put again after a crash): take the old one away first.
		if rerr := c.Remove(ctx, final); rerr != nil && !errors.Is(rerr, ErrNotFound) {
			return fmt.Errorf("rename %s to %s: %w (and removing the old one: %v)", tmp, name, err, rerr)
		}
		if err := c.Rename(ctx, tmp, final); err != nil {
			return fmt.Errorf("rename %s to %s: %w", tmp, name, err)
		}
	}
	now := p.now()
	sum := sha256.Sum256(body)
	doc := &store.Document{ID: order.NewDocumentID(now), SHA256: hex.EncodeToString(sum[:]), Partner: p.Partner,
		Transport: p.transport(), Name: name, Size: int64(len(body)), ReceivedAt: fi.ModTime(),
		State: store.DocDelivered, Direction: store.DirectionOut, Remote: p.Endpoint.Redacted() + final, DeliveredAt: &now}
	if err := p.Store.InsertDocument(ctx, doc); err != nil {
		return err
	}
	// An answer of the same name written again meanwhile is a new one,
	// delivered next time: only the file just put is removed.
	if now, err := os.Stat(local); err == nil && os.SameFile(now, fi) && now.ModTime().Equal(fi.ModTime()) && now.Size() == fi.Size() {
		if err := os.Remove(local); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("outbox: %w", err)
		}
	}
	p.log().Info("answer delivered", "partner", p.Partner, "url", p.Endpoint.Redacted(), "path", final, "bytes", len(body), "document", doc.ID)
	return nil
}
