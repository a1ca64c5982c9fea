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
// Hits the engine owes at the end of the schedule (it fell behind) are
// still sent during the drain (Config.Drain), late and counted as late;
// whatever is left then is cancelled. Concurrency is capped (MaxWorkers,
// default DefaultMaxWorkers) so that a hung target cannot pile up requests
// without bound: at the cap the engine falls behind and reports it. A rate
// of 0 is unpaced (as fast as MaxWorkers allow), for benchmarks.
//
// Templates in paths, bodies and headers: {{seq}} (this agent's hit number),
// {{rand A B}}, {{uuid}} (both seeded by Config.Seed, RunID and AgentID) and
// {{capture "endpoint" "name" ["default"]}}, a value recently captured from
// that endpoint's 2xx JSON responses (Endpoint.Capture), or the default
// ("none" when not given) until one was captured. Values are path-escaped
// in paths and stripped of control characters in headers.
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
