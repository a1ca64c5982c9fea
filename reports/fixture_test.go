package reports

import (
	"math/rand/v2"
	"time"
)

// fixtureStart is the fixed start time of every synthetic run, so that
// golden files never change.
var fixtureStart = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// fixtureConfig shapes a synthetic run.
type fixtureConfig struct {
	seed      uint64
	seconds   int
	agents    int
	endpoints []string
	rate      int // requests per second per endpoint, split across agents
}

// fixture builds a synthetic but internally consistent Result: windows per
// agent per endpoint per second with latencies drawn from a seeded
// distribution, a latency fault on "orders" from 10 s to 20 s that also
// makes 20% of its requests fail, events proving it, verdicts and probes.
func fixture(c fixtureConfig) *Result {
	rng := rand.New(rand.NewPCG(c.seed, 7))
	res := &Result{
		Header: Header{Schema: Schema, RunID: "run-1", Scenario: "checkout-latency",
			Version: "test", Seed: int64(c.seed), Started: fixtureStart, Target: "reference",
			Graph: &DepGraph{Endpoints: map[string][]string{"browse": {"catalog"}, "orders": {"orders"}},
				Services:  map[string][]string{"orders": {"inventory"}, "catalog": {"bus"}, "inventory": {"bus"}},
				Instances: map[string]string{"orders-1": "orders"}}},
	}
	for a := 0; a < c.agents; a++ {
		id := agentName(a)
		res.Agents = append(res.Agents, Agent{ID: id, Addr: "127.0.0.1:790" + string(rune('0'+a)),
			Capacity: 100, Joined: fixtureStart,
			Shares: []Share{{At: fixtureStart, Fraction: 1 / float64(c.agents)}}})
	}
	faultOn := func(s int) bool { return s >= 10 && s < 20 }
	for s := 0; s < c.seconds; s++ {
		for a := 0; a < c.agents; a++ {
			for _, ep := range c.endpoints {
				w := Window{RunID: "run-1", AgentID: agentName(a), Seq: uint64(s), Endpoint: ep,
					Start: fixtureStart.Add(time.Duration(s) * time.Second), Length: time.Second,
					Latency: NewHist(), Service: NewHist(),
					Status: map[int]int64{}, Errors: map[string]int64{}}
				n := c.rate / c.agents
				w.Intended = int64(n)
				for i := 0; i < n; i++ {
					d := time.Duration(5+rng.ExpFloat64()*10) * time.Millisecond
					if ep == "orders" && faultOn(s) {
						d += 100 * time.Millisecond
					}
					w.Requests++
					w.Latency.Record(d)
					w.Service.Record(d - time.Millisecond)
					if ep == "orders" && faultOn(s) && rng.IntN(5) == 0 {
						w.Status[503]++
						continue
					}
					w.Status[200]++
					w.Good++
				}
				if ep == "orders" && faultOn(s) {
					w.Errors["timeout"] = 1
					w.Status[0]++
					w.Requests++
				}
				res.Windows = append(res.Windows, w)
			}
		}
	}
	res.Events = []Event{
		{Time: fixtureStart.Add(10 * time.Second), Kind: EvFaultApplied, Fault: "slow-orders",
			Agent: agentName(0), Instance: "orders-1", Executor: "proxy",
			Params: map[string]any{"latency": "100ms"}},
		{Time: fixtureStart.Add(20 * time.Second), Kind: EvFaultReverted, Fault: "slow-orders",
			Agent: agentName(0), Instance: "orders-1", Executor: "proxy"},
	}
	res.Verdicts = []Verdict{
		{Kind: "expect", Expectation: "availability(browse) >= 99.9%", Observed: 1, Bound: 0.999,
			Unit: "ratio", Pass: true, Status: "pass", To: time.Duration(c.seconds) * time.Second},
		{Kind: "claim", Claim: "isolation", Expectation: "p99(orders) <= 50ms during fault(slow-orders)",
			Observed: 0.131, Bound: 0.05, Unit: "seconds", Status: "fail",
			From: 10 * time.Second, To: 20 * time.Second},
	}
	for i := 0; i < 5; i++ {
		w := fixtureStart.Add(time.Duration(2+i*5) * time.Second)
		res.Probes = append(res.Probes, ProbeSample{RunID: "run-1", AgentID: agentName(0),
			Probe: "order-visible", Key: "k" + string(rune('0'+i)), Written: w,
			Acked: w.Add(3 * time.Millisecond), FirstFresh: w.Add(time.Duration(20+i*40) * time.Millisecond),
			LastStale: w.Add(time.Duration(10+i*40) * time.Millisecond), Reads: 3 + i, StaleReads: 1 + i})
	}
	res.End = &End{Ended: fixtureStart.Add(time.Duration(c.seconds) * time.Second), ExitCode: 1, Reason: "1 expectation failed"}
	return res
}

func agentName(i int) string { return "agent-" + string(rune('a'+i)) }

// writeFixture writes res through a Writer into dir, in record order,
// optionally without closing (a crashed run).
func writeFixture(dir string, res *Result, close bool) (*Writer, error) {
	w, err := NewWriter(dir)
	if err != nil {
		return nil, err
	}
	steps := []func() error{func() error { return w.Header(res.Header) }}
	for _, a := range res.Agents {
		steps = append(steps, func() error { return w.Agent(a) })
	}
	for _, x := range res.Windows {
		steps = append(steps, func() error { return w.Window(x) })
	}
	for _, p := range res.Probes {
		steps = append(steps, func() error { return w.Probe(p) })
	}
	for _, e := range res.Events {
		steps = append(steps, func() error { return w.Event(e) })
	}
	for _, v := range res.Verdicts {
		steps = append(steps, func() error { return w.Verdict(v) })
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return w, err
		}
	}
	if close {
		return w, w.Close(*res.End)
	}
	return w, nil
}
