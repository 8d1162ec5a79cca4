package rules

import (
	"time"

	"github.com/orderhub/orderhub/internal/strictyaml"
)

// DefaultAllocationWindow is the allocation window when the rules say
// nothing: long enough for orders that come in together (one interchange,
// one upload, a burst of API calls) to be sorted by tier, short enough that
// nobody notices the wait.
const DefaultAllocationWindow = 100 * time.Millisecond

// maxAllocationWindow bounds the window: every order below the top tier
// waits this long, so a typo of "20s" for "20ms" is refused, not obeyed.
const maxAllocationWindow = 10 * time.Second

// Allocation holds how orders are taken for allocation.
//
//	allocation:
//	  window: 250ms   # 0 turns it off: first come, first served
type Allocation struct {
	// Window: orders that reach allocation within this time of the first
	// of them are allocated by tier, then arrival, instead of as they
	// come. Nil: DefaultAllocationWindow.
	Window *Duration `yaml:"window"`
}

// AllocationWindow is the allocation window in force.
func (s *Set) AllocationWindow() time.Duration {
	if s == nil || s.Allocation.Window == nil {
		return DefaultAllocationWindow
	}
	return s.Allocation.Window.Duration
}

// Duration is a length of time written as Go writes it: 250ms, 1.5s, 0.
type Duration = strictyaml.Duration

func (a Allocation) validate(add func(path, format string, args ...any)) {
	if a.Window == nil {
		return
	}
	if w := a.Window.Duration; w < 0 || w > maxAllocationWindow {
		add("allocation.window", "want a window from 0 (off) to %s, got %s", maxAllocationWindow, w)
	}
}
