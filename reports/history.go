package reports

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"

	"gonum.org/v1/plot/plotter"
)

// ArchivedRun is one run of an archive.
type ArchivedRun struct {
	Dir    string
	Result *Result
}

// LoadArchive reads every run directory directly inside dir, oldest
// first. A directory that cannot be read is returned in skipped with why,
// never silently dropped.
func LoadArchive(dir string) (runs []ArchivedRun, skipped []string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("archive %s: %w", dir, err)
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if !e.IsDir() || !hasResult(p) {
			continue
		}
		r, err := Load(p)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s: %v", p, err))
			continue
		}
		runs = append(runs, ArchivedRun{Dir: p, Result: r})
	}
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].Result.Origin().Before(runs[j].Result.Origin()) })
	if len(runs) == 0 {
		return nil, skipped, fmt.Errorf("archive %s holds no readable run directory", dir)
	}
	return runs, skipped, nil
}

// Trend is one verdict or key metric across runs, oldest first.
type Trend struct {
	Name string
	Unit string
	// Values per run; NaN where the run lacks it.
	Values []float64
	// Status per run for verdicts (pass, FAIL, ERROR, "" when absent).
	Status []string
}

// Trends lists every verdict and, per endpoint, whole-run availability
// and p99, across runs.
func Trends(runs []ArchivedRun) []Trend {
	var out []Trend
	idx := map[string]int{}
	get := func(name, unit string) *Trend {
		i, ok := idx[name]
		if !ok {
			i = len(out)
			idx[name] = i
			t := Trend{Name: name, Unit: unit, Values: make([]float64, len(runs)), Status: make([]string, len(runs))}
			for k := range t.Values {
				t.Values[k] = math.NaN()
			}
			out = append(out, t)
		}
		return &out[i]
	}
	for k, run := range runs {
		for _, v := range run.Result.Verdicts {
			name := v.Kind + ": " + v.Expectation
			if v.Claim != "" {
				name = "claim " + v.Claim + ": " + v.Expectation
			}
			t := get(name, v.Unit)
			t.Values[k], t.Status[k] = v.Observed, verdictStatus(v)
		}
		for _, ep := range run.Result.Endpoints() {
			s := run.Result.Summary(ep, 0, 0)
			get("availability("+ep+")", "ratio").Values[k] = s.Availability
			get("p99("+ep+")", "seconds").Values[k] = s.P99.Seconds()
		}
	}
	return out
}

// historyCols is how many recent runs the text table shows.
const historyCols = 8

func historyCell(t Trend, k int) string {
	s := fmtValue(t.Values[k], t.Unit)
	if t.Status[k] != "" {
		s = t.Status[k] + " " + s
	}
	return s
}

// WriteHistoryText prints the trends of the last runs as a table, one
// column per run.
func WriteHistoryText(w io.Writer, runs []ArchivedRun) error {
	from := max(0, len(runs)-historyCols)
	head := []string{"verdict or metric"}
	for _, r := range runs[from:] {
		head = append(head, r.Result.Origin().UTC().Format("01-02 15:04"))
	}
	var rows [][]string
	for _, t := range Trends(runs) {
		row := []string{t.Name}
		for k := from; k < len(runs); k++ {
			row = append(row, historyCell(t, k))
		}
		rows = append(rows, row)
	}
	p := &textPrinter{w: w}
	p.table(fmt.Sprintf("History: %d runs (last %d shown), oldest left", len(runs), len(runs)-from), head, rows)
	return p.err
}

// WriteHistoryHTML writes the trend page: availability and p99 per
// endpoint across runs, and the whole trend table.
func WriteHistoryHTML(w io.Writer, runs []ArchivedRun) error {
	pg := &htmlPage{CSP: htmlCSP, Title: fmt.Sprintf("faultline history: %d runs", len(runs))}
	head := []string{"verdict or metric"}
	for _, r := range runs {
		head = append(head, r.Result.Origin().UTC().Format("2006-01-02 15:04"))
	}
	trends := Trends(runs)
	var rows [][]string
	for _, t := range trends {
		row := []string{t.Name}
		for k := range runs {
			row = append(row, historyCell(t, k))
		}
		rows = append(rows, row)
	}
	sec := htmlEndpoint{Name: "Trends", Table: newTable("Each verdict and key metric, oldest run first", head, rows)}
	for i, t := range trends {
		if t.Status[0] != "" || (t.Unit != "ratio" && t.Unit != "seconds") {
			continue // charts for the key metrics; verdicts are in the table
		}
		scale, unit := 100.0, "%"
		if t.Unit == "seconds" {
			scale, unit = 1000, "ms"
		}
		var xys plotter.XYs
		for k, v := range t.Values {
			if !math.IsNaN(v) {
				xys = append(xys, plotter.XY{X: float64(k + 1), Y: v * scale})
			}
		}
		svg, err := lineChart(t.Name+" by run", unit, []series{{t.Name, xys}}, nil, float64(len(runs))+0.5, 0, 0)
		if err != nil {
			return err
		}
		sec.Charts = append(sec.Charts, htmlChart{ID: fmt.Sprintf("trend-%d", i), Caption: t.Name + " per run (x: run number, oldest 1)", SVG: template.HTML(svg)})
	}
	pg.Endpoints = []htmlEndpoint{sec}
	return htmlTmpl.Execute(w, pg)
}
