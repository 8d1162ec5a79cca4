package ftpd

import (
	"crypto/sha512"
	"strings"
)

// sha512Crypt is glibc's crypt(3) "$6$" hash of password (Ulrich
// Drepper's SHA-crypt, default 5000 rounds). pure-ftpd checks any hash in
// its user database that is neither scrypt nor argon2 with crypt(3), and
// pure-pw itself only writes argon2id with a cost that makes every login
// take seconds: writing the passwd line ourselves with this hash keeps a
// login in milliseconds and needs no pure-pw prompt on stdin.
func sha512Crypt(password, salt string) string {
	const rounds = 5000
	if len(salt) > 16 {
		salt = salt[:16]
	}
	p, s := []byte(password), []byte(salt)

	h := sha512.New()
	h.Write(p)
	h.Write(s)
	h.Write(p)
	b := h.Sum(nil)

	h.Reset()
	h.Write(p)
	h.Write(s)
	i := len(p)
	for ; i > 64; i -= 64 {
		h.Write(b)
	}
	h.Write(b[:i])
	for i = len(p); i > 0; i >>= 1 {
		if i&1 != 0 {
			h.Write(b)
		} else {
			h.Write(p)
		}
	}
	a := h.Sum(nil)

	h.Reset()
	for range len(p) {
		h.Write(p)
	}
	pSeq := repeat(h.Sum(nil), len(p))

	h.Reset()
	for range 16 + int(a[0]) {
		h.Write(s)
	}
	sSeq := repeat(h.Sum(nil), len(s))

	c := a
	for r := range rounds {
		h.Reset()
		if r&1 != 0 {
			h.Write(pSeq)
		} else {
			h.Write(c)
		}
		if r%3 != 0 {
			h.Write(sSeq)
		}
		if r%7 != 0 {
			h.Write(pSeq)
		}
		if r&1 != 0 {
			h.Write(c)
		} else {
			h.Write(pSeq)
		}
		c = h.Sum(nil)
	}

	var out strings.Builder
	out.WriteString("$6$" + salt + "$")
	// The byte order the SHA-crypt specification mixes the digest in.
	order := [...][3]int{
		{0, 21, 42}, {22, 43, 1}, {44, 2, 23}, {3, 24, 45}, {25, 46, 4},
		{47, 5, 26}, {6, 27, 48}, {28, 49, 7}, {50, 8, 29}, {9, 30, 51},
		{31, 52, 10}, {53, 11, 32}, {12, 33, 54}, {34, 55, 13}, {56, 14, 35},
		{15, 36, 57}, {37, 58, 16}, {59, 17, 38}, {18, 39, 60}, {40, 61, 19},
		{62, 20, 41},
	}
	for _, o := range order {
		b64(&out, uint(c[o[0]])<<16|uint(c[o[1]])<<8|uint(c[o[2]]), 4)
	}
	b64(&out, uint(c[63]), 2)
	return out.String()
}

func repeat(digest []byte, n int) []byte {
	out := make([]byte, 0, n)
	for len(out) < n {
		out = append(out, digest[:min(len(digest), n-len(out))]...)
	}
	return out
}

func b64(out *strings.Builder, w uint, n int) {
	const alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	for range n {
		out.WriteByte(alphabet[w&0x3f])
		w >>= 6
	}
}
