package scenarios

// FamilyTarget metrics come from the target's own measurements (its
// traces, its consumer's counts), read from its instances at the end of a
// pass: they cover the whole pass and take no window qualifier. A target
// that does not expose them (an external one) leaves them not measured.
const FamilyTarget MetricFamily = "target"

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
