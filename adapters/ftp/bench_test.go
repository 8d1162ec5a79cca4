package ftp

import (
	"fmt"
	"io"
	"testing"

	"github.com/orderhub/orderhub/internal/testserver/ftpd"
)

// BenchmarkFetch pulls files of each size from a local pure-ftpd over one
// session: b.N files, MB/s from SetBytes (go test -bench Fetch
// ./adapters/ftp/). Files/s is b.N over the time.
func BenchmarkFetch(b *testing.B) {
	for _, bc := range []struct {
		scheme string
		size   int64
	}{{"ftp", 2 << 10}, {"ftp", 50 << 20}, {"ftps", 2 << 10}, {"ftps", 50 << 20}} {
		b.Run(fmt.Sprintf("%s/%dKB", bc.scheme, bc.size>>10), func(b *testing.B) {
			s := ftpd.Start(b, ftpd.Options{TLS: bc.scheme == "ftps"})
			writeRandom(b, s, "f.bin", bc.size)
			c := mustDial(b, endpoint(b, s, bc.scheme), options{})
			b.SetBytes(bc.size)
			b.ResetTimer()
			for range b.N {
				if n, err := c.Fetch(b.Context(), "/f.bin", io.Discard); err != nil || n != bc.size {
					b.Fatalf("Fetch = %d, %v", n, err)
				}
			}
		})
	}
}
