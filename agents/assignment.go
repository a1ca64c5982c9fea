package agents

import (
	"time"

	"github.com/faultline/faultline/scenarios"
)

// Assignment is the work one agent does for one run: its share of the load,
// its probes, and where it may send traffic. It is the contract between the
// coordinator and an agent; agents never read YAML.
type Assignment struct {
	RunID   string `json:"run_id"`
	AgentID string `json:"agent_id"`
	// Start is the wall-clock time the load's schedule starts (warmup
	// included), so that every agent's pacer shares one clock.
	Start time.Time `json:"start"`
	// Share is this agent's fraction of the scenario rate (0..1).
	Share float64 `json:"share"`
	// BaseURL is where the mix's paths are sent.
	BaseURL string `json:"base_url"`
	// Allow is the run's allowlist: host or host:port values besides
	// loopback. An agent refuses any other destination.
	Allow  []string          `json:"allow"`
	Load   scenarios.Load    `json:"load"`
	Probes []scenarios.Probe `json:"probes,omitempty"`
	Seed   int64             `json:"seed"`
	// ProbeReaders lists the read instances probes poll (each query
	// instance of the reference topology, say), so that a lagging replica
	// shows; empty means reading through BaseURL. See agents/probes.
	ProbeReaders []ProbeReader `json:"probe_readers,omitempty"`
}

// ProbeReader is one read instance a probe polls: its name in the
// samples' per-instance results, and its base URL.
type ProbeReader struct {
	Name    string `json:"name"`
	BaseURL string `json:"base_url"`
}
