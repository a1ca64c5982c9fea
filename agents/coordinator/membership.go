package coordinator

import (
	"fmt"
	"hash/fnv"
	"time"

	"github.com/faultline/faultline/agents"
	"github.com/faultline/faultline/agents/cluster"
	"github.com/faultline/faultline/reports"
)

// reconcile compares the live agents with the run's roster: it assigns
// newcomers, declares the missing lost, and re-splits the rate when either
// happened, so that the offered rate holds within one window.
func (c *Coordinator) reconcile() {
	now := time.Now()
	live := map[string]cluster.Member{}
	for _, m := range c.node.Agents() {
		live[m.ID] = m
	}
	changed := false
	for id, m := range c.members {
		if !m.serving() {
			continue
		}
		_, ok := live[id]
		timedOut := m.state == "pending" && now.Sub(m.assigned) > acceptTimeout
		if ok && !timedOut {
			continue
		}
		changed = true
		detail := "left the cluster or was declared dead"
		if timedOut {
			detail = fmt.Sprintf("did not accept its assignment within %s", acceptTimeout)
		}
		c.lose(id, m, now, detail)
	}
	var fresh []cluster.Member
	if !c.ending && now.Before(c.end) {
		for id, lm := range live {
			if _, known := c.members[id]; !known {
				c.members[id] = newMember(lm, now)
				fresh = append(fresh, lm)
				changed = true
				c.event(reports.Event{Time: now, Kind: reports.EvAgentJoined, Agent: id, Detail: "address " + lm.Addr})
			}
		}
	}
	if changed {
		c.resplit(now, fresh)
	}
}

// lose marks an agent lost and records how long its share went unserved.
func (c *Coordinator) lose(id string, m *member, now time.Time, detail string) {
	m.state = "lost"
	m.rec.Lost = now
	if !m.lastWin.IsZero() {
		g := Gap{Agent: id, LastWindow: m.lastWin, Detected: now, Gap: now.Sub(m.lastWin)}
		c.out.Gaps = append(c.out.Gaps, g)
		detail += fmt.Sprintf("; its share went unserved for %s (last window ended %s, detected %s)",
			g.Gap.Round(time.Millisecond), g.LastWindow.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano))
	}
	c.event(reports.Event{Time: now, Kind: reports.EvAgentLost, Agent: id, Detail: detail})
}

// resplit recomputes shares over the serving agents, assigns the fresh
// ones and tells the others their new share.
func (c *Coordinator) resplit(now time.Time, fresh []cluster.Member) {
	var serving []cluster.Member
	for _, m := range c.members {
		if m.serving() {
			serving = append(serving, cluster.Member{Meta: cluster.Meta{ID: m.rec.ID, Capacity: m.rec.Capacity}})
		}
	}
	shares := Split(serving)
	isFresh := map[string]bool{}
	for _, f := range fresh {
		isFresh[f.ID] = true
	}
	for id, m := range c.members {
		f, ok := shares[id]
		if !ok {
			f = 0
		}
		if f == m.share && !isFresh[id] {
			continue
		}
		m.share = f
		m.rec.Shares = append(m.rec.Shares, reports.Share{At: now, Fraction: f})
		c.sinkErr(c.cfg.Sink.Agent(m.rec))
		c.event(reports.Event{Time: now, Kind: reports.EvShareChanged, Agent: id, Params: map[string]any{"share": f}})
		switch {
		case isFresh[id]:
			c.assign(id, f)
		case m.serving():
			go func() { _ = c.node.Send(id, agents.KindShare, c.cfg.RunID, agents.ShareMsg{Share: f}) }()
		}
	}
}

// assign sends an agent its part of the run.
func (c *Coordinator) assign(id string, share float64) {
	sc := c.cfg.Scenario
	a := agents.Assignment{
		RunID: c.cfg.RunID, AgentID: id, Start: c.start, Share: share,
		BaseURL: sc.Target.BaseURL, Allow: sc.Target.Allow, Load: sc.Load, Probes: sc.Probes,
		Seed: agentSeed(sc.Seed, id),
	}
	msg := agents.AssignMsg{Assignment: a, Lease: c.cfg.Lease}
	go func() {
		if err := c.node.Send(id, agents.KindAssign, c.cfg.RunID, msg); err != nil {
			c.log.Printf("assign %s: %v", id, err)
		}
	}()
}

// maxInFlight bounds heartbeats outstanding to one agent: a slow send must
// not hold the next one back (the agent would miss its lease), but a dead
// agent must not collect an unbounded number of them either.
const maxInFlight = 3

// heartbeat renews every serving agent's lease, restating its share.
func (c *Coordinator) heartbeat() {
	for id, m := range c.members {
		if m.state == "pending" {
			// Not accepted yet: the agent may not have heard of this
			// coordinator through gossip when the first assign came, and
			// ignored it. Agents take a repeated assign as a no-op.
			c.assign(id, m.share)
			continue
		}
		if !m.serving() || m.inFlight >= maxInFlight {
			continue
		}
		m.inFlight++
		msg := agents.HeartbeatMsg{Lease: c.cfg.Lease, Share: m.share}
		go func() {
			t0 := time.Now()
			err := c.node.Send(id, agents.KindHeartbeat, c.cfg.RunID, msg)
			if err != nil {
				c.log.Printf("heartbeat to %s failed after %s: %v", id, time.Since(t0).Round(time.Millisecond), err)
			} else if d := time.Since(t0); d > c.cfg.Lease/5 {
				c.log.Printf("heartbeat to %s took %s", id, d.Round(time.Millisecond))
			}
			c.hbDone <- hbResult{id, err}
		}()
	}
}

// hbResult is how one heartbeat send ended.
type hbResult struct {
	id  string
	err error
}

// unreachableAfter is how many heartbeats in a row may fail before the
// coordinator gives up on an agent without waiting for gossip to declare
// it dead: with a heartbeat every lease/5, about 3 s. A process that is
// gone refuses connections at once, and gossip's own verdict can take
// longer; meanwhile its share goes unserved. If the agent is in fact
// alive, it hears nothing either and stops at the end of its lease, so
// its old share never doubles up with the re-split for longer than that.
const unreachableAfter = 3

// heartbeatDone counts failures in a row and declares the agent lost at
// unreachableAfter.
func (c *Coordinator) heartbeatDone(hr hbResult) {
	m := c.members[hr.id]
	if m == nil {
		return
	}
	if m.inFlight > 0 {
		m.inFlight--
	}
	if hr.err == nil {
		m.hbFails = 0
		return
	}
	m.hbFails++
	if m.hbFails >= unreachableAfter && m.serving() {
		c.lose(hr.id, m, time.Now(), fmt.Sprintf("unreachable: %d heartbeats in a row failed (last: %v)", m.hbFails, hr.err))
		c.resplit(time.Now(), nil)
		go func() { _ = c.node.Send(hr.id, agents.KindStop, c.cfg.RunID, agents.StopMsg{Reason: "unreachable"}) }()
	}
}

// agentSeed gives each agent its own random stream, the same in every run
// of the scenario with the same agent ids.
func agentSeed(seed int64, id string) int64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return seed ^ int64(h.Sum64()>>1)
}
