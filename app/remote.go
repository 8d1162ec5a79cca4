package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/orderhub/orderhub/adapters/drop"
	"github.com/orderhub/orderhub/adapters/ftp"
	"github.com/orderhub/orderhub/adapters/sftp"
	"github.com/orderhub/orderhub/store"
)

// Dialers are the remote transports this build speaks, by URL scheme.
func Dialers() map[string]drop.Dialer {
	return map[string]drop.Dialer{"ftp": ftp.Dial, "ftps": ftp.Dial, "sftp": sftp.Dial}
}

// KnownHostsPath is the known_hosts file SFTP host keys are checked
// against when a profile names none, and orderhub trust-host adds to.
func KnownHostsPath(data string) string { return filepath.Join(data, "known_hosts") }

// Instance names this process on partners' servers: its claimed files go
// in a directory of this name. It is the same across restarts (so a
// restarted process finishes what it claimed) and differs between
// processes on other machines or data directories (so two processes never
// take each other's files).
func Instance(data string) string {
	host, _ := os.Hostname()
	host = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, host)
	if host == "" {
		host = "orderhub"
	}
	abs, err := filepath.Abs(data)
	if err != nil {
		abs = data
	}
	sum := sha256.Sum256([]byte(abs))
	return host + "-" + hex.EncodeToString(sum[:4])
}

// Remotes is the service pulling partners' remote drops into intake and
// putting their answers back.
func (a *App) Remotes() *drop.Service {
	return &drop.Service{
		Profiles:   a.Profiles,
		Dialers:    Dialers(),
		Store:      a.Store,
		Target:     a.Intake,
		Instance:   Instance(a.Cfg.Data),
		OutboxDir:  a.Cfg.OutboxDir(),
		KnownHosts: KnownHostsPath(a.Cfg.Data),
		Log:        a.Log.With("part", "remote"),
		OnState:    a.saveTransport,
	}
}

// saveTransport keeps a link's state for orderhub transports and the API.
func (a *App) saveTransport(st drop.State) {
	ts := store.TransportState{Partner: st.Partner, URL: st.URL, State: store.TransportOK, Since: st.Since,
		LastOK: st.LastOK, NextTry: st.NextTry, Failures: st.Failures}
	if !st.OK {
		ts.State = store.TransportFailing
		if st.Err != nil {
			ts.Error = st.Err.Error()
		}
	}
	// A state that cannot be saved is in the log already; the link goes on.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.Store.SaveTransport(ctx, ts); err != nil {
		a.Log.Warn("saving a transport's state", "partner", st.Partner, "error", err)
	}
}
