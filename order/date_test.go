package order

import "testing"

func TestFromCompactDate(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"20240229", "2024-02-29", true},
		{"20230229", "", false},
		{"19000229", "", false}, // 1900 is not a leap year
		{"20000229", "2000-02-29", true},
		{"240131", "2024-01-31", true},
		{"991231", "1999-12-31", true},
		{"500101", "1950-01-01", true},
		{"491231", "2049-12-31", true},
		{"20241301", "", false},
		{"20240100", "", false},
		{"20240431", "", false},
		{"2024013", "", false},
		{"202401311", "", false},
		{"2024-1-1", "", false},
		{"A40131", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := FromCompactDate([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("FromCompactDate(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
