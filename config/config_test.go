package config

import (
	"errors"
	"fmt"
	"github.com/orderhub/orderhub/internal/strictyaml"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func ptr[T any](v T) *T { return &v }

func TestLoadGood(t *testing.T) {
	full := Config{
		Data: "/var/lib/orderhub",
		HTTP: HTTP{Addr: "127.0.0.1:9090", MaxBodyBytes: 1 << 20,
			ShutdownTimeout: Duration(20 * time.Second), ReadTimeout: Duration(time.Minute)},
		Inbox: Inbox{Enabled: ptr(false), Dir: "/srv/edi/inbox",
			PollInterval: Duration(250 * time.Millisecond), MinAge: Duration(5 * time.Second)},
		Bus: Bus{Retention: Duration(72 * time.Hour), PollInterval: Duration(500 * time.Millisecond),
			Kafka: &Kafka{Brokers: []string{"kafka1:9092", "kafka2:9092"}, ClientID: "orderhub-east", TopicPrefix: "prod."}},
		Store: Store{Synchronous: "FULL"},
		Pipeline: Pipeline{MaxInFlight: 128, Retry: Retry{MaxRetries: 0,
			InitialInterval: Duration(50 * time.Millisecond), MaxInterval: Duration(90 * time.Minute)}},
		Log: Log{Level: "debug", Format: "json"},
	}
	minimal := Default()
	minimal.Data = "/var/lib/orderhub"
	minimal.Log.Level = "warn"
	aliases := Default()
	aliases.Pipeline.Retry.InitialInterval = Duration(200 * time.Millisecond)
	aliases.Pipeline.Retry.MaxInterval = Duration(200 * time.Millisecond)

	tests := []struct {
		file string
		want Config
	}{
		{"empty.yaml", Default()},
		{"comments.yaml", Default()},
		{"full.yaml", full},
		{"minimal.yaml", minimal},
		{"aliases.yaml", aliases},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Load(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		file string
		want []string // the error's lines, after "testdata/<file>:"
	}{
		{"unknown_key.yaml", []string{
			`4: http.max_body: unknown key (known: addr, max_body_bytes, operator_token, read_timeout, reviewers, shutdown_timeout)`,
		}},
		{"bad_duration.yaml", []string{
			`7: inbox.min_age: want a duration such as "2s", got "soon"`,
		}},
		{"wrong_kind.yaml", []string{
			`2: http: want a mapping, got a sequence`,
			`3: log: want a mapping, got "debug"`,
			`6: bus.kafka.brokers: want a sequence, got "kafka1:9092"`,
		}},
		{"brokers.yaml", []string{
			`5: bus.kafka.brokers[1]: want host:port such as "kafka1:9092", got "kafka2"`,
			`6: bus.kafka.brokers[2]: want host:port such as "kafka1:9092", got ":9092" (no host)`,
			`7: bus.kafka.brokers[3]: want a string, got a sequence`,
		}},
		{"reviewers.yaml", []string{
			`4: http.reviewers[1].name: "credit-desk" is already a reviewer`,
			`4: http.reviewers[1].token_sha256: want the lowercase hex SHA-256 of the token (64 characters: printf %s TOKEN | sha256sum), got "2BB80D537B1DA3E38BD30361AA855686BDE0EACD7162FEF6A25FE97BF527A25B"`,
			`5: http.reviewers[2].name: want who the reviewer is, got an empty string`,
			`5: http.reviewers[2].token_sha256: the same token is already another reviewer's`,
			`6: http.reviewers[3].token_sha256: want the lowercase hex SHA-256 of the token (64 characters: printf %s TOKEN | sha256sum), got ""`,
		}},
		{"kafka_empty.yaml", []string{
			`3: bus.kafka.brokers: want at least one broker such as "kafka1:9092"`,
		}},
		{"ranges.yaml", []string{
			`1: data: want a directory, got an empty string`,
			`3: http.addr: want host:port such as ":8080" or "127.0.0.1:8080", got "localhost"`,
			`4: http.max_body_bytes: want a number of bytes > 0, got 0`,
			`5: http.shutdown_timeout: want a duration > 0 such as "2s", got 0s`,
			`6: http.read_timeout: want a duration > 0 such as "2s", got -1s`,
			`8: store.synchronous: want NORMAL or FULL, got "normal"`,
			`10: pipeline.max_in_flight: want 1 to 1024, got 2000`,
			`12: pipeline.retry.max_retries: want 0 to 100, got 101`,
			`13: pipeline.retry.initial_interval: want at most max_interval (5s), got 10s`,
			`16: log.level: want one of debug, info, warn, error, got "verbose"`,
			`17: log.format: want text or json, got "xml"`,
		}},
		{"types.yaml", []string{
			`2: http.max_body_bytes: want an integer, got "10MB"`,
			`3: http.read_timeout: want a duration such as "2s", got "30" (a number needs a unit: "30s")`,
			`5: inbox.enabled: want true or false, got "true"`,
			`7: pipeline.max_in_flight: want an integer, got "1.5"`,
			`9: pipeline.retry.max_retries: want an integer, got "99999999999999999999"`,
		}},
		{"many.yaml", []string{
			`1: Data: unknown key (known: bus, data, http, inbox, log, outbox, pipeline, profiles, store); did you mean "data"?`,
			`3: http.addr: want host:port such as ":8080" or "127.0.0.1:8080", got "8080"`,
			`4: http.timeout: unknown key (known: addr, max_body_bytes, operator_token, read_timeout, reviewers, shutdown_timeout)`,
			`6: inbox.min_age: want a duration such as "2s", got "soon"`,
			`8: pipeline.max_in_flight: want 1 to 1024, got 0`,
			`10: log.level: want one of debug, info, warn, error, got "loud"`,
		}},
		{"syntax.yaml", []string{
			`2: invalid YAML: found unexpected end of stream`,
		}},
		{"two_docs.yaml", []string{
			`2: a second YAML document (after ---); want one document`,
		}},
		{"duplicate_key.yaml", []string{
			`4: log.level: duplicate key (first on line 2)`,
		}},
		{"top_level_list.yaml", []string{
			`1: want a mapping of settings at the top level, got a sequence`,
		}},
		{"merge.yaml", []string{
			`1: base: unknown key (known: bus, data, http, inbox, log, outbox, pipeline, profiles, store)`,
			`4: log.<<: merge keys are not supported; write the keys out`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", tt.file)
			cfg, err := Load(path)
			if err == nil {
				t.Fatalf("no error; got %+v", cfg)
			}
			var want []string
			for _, w := range tt.want {
				want = append(want, path+":"+w)
			}
			if got := err.Error(); got != strings.Join(want, "\n") {
				t.Errorf("error:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
			}
			var e *Error
			if !errors.As(err, &e) || len(e.Problems) != len(tt.want) {
				t.Fatalf("want *Error with %d problems, got %#v", len(tt.want), err)
			}
			var p *Problem
			if !errors.As(err, &p) || p != e.Problems[0] || p.File != path || p.Line == 0 {
				t.Errorf("errors.As(*Problem) = %+v", p)
			}
			if !reflect.DeepEqual(cfg, Config{}) {
				t.Errorf("a bad file returned a config: %+v", cfg)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "orderhub.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want fs.ErrNotExist", err)
	}
}

func TestDefault(t *testing.T) {
	d := Default()
	if err := d.Validate(); err != nil {
		t.Fatalf("Default() does not validate: %v", err)
	}
	if d.InboxDir() != filepath.Join("data", "inbox") || !d.InboxEnabled() || d.KafkaEnabled() {
		t.Errorf("InboxDir %q, InboxEnabled %v, KafkaEnabled %v", d.InboxDir(), d.InboxEnabled(), d.KafkaEnabled())
	}
	if d.HTTP.MaxBodyBytes != 10<<20 || d.HTTP.Addr != ":8080" || d.Bus.Retention.Std() != 168*time.Hour {
		t.Errorf("defaults: %+v", d)
	}
	// Default hands out a fresh Enabled pointer each time, so a decoded
	// "enabled: false" cannot leak into the next Default().
	if _, err := Parse([]byte("inbox: {enabled: false}"), "x.yaml"); err != nil {
		t.Fatal(err)
	}
	if !Default().InboxEnabled() {
		t.Error("Default() changed by an earlier Parse")
	}
	var zero Config
	if !zero.InboxEnabled() {
		t.Error("nil Enabled should mean enabled")
	}
}

func TestValidateWithoutFile(t *testing.T) {
	c := Default()
	c.Pipeline.MaxInFlight = 0
	c.Bus.Kafka = &Kafka{Brokers: []string{"k:0"}}
	err := c.Validate()
	want := "bus.kafka.brokers[0]: want a port number 1 to 65535, got \"0\"\npipeline.max_in_flight: want 1 to 1024, got 0"
	if err == nil || err.Error() != want {
		t.Errorf("Validate() = %v\nwant %s", err, want)
	}
}

// A configuration written out with yaml.Marshal reads back the same: the
// documented form of every field is the form Parse accepts.
func TestRoundTrip(t *testing.T) {
	full, err := Load(filepath.Join("testdata", "full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]Config{"full": full, "default": Default()} {
		out, err := yaml.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(out, name+".yaml")
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		if !reflect.DeepEqual(back, c) {
			t.Errorf("%s: round trip\n%s\ngave %+v\nwant %+v", name, out, back, c)
		}
	}
}

// Code decoding with yaml.Unmarshal directly still gets durations.
func TestDurationUnmarshalYAML(t *testing.T) {
	var v struct {
		D Duration `yaml:"d"`
	}
	if err := yaml.Unmarshal([]byte("d: 1h30m"), &v); err != nil || v.D.Std() != 90*time.Minute {
		t.Errorf("got %v, %v", v.D, err)
	}
	if err := yaml.Unmarshal([]byte("d: soon"), &v); err == nil || !strings.Contains(err.Error(), `want a duration such as "2s", got "soon"`) {
		t.Errorf("err = %v", err)
	}
}

func TestTooManyProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("http:\n")
	for i := 0; i < 150; i++ {
		fmt.Fprintf(&b, "  k%d: 1\n", i)
	}
	_, err := Parse([]byte(b.String()), "big.yaml")
	var e *Error
	if !errors.As(err, &e) || len(e.Problems) != strictyaml.MaxProblems+1 {
		t.Fatalf("got %d problems", len(e.Problems))
	}
	if last := e.Problems[strictyaml.MaxProblems].Error(); last != "big.yaml: ... and 50 more problems" {
		t.Errorf("last = %q", last)
	}
}

func ExampleParse() {
	_, err := Parse([]byte("http:\n  addr: :8080\n  max_body: 1024\ninbox:\n  min_age: soon\n"), "orderhub.yaml")
	fmt.Println(err)
	// Output:
	// orderhub.yaml:3: http.max_body: unknown key (known: addr, max_body_bytes, operator_token, read_timeout, reviewers, shutdown_timeout)
	// orderhub.yaml:5: inbox.min_age: want a duration such as "2s", got "soon"
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("a: &a [*a]"))
	f.Add([]byte("bus: {kafka: {brokers: [&b x:1, *b]}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data, "fuzz.yaml")
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		// Whatever Parse accepts is valid and survives a round trip.
		if err := cfg.Validate(); err != nil {
			t.Fatalf("Parse accepted an invalid config: %v", err)
		}
		out, err := yaml.Marshal(cfg)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		back, err := Parse(out, "again.yaml")
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(back, cfg) {
			t.Fatalf("round trip differs:\n%+v\n%+v", back, cfg)
		}
	})
}
