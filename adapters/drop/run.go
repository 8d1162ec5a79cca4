package drop

import (
	"context"
	"math/rand/v2"
	"time"
)

// State is a partner's link as last seen, reported each time it changes.
type State struct {
	Partner string
	URL     string
	// OK is false while polls or deliveries fail.
	OK bool
	// Err is the failure (nil when OK).
	Err error
	// Since is when this state (this OK, this error text) began.
	Since time.Time
	// LastOK is when the server last answered well.
	LastOK time.Time
	// Failures counts the failed attempts in a row.
	Failures int
	// NextTry is when the next attempt is due, while failing.
	NextTry time.Time
}

// Backoff bounds the waits after failures.
type Backoff struct {
	// Min is the wait after the first failure. Default 1s.
	Min time.Duration
	// Max caps the wait, however many failures. Default 5m.
	Max time.Duration
}

// Wait is the wait after n failures in a row: Min doubled n-1 times, at
// most Max, then spread by ±25% so that processes restarted together do
// not knock on a server at the same instant.
func (b Backoff) Wait(n int) time.Duration {
	lo, hi := b.Min, b.Max
	if lo <= 0 {
		lo = time.Second
	}
	if hi <= 0 {
		hi = 5 * time.Minute
	}
	d := lo
	for i := 1; i < n && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	return time.Duration(float64(d) * (0.75 + rand.Float64()/2))
}

// Run pulls (every Remote.Poll) and delivers (whenever the outbox holds
// something) until ctx ends. Failures back off (Backoff) without holding
// up any other partner, whose Puller runs on its own; each change of
// state is logged once and reported to OnState.
func (p *Puller) Run(ctx context.Context) error {
	defer p.Close()
	log := p.log().With("partner", p.Partner, "url", p.Endpoint.Redacted())
	log.Info("remote drop", "inbound", p.Remote.Inbound, "glob", p.Remote.Glob, "poll", p.Remote.Poll.Duration,
		"after_pull", p.Remote.AfterPull, "outbound", p.Remote.Outbound)
	var st State
	st.Partner, st.URL, st.OK = p.Partner, p.Endpoint.Redacted(), true
	first := true
	tick := min(time.Second, p.Remote.Poll.Duration)
	var nextPoll time.Time
	for {
		now := p.now()
		var err error
		worked := false
		if p.Remote.Inbound != "" && !now.Before(nextPoll) {
			worked = true
			var rep *Report
			rep, err = p.Poll(ctx)
			if err == nil {
				err = rep.Failed()
			}
			nextPoll = now.Add(p.Remote.Poll.Duration)
		}
		if err == nil && p.Remote.Outbound != "" {
			var n int
			n, err = p.Deliver(ctx)
			worked = worked || n > 0 || err != nil
		}
		if ctx.Err() != nil {
			return nil
		}
		wait := tick
		now = p.now()
		switch {
		case err != nil:
			st.Failures++
			wait = p.Backoff.Wait(st.Failures)
			st.NextTry = now.Add(wait)
			nextPoll = st.NextTry
			if st.OK || st.Err == nil || st.Err.Error() != err.Error() || first {
				st.OK, st.Err, st.Since = false, err, now
				log.Error("remote drop failing", "error", err, "failures", st.Failures, "retry_in", wait.Round(time.Millisecond))
				p.report(st)
			}
		case worked:
			st.LastOK = now
			if !st.OK || first {
				if !st.OK {
					log.Info("remote drop working again", "after_failures", st.Failures)
				}
				st.OK, st.Err, st.Since, st.Failures, st.NextTry = true, nil, now, 0, time.Time{}
				p.report(st)
			}
		}
		if worked {
			first = false
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

func (p *Puller) report(st State) {
	if p.OnState != nil {
		p.OnState(st)
	}
}
