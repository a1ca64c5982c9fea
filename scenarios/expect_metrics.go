package scenarios

import "sort"

// Unit is the type of a metric or literal in the expectation language.
// Both sides of a comparison must have the same unit.
type Unit string

// Units. Literal values are stored canonically: ratio as 0..1, duration in
// seconds, rate per second, bool as 1 or 0.
const (
	UnitRatio    Unit = "ratio"    // written 99.9%
	UnitDuration Unit = "duration" // written 250ms, 2s, 1m30s
	UnitCount    Unit = "count"    // written 0, 12
	UnitRate     Unit = "rate"     // written 50/s, 3k/m
	UnitBool     Unit = "bool"     // written true, false
)

// literalHint says how to write a bound of a unit, for error messages.
var literalHint = map[Unit]string{
	UnitRatio:    "a percentage such as 99.9%",
	UnitDuration: "a duration such as 250ms or 2s",
	UnitCount:    "a whole number such as 0",
	UnitRate:     "a rate such as 50/s",
	UnitBool:     "true or false",
}

// ArgKind says what a metric's argument names.
type ArgKind string

// Argument kinds.
const (
	// ArgNone: no argument, e.g. lost_writes.
	ArgNone ArgKind = "none"
	// ArgEndpoint: an endpoint of the mix, or * for each endpoint; none
	// means all requests together.
	ArgEndpoint ArgKind = "endpoint"
	// ArgProbe: a probe name; none means every probe together.
	ArgProbe ArgKind = "probe"
	// ArgFault: a fault name, required.
	ArgFault ArgKind = "fault"
	// ArgFaultOptional: a fault name; none means every fault of the run.
	ArgFaultOptional ArgKind = "fault?"
)

// MetricFamily groups metrics by what measures them and what windows they
// accept.
type MetricFamily string

// Metric families.
const (
	// FamilyLoad metrics come from load windows and accept window
	// qualifiers (during, before, after) and for.
	FamilyLoad MetricFamily = "load"
	// FamilyConsistency metrics come from probe samples, windowed by
	// write time.
	FamilyConsistency MetricFamily = "consistency"
	// FamilyFault metrics are defined by a fault's own window and take no
	// window qualifier.
	FamilyFault MetricFamily = "fault"
)

// Metric declares one function of the expectation language.
type Metric struct {
	Name   string       `json:"name"`
	Arg    ArgKind      `json:"arg"`
	Unit   Unit         `json:"unit"`
	Family MetricFamily `json:"family"`
	Doc    string       `json:"doc"`
}

// Metrics is the registry of every metric, measured now or by a later
// issue, so that a typo fails at validation rather than at judgement.
var Metrics = map[string]Metric{}

func init() {
	for _, m := range []Metric{
		{"availability", ArgEndpoint, UnitRatio, FamilyLoad, "good ÷ sent requests"},
		{"error_rate", ArgEndpoint, UnitRatio, FamilyLoad, "1 − availability"},
		{"p50", ArgEndpoint, UnitDuration, FamilyLoad, "median latency, corrected for coordinated omission"},
		{"p90", ArgEndpoint, UnitDuration, FamilyLoad, "90th percentile latency, corrected"},
		{"p99", ArgEndpoint, UnitDuration, FamilyLoad, "99th percentile latency, corrected"},
		{"p999", ArgEndpoint, UnitDuration, FamilyLoad, "99.9th percentile latency, corrected"},
		{"service_p99", ArgEndpoint, UnitDuration, FamilyLoad, "99th percentile raw service time (not corrected)"},
		{"good_p50", ArgEndpoint, UnitDuration, FamilyLoad, "median latency of good responses only (admitted requests when a throttle rejects the rest), corrected"},
		{"good_p99", ArgEndpoint, UnitDuration, FamilyLoad, "99th percentile latency of good responses only, corrected"},
		{"goodput", ArgEndpoint, UnitRate, FamilyLoad, "good responses per second"},
		{"rate", ArgEndpoint, UnitRate, FamilyLoad, "requests sent per second"},
		{"requests", ArgEndpoint, UnitCount, FamilyLoad, "requests sent"},
		{"behind", ArgEndpoint, UnitDuration, FamilyLoad, "largest lag of the load engine behind its schedule"},
		{"consistency_lag.p50", ArgProbe, UnitDuration, FamilyConsistency, "median time from write ack to last stale read"},
		{"consistency_lag.p99", ArgProbe, UnitDuration, FamilyConsistency, "99th percentile consistency lag"},
		{"consistency_lag.max", ArgProbe, UnitDuration, FamilyConsistency, "largest consistency lag"},
		{"stale_reads", ArgProbe, UnitCount, FamilyConsistency, "reads that did not yet see an acknowledged write"},
		{"monotonic_violations", ArgProbe, UnitCount, FamilyConsistency, "stale reads after a fresh one"},
		{"lost_writes", ArgProbe, UnitCount, FamilyConsistency, "acknowledged writes never visible by run end + grace"},
		{"blast_radius.endpoints", ArgFaultOptional, UnitRatio, FamilyFault, "breached endpoints ÷ all endpoints"},
		{"blast_radius.services", ArgFaultOptional, UnitRatio, FamilyFault, "breached services other than the faulted one ÷ all services"},
		{"blast_radius.requests", ArgFaultOptional, UnitRatio, FamilyFault, "excess errors against the before-phase ÷ requests"},
		{"cascades", ArgFaultOptional, UnitCount, FamilyFault, "breached endpoints that do not depend on the faulted component"},
		{"contained", ArgFault, UnitBool, FamilyFault, "every breached endpoint depends on the faulted component"},
		{"ttd", ArgFault, UnitDuration, FamilyFault, "time from the fault's apply to the first breached window"},
		{"ttr", ArgFault, UnitDuration, FamilyFault, "time from the fault's revert to the first window back in steady state"},
	} {
		Metrics[m.Name] = m
	}
}

// MetricNames returns the registered metric names, sorted.
func MetricNames() []string {
	out := make([]string, 0, len(Metrics))
	for k := range Metrics {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Phases a "during phase(...)" qualifier may name.
var PhaseNames = []string{"warmup", "baseline", "faulted", "recovery", "run"}
