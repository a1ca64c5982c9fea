package probes_test

import (
	"context"
	"log"

	"github.com/faultline/faultline/agents"
	"github.com/faultline/faultline/agents/probes"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/targets"
)

// How an agent runs the probes of its assignment: one Prober per probe,
// writing through the edge and reading on every read instance, until the
// end of the run (warmup included) plus each probe's grace.
func Example() {
	var a agents.Assignment // as received from the coordinator
	allow, err := targets.NewAllowlist(append([]string{a.BaseURL}, a.Allow...)...)
	if err != nil {
		log.Fatal(err)
	}
	var readers []probes.Reader
	for _, r := range a.ProbeReaders {
		readers = append(readers, probes.Reader{Name: r.Name, BaseURL: r.BaseURL})
	}
	out := make(chan reports.ProbeSample, 64) // forwarded to the coordinator
	for _, pr := range a.Probes {
		p, err := probes.New(probes.Config{RunID: a.RunID, AgentID: a.AgentID, Probe: pr,
			WriteURL: a.BaseURL, Readers: readers, Allow: allow, Seed: a.Seed,
			Until: a.Start.Add(a.Load.Warmup + a.Load.Duration)})
		if err != nil {
			log.Print(err) // a bad probe is refused before any traffic
			continue
		}
		go func() { _ = p.Run(context.Background(), out) }()
	}
}
