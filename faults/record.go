package faults

import (
	"context"
	"sync"
	"time"

	"github.com/faultline/faultline/reports"
)

// Record is the proof that a fault happened: what, where, who did it,
// with which parameters, and when it was applied and reverted.
type Record struct {
	Fault      string
	Kind       string
	Executor   string // e.g. "proxy", "process"
	Agent      string
	Instance   string
	Params     map[string]any
	AppliedAt  time.Time
	RevertedAt time.Time
	// How says why it ended: "revert" or "lease expired".
	How string
}

func (r Record) event(kind reports.EventKind, at time.Time, detail string) reports.Event {
	p := map[string]any{"kind": r.Kind}
	for k, v := range r.Params {
		p[k] = v
	}
	return reports.Event{Time: at, Kind: kind, Fault: r.Fault, Agent: r.Agent, Instance: r.Instance, Executor: r.Executor, Params: p, Detail: detail}
}

// AppliedEvent is the fault_applied event for the result.
func (r Record) AppliedEvent() reports.Event {
	return r.event(reports.EvFaultApplied, r.AppliedAt, "")
}

// RevertedEvent is the fault_reverted event for the result.
func (r Record) RevertedEvent() reports.Event {
	return r.event(reports.EvFaultReverted, r.RevertedAt, r.How)
}

// Recorded wraps a Fault and emits its events to sink: fault_applied on
// a successful Apply, fault_reverted on a successful Revert. The wrapped
// fault's own lease expiry is reported by calling Expired.
type Recorded struct {
	Fault
	mu   sync.Mutex
	rec  Record
	sink func(reports.Event)
	on   bool
}

// NewRecorded wraps f; rec carries the static fields (AppliedAt and
// RevertedAt are filled in).
func NewRecorded(f Fault, rec Record, sink func(reports.Event)) *Recorded {
	return &Recorded{Fault: f, rec: rec, sink: sink}
}

// Apply implements Fault.
func (r *Recorded) Apply(ctx context.Context, lease time.Duration) error {
	if err := r.Fault.Apply(ctx, lease); err != nil {
		return err
	}
	r.mu.Lock()
	r.rec.AppliedAt, r.rec.RevertedAt, r.on = time.Now(), time.Time{}, true
	ev := r.rec.AppliedEvent()
	r.mu.Unlock()
	r.sink(ev)
	return nil
}

// Revert implements Fault.
func (r *Recorded) Revert(ctx context.Context) error {
	if err := r.Fault.Revert(ctx); err != nil {
		return err
	}
	r.ended("revert")
	return nil
}

// Expired records that the fault ended because its lease ran out.
func (r *Recorded) Expired() { r.ended("lease expired") }

func (r *Recorded) ended(how string) {
	r.mu.Lock()
	if !r.on {
		r.mu.Unlock()
		return
	}
	r.on = false
	r.rec.RevertedAt, r.rec.How = time.Now(), how
	ev := r.rec.RevertedEvent()
	r.mu.Unlock()
	r.sink(ev)
}

// Record returns the current record.
func (r *Recorded) Record() Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rec
}
