package store

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// SaveTransport upserts per partner and URL, keeps zero times zero, masks
// passwords, and Transports lists by partner then URL.
func TestTransports(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 123456789, time.UTC)
	save := func(ts TransportState) {
		t.Helper()
		if err := st.SaveTransport(ctx, ts); err != nil {
			t.Fatal(err)
		}
	}
	save(TransportState{Partner: "ZED", URL: "sftp://drop.zed.example/in", State: TransportOK, Since: t0, LastOK: t0, UpdatedAt: t0})
	save(TransportState{Partner: "ACME", URL: "ftps://acme:s3cret@ftp.acme.example/out", State: TransportFailing,
		Error: "login to ftps://acme:s3cret@ftp.acme.example/out (as acme:s3cret@ftp.acme.example:990): 530 Login incorrect",
		Since: t0, Failures: 3, NextTry: t0.Add(time.Minute), UpdatedAt: t0})
	save(TransportState{Partner: "ACME", URL: "ftp://a.example/in", State: TransportOK})

	all, err := st.Transports(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ts := range all {
		got = append(got, ts.Partner+" "+ts.URL)
	}
	want := []string{"ACME ftp://a.example/in", "ACME ftps://acme:xxxxx@ftp.acme.example/out", "ZED sftp://drop.zed.example/in"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("transports %q, want %q", got, want)
	}
	failing := all[1]
	if failing.Error != "login to ftps://acme:xxxxx@ftp.acme.example/out (as acme:xxxxx@ftp.acme.example:990): 530 Login incorrect" || strings.Contains(failing.Error, "s3cret") {
		t.Errorf("error %q: password not masked", failing.Error)
	}
	if !failing.Since.Equal(t0) || !failing.NextTry.Equal(t0.Add(time.Minute)) || !failing.LastOK.IsZero() || failing.Failures != 3 {
		t.Errorf("failing read back as %+v", failing)
	}
	if ok := all[0]; !ok.Since.IsZero() || ok.UpdatedAt.IsZero() {
		t.Errorf("zero since should stay zero and updated_at default to now: %+v", ok)
	}

	// The same partner and URL again replaces the row: failing → ok.
	t1 := t0.Add(time.Hour)
	save(TransportState{Partner: "ACME", URL: "ftps://acme:s3cret@ftp.acme.example/out", State: TransportOK, Since: t1, LastOK: t1, UpdatedAt: t1})
	acme, err := st.Transports(ctx, "ACME")
	if err != nil {
		t.Fatal(err)
	}
	if len(acme) != 2 {
		t.Fatalf("ACME has %d transports, want 2: %+v", len(acme), acme)
	}
	if r := acme[1]; r.State != TransportOK || r.Error != "" || r.Failures != 0 || !r.NextTry.IsZero() || !r.LastOK.Equal(t1) {
		t.Errorf("after recovery: %+v", r)
	}
	if none, err := st.Transports(ctx, "NOBODY"); err != nil || len(none) != 0 {
		t.Errorf("NOBODY: %v, %v", none, err)
	}
}

func TestSaveTransportRefuses(t *testing.T) {
	st := openTestStore(t)
	for _, ts := range []TransportState{
		{URL: "ftp://x/", State: TransportOK},
		{Partner: "P", State: TransportOK},
		{Partner: "P", URL: "ftp://x/", State: "broken"},
		{Partner: "P", URL: "ftp://x/"},
	} {
		if err := st.SaveTransport(context.Background(), ts); !errors.Is(err, ErrBadTransport) {
			t.Errorf("%+v: %v, want ErrBadTransport", ts, err)
		}
	}
	if all, _ := st.Transports(context.Background(), ""); len(all) != 0 {
		t.Errorf("refused states were written: %+v", all)
	}
}

// Zero times are left out of the JSON.
func TestTransportJSON(t *testing.T) {
	since := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	b, err := json.Marshal(TransportState{Partner: "P", URL: "sftp://h/", State: TransportOK, Since: since})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"partner":"P","url":"sftp://h/","state":"ok","since":"2026-01-02T03:04:05Z","failures":0}`
	if string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
}
