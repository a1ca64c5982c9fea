package coordinator

import (
	"context"
	"fmt"
	"io"
	"log"
	"sort"
	"strings"
	"time"

	"github.com/faultline/faultline/agents"
	"github.com/faultline/faultline/agents/cluster"
	"github.com/faultline/faultline/reports"
)

// Outcome is what a run produced besides what went to the Sink.
type Outcome struct {
	Start, End time.Time
	// Windows were written; Duplicates were received again and dropped.
	Windows, Duplicates int
	Aborted             bool
	AbortReason         string
	Interrupted         bool
	Agents              []reports.Agent
	// Gaps lists, per lost agent, how long its share went unserved.
	Gaps []Gap
	// SinkErr is the first error the Sink returned, if any.
	SinkErr error
}

// Coordinator runs one run. Use New, then Run once.
type Coordinator struct {
	cfg  Config
	node *cluster.Node
	log  *log.Logger

	start, end time.Time
	members    map[string]*member
	seen       map[winKey]bool
	tally      *tally
	out        Outcome
	hbDone     chan hbResult
	ending     bool
	// drainExtended is set once the end's drain has been extended for
	// agents still sending (stillSending), so that it is noted once.
	drainExtended bool
	// startAt, when set, is the schedule start (the session fixes it
	// before Run so that the result's header can name it); tl runs the
	// fault timeline. Both are set through timeline_hooks.go.
	startAt time.Time
	tl      *Timeline
}

type winKey struct {
	agent, endpoint string
	seq             uint64
}

// New checks cfg and returns a coordinator.
func New(cfg Config) (*Coordinator, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	w := cfg.Log
	if w == nil {
		w = io.Discard
	}
	return &Coordinator{
		cfg:     cfg,
		node:    cfg.Node,
		log:     log.New(w, "coordinator ", log.LstdFlags|log.Lmicroseconds),
		members: map[string]*member{},
		seen:    map[winKey]bool{},
		hbDone:  make(chan hbResult, 1024),
	}, nil
}

// WaitAgents blocks until at least MinAgents agents are live, or fails
// with ErrNotEnoughAgents after WaitAgents.
func (c *Coordinator) WaitAgents(ctx context.Context) error {
	deadline := time.NewTimer(c.cfg.WaitAgents)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		n := len(c.node.Agents())
		if n >= c.cfg.MinAgents {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return fmt.Errorf("%w: %d of %d agents joined within %s (check the join addresses, the key file, and that the agents run)", ErrNotEnoughAgents, n, c.cfg.MinAgents, c.cfg.WaitAgents)
		case <-tick.C:
		case <-c.node.Changed():
		}
	}
}

// Run waits for agents, runs the load across them and returns when the
// schedule has ended and the last windows are in, the Watcher aborts, or
// ctx is cancelled (Ctrl-C). In every case the agents are told to stop.
func (c *Coordinator) Run(ctx context.Context) (*Outcome, error) {
	if err := c.WaitAgents(ctx); err != nil {
		return nil, err
	}
	ld := c.cfg.Scenario.Load
	c.start = time.Now().Add(c.cfg.LeadTime)
	if !c.startAt.IsZero() {
		c.start = c.startAt
	}
	c.end = c.start.Add(ld.Warmup + ld.Duration)
	c.tally = newTally(c.start)
	c.out.Start = c.start
	c.event(reports.Event{Kind: reports.EvPhase, Detail: "load"})
	c.reconcile()
	c.startTimeline()

	hb := time.NewTicker(c.cfg.Lease / 5)
	defer hb.Stop()
	prog := time.NewTicker(time.Second)
	defer prog.Stop()
	endTimer := time.NewTimer(time.Until(c.end))
	defer endTimer.Stop()
	var drain <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			if !c.ending {
				c.haltTimeline()
				c.out.Interrupted = true
				c.finish("interrupted")
				drain = time.After(c.cfg.Drain)
			}
		case e := <-c.node.Inbox():
			if c.timelineAck(e) {
				continue
			}
			if c.handle(e) && !c.ending {
				c.haltTimeline()
				c.finish("aborted: " + c.out.AbortReason)
				drain = time.After(c.cfg.Drain)
			}
		case <-c.node.Changed():
			c.reconcile()
		case hr := <-c.hbDone:
			c.heartbeatDone(hr)
		case <-hb.C:
			c.reconcile()
			c.heartbeat()
		case <-prog.C:
			c.progress()
		case <-endTimer.C:
			if !c.ending {
				c.ending = true
				drain = time.After(c.cfg.Drain)
			}
		case <-drain:
			if more := c.stillSending(); more > 0 {
				drain = time.After(more)
				continue
			}
			return c.close(), nil
		}
		if c.ending && c.allDone() {
			return c.close(), nil
		}
	}
}

// finish tells every serving agent to stop now.
func (c *Coordinator) finish(reason string) {
	c.ending = true
	for id, m := range c.members {
		if m.serving() {
			go func() { _ = c.node.Send(id, agents.KindStop, c.cfg.RunID, agents.StopMsg{Reason: reason}) }()
		}
	}
}

// stillSending decides, when the drain has run out, whether to wait on:
// an agent that has not said done but sent something within the last
// stragglerQuiet is alive and behind (a CPU-starved box finishes its owed
// requests late), and stopping now would drop its last windows. It returns
// how long to wait before asking again, or 0 to stop waiting; it never
// waits past maxDrainFactor drains after the end, and records who held the
// run up and who was cut off, so no window goes missing silently.
func (c *Coordinator) stillSending() time.Duration {
	now := time.Now()
	var behind, cut []string
	for id, m := range c.members {
		if !m.serving() && m.state != "draining" {
			continue
		}
		if now.Sub(m.heard) <= stragglerQuiet {
			behind = append(behind, id)
		} else {
			cut = append(cut, id)
		}
	}
	sort.Strings(behind)
	sort.Strings(cut)
	if c.out.Interrupted || c.out.Aborted {
		behind, cut = nil, append(cut, behind...) // told to stop: no more waiting
	}
	hardEnd := c.end.Add(time.Duration(maxDrainFactor) * c.cfg.Drain)
	if len(behind) > 0 && now.Before(hardEnd) {
		if !c.drainExtended {
			c.drainExtended = true
			c.event(reports.Event{Kind: reports.EvNote, Detail: fmt.Sprintf("drain extended: agents still sending windows after the drain: %s", strings.Join(behind, ", "))})
		}
		return min(stragglerQuiet, time.Until(hardEnd))
	}
	if missing := append(behind, cut...); len(missing) > 0 {
		c.event(reports.Event{Kind: reports.EvNote, Detail: fmt.Sprintf("stopped waiting %s after the end; these agents had not finished and their last windows are missing: %s", now.Sub(c.end).Round(time.Second), strings.Join(missing, ", "))})
	}
	return 0
}

func (c *Coordinator) allDone() bool {
	for _, m := range c.members {
		if m.serving() || m.state == "draining" {
			return false
		}
	}
	return true
}

// close records the agents' final state and builds the Outcome.
func (c *Coordinator) close() *Outcome {
	c.waitTimeline()
	now := time.Now()
	if !c.out.Interrupted && !c.out.Aborted {
		c.finish("run over") // stragglers that never said done
	}
	ids := make([]string, 0, len(c.members))
	for id := range c.members {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		m := c.members[id]
		c.sinkErr(c.cfg.Sink.Agent(m.rec))
		c.out.Agents = append(c.out.Agents, m.rec)
	}
	c.out.End = now
	c.progress()
	return &c.out
}

func (c *Coordinator) sinkErr(err error) {
	if err != nil && c.out.SinkErr == nil {
		c.out.SinkErr = err
		c.log.Printf("result sink: %v", err)
	}
}

func (c *Coordinator) event(e reports.Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	c.sinkErr(c.cfg.Sink.Event(e))
}
