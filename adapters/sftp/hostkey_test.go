package sftp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/orderhub/orderhub/internal/testserver/sshd"
)

func TestHostKeyAndTrust(t *testing.T) {
	s := sshd.Start(t, sshd.Options{HostKeyTypes: []string{"ed25519", "ecdsa"}})
	k, err := HostKey(t.Context(), s.Addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if Fingerprint(k) != Fingerprint(s.HostKey) || !strings.HasPrefix(Fingerprint(k), "SHA256:") {
		t.Fatalf("HostKey = %s %s; want %s %s", k.Type(), Fingerprint(k), s.HostKey.Type(), Fingerprint(s.HostKey))
	}

	// A file in a directory that does not exist yet, then a file others
	// keep: their lines (a hashed host, a comment, no final newline) stay.
	fresh := filepath.Join(t.TempDir(), "a", "b", "known_hosts")
	kept := filepath.Join(t.TempDir(), "known_hosts")
	keptBefore := "# ours\n|1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
	if err := os.WriteFile(kept, []byte(keptBefore), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{fresh, kept} {
		added, err := Trust(file, s.Addr, k)
		if err != nil || !added {
			t.Fatalf("Trust %s = %v, %v; want added", file, added, err)
		}
		if added, err := Trust(file, s.Addr, k); err != nil || added {
			t.Fatalf("Trust %s again = %v, %v; want not added", file, added, err)
		}
		b, _ := os.ReadFile(file)
		line := knownhosts.Line([]string{knownhosts.Normalize(s.Addr)}, k) + "\n"
		if strings.Count(string(b), line) != 1 {
			t.Errorf("%s holds:\n%s\nwant the line once: %s", file, b, line)
		}
		if file == kept && string(b) != keptBefore+"\n"+line {
			t.Errorf("%s was rewritten:\n%s", file, b)
		}
		if file == fresh {
			if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
				t.Errorf("new known_hosts: %v, %v; want mode 0600", st, err)
			}
		}
		if ok, _, err := Trusted(file, s.Addr, k); !ok || err != nil {
			t.Errorf("Trusted(%s) = %v, %v", file, ok, err)
		}
	}
	// Port 22 is written as the bare host, as OpenSSH writes it.
	p := filepath.Join(t.TempDir(), "kh22")
	if _, err := Trust(p, "sftp.example.com:22", k); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); !strings.HasPrefix(string(b), "sftp.example.com "+k.Type()+" ") {
		t.Errorf("known_hosts line for port 22: %s", b)
	}
}
