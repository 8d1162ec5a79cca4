package droptest

import (
	"testing"

	"github.com/orderhub/orderhub/adapters/drop"
)

func TestDir(t *testing.T) {
	Run(t, func(t *testing.T) (drop.Conn, string) {
		d := &Dir{Root: t.TempDir()}
		if err := d.MkdirAll(t.Context(), "/in"); err != nil {
			t.Fatal(err)
		}
		return d, "/in"
	})
}
