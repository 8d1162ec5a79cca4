package pathname

import "testing"

func TestElement(t *testing.T) {
	for in, want := range map[string]string{
		"BIGRETAIL": "BIGRETAIL", "a/b": "a_b", `..\x`: ".._x", "": "_", ".": "_", "..": "_", "a\x00b": "a_b", "orders.csv": "orders.csv",
	} {
		if got := Element(in); got != want {
			t.Errorf("Element(%q) = %q, want %q", in, got, want)
		}
	}
}
