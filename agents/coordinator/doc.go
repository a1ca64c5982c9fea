// Package coordinator drives one run across the agent cluster:
//
//	wait for agents ─▶ split rate by capacity ─▶ assign ─▶ heartbeat / re-split
//	                                                  │
//	   Sink (result writer) ◀─ dedupe ◀─ windows ◀────┘ ─▶ abort watcher, progress
//
// It owns the run's roster (who joined, who was lost, each agent's share
// over time), the de-duplication of windows by (agent, run, seq,
// endpoint), the live progress snapshot, and local agent processes it
// spawns (spawn.go), which it always cleans up.
//
// It must not parse YAML or judge expectations: it gets a decoded scenario
// and hands windows to a Sink and a Watcher given by the caller.
package coordinator
