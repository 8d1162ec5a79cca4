package format

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// TestOrdered: whatever the workers and however long each unit's work
// takes, units are emitted in the order they were read, each worked once,
// the last one unworked; stopping early stops the reading too.
func TestOrdered(t *testing.T) {
	for _, tc := range []struct {
		workers, units, stopAt int
	}{{1, 50, -1}, {4, 200, -1}, {4, 200, 17}, {1, 10, 3}, {8, 0, -1}} {
		var read, worked atomic.Int64
		var got []int
		next := func() (int, bool) {
			n := int(read.Add(1)) - 1
			return n, n >= tc.units
		}
		work := func(u int) {
			if u >= tc.units {
				t.Errorf("the last unit was worked")
			}
			time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
			worked.Add(1)
		}
		emit := func(u int) bool {
			got = append(got, u)
			return u != tc.stopAt
		}
		Ordered(context.Background(), tc.workers, next, work, emit)
		want := tc.units + 1 // the units and the last
		if tc.stopAt >= 0 {
			want = tc.stopAt + 1
		}
		if len(got) != want || !slices.IsSorted(got) || (len(got) > 0 && got[0] != 0) {
			t.Errorf("workers %d: emitted %v, want 0..%d in order", tc.workers, got, want-1)
		}
		if tc.stopAt < 0 && worked.Load() != int64(tc.units) {
			t.Errorf("workers %d: %d worked, want %d", tc.workers, worked.Load(), tc.units)
		}
		if tc.stopAt >= 0 && read.Load() > int64(tc.stopAt+1+8*tc.workers+tc.workers+2) {
			t.Errorf("workers %d: read on to %d after the stop at %d", tc.workers, read.Load(), tc.stopAt)
		}
	}
}
