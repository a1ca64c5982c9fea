package reports

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// WriteText renders the terminal report: a header block, one table per
// endpoint (whole run and during each fault), the faults the events
// prove, other events, verdicts, probes and agents.
func WriteText(w io.Writer, r *Result) error {
	p := &textPrinter{w: w}
	p.header(r)
	for _, ep := range r.Endpoints() {
		p.endpoint(r, ep)
	}
	p.faults(r)
	p.events(r)
	p.verdicts(r)
	p.probes(r)
	p.agents(r)
	return p.err
}

// textPrinter keeps the first write error so that each section stays a
// straight list of lines.
type textPrinter struct {
	w   io.Writer
	err error
}

func (p *textPrinter) linef(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
	}
}

// table renders one titled table; right lists the right-aligned
// (numeric) columns.
func (p *textPrinter) table(title string, head []string, rows [][]string, right ...int) {
	if p.err != nil || len(rows) == 0 {
		return
	}
	p.linef("\n%s", title)
	align := make([]tw.Align, len(head))
	for i := range align {
		align[i] = tw.AlignLeft
	}
	for _, i := range right {
		align[i] = tw.AlignRight
	}
	t := tablewriter.NewTable(p.w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
	)
	t.Header(toAny(head)...)
	for _, row := range rows {
		if err := t.Append(row); err != nil {
			p.err = err
			return
		}
	}
	if err := t.Render(); err != nil {
		p.err = fmt.Errorf("render %s table: %w", title, err)
	}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func (p *textPrinter) header(r *Result) {
	h := r.Header
	name := h.Scenario
	if h.Variant != "" {
		name += " [" + h.Variant + "]"
	}
	p.linef("faultline report: %s (run %s)", name, h.RunID)
	p.linef("  schema %s · faultline %s · seed %d · target %s", h.Schema, h.Version, h.Seed, orDash(h.Target))
	end := "-"
	if r.End != nil {
		end = r.End.Ended.UTC().Format(time.RFC3339)
	}
	p.linef("  started %s · ended %s · covered %s", r.Origin().UTC().Format(time.RFC3339), end, fmtDur(r.Span()))
	if r.End != nil {
		reason := ""
		if r.End.Reason != "" {
			reason = " (" + r.End.Reason + ")"
		}
		p.linef("  exit code %d%s", r.End.ExitCode, reason)
	}
	if r.Truncated {
		p.linef("  TRUNCATED: the result ends without its end record (the run crashed or is still going); this report covers the %d complete windows written.", len(r.Windows))
	}
}

// Span is how long the result covers: to the end record, else to the end
// of the last window.
func (r *Result) Span() time.Duration {
	origin := r.Origin()
	if r.End != nil && !r.End.Ended.IsZero() {
		return r.End.Ended.Sub(origin)
	}
	var last time.Time
	for _, w := range r.Windows {
		if e := w.Start.Add(w.Length); e.After(last) {
			last = e
		}
	}
	if last.IsZero() {
		return 0
	}
	return last.Sub(origin)
}

// phaseRows are the ranges an endpoint table shows: the whole run, then
// each fault's window.
func (r *Result) phases() []struct {
	name     string
	from, to time.Duration
} {
	out := []struct {
		name     string
		from, to time.Duration
	}{{"whole run", 0, 0}}
	for _, s := range r.FaultSpans() {
		to := s.Reverted
		if !s.WasReverted {
			to = 0 // still on at the end of the result
		}
		// A summary's range is by one-second slot; a fault applied at
		// 10.4 s covers the slot of 10 s onwards.
		from := s.Applied.Truncate(SlotLength)
		out = append(out, struct {
			name     string
			from, to time.Duration
		}{"during " + s.Fault + " on " + orDash(s.Instance), from, to})
	}
	return out
}

// endpointHead and endpointRows are an endpoint's table: the whole run
// and each fault's window.
var endpointHead = []string{"phase", "requests", "availability", "p50", "p90", "p99", "p99.9", "service p99", "status", "errors"}

func endpointRows(r *Result, ep string) (rows [][]string, sums []Summary) {
	phases := r.phases()
	ranges := make([]Range, len(phases))
	for i, ph := range phases {
		ranges[i] = Range{ph.from, ph.to}
	}
	sums = r.Summaries(ep, ranges)
	for i, ph := range phases {
		s := sums[i]
		if s.Windows == 0 {
			continue
		}
		rows = append(rows, []string{ph.name, strconv.FormatInt(s.Requests, 10), fmtPct(s.Availability),
			fmtDur(s.P50), fmtDur(s.P90), fmtDur(s.P99), fmtDur(s.P999), fmtDur(s.ServiceP99),
			fmtCounts(s.Status), fmtCounts(s.ErrorClasses)})
	}
	return rows, sums
}

func endpointTitle(ep string, whole Summary) string {
	return fmt.Sprintf("Endpoint %s: %d windows from %d agent(s), latency corrected for coordinated omission", ep, whole.Windows, len(whole.Agents))
}

func (p *textPrinter) endpoint(r *Result, ep string) {
	rows, sums := endpointRows(r, ep)
	p.table(endpointTitle(ep, sums[0]), endpointHead, rows, 1, 2, 3, 4, 5, 6, 7)
	if lag := scheduleLag(sums[0]); lag != "" {
		p.linef("  schedule: %s", lag)
	}
}

// scheduleLag states, when there was any, how far the load fell short of
// its schedule: no silent caps.
func scheduleLag(s Summary) string {
	if s.MaxBehind <= 0 && s.Requests >= s.Intended {
		return ""
	}
	msg := ""
	if s.Intended > 0 {
		msg = fmt.Sprintf("sent %d of %d intended requests (%s)", s.Requests, s.Intended, fmtPct(float64(s.Requests)/float64(s.Intended)))
	}
	if s.MaxBehind > 0 {
		if msg != "" {
			msg += "; "
		}
		msg += "up to " + fmtDur(s.MaxBehind) + " behind schedule"
	}
	return msg
}

var faultHead = []string{"fault", "instance", "executor", "agent", "applied", "reverted", "held", "params"}

func faultRows(r *Result) [][]string {
	var rows [][]string
	for _, s := range r.FaultSpans() {
		rev, held := "NOT REVERTED", "-"
		if s.WasReverted {
			rev, held = fmtOffset(s.Reverted), fmtDur(s.Reverted-s.Applied)
		} else if r.Truncated {
			rev = "unknown (result truncated)"
		}
		rows = append(rows, []string{s.Fault, orDash(s.Instance), orDash(s.Executor), orDash(s.Agent),
			fmtOffset(s.Applied), rev, held, orDash(fmtParams(s.Params))})
	}
	return rows
}

func (p *textPrinter) faults(r *Result) {
	p.table("Faults (from the executors' own events)", faultHead, faultRows(r), 4, 5, 6)
}

var eventHead = []string{"at", "kind", "who", "detail"}

func eventRows(r *Result) [][]string {
	origin := r.Origin()
	var rows [][]string
	for _, e := range r.Events {
		if e.Kind == EvFaultApplied || e.Kind == EvFaultReverted {
			continue
		}
		who := e.Instance
		if who == "" {
			who = e.Agent
		}
		rows = append(rows, []string{fmtOffset(e.Time.Sub(origin)), string(e.Kind), orDash(who), orDash(e.Detail)})
	}
	return rows
}

func (p *textPrinter) events(r *Result) {
	p.table("Events", eventHead, eventRows(r), 0)
}

var verdictHead = []string{"status", "kind", "claim", "expectation", "observed", "bound", "window", "detail"}

func verdictRows(r *Result) (rows [][]string, passed int) {
	for _, v := range r.Verdicts {
		if verdictStatus(v) == "pass" {
			passed++
		}
		rows = append(rows, []string{verdictStatus(v), v.Kind, orDash(v.Claim), v.Expectation,
			fmtValue(v.Observed, v.Unit), fmtValue(v.Bound, v.Unit), fmtOffset(v.From) + ".." + fmtOffset(v.To), orDash(v.Detail)})
	}
	return rows, passed
}

func (p *textPrinter) verdicts(r *Result) {
	rows, pass := verdictRows(r)
	p.table(fmt.Sprintf("Verdicts: %d of %d passed", pass, len(r.Verdicts)), verdictHead, rows, 4, 5)
}

// verdictStatus upper-cases failures so that they stand out in a log.
func verdictStatus(v Verdict) string {
	switch v.Status {
	case "fail":
		return "FAIL"
	case "error":
		return "ERROR"
	case "":
		if v.Pass {
			return "pass"
		}
		return "FAIL"
	default:
		return v.Status
	}
}

var probeHead = []string{"probe", "writes", "acked", "lost", "stale reads", "monotonic violations", "max lag"}

func probeRows(r *Result) [][]string {
	var rows [][]string
	for _, ps := range r.ProbeStats() {
		rows = append(rows, []string{ps.Probe, strconv.Itoa(ps.Samples), strconv.Itoa(ps.Acked), strconv.Itoa(ps.Lost),
			strconv.Itoa(ps.StaleReads), strconv.Itoa(ps.Violations), fmtDur(ps.MaxLag)})
	}
	return rows
}

func (p *textPrinter) probes(r *Result) {
	p.table("Consistency probes", probeHead, probeRows(r), 1, 2, 3, 4, 5, 6)
}

var agentHead = []string{"agent", "addr", "capacity", "joined", "lost", "last share", "windows", "requests"}

func agentRows(r *Result) [][]string {
	per := map[string][2]int64{}
	for _, w := range r.Windows {
		c := per[w.AgentID]
		c[0]++
		c[1] += w.Requests
		per[w.AgentID] = c
	}
	origin := r.Origin()
	var rows [][]string
	for _, a := range r.Agents {
		share, lost := "-", "-"
		if n := len(a.Shares); n > 0 {
			share = fmtPct(a.Shares[n-1].Fraction)
		}
		if !a.Lost.IsZero() {
			lost = fmtOffset(a.Lost.Sub(origin))
		}
		rows = append(rows, []string{a.ID, orDash(a.Addr), strconv.Itoa(a.Capacity), fmtOffset(a.Joined.Sub(origin)), lost,
			share, strconv.FormatInt(per[a.ID][0], 10), strconv.FormatInt(per[a.ID][1], 10)})
	}
	return rows
}

func (p *textPrinter) agents(r *Result) {
	p.table("Agents", agentHead, agentRows(r), 2, 3, 4, 5, 6, 7)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
