package reports

import (
	"fmt"
	"html/template"
	"io"
	"math"

	"gonum.org/v1/plot/plotter"
)

// WriteCompareHTML renders comparisons as one self-contained page: per
// comparison the metric table and, per endpoint, availability and p99 of
// each side's first run overlaid on one time axis.
func WriteCompareHTML(w io.Writer, cs []Comparison) error {
	pg := &htmlPage{CSP: htmlCSP, Title: "faultline compare"}
	for ci, c := range cs {
		var rows [][]string
		for _, d := range c.Diffs {
			rows = append(rows, compareRow(d))
		}
		e := htmlEndpoint{Name: c.Head + " vs " + c.Base, Table: newTable(compareTitle(c), compareHead, rows, 2, 3, 4, 6, 7)}
		if c.base != nil && c.head != nil {
			for ei, ep := range endpointsOf(c) {
				for _, m := range []struct {
					name, unit string
					val        func(Point) float64
				}{
					{"availability", "availability %", func(p Point) float64 { return p.Availability * 100 }},
					{"p99", "p99 ms", func(p Point) float64 { return p.P99.Seconds() * 1000 }},
				} {
					var lines []series
					for _, side := range []struct {
						name string
						r    *Result
					}{{"base " + c.Base, c.base}, {"head " + c.Head, c.head}} {
						var xys plotter.XYs
						for _, p := range side.r.Series(ep) {
							if v := m.val(p); p.Requests > 0 && !math.IsNaN(v) {
								xys = append(xys, plotter.XY{X: mid(p), Y: v})
							}
						}
						lines = append(lines, series{side.name, xys})
					}
					end := math.Max(c.base.Span().Seconds(), c.head.Span().Seconds())
					svg, err := lineChart(m.name+" of "+ep+": base and head overlaid", m.unit, lines, nil, end, 0, 0)
					if err != nil {
						return err
					}
					e.Charts = append(e.Charts, htmlChart{ID: fmt.Sprintf("cmp-%d-%d-%s", ci, ei, m.name),
						Caption: m.name + " of " + ep + " per second, first run of each side", SVG: template.HTML(svg)})
				}
			}
		}
		pg.Endpoints = append(pg.Endpoints, e)
	}
	return htmlTmpl.Execute(w, pg)
}

func endpointsOf(c Comparison) []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range c.Diffs {
		if !seen[d.Endpoint] {
			seen[d.Endpoint] = true
			out = append(out, d.Endpoint)
		}
	}
	return out
}
