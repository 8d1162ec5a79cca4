package rules

import (
	"strings"
	"testing"
	"time"
)

func TestAllocationWindow(t *testing.T) {
	for _, tt := range []struct {
		yaml string
		want time.Duration
		err  string
	}{
		{yaml: "", want: DefaultAllocationWindow},
		{yaml: "allocation: {}\n", want: DefaultAllocationWindow},
		{yaml: "allocation: {window: 0}\n", want: 0},
		{yaml: "allocation: {window: 250ms}\n", want: 250 * time.Millisecond},
		{yaml: "allocation: {window: 1.5s}\n", want: 1500 * time.Millisecond},
		{yaml: "allocation: {window: soon}\n", err: "r.yaml:1: allocation.window: want a duration such as 250ms or 2s, got \"soon\""},
		{yaml: "allocation:\n  window: 20s\n", err: "r.yaml:2: allocation.window: want a window from 0 (off) to 10s, got 20s"},
		{yaml: "allocation:\n  window: -1s\n", err: "r.yaml:2: allocation.window: want a window from 0 (off) to 10s, got -1s"},
		{yaml: "allocation: {windw: 1s}\n", err: "r.yaml:1: allocation.windw: unknown key"},
	} {
		s, err := Decode([]byte(tt.yaml), "r.yaml")
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.yaml, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.yaml, err)
			continue
		}
		if got := s.AllocationWindow(); got != tt.want {
			t.Errorf("%q: window %s, want %s", tt.yaml, got, tt.want)
		}
	}
	if got := (*Set)(nil).AllocationWindow(); got != DefaultAllocationWindow {
		t.Errorf("no rules: %s", got)
	}
}
