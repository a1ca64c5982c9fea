// Package load is faultline's open-loop load engine: one agent's share of a
// scenario's load, sent to one target and summarised as one
// reports.Window per endpoint per second.
//
// The pipeline, for one hit:
//
//	schedule (shape × share) ─▶ pacer ─▶ vegeta Attacker worker ─▶ targeter
//	     │ intended time T(k)            (renders the endpoint's templates)
//	     ▼                                         │
//	 window.Intended                               ▼
//	                          transport (RoundTripper): allowlist, per-endpoint
//	                          timeout, h1/h2c, error class, capture, timing
//	                                               │
//	                                               ▼
//	                          per-endpoint accumulator ─▶ Window every second
//
// Timing is corrected for coordinated omission: each hit k has an intended
// send time T(k) computed from the pacer's schedule and k. The corrected
// latency is completion − T(k) and the raw service time is completion − the
// moment the request really left. How late hits went out is reported as
// Window.Behind and Stats.Behind; the engine never caps silently.
//
// A window holds the requests that completed during it (so that a window can
// be sent as soon as its second ends), and Intended counts the hits the
// schedule placed in it. Hits cancelled because the engine was stopped are
// counted in Errors["cancelled"] only, not in Requests.
//
// This package owns agents/load. It never reads YAML (it is handed a
// scenarios.Load), never talks to the cluster (the agent feeds its windows
// onward), and never sends a byte outside the run's allowlist.
package load
