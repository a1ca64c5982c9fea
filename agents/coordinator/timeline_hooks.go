package coordinator

import (
	"time"

	"github.com/faultline/faultline/agents"
	"github.com/faultline/faultline/agents/cluster"
)

// timelineWait bounds how long close waits for faults to revert.
const timelineWait = 15 * time.Second

// StartAt fixes the schedule start, for a caller that must know it before
// Run (the session writes it into the result's header). It must be in the
// future when Run begins.
func (c *Coordinator) StartAt(t time.Time) { c.startAt = t }

// SetTimeline makes Run execute tl's faults from the schedule start.
func (c *Coordinator) SetTimeline(tl *Timeline) { c.tl = tl }

func (c *Coordinator) startTimeline() {
	if c.tl != nil {
		c.tl.Start(c.start)
	}
}

func (c *Coordinator) haltTimeline() {
	if c.tl != nil {
		c.tl.Halt()
	}
}

// timelineAck hands fault acks of this run to the timeline.
func (c *Coordinator) timelineAck(e *cluster.Envelope) bool {
	if c.tl == nil || e.Kind != agents.KindFaultAck || e.RunID != c.cfg.RunID {
		return false
	}
	c.tl.Ack(e)
	return true
}

// waitTimeline waits for every fault to end, still reading the inbox so
// that revert acks arrive (and windows are not lost meanwhile).
func (c *Coordinator) waitTimeline() {
	if c.tl == nil {
		return
	}
	deadline := time.NewTimer(timelineWait)
	defer deadline.Stop()
	for {
		select {
		case <-c.tl.Done():
			c.sinkErr(c.tl.SinkErr())
			return
		case e := <-c.node.Inbox():
			if !c.timelineAck(e) {
				c.handle(e)
			}
		case <-deadline.C:
			c.log.Printf("timeline: faults still ending after %s; their leases end them", timelineWait)
			c.tl.Halt()
			return
		}
	}
}
