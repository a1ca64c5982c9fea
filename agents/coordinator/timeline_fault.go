package coordinator

import (
	"errors"
	"fmt"
	"time"

	"github.com/faultline/faultline/agents"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
)

// maxAttempts bounds how often one fault moves to another agent.
const maxAttempts = 5

// held reports whether a kind stays applied until reverted (and so needs
// renewing); kill, terminate and restart are one-shot.
func held(kind string) bool {
	switch kind {
	case "kill", "terminate", "restart":
		return false
	}
	return true
}

// executorName says which executor applied a kind, for the events.
func executorName(kind string) string {
	if scenarios.FaultKinds[kind].Class == "instance" {
		return "process"
	}
	return "proxy"
}

// runFault applies the i-th fault at its start, keeps it until its end,
// and reverts it; it re-applies on another agent when its agent is lost.
func (t *Timeline) runFault(start time.Time, i int) {
	pf, spec := t.cfg.Plan.Faults[i], t.cfg.Scenario.Timeline[i]
	if !t.sleepUntil(start.Add(pf.At)) {
		return
	}
	end := start.Add(pf.Until)
	excluded := map[string]bool{}
	var stale []agents.ToxicTarget // a lost executor's toxics, still leased
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		id := fmt.Sprintf("%s-%d", pf.Name, attempt)
		ctx, cancel := resolveCtx()
		res, err := Resolve(ctx, t.cfg.Inventory, spec, id, t.cfg.Scenario.Seed)
		cancel()
		if err != nil {
			t.note(pf.Name, "", "not applied: "+err.Error())
			return
		}
		agent := t.pickAgent(res.Host, excluded)
		if agent == "" {
			t.note(pf.Name, "", "not applied: no live agent left to execute it")
			return
		}
		lease := t.cfg.Lease
		ack, err := t.send(agent, agents.FaultCommand{Op: agents.FaultApply, ID: id, Spec: spec, Lease: lease, Targets: &res.Targets, Replaces: stale})
		if err != nil {
			t.note(pf.Name, agent, "apply failed: "+err.Error())
			excluded[agent] = true
			if errors.Is(err, errAgentLost) {
				continue
			}
			return // the executor refused: another agent would too
		}
		t.applied(pf, res, agent, ack.At)
		stale = nil
		if !held(spec.Kind) {
			// One-shot: the window still ends at Until, where the plan's
			// phases end; the target's supervisor does the replacing.
			t.sleepUntil(end)
			t.reverted(pf, res, agent, time.Now(), "one-shot fault; the window ends, the target replaces the instance")
			return
		}
		lost, at := t.hold(agent, id, lease, end)
		if !lost {
			t.revert(pf, res, agent, id)
			return
		}
		// The agent is gone (or its fault vanished): the proxy and the
		// guard end the fault when the lease runs out, at the latest.
		t.reverted(pf, res, agent, at, "executor lost; the fault's lease ends it by "+at.Format(time.RFC3339Nano))
		excluded[agent] = true
		stale = append(stale, res.Targets.Toxics...)
		if time.Until(end) <= 0 {
			return
		}
	}
	t.note(pf.Name, "", fmt.Sprintf("gave up after %d attempts", maxAttempts))
}

// hold renews the lease every lease/3 until end. It returns lost=true with
// the latest time the fault can still be in place when a renewal fails.
func (t *Timeline) hold(agent, id string, lease time.Duration, end time.Time) (bool, time.Time) {
	tick := time.NewTicker(lease / 3)
	defer tick.Stop()
	lastOK := time.Now()
	for {
		if !time.Now().Before(end) {
			return false, time.Time{}
		}
		timer := time.NewTimer(time.Until(end))
		select {
		case <-t.stop:
			timer.Stop()
			return false, time.Time{}
		case <-timer.C:
			return false, time.Time{}
		case <-tick.C:
			timer.Stop()
			if _, err := t.send(agent, agents.FaultCommand{Op: agents.FaultRenew, ID: id, Lease: lease}); err != nil {
				t.log.Printf("renew %s on %s: %v", id, agent, err)
				return true, lastOK.Add(lease)
			}
			lastOK = time.Now()
		}
	}
}

// revert asks the executor to revert, and records when it did.
func (t *Timeline) revert(pf scenarios.PlannedFault, res *Resolved, agent, id string) {
	ack, err := t.send(agent, agents.FaultCommand{Op: agents.FaultRevert, ID: id})
	if err != nil {
		t.reverted(pf, res, agent, time.Now(), "revert not acknowledged ("+err.Error()+"); the agent reverts all faults when its run stops, and the lease ends it at the latest")
		return
	}
	t.reverted(pf, res, agent, ack.At, "revert")
}

func (t *Timeline) applied(pf scenarios.PlannedFault, res *Resolved, agent string, at time.Time) {
	for _, in := range res.Instances {
		t.event(reports.Event{Time: at, Kind: reports.EvFaultApplied, Fault: pf.Name, Agent: agent, Instance: in,
			Executor: executorName(pf.Kind), Params: eventParams(pf, res, in)})
		if killed := killedEvent(pf, res, agent, in, at); killed != nil {
			t.event(*killed)
		}
	}
}

// killedEvent is the instance_killed event of a kill or terminate that an
// agent sent by pid, or nil for other kinds. The target's supervisor only
// sees its child exit, so without it the result would not say who killed
// the instance, or which process it was.
func killedEvent(pf scenarios.PlannedFault, res *Resolved, agent, instance string, at time.Time) *reports.Event {
	if pf.Kind != "kill" && pf.Kind != "terminate" {
		return nil
	}
	for _, x := range res.Targets.Procs {
		if x.Instance == instance {
			return &reports.Event{Time: at, Kind: reports.EvInstanceKilled, Fault: pf.Name, Agent: agent, Instance: instance,
				Executor: executorName(pf.Kind), Params: map[string]any{"kind": pf.Kind, "pid": x.PID},
				Detail: fmt.Sprintf("%s pid %d by agent %s", pf.Kind, x.PID, agent)}
		}
	}
	return nil
}

func (t *Timeline) reverted(pf scenarios.PlannedFault, res *Resolved, agent string, at time.Time, how string) {
	for _, in := range res.Instances {
		t.event(reports.Event{Time: at, Kind: reports.EvFaultReverted, Fault: pf.Name, Agent: agent, Instance: in,
			Executor: executorName(pf.Kind), Params: eventParams(pf, res, in), Detail: how})
	}
}

func (t *Timeline) note(fault, agent, detail string) {
	t.log.Printf("fault %s: %s", fault, detail)
	t.event(reports.Event{Kind: reports.EvNote, Fault: fault, Agent: agent, Detail: "fault " + fault + ": " + detail})
}

// eventParams are the fault's parameters as people write them, plus what
// it acted on for that instance: links and toxics, or the pid.
func eventParams(pf scenarios.PlannedFault, res *Resolved, instance string) map[string]any {
	p := map[string]any{"kind": pf.Kind}
	for k, v := range pf.Params {
		if d, ok := v.(time.Duration); ok {
			v = d.String()
		}
		p[k] = v
	}
	var links []string
	for _, x := range res.Targets.Toxics {
		if x.Instance == instance {
			links = append(links, x.Proxy+"/"+x.Toxic.Stream)
		}
	}
	if len(links) > 0 {
		p["links"] = links
	}
	for _, x := range res.Targets.Procs {
		if x.Instance == instance {
			p["pid"] = x.PID
		}
	}
	return p
}
