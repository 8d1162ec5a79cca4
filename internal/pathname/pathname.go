// Package pathname keeps names that come from outside (partner ids, file
// names, keys) to one element of a path, so that no name can climb out of
// the directory it is joined to.
package pathname

import "strings"

// Element is s with path separators and NUL replaced by "_", and "_" for
// a name that is empty, "." or "..".
func Element(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 {
			return '_'
		}
		return r
	}, s)
	if s == "" || s == "." || s == ".." {
		return "_"
	}
	return s
}
