package reports

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"time"
)

// htmlCSP forbids every fetch: the report is one file and must not call
// out, even by accident (a font, an image, a script).
const htmlCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

type htmlTable struct {
	Title string
	Head  []string
	Rows  [][]string
	// Right marks right-aligned (numeric) columns.
	Right map[int]bool
}

type htmlChart struct {
	ID, Caption string
	SVG         template.HTML
}

type htmlEndpoint struct {
	Name   string
	Table  htmlTable
	Lag    string
	Charts []htmlChart
}

type htmlClaim struct {
	Name         string
	Passed, Rule int
	Pass         bool
}

type htmlPage struct {
	CSP       string
	Title     string
	Header    []string
	Outcome   string
	Truncated string
	Verdicts  htmlTable
	Claims    []htmlClaim
	Endpoints []htmlEndpoint
	Probes    htmlTable
	Extra     []htmlChart
	Tables    []htmlTable
}

func newTable(title string, head []string, rows [][]string, right ...int) htmlTable {
	t := htmlTable{Title: title, Head: head, Rows: rows, Right: map[int]bool{}}
	for _, i := range right {
		t.Right[i] = true
	}
	return t
}

// WriteHTML renders one self-contained HTML page: inline SVG charts
// (availability and latency per endpoint with fault windows shaded, the
// t-visibility curve, the dependency graph), and the tables of the text
// report plus a claims scorecard. It fetches nothing and runs no script.
func WriteHTML(w io.Writer, r *Result) error {
	pg, err := buildPage(r)
	if err != nil {
		return err
	}
	return htmlTmpl.Execute(w, pg)
}

func buildPage(r *Result) (*htmlPage, error) {
	h := r.Header
	pg := &htmlPage{CSP: htmlCSP, Title: "faultline: " + h.Scenario}
	if h.Variant != "" {
		pg.Title += " [" + h.Variant + "]"
	}
	pg.Header = []string{"run " + h.RunID, "seed " + fmt.Sprint(h.Seed), "faultline " + h.Version,
		"target " + orDash(h.Target), "started " + r.Origin().UTC().Format(time.RFC3339), "covered " + fmtDur(r.Span())}
	if r.End != nil {
		pg.Header = append(pg.Header, fmt.Sprintf("exit %d %s", r.End.ExitCode, r.End.Reason))
	}
	rows, passed := verdictRows(r)
	pg.Outcome = fmt.Sprintf("%d of %d verdicts passed", passed, len(r.Verdicts))
	if r.Truncated {
		pg.Truncated = fmt.Sprintf("Truncated: the result has no end record (the run crashed or is still going); this report covers the %d complete windows written.", len(r.Windows))
	}
	pg.Verdicts = newTable("Verdicts", verdictHead, rows, 4, 5)
	pg.Claims = claimScores(r)
	spans := r.FaultSpans()
	end := r.Span().Seconds()
	faultAvail := map[string]float64{}
	for i, ep := range r.Endpoints() {
		rows, sums := endpointRows(r, ep)
		e := htmlEndpoint{Name: "Endpoint " + ep, Table: newTable(endpointTitle(ep, sums[0]), endpointHead, rows, 1, 2, 3, 4, 5, 6, 7), Lag: scheduleLag(sums[0])}
		worst := math.NaN()
		for _, s := range sums[1:] {
			if !math.IsNaN(s.Availability) && (math.IsNaN(worst) || s.Availability < worst) {
				worst = s.Availability
			}
		}
		faultAvail[ep] = worst
		pts := r.Series(ep)
		av, err := availabilityChart(ep, pts, spans, end)
		if err != nil {
			return nil, err
		}
		lat, err := latencyChart(ep, pts, spans, end)
		if err != nil {
			return nil, err
		}
		e.Charts = []htmlChart{
			{ID: fmt.Sprintf("availability-%d", i), Caption: "Availability of " + ep + " per second; shaded: fault windows", SVG: template.HTML(av)},
			{ID: fmt.Sprintf("latency-%d", i), Caption: "Latency percentiles of " + ep + " per second, corrected for coordinated omission", SVG: template.HTML(lat)},
		}
		pg.Endpoints = append(pg.Endpoints, e)
	}
	if len(r.Probes) > 0 {
		pg.Probes = newTable("Consistency probes", probeHead, probeRows(r), 1, 2, 3, 4, 5, 6)
		vis, err := visibilityChart(r.Probes)
		if err != nil {
			return nil, err
		}
		if vis != "" {
			pg.Extra = append(pg.Extra, htmlChart{ID: "t-visibility", Caption: "t-visibility: share of acknowledged writes visible within t", SVG: template.HTML(vis)})
		}
	}
	if g := graphSVG(r, faultAvail); g != "" {
		pg.Extra = append(pg.Extra, htmlChart{ID: "dependency-graph", Caption: "Dependency graph: orange faulted, red breached, purple cascade", SVG: template.HTML(g)})
	}
	pg.Tables = []htmlTable{
		newTable("Faults (from the executors' own events)", faultHead, faultRows(r), 4, 5, 6),
		newTable("Events", eventHead, eventRows(r)),
		newTable("Agents and their shares", agentHead, agentRows(r), 2, 3, 4, 5, 6, 7),
	}
	return pg, nil
}

// claimScores sums the verdicts of each claim: a claim holds when every
// rule of it passed.
func claimScores(r *Result) []htmlClaim {
	idx := map[string]int{}
	var out []htmlClaim
	for _, v := range r.Verdicts {
		if v.Claim == "" {
			continue
		}
		i, ok := idx[v.Claim]
		if !ok {
			i = len(out)
			idx[v.Claim] = i
			out = append(out, htmlClaim{Name: v.Claim, Pass: true})
		}
		out[i].Rule++
		if verdictStatus(v) == "pass" {
			out[i].Passed++
		} else {
			out[i].Pass = false
		}
	}
	return out
}

const htmlCSS = `
:root{--fg:#1d232a;--muted:#5b6770;--line:#d5dbe0;--bad:#dc322f;--ok:#2e7d32}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);margin:0 auto;max-width:1100px;padding:1rem}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid var(--line)}
.meta{color:var(--muted);display:flex;flex-wrap:wrap;gap:.3rem 1rem;list-style:none;padding:0}
.banner{background:#fff3cd;border:1px solid #e0c060;padding:.6rem;border-radius:4px}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;margin:.5rem 0;font-variant-numeric:tabular-nums;font-size:.9rem}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border-bottom:1px solid var(--line);padding:.25rem .6rem;text-align:left;white-space:nowrap}
td.n{text-align:right}
td.FAIL,td.ERROR,.claim.fail{color:var(--bad);font-weight:600}
td.pass,.claim.pass{color:var(--ok)}
figure{margin:1rem 0}figure svg{width:100%;height:auto;max-width:100%;display:block}
figcaption{color:var(--muted);font-size:.85rem}
.claims{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0}
.claim{border:1px solid var(--line);border-radius:4px;padding:.3rem .6rem}
@media (max-width:600px){body{font-size:14px;padding:.5rem}th,td{padding:.2rem .35rem}}
@media print{body{max-width:none;font-size:10pt}.scroll{overflow:visible}section,figure,table{break-inside:avoid}h2{break-after:avoid}a{color:inherit}}
`

var htmlTmpl = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<title>{{.Title}}</title>
<style>` + htmlCSS + `</style></head>
<body>
<header><h1>{{.Title}}</h1>
<ul class="meta">{{range .Header}}<li>{{.}}</li>{{end}}<li><strong>{{.Outcome}}</strong></li></ul>
{{with .Truncated}}<p class="banner">{{.}}</p>{{end}}
</header>
{{define "table"}}{{if .Rows}}<div class="scroll"><table><caption>{{.Title}}</caption>
<thead><tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr></thead><tbody>
{{range .Rows}}<tr>{{range $i, $c := .}}<td class="{{if index $.Right $i}}n{{end}} {{$c}}">{{$c}}</td>{{end}}</tr>
{{end}}</tbody></table></div>{{end}}{{end}}
<section id="verdicts"><h2>Verdicts</h2>
{{if .Claims}}<ul class="claims">{{range .Claims}}<li class="claim {{if .Pass}}pass{{else}}fail{{end}}">{{.Name}}: {{.Passed}}/{{.Rule}} {{if .Pass}}holds{{else}}broken{{end}}</li>{{end}}</ul>{{end}}
{{if .Verdicts.Rows}}{{template "table" .Verdicts}}{{else}}<p>No verdicts in this result.</p>{{end}}
</section>
{{range .Endpoints}}<section class="endpoint"><h2>{{.Name}}</h2>
{{template "table" .Table}}
{{with .Lag}}<p class="banner">Schedule: {{.}}</p>{{end}}
{{range .Charts}}<figure class="chart" id="{{.ID}}">{{.SVG}}<figcaption>{{.Caption}}</figcaption></figure>{{end}}
</section>{{end}}
{{if or .Probes.Rows .Extra}}<section id="consistency-and-graph"><h2>Consistency and dependencies</h2>
{{template "table" .Probes}}
{{range .Extra}}<figure class="chart" id="{{.ID}}">{{.SVG}}<figcaption>{{.Caption}}</figcaption></figure>{{end}}
</section>{{end}}
{{range .Tables}}{{if .Rows}}<section><h2>{{.Title}}</h2>{{template "table" .}}</section>{{end}}{{end}}
</body></html>
`))
