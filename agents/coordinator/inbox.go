package coordinator

import (
	"encoding/json"
	"time"

	"github.com/faultline/faultline/agents"
	"github.com/faultline/faultline/agents/cluster"
	"github.com/faultline/faultline/reports"
)

// handle processes one authenticated message from an agent. It returns
// true when the Watcher asked to abort.
func (c *Coordinator) handle(e *cluster.Envelope) bool {
	m := c.members[e.From]
	if e.RunID != c.cfg.RunID || m == nil {
		return false // another run's, or from a node not in this run
	}
	m.heard = time.Now()
	switch e.Kind {
	case agents.KindAccept:
		var a agents.AcceptMsg
		if err := json.Unmarshal(e.Body, &a); err != nil {
			return false
		}
		if a.Error != "" {
			if m.serving() {
				m.state = "refused"
				c.event(reports.Event{Kind: reports.EvNote, Agent: e.From, Detail: "refused the run: " + a.Error})
				c.resplit(time.Now(), nil)
			}
			return false
		}
		if m.state == "pending" {
			m.state = "active"
		}
	case agents.KindWindows:
		var w agents.WindowsMsg
		if err := json.Unmarshal(e.Body, &w); err != nil {
			c.log.Printf("bad windows from %s: %v", e.From, err)
			return false
		}
		if m.state == "pending" {
			m.state = "active"
		}
		abort := c.windows(e.From, m, w.Windows)
		if m.state == "draining" && m.got >= m.want {
			m.state = "done"
		}
		return abort
	case agents.KindDone:
		var d agents.DoneMsg
		_ = json.Unmarshal(e.Body, &d)
		if m.serving() {
			m.state, m.want = "draining", d.Windows
			if m.got >= m.want {
				m.state = "done"
			}
			if d.Error != "" {
				c.event(reports.Event{Kind: reports.EvNote, Agent: e.From, Detail: "load ended with an error: " + d.Error})
			}
		}
	case agents.KindFaultAck:
		// Faults are wired in a later step; acks are recorded as notes.
		var a agents.FaultAck
		if json.Unmarshal(e.Body, &a) == nil && a.Error != "" {
			c.event(reports.Event{Kind: reports.EvNote, Agent: e.From, Fault: a.ID, Detail: a.Op + " failed: " + a.Error})
		}
	}
	return false
}

// windows writes each window once. The sender is authenticated, so a
// window claiming another agent or run is dropped.
func (c *Coordinator) windows(from string, m *member, ws []reports.Window) bool {
	abort := false
	for _, w := range ws {
		if w.AgentID != from || w.RunID != c.cfg.RunID {
			continue
		}
		k := winKey{from, w.Endpoint, w.Seq}
		if c.seen[k] {
			c.out.Duplicates++
			continue
		}
		c.seen[k] = true
		c.out.Windows++
		m.got++
		if end := w.Start.Add(w.Length); end.After(m.lastWin) {
			m.lastWin = end
		}
		c.sinkErr(c.cfg.Sink.Window(w))
		c.tally.add(w)
		if c.cfg.Watcher != nil && !c.out.Aborted {
			if stop, why := c.cfg.Watcher.Observe(w); stop {
				c.out.Aborted, c.out.AbortReason = true, why
				c.event(reports.Event{Kind: reports.EvAbort, Detail: why})
				abort = true
			}
		}
	}
	return abort
}

// progress hands the live view to Config.Progress.
func (c *Coordinator) progress() {
	if c.cfg.Progress == nil {
		return
	}
	now := time.Now()
	s := Snapshot{Elapsed: now.Sub(c.start), Requests: c.tally.requests, Phase: c.phase(now)}
	if sec, ok := c.tally.latest(now); ok {
		s.Rate = float64(sec.requests)
		s.Intended = float64(sec.intended)
		s.Errors = sec.requests - sec.good
		s.P99 = sec.latency.Quantile(99)
	}
	live := map[string]bool{}
	for _, m := range c.node.Agents() {
		live[m.ID] = true
	}
	for id, m := range c.members {
		st := m.state
		switch {
		case st == "lost" || (m.serving() && !live[id]):
			st = "dead"
		case m.serving() && !m.heard.IsZero() && now.Sub(m.heard) > suspectAfter:
			// memberlist keeps suspicion to itself; a serving agent that
			// has sent nothing for this long is suspect to us.
			st = "suspect"
		case m.serving():
			st = "alive"
		}
		s.Agents = append(s.Agents, AgentView{ID: id, State: st, Share: m.share})
	}
	sortViews(s.Agents)
	c.cfg.Progress(s)
}

func (c *Coordinator) phase(now time.Time) string {
	switch {
	case c.out.Aborted:
		return "aborting"
	case c.out.Interrupted:
		return "stopping"
	case now.Before(c.start):
		return "starting"
	case now.Before(c.start.Add(c.cfg.Scenario.Load.Warmup)):
		return "warmup"
	case now.Before(c.end):
		return "load"
	default:
		return "drain"
	}
}
