package probes

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/targets"
)

// Defaults of Config, chosen for loopback targets and a 1 s window.
const (
	// DefaultPollInterval is the first gap between read rounds: 10 ms
	// resolves a 300 ms lag to about 3%, and costs 100 reads a second per
	// instance only while a sample is young (see pollGap).
	DefaultPollInterval = 10 * time.Millisecond
	// DefaultMaxPollInterval caps the backed-off gap: a write still not
	// visible after a minute is polled once a second, not 100 times.
	DefaultMaxPollInterval = time.Second
	// DefaultLinger is how long reads go on after the record is fresh on
	// every instance, to catch a replica that goes back in time.
	DefaultLinger = 500 * time.Millisecond
	// DefaultMaxWait bounds the active polling of one sample. A write not
	// visible by then is parked and looked at once more at end + grace,
	// so a dropped write costs no traffic for the rest of the run.
	DefaultMaxWait = 30 * time.Second
	// DefaultMaxInFlight caps concurrent samples; beyond it a write is
	// skipped and reported as such.
	DefaultMaxInFlight = 256
)

// ErrConfig is wrapped by every configuration error.
var ErrConfig = errors.New("probe config")

// Reader is one read instance the record is polled on.
type Reader struct {
	// Name identifies the instance in ProbeSample.PerInstance ("query-1",
	// or "edge" when the gateway is all there is).
	Name string
	// BaseURL is where the probe's read path is appended.
	BaseURL string
}

// Config is one probe on one agent.
type Config struct {
	RunID   string
	AgentID string
	// Probe is the scenario's probe, defaults applied.
	Probe scenarios.Probe
	// WriteURL is the base URL writes go to (normally the edge).
	WriteURL string
	// Readers are the read instances. Empty means read through WriteURL,
	// named "edge".
	Readers []Reader
	// Allow is the run's allowlist; nil allows loopback only.
	Allow *targets.Allowlist
	// Share scales Probe.Rate for this agent (0 means 1).
	Share float64
	// Until is when writing stops: the end of the run. Lost writes are
	// judged at Until + Probe.Grace. Zero means "when ctx ends", and then
	// samples still pending are reported unresolved, never lost.
	Until time.Time
	// MaxSamples bounds the writes (0: only by rate and time).
	MaxSamples int
	// Seed seeds {{rand A B}}.
	Seed int64
	// Poll settings and caps; zero means the Default* constants.
	PollInterval    time.Duration
	MaxPollInterval time.Duration
	Linger          time.Duration
	MaxWait         time.Duration
	MaxInFlight     int
	// Client sends the requests; nil builds one whose dialer checks the
	// allowlist and which never follows redirects.
	Client *http.Client
}

// withDefaults fills zero fields.
func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.PollInterval, DefaultPollInterval)
	def(&c.MaxPollInterval, DefaultMaxPollInterval)
	def(&c.Linger, DefaultLinger)
	def(&c.MaxWait, DefaultMaxWait)
	def(&c.Probe.Timeout, scenarios.DefaultProbeTimeout)
	if c.MaxPollInterval < c.PollInterval {
		c.MaxPollInterval = c.PollInterval
	}
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = DefaultMaxInFlight
	}
	if c.Share <= 0 {
		c.Share = 1
	}
	if c.Probe.Write.Method == "" {
		c.Probe.Write.Method = scenarios.DefaultProbeWriteMethod
	}
	if c.Probe.Read.Method == "" {
		c.Probe.Read.Method = http.MethodGet
	}
	if len(c.Readers) == 0 {
		c.Readers = []Reader{{Name: "edge", BaseURL: c.WriteURL}}
	}
	return c
}

// check validates a defaulted config: every problem, with what is allowed.
func (c Config) check() error {
	var errs []string
	add := func(f string, a ...any) { errs = append(errs, fmt.Sprintf(f, a...)) }
	if c.Probe.Name == "" {
		add("the probe has no name")
	}
	if c.Probe.Rate.PerSecond() <= 0 {
		add("rate %v/%v: must be above zero, e.g. 5/s", c.Probe.Rate.Freq, c.Probe.Rate.Per)
	}
	if c.Probe.Grace < 0 {
		add("grace %v: must not be negative", c.Probe.Grace)
	}
	checkBase := func(what, raw string) {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("%s %q: want an absolute http:// or https:// base URL", what, raw)
			return
		}
		if err := c.Allow.CheckURL(raw); err != nil {
			add("%s: %v", what, err)
		}
	}
	checkBase("write URL", c.WriteURL)
	seen := map[string]bool{}
	for i, r := range c.Readers {
		if r.Name == "" || seen[r.Name] {
			add("reader %d: name %q must be non-empty and unique", i, r.Name)
		}
		seen[r.Name] = true
		checkBase("reader "+r.Name, r.BaseURL)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w %q: %s", ErrConfig, c.Probe.Name, strings.Join(errs, "; "))
	}
	return nil
}
