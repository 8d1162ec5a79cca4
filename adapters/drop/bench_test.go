package drop_test

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderhub/orderhub/adapters/drop"
	"github.com/orderhub/orderhub/adapters/ftp"
	"github.com/orderhub/orderhub/adapters/sftp"
	"github.com/orderhub/orderhub/internal/strictyaml"
	"github.com/orderhub/orderhub/internal/testserver/ftpd"
	"github.com/orderhub/orderhub/internal/testserver/sshd"
	"github.com/orderhub/orderhub/mappings"
)

// benchDrop is a real server for the pull bench: where its inbound
// directory is on the local disk, how to own a file there, and the
// profile's remote.
type benchDrop struct {
	local  string // the inbound directory on the local disk
	own    func(string)
	remote *mappings.Remote
	dial   drop.Dialer
	env    func(r *mappings.Remote) drop.Endpoint
}

func sftpBench(b *testing.B) benchDrop {
	s := sshd.Start(b, sshd.Options{})
	if s.InProcess {
		b.Log("sshd cannot run here: the in-process SSH server stands in")
	}
	inbound := path.Join(s.Dir, "out")
	local := filepath.Join(s.Root, "out")
	os.MkdirAll(local, 0o755)
	s.Chown(local)
	r := &mappings.Remote{URL: s.URL(), Inbound: inbound, Glob: "*", AfterPull: "delete", Claim: path.Join(inbound, ".orderhub"),
		MinAge: &strictyaml.Duration{Duration: time.Millisecond}, Poll: strictyaml.Duration{Duration: time.Second}}
	kh := s.WriteKnownHosts()
	return benchDrop{local: local, own: s.Chown, remote: r, dial: sftp.Dial, env: func(r *mappings.Remote) drop.Endpoint {
		ep, err := drop.EndpointFor("P", r, kh)
		if err != nil {
			b.Fatal(err)
		}
		ep.PrivateKey = s.ClientKeyPEM
		return ep
	}}
}

func ftpBench(b *testing.B) benchDrop {
	s := ftpd.Start(b, ftpd.Options{})
	if err := s.MkdirAll("out"); err != nil {
		b.Fatal(err)
	}
	r := &mappings.Remote{URL: s.URL("ftp"), Inbound: "/out", Glob: "*", AfterPull: "delete", Claim: "/out/.orderhub",
		MinAge: &strictyaml.Duration{Duration: time.Millisecond}, Poll: strictyaml.Duration{Duration: time.Second}}
	own := func(p string) { os.Lchown(p, s.UID, s.GID) }
	return benchDrop{local: filepath.Join(s.Root, "out"), own: own, remote: r, dial: ftp.Dial, env: func(r *mappings.Remote) drop.Endpoint {
		ep, err := drop.EndpointFor("P", r, "")
		if err != nil {
			b.Fatal(err)
		}
		ep.Password = s.Password
		return ep
	}}
}

// padded is a canonical JSON order padded with line breaks to size bytes:
// intake reads it whole, as it would a partner's document.
func padded(po string, size int) []byte {
	o := order(po) + "\n"
	return []byte(o + strings.Repeat("\n", max(0, size-len(o))))
}

// BenchmarkPull pulls 1,000 files of 2 KB and 10 of 50 MB from a local
// sshd and pure-ftpd through the whole pull (claim, download, sync, hash,
// ledger, intake, delete) and reports files/s and MB/s.
func BenchmarkPull(b *testing.B) {
	for _, srv := range []struct {
		name  string
		start func(b *testing.B) benchDrop
	}{{"sftp", sftpBench}, {"ftp", ftpBench}} {
		for _, load := range []struct {
			name  string
			files int
			size  int
		}{{"1000x2KB", 1000, 2 << 10}, {"10x50MB", 10, 50 << 20}} {
			b.Run(srv.name+"/"+load.name, func(b *testing.B) {
				d := srv.start(b)
				var total time.Duration
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					n := newNode(b)
					for f := range load.files {
						p := filepath.Join(d.local, fmt.Sprintf("po %04d.json", f))
						os.WriteFile(p, padded(fmt.Sprintf("B-%d-%d", i, f), load.size), 0o644)
						d.own(p)
						old := time.Now().Add(-time.Hour)
						os.Chtimes(p, old, old)
					}
					p := &drop.Puller{Partner: "P", Remote: d.remote, Endpoint: d.env(d.remote), Dial: d.dial, Store: n.st,
						Target: n.in, Instance: "bench"}
					b.StartTimer()
					start := time.Now()
					pulled := 0
					for pulled < load.files {
						r, err := p.Poll(context.Background())
						if err != nil {
							b.Fatal(err)
						}
						for _, a := range r.Actions {
							if a.Did == "pulled" {
								pulled++
							} else if a.Did == "failed" {
								b.Fatal(a.Err)
							}
						}
					}
					total += time.Since(start)
					p.Close()
				}
				secs := total.Seconds() / float64(b.N)
				b.ReportMetric(float64(load.files)/secs, "files/s")
				b.ReportMetric(float64(load.files*load.size)/secs/1e6, "MB/s")
			})
		}
	}
}
