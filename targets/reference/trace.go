package reference

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"sort"
	"sync"
	"time"
)

// TraceHeader carries the trace id from the gateway through every hop.
const TraceHeader = "X-Trace-Id"

// Call outcomes a trace records.
const (
	OutcomeOK          = "ok"
	OutcomeError       = "error"        // the dependency answered with a failure
	OutcomeTimeout     = "timeout"      // no answer within the timeout
	OutcomeUnreachable = "unreachable"  // could not connect
	OutcomeBreakerOpen = "breaker_open" // not tried: the breaker was open
	OutcomeBulkhead    = "bulkhead"     // not tried: the bulkhead was full
	OutcomeStale       = "stale"        // failed, served from a stale cache
	OutcomeConflict    = "conflict"     // a compare-and-set lost a race (retried)
)

// Call is one call a request made to a dependency.
type Call struct {
	Service  string  `json:"service"`
	Instance string  `json:"instance,omitempty"`
	Outcome  string  `json:"outcome"`
	MS       float64 `json:"ms"`
}

// Trace is what one request touched inside one instance.
type Trace struct {
	ID       string    `json:"id"`
	Endpoint string    `json:"endpoint"`
	Start    time.Time `json:"start"`
	Status   int       `json:"status"`
	Calls    []Call    `json:"calls"`
}

// EndpointSummary counts, per endpoint, requests by status and calls by
// dependency and outcome.
type EndpointSummary struct {
	Requests int                       `json:"requests"`
	Status   map[int]int               `json:"status"`
	Deps     map[string]map[string]int `json:"deps"` // service -> outcome -> count
}

// tracer records the traces of one instance: a bounded ring of recent
// traces plus per-endpoint counters that never grow with requests.
type tracer struct {
	mu      sync.Mutex
	recent  []Trace
	next    int
	summary map[string]*EndpointSummary
}

const traceRing = 4096 // recent traces kept per instance

func newTracer() *tracer { return &tracer{summary: map[string]*EndpointSummary{}} }

type traceKey struct{}

type traceRec struct {
	mu sync.Mutex
	t  Trace
}

// newTraceID returns 16 random bytes in hex.
func newTraceID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// traceID returns the trace id of ctx, or "".
func traceID(ctx context.Context) string {
	if r, ok := ctx.Value(traceKey{}).(*traceRec); ok {
		return r.t.ID
	}
	return ""
}

// recordCall adds a call to the trace in ctx (no-op without one).
func recordCall(ctx context.Context, c Call) {
	r, ok := ctx.Value(traceKey{}).(*traceRec)
	if !ok {
		return
	}
	r.mu.Lock()
	r.t.Calls = append(r.t.Calls, c)
	r.mu.Unlock()
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// wrap records a trace for every request through h, under the endpoint
// name that name gives. A request without X-Trace-Id gets one when mint is
// set (the gateway); every response echoes it.
func (tr *tracer) wrap(name func(*http.Request) string, mint bool, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(TraceHeader)
		if id == "" && mint {
			id = newTraceID()
			r.Header.Set(TraceHeader, id)
		}
		if id != "" {
			w.Header().Set(TraceHeader, id)
		}
		rec := &traceRec{t: Trace{ID: id, Endpoint: name(r), Start: time.Now()}}
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), traceKey{}, rec)))
		rec.mu.Lock()
		rec.t.Status = sw.status
		t := rec.t
		rec.mu.Unlock()
		tr.add(t)
	})
}

func (tr *tracer) add(t Trace) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	s := tr.summary[t.Endpoint]
	if s == nil {
		s = &EndpointSummary{Status: map[int]int{}, Deps: map[string]map[string]int{}}
		tr.summary[t.Endpoint] = s
	}
	s.Requests++
	s.Status[t.Status]++
	for _, c := range t.Calls {
		if s.Deps[c.Service] == nil {
			s.Deps[c.Service] = map[string]int{}
		}
		s.Deps[c.Service][c.Outcome]++
	}
	if t.ID == "" {
		return
	}
	if len(tr.recent) < traceRing {
		tr.recent = append(tr.recent, t)
		return
	}
	tr.recent[tr.next] = t
	tr.next = (tr.next + 1) % traceRing
}

// find returns the recorded traces with id (one per request that carried it).
func (tr *tracer) find(id string) []Trace {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []Trace
	for _, t := range tr.recent {
		if t.ID == id {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// snapshot copies the per-endpoint summary.
func (tr *tracer) snapshot() map[string]EndpointSummary {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	out := make(map[string]EndpointSummary, len(tr.summary))
	for k, s := range tr.summary {
		c := EndpointSummary{Requests: s.Requests, Status: map[int]int{}, Deps: map[string]map[string]int{}}
		for st, n := range s.Status {
			c.Status[st] = n
		}
		for d, m := range s.Deps {
			c.Deps[d] = map[string]int{}
			for o, n := range m {
				c.Deps[d][o] = n
			}
		}
		out[k] = c
	}
	return out
}
