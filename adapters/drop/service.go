package drop

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"sync"
	"time"

	"github.com/orderhub/orderhub/internal/pathname"
	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/store"
)

// Service runs a Puller for every partner whose profile has a remote, each
// on its own goroutine (one dead server holds up no one else), and starts,
// stops or restarts them as the profiles change.
type Service struct {
	Profiles *mappings.Profiles
	// Dialers by URL scheme: ftp, ftps, sftp.
	Dialers    map[string]Dialer
	Store      *store.Store
	Target     Target
	Instance   string
	OutboxDir  string
	KnownHosts string
	Backoff    Backoff
	Log        *slog.Logger
	// OnState hears each change of a link's state.
	OnState func(State)
	// Every is how often the profiles are looked at. Default 2s.
	Every time.Duration
}

type running struct {
	remote mappings.Remote
	cancel context.CancelFunc
	done   chan struct{}
}

// Run runs until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	every := s.Every
	if every <= 0 {
		every = 2 * time.Second
	}
	log := s.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	links := map[string]*running{}
	var wg sync.WaitGroup
	defer func() {
		for _, l := range links {
			l.cancel()
		}
		wg.Wait()
	}()
	bad := map[string]string{}
	for {
		want := s.Profiles.Remotes()
		for partner, l := range links {
			if r, ok := want[partner]; !ok || !reflect.DeepEqual(*r, l.remote) {
				l.cancel()
				<-l.done
				delete(links, partner)
			}
		}
		for partner, r := range want {
			if _, ok := links[partner]; ok {
				continue
			}
			p, err := s.Puller(partner, r)
			if err != nil {
				if bad[partner] != err.Error() {
					bad[partner] = err.Error()
					log.Error("remote drop not started", "partner", partner, "error", err)
					if s.OnState != nil {
						s.OnState(State{Partner: partner, URL: r.ParsedURL().Redacted(), Err: err, Since: time.Now()})
					}
				}
				continue
			}
			delete(bad, partner)
			lctx, cancel := context.WithCancel(ctx)
			l := &running{remote: *r, cancel: cancel, done: make(chan struct{})}
			links[partner] = l
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer close(l.done)
				p.Run(lctx)
			}()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(every):
		}
	}
}

// Puller builds the Puller of one partner's remote.
func (s *Service) Puller(partner string, r *mappings.Remote) (*Puller, error) {
	ep, err := EndpointFor(partner, r, s.KnownHosts)
	if err != nil {
		return nil, err
	}
	dial := s.Dialers[ep.URL.Scheme]
	if dial == nil {
		return nil, fmt.Errorf("remote of %s: no transport for %s:// in this build", partner, ep.URL.Scheme)
	}
	p := &Puller{Partner: partner, Remote: r, Endpoint: ep, Dial: dial, Store: s.Store, Target: s.Target,
		Instance: s.Instance, Log: s.Log, Backoff: s.Backoff, OnState: s.OnState}
	if r.Outbound != "" && s.OutboxDir != "" {
		p.Outbox = filepath.Join(s.OutboxDir, pathname.Element(partner))
	}
	return p, nil
}
