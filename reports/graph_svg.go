package reports

import (
	"fmt"
	"html"
	"math"
	"sort"
	"strings"
)

// Node colours of the dependency graph.
const (
	nodeOK       = "#e8f1f8"
	nodeFaulted  = "#f5a623"
	nodeBreached = "#dc322f"
	nodeCascade  = "#8e44ad"
)

// graphSVG draws the declared dependency graph: endpoints on the left,
// services by call depth to the right. A faulted service is orange; an
// endpoint whose availability fell below 99% during a fault is red when it
// depends on the faulted service, purple (a cascade) when it does not.
// It returns "" when the result has no graph.
func graphSVG(r *Result, faultAvail map[string]float64) string {
	g := r.Header.Graph
	if g == nil || len(g.Endpoints) == 0 {
		return ""
	}
	faulted := map[string]bool{}
	for _, s := range r.FaultSpans() {
		if c := g.Component(s.Instance); c != "" {
			faulted[c] = true
		}
	}
	// Columns: endpoints, then services by breadth-first depth.
	depth := map[string]int{}
	var cols [][]string
	var eps []string
	for ep := range g.Endpoints {
		eps = append(eps, ep)
	}
	sort.Strings(eps)
	cols = append(cols, eps)
	frontier := []string{}
	for _, ep := range eps {
		for _, s := range g.Endpoints[ep] {
			if _, ok := depth[s]; !ok {
				depth[s] = 1
				frontier = append(frontier, s)
			}
		}
	}
	for d := 1; len(frontier) > 0 && d < 16; d++ {
		sort.Strings(frontier)
		cols = append(cols, frontier)
		var next []string
		for _, s := range frontier {
			for _, c := range g.Services[s] {
				if _, ok := depth[c]; !ok {
					depth[c] = d + 1
					next = append(next, c)
				}
			}
		}
		frontier = next
	}
	const colW, rowH, boxW, boxH = 190, 44, 150, 28
	pos := map[string][2]int{}
	rows := 0
	for ci, col := range cols {
		for ri, n := range col {
			key := n
			if ci == 0 {
				key = "ep:" + n
			}
			pos[key] = [2]int{20 + ci*colW, 20 + ri*rowH}
		}
		rows = max(rows, len(col))
	}
	w, h := 40+len(cols)*colW, 40+rows*rowH
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="dependency graph">`, w, h, w, h)
	b.WriteString(`<g stroke="#777" stroke-width="1.2" fill="none">`)
	edge := func(from, to [2]int) {
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d"/>`, from[0]+boxW, from[1]+boxH/2, to[0], to[1]+boxH/2)
	}
	for _, ep := range eps {
		for _, s := range g.Endpoints[ep] {
			edge(pos["ep:"+ep], pos[s])
		}
	}
	for s, calls := range g.Services {
		for _, c := range calls {
			if p, ok := pos[s]; ok {
				if q, ok := pos[c]; ok && depth[c] > depth[s] {
					edge(p, q)
				}
			}
		}
	}
	b.WriteString(`</g>`)
	node := func(key, label, fill, title string) {
		p := pos[key]
		fmt.Fprintf(&b, `<g><title>%s</title><rect x="%d" y="%d" width="%d" height="%d" rx="5" fill="%s" stroke="#333"/><text x="%d" y="%d" font-size="12" font-family="sans-serif" text-anchor="middle" fill="%s">%s</text></g>`,
			html.EscapeString(title), p[0], p[1], boxW, boxH, fill, p[0]+boxW/2, p[1]+boxH/2+4, textOn(fill), html.EscapeString(label))
	}
	for _, ep := range eps {
		fill, title := nodeOK, "endpoint "+ep
		if a, ok := faultAvail[ep]; ok && !math.IsNaN(a) && a < 0.99 {
			fill, title = nodeCascade, fmt.Sprintf("endpoint %s: availability %s during faults, outside the faulted services' reach (cascade)", ep, fmtPct(a))
			for c := range faulted {
				if g.DependsOn(ep, c) {
					fill, title = nodeBreached, fmt.Sprintf("endpoint %s: availability %s during faults (breached)", ep, fmtPct(a))
				}
			}
		}
		node("ep:"+ep, ep, fill, title)
	}
	for _, col := range cols[1:] {
		for _, s := range col {
			fill, title := nodeOK, "service "+s
			if faulted[s] {
				fill, title = nodeFaulted, "service "+s+" (faulted)"
			}
			node(s, s, fill, title)
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func textOn(fill string) string {
	if fill == nodeOK || fill == nodeFaulted {
		return "#000"
	}
	return "#fff"
}
