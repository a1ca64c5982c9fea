package load

import (
	"crypto/tls"
	"time"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/targets"
)

// Config is one agent's engine for one run.
type Config struct {
	// RunID and AgentID identify the windows (with Seq and Endpoint).
	RunID, AgentID string
	// BaseURL is where the mix's paths are sent, for example
	// http://127.0.0.1:8080.
	BaseURL string
	// Allow is the run's allowlist; nil means loopback only.
	Allow *targets.Allowlist
	// Load is the scenario's load: rate, duration, warmup, shape and mix.
	// A rate of 0 with a constant shape means "as fast as MaxWorkers
	// allow" (benchmarks); then MaxWorkers is required.
	Load scenarios.Load
	// Share is this agent's fraction of the rate, 0..1.
	Share float64
	// Start is the schedule origin shared by all agents (zero = now). Shape
	// times and window boundaries count from it; warmup starts at it.
	Start time.Time
	// Seed makes the mix choices and template values reproducible.
	Seed int64

	// Workers is how many vegeta workers start (default 32); more are
	// started as requests block, up to MaxWorkers.
	Workers uint64
	// MaxWorkers caps concurrent requests (0 = DefaultMaxWorkers). Open
	// loop against a target that stops answering would otherwise hold
	// rate × timeout requests (and sockets, and memory) in flight. At the
	// cap the engine falls behind, and Window.Behind says by how much.
	MaxWorkers uint64
	// TLS configures https targets (nil: the system's roots, TLS 1.2+).
	TLS *tls.Config
	// Drain is how long requests still in flight at the end may finish
	// before they are cancelled (default: the largest endpoint timeout,
	// at most DefaultDrain).
	Drain time.Duration
}

// Defaults of Config.
const (
	DefaultWorkers    = 32
	DefaultMaxWorkers = 10000
	DefaultDrain      = 5 * time.Second
	// WindowLength is the length of every window but a final partial one.
	WindowLength = time.Second
)
