package order

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"time"

	"github.com/oklog/ulid/v2"
)

// Id prefixes: an id says what it names.
const (
	OrderIDPrefix    = "ord_"
	DocumentIDPrefix = "doc_"
)

// NewDocumentID returns a fresh document id: "doc_" and a ULID, so ids sort
// by the time they were made.
func NewDocumentID(t time.Time) string {
	var entropy [10]byte
	rand.Read(entropy[:])
	return DocumentIDPrefix + makeULID(t, entropy[:])
}

// OrderID returns the id of the n-th order (from 0) of a document. It is
// derived, not random: a document read again after a crash gives its orders
// the same ids, which is what lets every later step recognise them. The
// position leads the random part, so a document's orders sort by id in
// document order (up to 16 million of them).
func OrderID(docID string, received time.Time, n int) string {
	h := sha256.New()
	h.Write([]byte(docID))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	h.Write(b[:])
	var entropy [10]byte
	entropy[0], entropy[1], entropy[2] = byte(n>>16), byte(n>>8), byte(n)
	copy(entropy[3:], h.Sum(nil))
	return OrderIDPrefix + makeULID(received, entropy[:])
}

func makeULID(t time.Time, entropy []byte) string {
	var u ulid.ULID
	if err := u.SetTime(ulid.Timestamp(t)); err != nil {
		// Times after the year 10889 do not fit in 48 bits; clamp rather
		// than fail an order over a clock error.
		u.SetTime(ulid.MaxTime())
	}
	copy(u[6:], entropy)
	return u.String()
}
