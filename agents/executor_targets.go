package agents

import "time"

// FaultTargets is a fault resolved by the coordinator to concrete actions:
// toxics on named links of Toxiproxy-compatible admin APIs, and signals to
// processes by pid. The agent needs nothing else to apply it.
type FaultTargets struct {
	Toxics []ToxicTarget `json:"toxics,omitempty"`
	Procs  []ProcTarget  `json:"procs,omitempty"`
}

// ToxicTarget is one toxic on one link.
type ToxicTarget struct {
	// Admin is the base URL of the link owner's admin API
	// (http://127.0.0.1:port); Proxy is the link's name ("a->b").
	Admin string `json:"admin"`
	Proxy string `json:"proxy"`
	// Instance is the instance the fault is charged to (the callee, or the
	// cut's receiver), for the result's events.
	Instance string `json:"instance"`
	Toxic    Toxic  `json:"toxic"`
}

// Toxic is a toxic in Toxiproxy's shape.
type Toxic struct {
	Name       string         `json:"name"`
	Type       string         `json:"type"`
	Stream     string         `json:"stream"`
	Toxicity   float64        `json:"toxicity"`
	Attributes map[string]any `json:"attributes"`
}

// ProcTarget is one process to signal.
type ProcTarget struct {
	Instance string `json:"instance"`
	PID      int    `json:"pid"`
	// Action is kill, terminate, pause or restart.
	Action string `json:"action"`
	// Grace bounds terminate and restart before SIGKILL.
	Grace time.Duration `json:"grace,omitempty"`
}
