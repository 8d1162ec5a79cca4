package sheet

import (
	"testing"
)

func TestValueErrorText(t *testing.T) {
	e := &ValueError{Value: "12abc", Want: "a number such as 12.5"}
	if got, want := e.Error(), `want a number such as 12.5, got "12abc"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e.Hint = "set decimal: comma in the partner's sheet profile"
	if got, want := e.Error(), `want a number such as 12.5, got "12abc"; set decimal: comma in the partner's sheet profile`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e = &ValueError{Value: "a\"b\n", Want: "x"}
	if got, want := e.Error(), `want x, got "a\"b\n"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
