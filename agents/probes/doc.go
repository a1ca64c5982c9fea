// Package probes is the consistency prober an agent runs for each of a
// scenario's probes. One sample, drawn as a pipeline:
//
//	render write ─▶ POST (Written … Acked) ─▶ capture the record's id
//	                                              │
//	      ┌───────────────────────────────────────┘
//	      ▼
//	poll every read instance ─▶ stale (404) … fresh (2xx) on each
//	      │  until fresh everywhere, then Linger more (monotonic reads)
//	      ▼
//	reports.ProbeSample: first fresh, last stale, per-instance times,
//	stale reads, violations, lost when never visible by end + grace
//
// Every request is bounded in time (the probe's timeout), every sample in
// count of reads (the poll interval backs off with the sample's age) and in
// time (MaxWait, then one last look at end + grace), and the number of
// samples in flight is capped (a skipped write is reported, never silent).
//
// This package owns agents/probes. It never reads YAML (it is handed a
// scenarios.Probe), never talks to the cluster (the agent forwards its
// samples), and never sends a byte outside the run's allowlist: every URL
// and every dial is checked against targets.Allowlist, and redirects are
// not followed.
package probes
