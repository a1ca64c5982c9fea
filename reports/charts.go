package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Chart size in points; the SVG carries a viewBox, so CSS scales it.
const (
	chartW = 7 * vg.Inch
	chartH = 3 * vg.Inch
)

var (
	faultFill  = color.NRGBA{R: 220, G: 50, B: 47, A: 40}
	lineColors = []color.Color{
		color.NRGBA{R: 38, G: 139, B: 210, A: 255},
		color.NRGBA{R: 133, G: 153, B: 0, A: 255},
		color.NRGBA{R: 203, G: 75, B: 22, A: 255},
		color.NRGBA{R: 108, G: 113, B: 196, A: 255},
		color.NRGBA{R: 42, G: 161, B: 152, A: 255},
	}
)

// svgOf renders p as an inline SVG element (no XML prolog).
func svgOf(p *plot.Plot) (string, error) {
	wt, err := p.WriterTo(chartW, chartH, "svg")
	if err != nil {
		return "", fmt.Errorf("chart: %w", err)
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return "", fmt.Errorf("chart: %w", err)
	}
	s := b.String()
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:]
	}
	return s, nil
}

// series is one line of a chart.
type series struct {
	name string
	xys  plotter.XYs
}

// lineChart draws lines over time with the fault windows shaded and
// labelled at the top. yMax <= 0 scales to the data.
func lineChart(title, yLabel string, lines []series, spans []FaultSpan, end float64, yMin, yMax float64) (string, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "seconds from start"
	p.Y.Label.Text = yLabel
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	top := yMax
	if top <= 0 {
		for _, l := range lines {
			for _, xy := range l.xys {
				top = math.Max(top, xy.Y)
			}
		}
		top *= 1.15
		if top <= 0 {
			top = 1
		}
	}
	for i, s := range spans {
		to := end
		if s.WasReverted {
			to = s.Reverted.Seconds()
		}
		from := s.Applied.Seconds()
		poly, err := plotter.NewPolygon(plotter.XYs{{X: from, Y: yMin}, {X: to, Y: yMin}, {X: to, Y: top}, {X: from, Y: top}})
		if err != nil {
			return "", err
		}
		poly.Color, poly.LineStyle.Width = faultFill, 0
		p.Add(poly)
		// Stagger labels of overlapping faults.
		y := top * (0.97 - 0.07*float64(i%3))
		if yMin > 0 {
			y = yMin + (top-yMin)*(0.97-0.07*float64(i%3))
		}
		lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: from, Y: y}}, Labels: []string{s.Fault}})
		if err != nil {
			return "", err
		}
		p.Add(lbl)
	}
	for i, l := range lines {
		if len(l.xys) == 0 {
			continue
		}
		ln, err := plotter.NewLine(l.xys)
		if err != nil {
			return "", err
		}
		ln.Color = lineColors[i%len(lineColors)]
		ln.Width = vg.Points(1.5)
		p.Add(ln)
		if len(lines) > 1 {
			p.Legend.Add(l.name, ln)
		}
	}
	p.Y.Min, p.Y.Max = yMin, top
	p.X.Min = 0
	if end > 0 {
		p.X.Max = end
	}
	return svgOf(p)
}

// availabilityChart is availability per second, in percent.
func availabilityChart(ep string, pts []Point, spans []FaultSpan, end float64) (string, error) {
	var xys plotter.XYs
	lo := 100.0
	for _, p := range pts {
		if p.Requests == 0 || math.IsNaN(p.Availability) {
			continue // no requests: a gap, not 100%
		}
		xys = append(xys, plotter.XY{X: mid(p), Y: p.Availability * 100})
		lo = math.Min(lo, p.Availability*100)
	}
	// Zoom on the interesting band, but never hide a dip.
	yMin := math.Max(0, math.Floor(lo/10)*10-5)
	if lo > 99 {
		yMin = 95
	}
	return lineChart("Availability of "+ep+" (faults shaded)", "availability %", []series{{"availability", xys}}, spans, end, yMin, 100.5)
}

// latencyChart is the corrected percentiles per second, in milliseconds.
func latencyChart(ep string, pts []Point, spans []FaultSpan, end float64) (string, error) {
	lines := []series{{name: "p50"}, {name: "p90"}, {name: "p99"}, {name: "p99.9"}}
	for _, p := range pts {
		if p.Requests == 0 {
			continue
		}
		for i, d := range []float64{p.P50.Seconds(), p.P90.Seconds(), p.P99.Seconds(), p.P999.Seconds()} {
			lines[i].xys = append(lines[i].xys, plotter.XY{X: mid(p), Y: d * 1000})
		}
	}
	return lineChart("Latency of "+ep+", corrected (faults shaded)", "ms", lines, spans, end, 0, 0)
}

// visibilityChart is the t-visibility curve: the share of acknowledged
// writes visible within t of their acknowledgement.
func visibilityChart(probes []ProbeSample) (string, error) {
	var lags []float64
	acked := 0
	for _, s := range probes {
		if s.Acked.IsZero() {
			continue
		}
		acked++
		if s.Lost || s.FirstFresh.IsZero() {
			continue // never visible: the curve stays below 100%
		}
		lags = append(lags, math.Max(0, s.Lag().Seconds()*1000))
	}
	if acked == 0 {
		return "", nil
	}
	slices.Sort(lags)
	xys := plotter.XYs{{X: 0, Y: 0}}
	for i, l := range lags {
		xys = append(xys, plotter.XY{X: l, Y: 100 * float64(i) / float64(acked)}, plotter.XY{X: l, Y: 100 * float64(i+1) / float64(acked)})
	}
	p := plot.New()
	p.Title.Text = "t-visibility: P(write visible by t after its ack)"
	p.X.Label.Text = "t (ms after ack)"
	p.Y.Label.Text = "% of acknowledged writes"
	ln, err := plotter.NewLine(xys)
	if err != nil {
		return "", err
	}
	ln.Color, ln.Width = lineColors[0], vg.Points(1.5)
	p.Add(ln)
	p.Y.Min, p.Y.Max = 0, 100.5
	return svgOf(p)
}

// mid is the middle of a point's slot, where its value belongs on a time
// axis (a fault applied at 10 s shows from 10 s, not from 9 s).
func mid(p Point) float64 { return (p.At + SlotLength/2).Seconds() }
