package scenarios

// FamilyTarget metrics come from the target's own measurements (its
// traces, its consumer's counts), read from its instances about every
// second during a pass and at its end. Without a qualifier they cover the
// whole pass; the per-request and latency ones also take window
// qualifiers, measured between the snapshots at the window's ends. A
// target that does not expose them (an external one) leaves them not
// measured.
const FamilyTarget MetricFamily = "target"

// targetWholePass says, for the target metrics that take no window
// qualifier, why not.
var targetWholePass = map[string]string{
	// A backlog is a level, not a count: over a window it would need
	// another definition (its peak? its end?), so none is implied.
	"consumer_backlog": "is the consumer's backlog at the end of the pass",
	// An order acknowledged in a window may be delivered after it: only
	// the whole pass, once the load stopped, pairs them.
	"lost_deliveries": "pairs every acknowledged order with its delivery once the load has stopped",
	"drain_time":      "is measured from its fault's end",
}

// TargetWholePass returns why target metric name takes no window
// qualifier, or "" if it takes one (or is not a target metric).
func TargetWholePass(name string) string { return targetWholePass[name] }

func init() {
	for _, m := range []Metric{
		{"backend_calls", ArgEndpoint, UnitCount, FamilyTarget, "calls the edge made to the services behind it per request it served (429s excluded), e.g. 0.5"},
		{"store_calls", ArgEndpoint, UnitCount, FamilyTarget, "data-store (bus/KV) calls the services made for the endpoint per request the edge served (429s excluded)"},
		{"store_latency.p50", ArgEndpoint, UnitDuration, FamilyTarget, "median data-store (bus/KV) call latency, timed by the service serving the endpoint"},
		{"store_latency.p99", ArgEndpoint, UnitDuration, FamilyTarget, "99th percentile data-store (bus/KV) call latency, timed by the service serving the endpoint"},
		{"consumer_backlog", ArgNone, UnitCount, FamilyTarget, "messages the async consumer has not yet acknowledged at the end of the pass"},
		{"lost_deliveries", ArgNone, UnitCount, FamilyTarget, "orders the edge acknowledged that the async consumer never received"},
		{"drain_time", ArgFault, UnitDuration, FamilyTarget, "time from the fault's end (a killed consumer's replacement) until the consumer's backlog is empty in two samples in a row"},
	} {
		Metrics[m.Name] = m
	}
}
