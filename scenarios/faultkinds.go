package scenarios

import (
	"sort"
	"strings"
)

// ParamType is how a fault parameter's value is written and stored in
// FaultSpec.Params.
type ParamType string

// Parameter types. The stored Go type is in parentheses.
const (
	ParamDuration  ParamType = "duration"  // time.Duration, from "250ms"
	ParamPercent   ParamType = "percent"   // float64 ratio 0..1, from "50%"
	ParamBytes     ParamType = "bytes"     // int64 bytes, from "64KiB"
	ParamByteRate  ParamType = "byte_rate" // int64 bytes per second, from "64KiB/s"
	ParamStatus    ParamType = "status"    // int HTTP status 100..599
	ParamEnum      ParamType = "enum"      // string, one of Values
	ParamGroups    ParamType = "groups"    // [][]string instance or service names
	ParamDirection ParamType = "direction" // string upstream|downstream|both
)

// ParamSpec declares one parameter of a fault kind.
type ParamSpec struct {
	Name     string
	Type     ParamType
	Required bool
	Values   []string // for ParamEnum
	Doc      string
}

// FaultKind declares a fault kind: its parameters, and its class, which
// decides what it conflicts with (see conflicts in validate_faults.go).
type FaultKind struct {
	Name string
	// Class is "network" (a toxic on links), "partition" or "instance"
	// (signals to processes).
	Class  string
	Doc    string
	Params []ParamSpec
}

// Parameters shared by every network fault: which direction of the link,
// and what fraction of connections it affects.
var networkCommon = []ParamSpec{
	{Name: "direction", Type: ParamDirection, Doc: "downstream (responses, default), upstream (requests) or both"},
	{Name: "toxicity", Type: ParamPercent, Doc: "fraction of connections affected, default 100%"},
}

// PartitionShapes are the partition shapes DESIGN §6 names.
var PartitionShapes = []string{"isolate", "halves", "majority-minority", "bridge", "ring", "one-way", "groups"}

// FaultKinds is the registry of fault kinds the scenario language accepts.
var FaultKinds = map[string]FaultKind{
	"latency": {Name: "latency", Class: "network", Doc: "adds latency to each chunk of a link", Params: []ParamSpec{
		{Name: "latency", Type: ParamDuration, Required: true, Doc: "added delay"},
		{Name: "jitter", Type: ParamDuration, Doc: "random ± spread around latency"},
		{Name: "distribution", Type: ParamEnum, Values: []string{"uniform", "normal", "pareto"}, Doc: "how jitter is spread, default uniform"},
	}},
	"bandwidth": {Name: "bandwidth", Class: "network", Doc: "limits a link's throughput", Params: []ParamSpec{
		{Name: "rate", Type: ParamByteRate, Required: true, Doc: "bytes per second, e.g. 64KiB/s"},
	}},
	"blackhole": {Name: "blackhole", Class: "network", Doc: "drops all data and never closes the connection"},
	"timeout": {Name: "timeout", Class: "network", Doc: "drops all data and closes the connection after a timeout", Params: []ParamSpec{
		{Name: "timeout", Type: ParamDuration, Required: true, Doc: "how long before the close"},
	}},
	"reset_peer": {Name: "reset_peer", Class: "network", Doc: "resets connections (TCP RST), after an optional timeout", Params: []ParamSpec{
		{Name: "timeout", Type: ParamDuration, Doc: "delay before the reset, default 0"},
	}},
	"slicer": {Name: "slicer", Class: "network", Doc: "slices data into small chunks with delays between them", Params: []ParamSpec{
		{Name: "average_size", Type: ParamBytes, Required: true, Doc: "mean chunk size"},
		{Name: "size_variation", Type: ParamBytes, Doc: "chunk size spread"},
		{Name: "delay", Type: ParamDuration, Doc: "delay between chunks"},
	}},
	"slow_close": {Name: "slow_close", Class: "network", Doc: "delays the close of connections", Params: []ParamSpec{
		{Name: "delay", Type: ParamDuration, Required: true, Doc: "delay before closing"},
	}},
	"limit_data": {Name: "limit_data", Class: "network", Doc: "closes connections after a number of bytes", Params: []ParamSpec{
		{Name: "bytes", Type: ParamBytes, Required: true, Doc: "bytes let through per connection"},
	}},
	"http_abort": {Name: "http_abort", Class: "network", Doc: "answers HTTP requests with an error status instead of forwarding them", Params: []ParamSpec{
		{Name: "status", Type: ParamStatus, Required: true, Doc: "status to answer with, e.g. 503"},
		{Name: "percent", Type: ParamPercent, Doc: "fraction of requests aborted, default 100%"},
	}},
	"http_delay": {Name: "http_delay", Class: "network", Doc: "delays HTTP requests before forwarding them", Params: []ParamSpec{
		{Name: "delay", Type: ParamDuration, Required: true, Doc: "added delay per request"},
		{Name: "percent", Type: ParamPercent, Doc: "fraction of requests delayed, default 100%"},
	}},
	"partition": {Name: "partition", Class: "partition", Doc: "cuts the links between groups of the selected instances", Params: []ParamSpec{
		{Name: "shape", Type: ParamEnum, Required: true, Values: PartitionShapes, Doc: "how the selected instances are split"},
		{Name: "groups", Type: ParamGroups, Doc: "explicit groups of instance names, required by shape groups"},
	}},
	"kill":      {Name: "kill", Class: "instance", Doc: "SIGKILL; the supervisor replaces the instance"},
	"terminate": {Name: "terminate", Class: "instance", Doc: "SIGTERM, a graceful stop; the supervisor replaces the instance"},
	"pause":     {Name: "pause", Class: "instance", Doc: "SIGSTOP for the fault's duration, then SIGCONT"},
	"restart":   {Name: "restart", Class: "instance", Doc: "stops and starts the instance"},
}

// FaultKindNames returns the registered kinds, sorted.
func FaultKindNames() []string {
	out := make([]string, 0, len(FaultKinds))
	for k := range FaultKinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// paramsOf returns every parameter a kind accepts, common ones included.
func paramsOf(k FaultKind) []ParamSpec {
	if k.Class == "network" {
		return append(append([]ParamSpec{}, k.Params...), networkCommon...)
	}
	return k.Params
}

func paramNames(ps []ParamSpec) string {
	if len(ps) == 0 {
		return "no parameters"
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}
