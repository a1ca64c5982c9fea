package reports

import (
	"fmt"
	"math"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// Availability is good ÷ valid requests of one endpoint over one span.
// Valid requests are those sent and ended (Window.Requests): hits the
// engine cancelled when it stopped are not in it. Per-window availability
// is Series(endpoint)[i].Availability.
type Availability struct {
	Endpoint string
	// Span names the span: a phase name ("baseline", "fault kill-1") or
	// "before", "during", "after".
	Span           string
	From, To       time.Duration
	Requests, Good int64
	// Value is NaN when there were no requests (undefined, not 100%).
	Value float64
}

func availability(r *Result, endpoint, span string, from, to time.Duration) Availability {
	a := Availability{Endpoint: endpoint, Span: span, From: from, To: to}
	eps := []string{endpoint}
	if endpoint == "" {
		eps = r.Endpoints()
	}
	for _, ep := range eps {
		req, good := rangeCounts(r, ep, from, to)
		a.Requests += req
		a.Good += good
	}
	a.Value = ratio(a.Good, a.Requests)
	return a
}

// rangeCounts adds up endpoint's requests and good ones over the windows
// whose slot starts in [from, to) (to <= 0: to the end), as Summary
// selects them, without Summary's two histogram merges per window:
// availability needs only counts.
func rangeCounts(r *Result, endpoint string, from, to time.Duration) (requests, good int64) {
	origin := r.Origin()
	for i := range r.Windows {
		w := &r.Windows[i]
		if w.Endpoint != endpoint {
			continue
		}
		at := time.Duration(slot(origin, w.Start)) * SlotLength
		if at < from || (to > 0 && at >= to) {
			continue
		}
		requests += w.Requests
		good += w.Good
	}
	return requests, good
}

// PhaseAvailability returns each endpoint's availability over each phase
// of the plan, endpoints sorted, phases in time order.
func PhaseAvailability(r *Result, p *scenarios.Plan) []Availability {
	var out []Availability
	for _, ep := range r.Endpoints() {
		for _, ph := range p.Phases {
			out = append(out, availability(r, ep, ph.Name(), ph.From, ph.To))
		}
	}
	return out
}

// FaultAvailability is one endpoint before, during and after one fault.
type FaultAvailability struct {
	Fault, Endpoint       string
	Before, During, After Availability
}

// AvailabilityAroundFaults returns, for each fault and endpoint, the
// availability before the fault (from the end of warmup), during it (as
// the events prove it, else as planned) and after it (to the next fault's
// start or the end of the run).
func AvailabilityAroundFaults(r *Result, p *scenarios.Plan) []FaultAvailability {
	var out []FaultAvailability
	for _, pf := range p.Faults {
		applied, end, _, _, _ := faultWindow(r, pf)
		h := horizon(r, p, pf, applied)
		for _, ep := range r.Endpoints() {
			out = append(out, FaultAvailability{Fault: pf.Name, Endpoint: ep,
				Before: availability(r, ep, "before", p.Warmup, applied),
				During: availability(r, ep, "during", applied, end),
				After:  availability(r, ep, "after", end, max(h, end)),
			})
		}
	}
	return out
}

// Burn is an endpoint's SLO error-budget burn over a span: how fast it
// spent the errors its SLO allows. 1 spends the budget exactly over the
// span; 14.4 for an hour spends a 30-day budget's 2% (the usual fast-burn
// page).
type Burn struct {
	Endpoint         string
	SLO              float64
	From, To         time.Duration
	Requests, Errors int64
	// ErrorRate is Errors ÷ Requests, Rate is ErrorRate ÷ (1 − SLO).
	ErrorRate, Rate float64
	// Peak is the highest one-slot burn rate, at PeakAt.
	Peak   float64
	PeakAt time.Duration
}

// BurnRate measures endpoint's burn against slo (0.999 for 99.9%) over
// [from, to); endpoint "" means all requests together, and to <= 0 the
// end of the run.
func BurnRate(r *Result, endpoint string, slo float64, from, to time.Duration) (Burn, error) {
	if !(slo > 0 && slo < 1) {
		return Burn{}, fmt.Errorf("SLO %g: want a ratio strictly between 0 and 1, e.g. 0.999 for 99.9%%", slo)
	}
	if to <= 0 {
		to = max(r.Span(), from)
	}
	b := Burn{Endpoint: endpoint, SLO: slo, From: from, To: to, Peak: math.NaN()}
	a := availability(r, endpoint, "", from, to)
	if a.Requests == 0 {
		return b, fmt.Errorf("no requests to %s in [%s, %s): burn rate undefined", nameOr(endpoint, "any endpoint"), from, to)
	}
	b.Requests, b.Errors = a.Requests, a.Requests-a.Good
	b.ErrorRate = float64(b.Errors) / float64(b.Requests)
	b.Rate = b.ErrorRate / (1 - slo)
	eps := []string{endpoint}
	if endpoint == "" {
		eps = r.Endpoints()
	}
	perSlot := map[time.Duration][2]int64{}
	for _, ep := range eps {
		for _, pt := range r.Series(ep) {
			if pt.At < from || pt.At >= to {
				continue
			}
			c := perSlot[pt.At]
			perSlot[pt.At] = [2]int64{c[0] + pt.Requests, c[1] + pt.Errors}
		}
	}
	for at, c := range perSlot {
		if c[0] == 0 {
			continue
		}
		v := float64(c[1]) / float64(c[0]) / (1 - slo)
		if math.IsNaN(b.Peak) || v > b.Peak || (v == b.Peak && at < b.PeakAt) {
			b.Peak, b.PeakAt = v, at
		}
	}
	return b, nil
}

// SLOs returns the availability objectives a scenario's steady state
// states with a literal bound (availability(x) >= 99.9% gives x: 0.999),
// keyed by the endpoint argument ("" for all requests, "*" for each).
func SLOs(s *scenarios.Scenario) map[string]float64 {
	out := map[string]float64{}
	for _, e := range s.SteadyState {
		x := e.Expr
		if x == nil || x.Left.Metric == nil || x.Right.Metric != nil || x.Left.Metric.Name != "availability" {
			continue
		}
		if x.Op != ">=" && x.Op != ">" {
			continue
		}
		if v := x.Right.Value; v > 0 && v < 1 {
			out[x.Left.Metric.Arg] = max(out[x.Left.Metric.Arg], v)
		}
	}
	return out
}

func nameOr(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
