package ftpd

import (
	"strings"
	"testing"
)

func TestSHA512Crypt(t *testing.T) {
	// Expected values from the SHA-crypt specification and from
	// `openssl passwd -6 -salt SALT PASSWORD`.
	for _, tc := range []struct{ password, salt, want string }{
		{"Hello world!", "saltstring", "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"},
		{"pässwörd with space", "x1y2z3", "$6$x1y2z3$nbooTngHKP2pe471eU6tlEexB4GxiXi33YQY8pE.25ggAGEkMRuWE68LkR/efFjQ8Cajh3xICauMUTagihkMx/"},
		{strings.Repeat("a", 130), "abc", "$6$abc$vZ/ngjLllxqloHCr5dmpkt8/LLcRTimfZjMk9uXSisF7Fu7nFWHmEBydJTSp7reSfEOVKbKZrK2.Kc/ME0sA9/"},
	} {
		if got := sha512Crypt(tc.password, tc.salt); got != tc.want {
			t.Errorf("sha512Crypt(%q, %q) = %s; want %s", tc.password, tc.salt, got, tc.want)
		}
	}
}
