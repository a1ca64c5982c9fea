package agents

import (
	"time"

	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
)

// Control message kinds, carried in cluster.Envelope.Kind. Commands go from
// the coordinator to an agent; reports go back.
const (
	// KindAssign starts a run on an agent (body: AssignMsg).
	KindAssign = "assign"
	// KindAccept answers an assign (body: AcceptMsg).
	KindAccept = "accept"
	// KindShare changes an agent's share of the rate (body: ShareMsg).
	KindShare = "share"
	// KindHeartbeat renews the agent's lease on the run (body: HeartbeatMsg).
	KindHeartbeat = "hb"
	// KindStop ends the run on an agent (body: StopMsg).
	KindStop = "stop"
	// KindFault applies, renews or reverts a fault (body: FaultCommand).
	KindFault = "fault"
	// KindFaultAck answers a fault command (body: FaultAck).
	KindFaultAck = "fault_ack"
	// KindWindows carries closed windows to the coordinator (body: WindowsMsg).
	KindWindows = "windows"
	// KindDone says the agent's part of the run is over (body: DoneMsg).
	KindDone = "done"
)

// DefaultLease is how long an agent keeps working without hearing from its
// coordinator: after it, load stops and faults are reverted.
const DefaultLease = 5 * time.Second

// AssignMsg starts a run on an agent.
type AssignMsg struct {
	Assignment Assignment `json:"assignment"`
	// Lease is how long the agent may go without a heartbeat.
	Lease time.Duration `json:"lease"`
}

// AcceptMsg is an agent's answer to AssignMsg; Error is empty on success.
type AcceptMsg struct {
	Error string `json:"error,omitempty"`
}

// ShareMsg changes the agent's fraction of the scenario rate.
type ShareMsg struct {
	Share float64 `json:"share"`
}

// HeartbeatMsg renews the lease; it also restates the agent's share so that
// a lost share message heals within one heartbeat.
type HeartbeatMsg struct {
	Lease time.Duration `json:"lease"`
	Share float64       `json:"share"`
}

// StopMsg ends the run on an agent.
type StopMsg struct {
	Reason string `json:"reason,omitempty"`
}

// Fault operations.
const (
	FaultApply  = "apply"
	FaultRenew  = "renew"
	FaultRevert = "revert"
)

// FaultCommand asks an agent to apply, renew or revert one fault. ID names
// this application of the fault within the run.
type FaultCommand struct {
	Op    string              `json:"op"`
	ID    string              `json:"id"`
	Spec  scenarios.FaultSpec `json:"spec"`
	Lease time.Duration       `json:"lease"`
	// Targets is what the coordinator resolved the selector to: the exact
	// toxics per link and the processes by pid (apply only). The agent
	// executes it as given and never re-resolves a selector.
	Targets *FaultTargets `json:"targets,omitempty"`
	// Replaces (apply only) are the toxics of an earlier attempt at this
	// fault whose executor was lost. They are removed before the new ones
	// go in: left until their lease ran out, they would stack with them
	// (a 1 s latency would be 2 s).
	Replaces []ToxicTarget `json:"replaces,omitempty"`
}

// FaultAck reports what an agent did with a FaultCommand.
type FaultAck struct {
	ID    string    `json:"id"`
	Op    string    `json:"op"`
	At    time.Time `json:"at"`
	Error string    `json:"error,omitempty"`
}

// WindowsMsg carries closed windows.
type WindowsMsg struct {
	Windows []reports.Window `json:"windows"`
}

// DoneMsg says the agent stopped working on the run, and why.
type DoneMsg struct {
	Reason string `json:"reason"`
	Error  string `json:"error,omitempty"`
	// Windows is how many windows the agent sent for the run. Each send is
	// its own stream, so done can overtake the last windows; the
	// coordinator waits for this many (within its drain time).
	Windows int `json:"windows"`
}
