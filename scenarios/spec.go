package scenarios

import "time"

// SchemaVersion is the scenario language version this package reads.
const SchemaVersion = 1

// Pos is a place in a scenario file, kept on every decoded element so that
// semantic errors can point at the line a person has to fix.
type Pos struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
}

// Scenario is a decoded, defaulted scenario file (language v1).
type Scenario struct {
	Pos         Pos           `json:"-"`
	Version     int           `json:"version"`
	Name        string        `json:"name"`
	Description string        `json:"description,omitempty"`
	Tags        []string      `json:"tags,omitempty"`
	Seed        int64         `json:"seed"`
	Claims      []Claim       `json:"claims,omitempty"`
	Target      Target        `json:"target"`
	Agents      Agents        `json:"agents"`
	Load        Load          `json:"load"`
	Probes      []Probe       `json:"probes,omitempty"`
	SteadyState []Expectation `json:"steady_state,omitempty"`
	Timeline    []FaultSpec   `json:"timeline,omitempty"`
	AbortWhen   []Expectation `json:"abort_when,omitempty"`
	Expect      []Expectation `json:"expect,omitempty"`
	Variants    []Variant     `json:"variants,omitempty"`
}

// Claim is a resilience claim (for example one of the whitepaper's), judged
// by its rules.
type Claim struct {
	Pos        Pos           `json:"-"`
	ID         string        `json:"id"`
	Section    string        `json:"section,omitempty"`
	Statement  string        `json:"statement,omitempty"`
	Experiment string        `json:"experiment,omitempty"`
	Rules      []Expectation `json:"rules"`
}

// Target says what the scenario runs against.
type Target struct {
	Pos Pos `json:"-"`
	// Kind is "external" or "reference" (more kinds come with their issues).
	Kind string `json:"kind"`
	// BaseURL is where an external target's endpoints live.
	BaseURL string `json:"base_url,omitempty"`
	// Allow lists further host[:port] values the run may send traffic to,
	// beyond BaseURL and loopback.
	Allow []string `json:"allow,omitempty"`
	// Options are kind-specific settings, for example the reference
	// topology's resilience patterns.
	Options map[string]any `json:"options,omitempty"`
}

// Agents says where load comes from: Count local agent processes, or an
// existing cluster reached through Join, waiting for at least Min agents.
// The zero value (agents left out) means DefaultLocalAgents local agents;
// see Local.
type Agents struct {
	Pos   Pos      `json:"-"`
	Count int      `json:"count,omitempty"`
	Join  []string `json:"join,omitempty"`
	Min   int      `json:"min,omitempty"`
}

// Rate is a number of events per period, for example 300/s or 20/m.
type Rate struct {
	Freq float64       `json:"freq"`
	Per  time.Duration `json:"per"`
}

// PerSecond returns the rate in events per second.
func (r Rate) PerSecond() float64 {
	if r.Per <= 0 {
		return 0
	}
	return r.Freq / r.Per.Seconds()
}

// Load is the open-loop load of a scenario.
type Load struct {
	Pos      Pos           `json:"-"`
	Rate     Rate          `json:"rate"`
	Duration time.Duration `json:"duration"`
	// Warmup runs before Duration; its windows are recorded but not judged.
	Warmup time.Duration `json:"warmup,omitempty"`
	Shape  Shape         `json:"shape"`
	Mix    []Endpoint    `json:"mix"`
}

// Shape is the pacer: how the rate moves over the run. Kind is one of
// constant, ramp, step, sine or spike; the other fields apply per kind.
type Shape struct {
	Pos  Pos    `json:"-"`
	Kind string `json:"kind"`
	// ramp: from From to Load.Rate over the run. step: from From, adding
	// Step every Every. sine: Load.Rate ± Amplitude over Period.
	// spike: Load.Rate, with Spike instead during [At, At+For).
	From      Rate          `json:"from,omitempty"`
	Step      Rate          `json:"step,omitempty"`
	Every     time.Duration `json:"every,omitempty"`
	Amplitude Rate          `json:"amplitude,omitempty"`
	Period    time.Duration `json:"period,omitempty"`
	Spike     Rate          `json:"spike,omitempty"`
	At        time.Duration `json:"at,omitempty"`
	For       time.Duration `json:"for,omitempty"`
}

// Endpoint is one named entry of the load mix.
type Endpoint struct {
	Pos    Pos     `json:"-"`
	Name   string  `json:"name"`
	Weight float64 `json:"weight"`
	Method string  `json:"method"`
	// Path and Body are templates (see scenarios/README.md): {{seq}},
	// {{rand 1 100}}, {{uuid}}, {{capture "order" "id"}}.
	Path    string            `json:"path"`
	Body    string            `json:"body,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Timeout time.Duration     `json:"timeout"`
	// HTTP2 asks for HTTP/2 (h2c on plain http).
	HTTP2 bool `json:"http2,omitempty"`
	// Capture names values to take from this endpoint's responses, as
	// name -> JSON field path (for example "id" or "order.id").
	Capture map[string]string `json:"capture,omitempty"`
	// Good lists the status codes that count as good; default 200-399.
	Good []StatusRange `json:"good,omitempty"`
}

// StatusRange is an inclusive range of HTTP status codes.
type StatusRange struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// Request is a templated HTTP request used by probes.
type Request struct {
	Pos     Pos               `json:"-"`
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Body    string            `json:"body,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
}

// Probe is a consistency probe: write a unique record, then read it back
// until it is visible.
type Probe struct {
	Pos   Pos     `json:"-"`
	Name  string  `json:"name"`
	Write Request `json:"write"`
	// Read may use {{capture "write" "id"}} or {{probe_id}}.
	Read    Request       `json:"read"`
	Rate    Rate          `json:"rate"`
	Timeout time.Duration `json:"timeout"`
	// Grace is how long after the run a write may still become visible
	// before it counts as lost.
	Grace time.Duration `json:"grace"`
}

// FaultSpec is one fault on the timeline. At is measured from the end of
// warmup (the start of the judged run), so a fault never falls in warmup;
// Plan gives offsets from the start of the schedule. Params holds typed,
// validated values per the kind's ParamSpec: time.Duration, float64 ratio
// (percentages), int64 bytes, int status, string, or [][]string groups.
// Name defaults to "<kind>-<n>", n the 1-based timeline position.
type FaultSpec struct {
	Pos      Pos            `json:"-"`
	Name     string         `json:"name"`
	At       time.Duration  `json:"at"`
	Duration time.Duration  `json:"duration"`
	Kind     string         `json:"kind"`
	Target   Selector       `json:"target"`
	Params   map[string]any `json:"params,omitempty"`
}

// Selector chooses fault targets by service, instance, label or edge, then
// picks all, count(n) or percent(p) of them with the scenario seed.
type Selector struct {
	Pos      Pos    `json:"-"`
	Service  string `json:"service,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Label is key=value.
	Label string `json:"label,omitempty"`
	// Edge is "from->to" between services or instances.
	Edge string `json:"edge,omitempty"`
	Pick Pick   `json:"pick"`
}

// PickMode says how many of the matching targets a selector takes.
type PickMode string

// Pick modes.
const (
	PickAll     PickMode = "all"
	PickCount   PickMode = "count"
	PickPercent PickMode = "percent"
)

// Pick is a parsed all / count(n) / percent(p).
type Pick struct {
	Mode    PickMode `json:"mode"`
	N       int      `json:"n,omitempty"`
	Percent float64  `json:"percent,omitempty"`
}

// Variant changes target options for one pass of the scenario.
type Variant struct {
	Pos     Pos            `json:"-"`
	Name    string         `json:"name"`
	Options map[string]any `json:"options"`
}

// Expectation is one line of steady_state, abort_when, expect or a claim
// rule, as written and as parsed by the expectation language (expect.go).
type Expectation struct {
	Pos    Pos    `json:"-"`
	Source string `json:"source"`
	// Expr is Source parsed and type-checked; Decode fills it (nil only
	// when parsing failed, and then Decode returns an error).
	Expr *Expr `json:"expr,omitempty"`
	// col0 is the file column of Source's first byte, or 0 when the
	// scalar's layout (block or escaped) does not map bytes to columns.
	col0 int
	// library is set for a rule that came from the claims library.
	library bool
}
