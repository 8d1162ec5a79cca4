// Package config is orderhub's optional configuration file, orderhub.yaml.
//
// Every field has a default (Default), so an absent or empty file runs
// everything embedded: SQLite under ./data, an inbox under ./data/inbox,
// HTTP on :8080 and the SQLite-backed bus. Reading is strict: an unknown
// key, a value of the wrong kind or a value out of range is an error that
// names the file, the line and the key's path (http.addr,
// bus.kafka.brokers[1]), and every such problem is reported at once rather
// than one per run. A key given as null (or left empty) keeps its default.
//
// The package reads no environment variables and no flags; cmd/orderhub
// decides what overrides what.
package config

import (
	"fmt"
	"github.com/orderhub/orderhub/internal/strictyaml"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the whole of orderhub.yaml.
type Config struct {
	// Data is the directory holding the store, the bus and, unless
	// Inbox.Dir says otherwise, the inbox. Relative paths are relative to
	// the working directory. Default "./data".
	Data string `yaml:"data"`
	// Profiles is the directory of partner profiles (one YAML file per
	// partner: how its documents say who it is, which answers it wants).
	// Default <data>/profiles. Changes are picked up without a restart.
	Profiles string `yaml:"profiles"`
	// Outbox is where answers to partners are delivered, one directory per
	// partner. Default <data>/outbox.
	Outbox   string   `yaml:"outbox"`
	HTTP     HTTP     `yaml:"http"`
	Inbox    Inbox    `yaml:"inbox"`
	Bus      Bus      `yaml:"bus"`
	Store    Store    `yaml:"store"`
	Pipeline Pipeline `yaml:"pipeline"`
	Log      Log      `yaml:"log"`
}

// HTTP is the HTTP API listener.
type HTTP struct {
	// Addr is host:port to listen on; an empty host listens on every
	// interface, port 0 picks a free port. Default ":8080".
	Addr string `yaml:"addr"`
	// MaxBodyBytes caps a request body (one posted document). Default
	// 10 MiB.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// ShutdownTimeout is how long requests in flight get to finish on
	// shutdown. Default 10s.
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
	// ReadTimeout bounds reading one request, so a slow client cannot hold
	// a connection forever. Default 30s.
	ReadTimeout Duration `yaml:"read_timeout"`
	// OperatorToken admits the supplier's own API calls (PUT
	// /v1/inventory). The environment's ORDERHUB_OPERATOR_TOKEN, when set,
	// wins, so the token need not be written in a file. Empty: those
	// calls are refused.
	OperatorToken string `yaml:"operator_token"`
	// Reviewers may release or reject held orders through the API (POST
	// /v1/orders/{id}/release) with their own bearer token; partners'
	// tokens may not. Default none: held orders are released with
	// orderhub release only.
	Reviewers []Reviewer `yaml:"reviewers,omitempty"`
}

// Reviewer is a person or desk that decides on held orders.
type Reviewer struct {
	// Name is who it is, for the order's status history.
	Name string `yaml:"name"`
	// TokenSHA256 is the lowercase hex SHA-256 of the reviewer's bearer
	// token (printf %s TOKEN | sha256sum); the token itself is kept
	// nowhere.
	TokenSHA256 string `yaml:"token_sha256"`
}

// Inbox is the local drop directory.
type Inbox struct {
	// Enabled turns the inbox on or off. Default true.
	Enabled *bool `yaml:"enabled"`
	// Dir is the inbox directory. Default <data>/inbox.
	Dir string `yaml:"dir"`
	// PollInterval is how often the directory is scanned. Default 1s.
	PollInterval Duration `yaml:"poll_interval"`
	// MinAge is how long a file's size and modification time must stay
	// unchanged before it is claimed, so a file still being copied in is
	// not read half-written. Default 2s.
	MinAge Duration `yaml:"min_age"`
}

// Bus is the message bus between pipeline stages.
type Bus struct {
	// Retention is how long the embedded bus keeps acknowledged messages.
	// Default 168h.
	Retention Duration `yaml:"retention"`
	// PollInterval is how often embedded-bus subscribers look for new
	// messages when idle. Default 1s.
	PollInterval Duration `yaml:"poll_interval"`
	// Kafka, when set, moves every topic to a Kafka cluster instead of the
	// embedded bus. Default unset.
	Kafka *Kafka `yaml:"kafka"`
}

// Kafka is the Kafka cluster used instead of the embedded bus.
type Kafka struct {
	// Brokers are the bootstrap brokers, host:port each. Required when
	// kafka is given.
	Brokers []string `yaml:"brokers"`
	// ClientID names this process to the brokers. Default empty (the
	// client library's own).
	ClientID string `yaml:"client_id"`
	// TopicPrefix is put before every topic name, so several environments
	// can share a cluster. Default empty.
	TopicPrefix string `yaml:"topic_prefix"`
}

// Store is the SQLite store.
type Store struct {
	// Synchronous is SQLite's synchronous mode: NORMAL survives a process
	// crash, FULL also a power loss at the cost of an fsync per commit.
	// Default NORMAL.
	Synchronous string `yaml:"synchronous"`
}

// Pipeline is the order pipeline.
type Pipeline struct {
	// MaxInFlight is how many orders each stage of the pipeline works on at
	// once (the bench peaks from 256: the writers then batch enough).
	// 1..1024, default 256.
	MaxInFlight int `yaml:"max_in_flight"`
	// Retry is how a stage's failed attempt is retried before the message
	// goes to orders.poison.
	Retry Retry `yaml:"retry"`
}

// Retry is an exponential backoff.
type Retry struct {
	// MaxRetries is the retries after the first attempt; 0..100, default 5.
	MaxRetries int `yaml:"max_retries"`
	// InitialInterval is the wait before the first retry. Default 100ms.
	InitialInterval Duration `yaml:"initial_interval"`
	// MaxInterval caps the wait between retries. Default 5s.
	MaxInterval Duration `yaml:"max_interval"`
}

// Log is the process log.
type Log struct {
	// Level is debug, info, warn or error. Default info.
	Level string `yaml:"level"`
	// Format is text or json. Default text.
	Format string `yaml:"format"`
}

// Duration is a time.Duration written as in Go: "2s", "150ms", "1h30m".
// A bare number is refused: "5" could mean seconds or nanoseconds.
type Duration time.Duration

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// MarshalYAML writes d in the form ParseDuration reads back.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalYAML reads a duration ("2s", "150ms", "1h30m"); the error says
// what was wrong, the decoder says where.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := parseDuration(n)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func parseDuration(n *yaml.Node) (Duration, error) {
	if n.Kind != yaml.ScalarNode {
		return 0, fmt.Errorf(`want a duration such as "2s", got %s`, describe(n))
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		if _, nerr := strconv.ParseFloat(n.Value, 64); nerr == nil {
			return 0, fmt.Errorf(`want a duration such as "2s", got %q (a number needs a unit: "%ss")`, n.Value, n.Value)
		}
		return 0, fmt.Errorf(`want a duration such as "2s", got %q`, n.Value)
	}
	return Duration(v), nil
}

// DefaultPath is where orderhub serve looks for the file.
const DefaultPath = "orderhub.yaml"

// Default returns the configuration used when there is no file, and the
// base a file's values are laid over.
func Default() Config {
	enabled := true
	return Config{
		Data: "./data",
		HTTP: HTTP{
			Addr:            ":8080",
			MaxBodyBytes:    10 << 20,
			ShutdownTimeout: Duration(10 * time.Second),
			ReadTimeout:     Duration(30 * time.Second),
		},
		Inbox: Inbox{
			Enabled:      &enabled,
			PollInterval: Duration(time.Second),
			MinAge:       Duration(2 * time.Second),
		},
		Bus: Bus{
			Retention:    Duration(168 * time.Hour),
			PollInterval: Duration(time.Second),
		},
		Store: Store{Synchronous: "NORMAL"},
		Pipeline: Pipeline{
			MaxInFlight: 256,
			Retry: Retry{
				MaxRetries:      5,
				InitialInterval: Duration(100 * time.Millisecond),
				MaxInterval:     Duration(5 * time.Second),
			},
		},
		Log: Log{Level: "info", Format: "text"},
	}
}

// Load reads the file at path. A missing file is an error wrapping
// fs.ErrNotExist: whether that means "use Default()" is the caller's call.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return Parse(data, path)
}

// InboxDir is the inbox directory: Inbox.Dir, or <data>/inbox.
func (c Config) InboxDir() string {
	if c.Inbox.Dir != "" {
		return c.Inbox.Dir
	}
	return filepath.Join(c.Data, "inbox")
}

// ProfilesDir is the partner profiles directory.
func (c Config) ProfilesDir() string {
	if c.Profiles != "" {
		return c.Profiles
	}
	return filepath.Join(c.Data, "profiles")
}

// OutboxDir is the outbox directory.
func (c Config) OutboxDir() string {
	if c.Outbox != "" {
		return c.Outbox
	}
	return filepath.Join(c.Data, "outbox")
}

// InboxEnabled says whether the inbox runs (true unless set false).
func (c Config) InboxEnabled() bool { return c.Inbox.Enabled == nil || *c.Inbox.Enabled }

// OperatorToken is the token that admits the operator's API calls: the
// environment's ORDERHUB_OPERATOR_TOKEN, else http.operator_token.
func (c Config) OperatorToken() string {
	if t := strings.TrimSpace(os.Getenv("ORDERHUB_OPERATOR_TOKEN")); t != "" {
		return t
	}
	return strings.TrimSpace(c.HTTP.OperatorToken)
}

// KafkaEnabled says whether the bus is Kafka rather than the embedded one.
func (c Config) KafkaEnabled() bool { return c.Bus.Kafka != nil && len(c.Bus.Kafka.Brokers) > 0 }

// Validate reports every value out of range. Its problems carry paths but
// no file or line; Parse adds those.
func (c *Config) Validate() error {
	v := &validator{}
	if strings.TrimSpace(c.Data) == "" {
		v.add("data", "want a directory, got an empty string")
	}
	v.hostPort("http.addr", c.HTTP.Addr, false)
	if c.HTTP.MaxBodyBytes <= 0 {
		v.add("http.max_body_bytes", "want a number of bytes > 0, got %d", c.HTTP.MaxBodyBytes)
	}
	v.positive("http.shutdown_timeout", c.HTTP.ShutdownTimeout)
	v.positive("http.read_timeout", c.HTTP.ReadTimeout)
	if t := strings.TrimSpace(c.HTTP.OperatorToken); t != "" && len(t) < 16 {
		v.add("http.operator_token", "want a token of at least 16 characters (it guards the inventory), got %d", len(t))
	}
	names, hashes := map[string]bool{}, map[string]bool{}
	for i, r := range c.HTTP.Reviewers {
		path := fmt.Sprintf("http.reviewers[%d]", i)
		switch {
		case strings.TrimSpace(r.Name) == "":
			v.add(path+".name", "want who the reviewer is, got an empty string")
		case names[r.Name]:
			v.add(path+".name", "%q is already a reviewer", r.Name)
		}
		names[r.Name] = true
		switch {
		case !sha256Hex.MatchString(r.TokenSHA256):
			v.add(path+".token_sha256", "want the lowercase hex SHA-256 of the token (64 characters: printf %%s TOKEN | sha256sum), got %q", r.TokenSHA256)
		case hashes[r.TokenSHA256]:
			v.add(path+".token_sha256", "the same token is already another reviewer's")
		}
		hashes[r.TokenSHA256] = true
	}
	v.positive("inbox.poll_interval", c.Inbox.PollInterval)
	v.positive("inbox.min_age", c.Inbox.MinAge)
	v.positive("bus.retention", c.Bus.Retention)
	v.positive("bus.poll_interval", c.Bus.PollInterval)
	if k := c.Bus.Kafka; k != nil {
		if len(k.Brokers) == 0 {
			v.add("bus.kafka.brokers", `want at least one broker such as "kafka1:9092"`)
		}
		for i, b := range k.Brokers {
			v.hostPort(fmt.Sprintf("bus.kafka.brokers[%d]", i), b, true)
		}
	}
	v.oneOf("store.synchronous", c.Store.Synchronous, "NORMAL", "FULL")
	if n := c.Pipeline.MaxInFlight; n < 1 || n > 1024 {
		v.add("pipeline.max_in_flight", "want 1 to 1024, got %d", n)
	}
	r := c.Pipeline.Retry
	if r.MaxRetries < 0 || r.MaxRetries > 100 {
		v.add("pipeline.retry.max_retries", "want 0 to 100, got %d", r.MaxRetries)
	}
	v.positive("pipeline.retry.initial_interval", r.InitialInterval)
	v.positive("pipeline.retry.max_interval", r.MaxInterval)
	if r.InitialInterval > 0 && r.MaxInterval > 0 && r.InitialInterval > r.MaxInterval {
		v.add("pipeline.retry.initial_interval", "want at most max_interval (%s), got %s", r.MaxInterval, r.InitialInterval)
	}
	v.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	v.oneOf("log.format", c.Log.Format, "text", "json")
	if len(v.probs) > 0 {
		return &Error{Problems: v.probs}
	}
	return nil
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

type validator struct{ probs []*Problem }

func (v *validator) add(path, format string, args ...any) {
	v.probs = append(v.probs, &Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) positive(path string, d Duration) {
	if d <= 0 {
		v.add(path, `want a duration > 0 such as "2s", got %s`, d)
	}
}

func (v *validator) oneOf(path, got string, want ...string) {
	for _, w := range want {
		if got == w {
			return
		}
	}
	if len(want) == 2 {
		v.add(path, "want %s or %s, got %q", want[0], want[1], got)
		return
	}
	v.add(path, "want one of %s, got %q", strings.Join(want, ", "), got)
}

// hostPort checks a listen address (host may be empty) or, with needHost,
// an address to dial.
func (v *validator) hostPort(path, addr string, needHost bool) {
	example := `":8080" or "127.0.0.1:8080"`
	if needHost {
		example = `"kafka1:9092"`
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		v.add(path, "want host:port such as %s, got %q", example, addr)
		return
	}
	n, err := strconv.Atoi(port)
	lo := 0
	if needHost {
		lo = 1
	}
	if err != nil || n < lo || n > 65535 {
		v.add(path, "want a port number %d to 65535, got %q", lo, port)
	}
	if needHost && host == "" {
		v.add(path, "want host:port such as %s, got %q (no host)", example, addr)
	}
}

// Problem is one thing wrong with a configuration: file:line: path: msg.
type Problem = strictyaml.Problem

// Error is every problem found in a configuration, in file order.
type Error = strictyaml.Error
