package store

import (
	"fmt"

	"github.com/orderhub/orderhub/internal/sqlitedb"
)

// Order JSON is stored compressed when that saves space (see
// sqlitedb.Compress), marked by a leading zero byte, which JSON text never
// starts with. Readers of the store get plain JSON either way.

const packedMark = 0x00

// Packed is an order's JSON as the store keeps it. Callers pack outside
// Update, so that compressing does not hold up the store's writer.
type Packed []byte

// Pack prepares an order's JSON for the store.
func Pack(js []byte) Packed {
	c, ok := sqlitedb.Compress(js)
	if !ok {
		return Packed(js)
	}
	out := make([]byte, 1+len(c))
	out[0] = packedMark
	copy(out[1:], c)
	return out
}

func unpackJSON(b []byte) ([]byte, error) {
	if len(b) == 0 || b[0] != packedMark {
		return b, nil
	}
	js, err := sqlitedb.Decompress(b[1:])
	if err != nil {
		return nil, fmt.Errorf("stored order JSON: %w", err)
	}
	return js, nil
}
