package reports

import (
	"time"
)

// Schema is the result file's schema id. A reader refuses other ids.
const Schema = "faultline.result/v1"

// RecordType tags each line of result.jsonl.
type RecordType string

// Record types of result.jsonl, in the order they usually appear.
const (
	RecHeader  RecordType = "header"
	RecAgent   RecordType = "agent"
	RecWindow  RecordType = "window"
	RecProbe   RecordType = "probe"
	RecEvent   RecordType = "event"
	RecVerdict RecordType = "verdict"
	RecEnd     RecordType = "end"
)

// Header opens a result: what ran, when, and against what.
type Header struct {
	Schema   string    `json:"schema"`
	RunID    string    `json:"run_id"`
	Scenario string    `json:"scenario"`
	Variant  string    `json:"variant,omitempty"`
	Version  string    `json:"faultline_version"`
	Seed     int64     `json:"seed"`
	Started  time.Time `json:"started"`
	// Spec is the scenario as decoded (scenarios.Scenario marshalled), and
	// Plan its timeline, kept so that a report needs no YAML.
	Spec   any    `json:"spec,omitempty"`
	Plan   any    `json:"plan,omitempty"`
	Target string `json:"target,omitempty"`
	// Graph is the target's declared dependency graph and Traced the
	// dependencies its tracing saw, for blast radius (metrics_blast.go).
	Graph  *DepGraph `json:"graph,omitempty"`
	Traced *DepGraph `json:"traced,omitempty"`
}

// Window is one agent's summary of one endpoint over one interval
// (normally one second). Windows are mergeable: counts add, histograms merge.
// (RunID, AgentID, Seq, Endpoint) identifies a window; a reader drops repeats.
type Window struct {
	RunID    string        `json:"run_id"`
	AgentID  string        `json:"agent"`
	Seq      uint64        `json:"seq"`
	Endpoint string        `json:"endpoint"`
	Start    time.Time     `json:"start"`
	Length   time.Duration `json:"length"`
	// Requests sent, and of them Good (status in the endpoint's good set).
	Requests int64 `json:"requests"`
	Good     int64 `json:"good"`
	// Intended is how many requests the pacer scheduled in this window.
	Intended int64 `json:"intended"`
	// Status counts by HTTP status code; 0 is "no response".
	Status map[int]int64 `json:"status,omitempty"`
	// Errors counts by class: timeout, connection_refused, reset, ...
	Errors map[string]int64 `json:"errors,omitempty"`
	// Behind is the largest lag of the engine behind its schedule in this
	// window (how late the latest hit went out), never a silent cap.
	Behind time.Duration `json:"behind,omitempty"`
	// Latency is corrected for coordinated omission (completion minus
	// intended send time); Service is raw service time. Microseconds.
	Latency *Hist `json:"latency,omitempty"`
	Service *Hist `json:"service,omitempty"`
	// GoodLatency is Latency for the good responses only: the latency of
	// the requests a throttle admitted, without its fast rejections. Absent
	// from results written before it was recorded.
	GoodLatency *Hist `json:"good_latency,omitempty"`
	// Deps counts, per dependency the target traced for these requests,
	// how the calls ended ("inventory:ok", "inventory:error"), when known.
	Deps map[string]int64 `json:"deps,omitempty"`
}

// ProbeSample is one consistency probe: a write and the reads that followed.
type ProbeSample struct {
	RunID   string    `json:"run_id"`
	AgentID string    `json:"agent"`
	Probe   string    `json:"probe"`
	Key     string    `json:"key"`
	Written time.Time `json:"written"`
	// Acked is when the write was acknowledged; zero if it never was.
	Acked time.Time `json:"acked,omitempty"`
	// FirstFresh and LastStale are the read times around visibility; zero
	// when there was none.
	FirstFresh time.Time `json:"first_fresh,omitempty"`
	LastStale  time.Time `json:"last_stale,omitempty"`
	Reads      int       `json:"reads"`
	StaleReads int       `json:"stale_reads"`
	// Violations counts stale reads seen after a fresh one (monotonic reads).
	Violations int `json:"violations"`
	// PerInstance holds the first fresh read time per read instance.
	PerInstance map[string]time.Time `json:"per_instance,omitempty"`
	// LastStaleBy holds the last stale read time per read instance before
	// that instance first served the record (per-instance lag).
	LastStaleBy map[string]time.Time `json:"last_stale_by,omitempty"`
	// ReadErrors counts reads that were neither fresh nor stale (no
	// answer, 5xx): they prove nothing about visibility.
	ReadErrors int `json:"read_errors,omitempty"`
	// Lost is set when an acked write was never visible by run end + grace.
	Lost  bool   `json:"lost,omitempty"`
	Error string `json:"error,omitempty"`
}

// EventKind names what an Event records.
type EventKind string

// Event kinds.
const (
	EvFaultApplied     EventKind = "fault_applied"
	EvFaultReverted    EventKind = "fault_reverted"
	EvInstanceKilled   EventKind = "instance_killed"
	EvInstanceReplaced EventKind = "instance_replaced"
	EvAgentJoined      EventKind = "agent_joined"
	EvAgentLost        EventKind = "agent_lost"
	EvShareChanged     EventKind = "share_changed"
	EvPhase            EventKind = "phase"
	EvAbort            EventKind = "abort"
	EvNote             EventKind = "note"
	// EvTraced carries the dependencies the target's tracing saw over the
	// run (Params["graph"], a DepGraph), read at the end of the run; the
	// header, written at the start, cannot hold it. See Result.TracedGraph.
	EvTraced EventKind = "traced"
	// EvHarvest carries what the target measured itself over the run
	// (Params["harvest"], a TargetHarvest): its instances' traces and its
	// consumer's counts, read at the end of the run. See Result.Harvest.
	EvHarvest EventKind = "target_harvest"
)

// Event is something that happened during a run, with when and who did it.
type Event struct {
	Time     time.Time      `json:"time"`
	Kind     EventKind      `json:"kind"`
	Fault    string         `json:"fault,omitempty"`
	Agent    string         `json:"agent,omitempty"`
	Instance string         `json:"instance,omitempty"`
	Executor string         `json:"executor,omitempty"`
	Params   map[string]any `json:"params,omitempty"`
	Detail   string         `json:"detail,omitempty"`
}

// Agent is one agent that took part in a run, with its share over time.
type Agent struct {
	ID       string            `json:"id"`
	Addr     string            `json:"addr,omitempty"`
	Capacity int               `json:"capacity,omitempty"`
	Labels   map[string]string `json:"labels,omitempty"`
	Joined   time.Time         `json:"joined"`
	Lost     time.Time         `json:"lost,omitempty"`
	Shares   []Share           `json:"shares,omitempty"`
}

// Share is the fraction of the scenario's rate an agent carried from At on.
type Share struct {
	At       time.Time `json:"at"`
	Fraction float64   `json:"fraction"`
}

// Verdict is the judgement of one expectation or claim rule.
type Verdict struct {
	// Kind is steady_state, abort_when, expect or claim.
	Kind  string `json:"kind"`
	Claim string `json:"claim,omitempty"`
	// Expectation is the line as written.
	Expectation string  `json:"expectation"`
	Observed    float64 `json:"observed"`
	Bound       float64 `json:"bound"`
	// Unit is how Observed and Bound read: ratio, seconds, count.
	Unit string `json:"unit"`
	Pass bool   `json:"pass"`
	// Status is pass, fail, or error (could not be computed, with Detail).
	Status string `json:"status"`
	// From and To bound the windows (offsets from run start) it judged.
	From   time.Duration `json:"from"`
	To     time.Duration `json:"to"`
	Detail string        `json:"detail,omitempty"`
}

// End closes a result.
type End struct {
	Ended    time.Time `json:"ended"`
	ExitCode int       `json:"exit_code"`
	Reason   string    `json:"reason,omitempty"`
}

// Result is a whole run, rebuilt from result.jsonl or read from result.json.
type Result struct {
	Header   Header        `json:"header"`
	Agents   []Agent       `json:"agents,omitempty"`
	Windows  []Window      `json:"windows"`
	Probes   []ProbeSample `json:"probes,omitempty"`
	Events   []Event       `json:"events,omitempty"`
	Verdicts []Verdict     `json:"verdicts,omitempty"`
	End      *End          `json:"end,omitempty"`
	// Truncated is set when the jsonl ended mid-record or without End.
	Truncated bool `json:"truncated,omitempty"`
}
