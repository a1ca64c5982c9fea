// Package agents holds the agent: it joins the cluster, runs Assignments
// (load shares, probes, faults) and streams window summaries back.
//
//	coordinator ──assign / share / hb / fault / stop──▶ Agent.Serve
//	     ▲                                                │  Load (agents/load)
//	     └──────────── windows, accept, done ◀────────────┘  FaultExecutor
//
// The control protocol (protocol.go) rides in cluster envelopes: sealed
// with a key derived from the gossip key, carrying run id and sequence
// numbers, sent over memberlist's reliable streams. An agent obeys only a
// live coordinator, serves one run at a time and never the same run twice,
// and stops its load and reverts its faults when that coordinator is
// silent for one lease (DefaultLease) or leaves the cluster.
//
// Agents never read YAML; they get plain values from the coordinator. They
// never send traffic outside the run's allowlist (the assignment's base URL
// and Allow entries, plus loopback).
package agents
