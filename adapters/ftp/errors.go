package ftp

import (
	"errors"
	"net/textproto"
	"strings"

	"github.com/orderhub/orderhub/adapters/drop"
)

// asReply is the server's reply err carries, if it carries one.
func asReply(err error) (*textproto.Error, bool) {
	var r *textproto.Error
	ok := errors.As(err, &r)
	return r, ok
}

// Reply texts that say which of drop's errors a refusal is. Servers agree
// on codes less than on words: pure-ftpd answers a missing file
// "550 Can't open x: No such file or directory" and an unreadable one
// "550 Can't open x: Permission denied" (553 for an upload), vsftpd
// "550 Failed to open file." for both; RNFR of a missing file gets
// "550 Sorry, but that file doesn't exist" from pure-ftpd.
var (
	notFoundWords   = []string{"no such file", "doesn't exist", "does not exist", "not found", "no such directory"}
	permissionWords = []string{"permission denied", "access denied", "not permitted", "operation not allowed"}
)

// classify is the drop error a refusal means by its code and text alone,
// or nil when the server does not say (a bare 550 "Can't check for file
// existence": the caller may look for the file to tell).
func classify(r *textproto.Error) error {
	msg := strings.ToLower(r.Msg)
	switch {
	case r.Code == 530 || r.Code == 430:
		return drop.ErrAuth
	case containsAny(msg, notFoundWords):
		return drop.ErrNotFound
	case containsAny(msg, permissionWords):
		return drop.ErrPermission
	case r.Code == 553 || r.Code == 532:
		// 553 "file name not allowed" and 532 "need account for storing"
		// are refusals of the name or the user, never a missing file.
		return drop.ErrPermission
	}
	return nil
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
