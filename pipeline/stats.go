package pipeline

import (
	"sync/atomic"
	"time"
)

// StageStats counts a stage's messages and where their time went, so a
// slow pipeline says which stage and which half of it is slow.
type StageStats struct {
	Messages atomic.Int64
	// Prepare is decoding and the stage's own work outside the writer.
	Prepare atomic.Int64 // ns
	// Writer is time on the store's writer (the stage's Commit).
	Writer atomic.Int64 // ns
	// Queue is time waiting for the writer and its commit.
	Queue atomic.Int64 // ns
	// Publish is time publishing the outputs.
	Publish atomic.Int64 // ns
}

func (s *StageStats) add(prepare, writer, queue, publish time.Duration) {
	if s == nil {
		return
	}
	s.Messages.Add(1)
	s.Prepare.Add(int64(prepare))
	s.Writer.Add(int64(writer))
	s.Queue.Add(int64(queue))
	s.Publish.Add(int64(publish))
}

// StageSnapshot is StageStats at a moment, per message.
type StageSnapshot struct {
	Stage                           string
	Messages                        int64
	Prepare, Writer, Queue, Publish time.Duration // mean per message
}

// Stats returns each stage's figures, in pipeline order.
func (p *Pipeline) Stats() []StageSnapshot {
	out := make([]StageSnapshot, 0, len(p.stages))
	for _, s := range p.stages {
		st := p.stats[s.Name()]
		n := st.Messages.Load()
		snap := StageSnapshot{Stage: s.Name(), Messages: n}
		if n > 0 {
			snap.Prepare = time.Duration(st.Prepare.Load() / n)
			snap.Writer = time.Duration(st.Writer.Load() / n)
			snap.Queue = time.Duration(st.Queue.Load() / n)
			snap.Publish = time.Duration(st.Publish.Load() / n)
		}
		out = append(out, snap)
	}
	return out
}
