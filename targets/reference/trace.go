package reference

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
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
// dependency and outcome, and histograms the latency of the calls made
// (not those a breaker or bulkhead refused) per dependency.
type EndpointSummary struct {
	Requests int                        `json:"requests"`
	Status   map[int]int                `json:"status"`
	Deps     map[string]map[string]int  `json:"deps"`              // service -> outcome -> count
	Latency  map[string][]LatencyBucket `json:"latency,omitempty"` // service -> non-empty buckets
}

// tracer records the traces of one instance: a bounded ring of recent
// traces plus per-endpoint counters that never grow with requests. Every
// request of the instance goes through add, so add takes no lock: with one
// mutex here, a CPU-starved process fell into a lock convoy (Go's starving
// mutex hands it to each waiter in turn, and thousands of finished
// handlers queued behind it with their responses unsent).
type tracer struct {
	ring    [traceRing]atomic.Pointer[Trace]
	next    atomic.Uint64
	summary sync.Map // endpoint -> *endpointCounters
}

// endpointCounters is the live form of an EndpointSummary.
type endpointCounters struct {
	requests atomic.Int64
	status   sync.Map // int -> *atomic.Int64
	deps     sync.Map // depOutcome -> *atomic.Int64
	lat      sync.Map // service -> *callHist
}

type depOutcome struct{ service, outcome string }

const traceRing = 4096 // recent traces kept per instance

func newTracer() *tracer { return &tracer{} }

// counter returns the counter under key in m, creating it on first use.
func counter[K comparable](m *sync.Map, key K) *atomic.Int64 {
	return loadOrNew[K, atomic.Int64](m, key)
}

// loadOrNew returns the *V under key in m, storing a new one on first use
// (a Load first: LoadOrStore would allocate on every call).
func loadOrNew[K comparable, V any](m *sync.Map, key K) *V {
	if v, ok := m.Load(key); ok {
		return v.(*V)
	}
	v, _ := m.LoadOrStore(key, new(V))
	return v.(*V)
}

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
	s := loadOrNew[string, endpointCounters](&tr.summary, t.Endpoint)
	counter(&s.status, t.Status).Add(1)
	for _, c := range t.Calls {
		counter(&s.deps, depOutcome{c.Service, c.Outcome}).Add(1)
		if timed(c.Outcome) {
			loadOrNew[string, callHist](&s.lat, c.Service).add(c.MS)
		}
	}
	s.requests.Add(1)
	if t.ID == "" {
		return
	}
	i := tr.next.Add(1) - 1
	tr.ring[i%traceRing].Store(&t)
}

// find returns the recorded traces with id (one per request that carried it).
func (tr *tracer) find(id string) []Trace {
	var out []Trace
	for i := range tr.ring {
		if t := tr.ring[i].Load(); t != nil && t.ID == id {
			out = append(out, *t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// snapshot copies the per-endpoint summary. Counters are read one by one
// while requests go on, so a snapshot taken under load may count a request
// in one map and not yet in another; once requests stop it is exact.
func (tr *tracer) snapshot() map[string]EndpointSummary {
	out := map[string]EndpointSummary{}
	tr.summary.Range(func(k, v any) bool {
		s := v.(*endpointCounters)
		c := EndpointSummary{Requests: int(s.requests.Load()), Status: map[int]int{}, Deps: map[string]map[string]int{}}
		s.status.Range(func(st, n any) bool {
			c.Status[st.(int)] = int(n.(*atomic.Int64).Load())
			return true
		})
		s.deps.Range(func(d, n any) bool {
			k := d.(depOutcome)
			if c.Deps[k.service] == nil {
				c.Deps[k.service] = map[string]int{}
			}
			c.Deps[k.service][k.outcome] = int(n.(*atomic.Int64).Load())
			return true
		})
		s.lat.Range(func(svc, h any) bool {
			if b := h.(*callHist).buckets(); len(b) > 0 {
				if c.Latency == nil {
					c.Latency = map[string][]LatencyBucket{}
				}
				c.Latency[svc.(string)] = b
			}
			return true
		})
		out[k.(string)] = c
		return true
	})
	return out
}
