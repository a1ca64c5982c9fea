package reports

import (
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// mxStart is the origin of every synthetic run of the metrics tests.
var mxStart = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)

// mxScenario has six endpoints, a steady state on every endpoint, a kill
// of inventory from 10 s to 14 s and a latency fault on it from 22 s to
// 25 s (offsets include the 2 s warmup).
const mxScenario = `version: 1
name: metrics
target: {kind: external, base_url: "http://127.0.0.1:8080"}
load:
  rate: 600/s
  duration: 30s
  warmup: 2s
  mix:
    - {name: e1, path: /1}
    - {name: e2, path: /2}
    - {name: e3, path: /3}
    - {name: e4, path: /4}
    - {name: e5, path: /5}
    - {name: e6, path: /6}
steady_state:
  - availability(*) >= 99%
  - p99(*) <= 100ms
timeline:
  - {name: kill-inv, at: 8s, duration: 4s, kind: kill, target: {service: inventory}}
  - {name: slow-inv, at: 20s, duration: 3s, kind: latency, target: {service: inventory}, params: {latency: 200ms}}
`

func mxDecode(t *testing.T) (*scenarios.Scenario, *scenarios.Plan) {
	t.Helper()
	s, err := scenarios.Decode("metrics.yaml", []byte(mxScenario))
	if err != nil {
		t.Fatal(err)
	}
	return s, scenarios.NewPlan(s)
}

// outcome says how one request ends: failed, and its latency.
type outcome func(ep string, at time.Duration) (fail bool, lat time.Duration)

// mxResult builds a 32-slot run: two agents, each sending perAgent
// requests per second to every endpoint, evenly spaced in the slot, each
// recorded through a real Hist. The i-th request of a slot is due at
// slot + i/n, which is the time the outcome is asked about.
func mxResult(endpoints []string, perAgent int, fn outcome) *Result {
	r := &Result{Header: Header{Schema: Schema, RunID: "mx", Started: mxStart}}
	for sec := 0; sec < 32; sec++ {
		for a, agent := range []string{"a1", "a2"} {
			for _, ep := range endpoints {
				w := Window{RunID: "mx", AgentID: agent, Seq: uint64(sec), Endpoint: ep,
					Start: mxStart.Add(time.Duration(sec) * time.Second), Length: time.Second,
					Latency: NewHist(), Intended: int64(perAgent)}
				for i := 0; i < perAgent; i++ {
					// Interleave the agents' requests across the slot.
					k := 2*i + a
					at := time.Duration(sec)*time.Second + time.Duration(k)*time.Second/time.Duration(2*perAgent)
					fail, lat := fn(ep, at)
					w.Requests++
					w.Latency.Record(lat)
					if !fail {
						w.Good++
					}
				}
				r.Windows = append(r.Windows, w)
			}
		}
	}
	return r
}

func mxEvent(kind EventKind, at time.Duration, fault, inst string) Event {
	return Event{Time: mxStart.Add(at), Kind: kind, Fault: fault, Instance: inst}
}

var sixEndpoints = []string{"e1", "e2", "e3", "e4", "e5", "e6"}

// mxGraph declares e1, e2 -> catalog; e3 -> orders -> inventory;
// e4 -> inventory; e5, e6 -> query.
func mxGraph() *DepGraph {
	return &DepGraph{
		Endpoints: map[string][]string{"e1": {"catalog"}, "e2": {"catalog"}, "e3": {"orders"},
			"e4": {"inventory"}, "e5": {"query"}, "e6": {"query"}},
		Services:  map[string][]string{"orders": {"inventory"}},
		Instances: map[string]string{"inventory-1": "inventory", "orders-1": "orders"},
	}
}

func near(got, want, tol float64) bool { return got >= want-tol && got <= want+tol }
