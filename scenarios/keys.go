package scenarios

// KnownKeys lists, per object of the scenario language, the keys the
// decoder accepts. The JSON Schema (schema.json) describes the same keys; a
// test holds the two together.
var KnownKeys = map[string][]string{
	"scenario": {"version", "name", "description", "tags", "seed", "claims", "target", "agents", "load", "probes", "steady_state", "timeline", "abort_when", "expect", "variants"},
	"claim":    {"id", "section", "statement", "experiment", "rules"},
	"target":   {"kind", "base_url", "allow", "options"},
	"agents":   {"count", "join", "min"},
	"load":     {"rate", "duration", "warmup", "shape", "mix"},
	"shape":    {"kind", "from", "step", "every", "amplitude", "period", "spike", "at", "for"},
	"endpoint": {"name", "weight", "method", "path", "body", "headers", "timeout", "http2", "capture", "good"},
	"probe":    {"name", "write", "read", "rate", "timeout", "grace"},
	"request":  {"method", "path", "body", "headers"},
	"fault":    {"name", "at", "duration", "kind", "target", "params"},
	"selector": {"service", "instance", "label", "edge", "pick"},
	"variant":  {"name", "options"},
}

// Target kinds this version knows.
var targetKinds = []string{"external", "reference"}

// Shape kinds (pacers).
var shapeKinds = []string{"constant", "ramp", "step", "sine", "spike"}

// HTTP methods a mix or probe may use.
var httpMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
