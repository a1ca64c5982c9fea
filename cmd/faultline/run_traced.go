package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/targets"
)

// traceSummary is one endpoint's entry in an instance's /traces/summary:
// its requests by status and, per dependency service, calls by outcome and
// the latency of the calls made.
type traceSummary = reports.EndpointTraces

// tracedGraph reads every instance's /traces/summary and returns the
// dependencies tracing saw, keyed like the declared graph: mix endpoint ->
// the roles that served it (the edge and the service behind it), service
// -> services its instances called. Instances that do not answer (killed and not yet
// back, say) are skipped and named in the returned notes; nil when no
// instance answered at all.
func tracedGraph(ctx context.Context, insts []targets.Instance, eps []targets.Endpoint, mix []scenarios.Endpoint) (*reports.DepGraph, []string) {
	sums, notes := readSummaries(ctx, &http.Client{Timeout: 2 * time.Second}, insts)
	return tracedFrom(sums, insts, eps, mix), notes
}

// tracedFrom is tracedGraph from summaries already read: nil when none was.
func tracedFrom(sums map[string]map[string]traceSummary, insts []targets.Instance, eps []targets.Endpoint, mix []scenarios.Endpoint) *reports.DepGraph {
	if len(sums) == 0 {
		return nil
	}
	return buildTraced(sums, insts, eps, mix)
}

// readSummaries reads every instance's /traces/summary (instance ->
// endpoint -> summary); one that does not answer is named in the notes.
func readSummaries(ctx context.Context, c *http.Client, insts []targets.Instance) (map[string]map[string]traceSummary, []string) {
	sums := map[string]map[string]traceSummary{}
	var notes []string
	for _, in := range insts {
		if in.Admin == "" {
			continue
		}
		s, err := fetchSummary(ctx, c, in.Admin)
		if err != nil {
			notes = append(notes, fmt.Sprintf("traces of %s not read: %v", in.ID, err))
			continue
		}
		sums[in.ID] = s
	}
	return sums, notes
}

func fetchSummary(ctx context.Context, c *http.Client, admin string) (map[string]traceSummary, error) {
	var out map[string]traceSummary
	return out, getAdmin(ctx, c, admin, "/traces/summary", &out)
}

// getAdmin GETs path from an instance's admin endpoint and decodes the
// JSON answer into out.
func getAdmin(ctx context.Context, c *http.Client, admin, path string, out any) error {
	base := admin
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(out); err != nil {
		return fmt.Errorf("decode: %v", err)
	}
	return nil
}

// buildTraced turns per-instance summaries into a DepGraph. A service
// edge is any dependency with at least one call, whatever its outcome: a
// timed-out call still shows the request went there.
func buildTraced(sums map[string]map[string]traceSummary, insts []targets.Instance, eps []targets.Endpoint, mix []scenarios.Endpoint) *reports.DepGraph {
	g := &reports.DepGraph{Endpoints: map[string][]string{}, Services: map[string][]string{}, Instances: map[string]string{}}
	role := map[string]string{}
	for _, in := range insts {
		role[in.ID] = in.Role
		g.Instances[in.ID] = in.Role
	}
	svc := map[string]map[string]bool{}
	ep := map[string]map[string]bool{}
	add := func(m map[string]map[string]bool, k, v string) {
		if m[k] == nil {
			m[k] = map[string]bool{}
		}
		m[k][v] = true
	}
	for id, s := range sums {
		r := role[id]
		for name, sum := range s {
			for dep, outcomes := range sum.Deps {
				if dep == r || !anyCalls(outcomes) {
					continue
				}
				add(svc, r, dep)
			}
			// Every role that served the public endpoint is a first hop
			// (the edge and the service behind it), as in the declared
			// graph; what they called is in Services.
			for _, m := range mix {
				if sum.Requests > 0 && mixServes(m, name, eps) {
					add(ep, m.Name, r)
				}
			}
		}
	}
	for k, set := range svc {
		g.Services[k] = sortedKeys(set)
	}
	for k, set := range ep {
		g.Endpoints[k] = sortedKeys(set)
	}
	return g
}

// mixServes reports whether the target endpoint named name is the one the
// mix endpoint m requests (same method, matching path).
func mixServes(m scenarios.Endpoint, name string, eps []targets.Endpoint) bool {
	for _, te := range eps {
		if te.Name == name && strings.EqualFold(m.Method, te.Method) && pathMatches(m.Path, te.Path) {
			return true
		}
	}
	return false
}

func anyCalls(outcomes map[string]int) bool {
	for _, n := range outcomes {
		if n > 0 {
			return true
		}
	}
	return false
}

func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
