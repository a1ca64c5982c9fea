package agents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"sync"
	"time"

	"github.com/faultline/faultline/agents/cluster"
	"github.com/faultline/faultline/targets"
)

// Config configures an Agent.
type Config struct {
	// Node is the agent's cluster membership (role agent), already started.
	Node *cluster.Node
	// NewLoad builds the load engine for each run.
	NewLoad LoadFactory
	// Faults executes fault commands; nil means NoFaults.
	Faults FaultExecutor
	// Log receives one line per run event; nil discards.
	Log io.Writer
}

// Agent serves runs, one after another, for whichever coordinator assigns
// them. It obeys only authenticated messages from a live coordinator, and
// stops everything when that coordinator goes quiet for one lease.
type Agent struct {
	cfg  Config
	node *cluster.Node
	log  *log.Logger

	mu       sync.Mutex
	run      *run
	finished map[string]bool // run ids served: never started twice
}

// run is the agent's one active run.
type run struct {
	id, coord string
	lease     time.Duration
	load      Load
	cancel    context.CancelFunc
	heard     time.Time
	share     float64 // last share given to the load (Serve loop only)
	done      chan struct{}
	stopOnce  sync.Once
	reason    string
}

// setShare passes a share change to the load. Heartbeats restate the
// share every second; only a change reaches the engine.
func (r *run) setShare(f float64) {
	if f != r.share {
		r.share = f
		r.load.SetShare(f)
	}
}

// New returns an agent on cfg.Node.
func New(cfg Config) (*Agent, error) {
	if cfg.Node == nil || cfg.NewLoad == nil {
		return nil, errors.New("agents: Config needs Node and NewLoad")
	}
	if cfg.Faults == nil {
		cfg.Faults = NoFaults{}
	}
	w := cfg.Log
	if w == nil {
		w = io.Discard
	}
	return &Agent{cfg: cfg, node: cfg.Node, log: log.New(w, "agent "+cfg.Node.ID()+" ", log.LstdFlags|log.Lmicroseconds), finished: map[string]bool{}}, nil
}

// watchdogTick is how often the agent checks its lease: a tenth of a
// second keeps the stop within lease + 0.1 s.
const watchdogTick = 100 * time.Millisecond

// Serve handles control messages until ctx ends, then stops any run.
func (a *Agent) Serve(ctx context.Context) error {
	tick := time.NewTicker(watchdogTick)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			a.stopRun("agent shutting down")
			return nil
		case e := <-a.node.Inbox():
			a.handle(ctx, e)
		case <-a.node.Changed():
			a.checkCoordinator()
		case <-tick.C:
			a.checkLease()
		}
	}
}

// Busy reports the id of the run being served, if any.
func (a *Agent) Busy() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.run == nil {
		return ""
	}
	return a.run.id
}

func (a *Agent) handle(ctx context.Context, e *cluster.Envelope) {
	if !a.fromCoordinator(e.From) {
		a.log.Printf("ignored %s from %s: not a live coordinator", e.Kind, e.From)
		return
	}
	if e.Kind == KindAssign {
		a.assign(ctx, e)
		return
	}
	a.mu.Lock()
	r := a.run
	if r == nil || r.id != e.RunID || r.coord != e.From {
		a.mu.Unlock()
		return // for a run this agent is not serving: ignore
	}
	r.heard = time.Now()
	a.mu.Unlock()
	switch e.Kind {
	case KindHeartbeat:
		var m HeartbeatMsg
		if json.Unmarshal(e.Body, &m) == nil && m.Share >= 0 && m.Share <= 1 {
			r.setShare(m.Share)
		}
	case KindShare:
		var m ShareMsg
		if err := json.Unmarshal(e.Body, &m); err != nil || m.Share < 0 || m.Share > 1 {
			a.log.Printf("bad share message: %v %s", err, e.Body)
			return
		}
		r.setShare(m.Share)
	case KindStop:
		var m StopMsg
		_ = json.Unmarshal(e.Body, &m)
		a.stopRun("stopped by coordinator: " + m.Reason)
	case KindFault:
		go a.fault(ctx, r, e.Body)
	}
}

func (a *Agent) fromCoordinator(id string) bool {
	for _, m := range a.node.Coordinators() {
		if m.ID == id {
			return true
		}
	}
	return false
}

func (a *Agent) fault(ctx context.Context, r *run, body []byte) {
	var cmd FaultCommand
	ack := FaultAck{At: time.Now()}
	err := json.Unmarshal(body, &cmd)
	ack.ID, ack.Op = cmd.ID, cmd.Op
	if err == nil {
		switch cmd.Op {
		case FaultApply:
			err = a.cfg.Faults.Apply(ctx, cmd)
		case FaultRenew:
			err = a.cfg.Faults.Renew(ctx, cmd.ID, cmd.Lease)
		case FaultRevert:
			err = a.cfg.Faults.Revert(ctx, cmd.ID)
		default:
			err = fmt.Errorf("unknown fault op %q (allowed: apply, renew, revert)", cmd.Op)
		}
	}
	ack.At = time.Now()
	if err != nil {
		ack.Error = err.Error()
	}
	_ = a.node.Send(r.coord, KindFaultAck, r.id, ack)
}

// checkLease stops a run whose coordinator has been silent for a lease.
func (a *Agent) checkLease() {
	a.mu.Lock()
	r := a.run
	a.mu.Unlock()
	if r != nil && time.Since(r.heard) > r.lease {
		a.stopRun(fmt.Sprintf("coordinator %s silent for %s (lease %s)", r.coord, time.Since(r.heard).Round(time.Millisecond), r.lease))
	}
}

// checkCoordinator stops a run as soon as membership says its coordinator
// is gone, which can come before the lease runs out.
func (a *Agent) checkCoordinator() {
	a.mu.Lock()
	r := a.run
	a.mu.Unlock()
	if r != nil && !a.fromCoordinator(r.coord) {
		a.stopRun("coordinator " + r.coord + " left the cluster")
	}
}

// stopRun stops the current run's load and reverts its faults.
func (a *Agent) stopRun(reason string) {
	a.mu.Lock()
	r := a.run
	a.mu.Unlock()
	if r == nil {
		return
	}
	r.stopOnce.Do(func() {
		r.reason = reason
		a.log.Printf("run %s: stopping: %s", r.id, reason)
		r.load.Stop()
		r.cancel()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := a.cfg.Faults.RevertAll(ctx); err != nil {
			a.log.Printf("run %s: revert faults: %v", r.id, err)
		}
	})
}

// checkAllowed refuses an assignment whose base URL is outside its own
// allowlist, before any request is built.
func checkAllowed(as Assignment) (*targets.Allowlist, error) {
	allow, err := targets.NewAllowlist(append([]string{as.BaseURL}, as.Allow...)...)
	if err != nil {
		return nil, err
	}
	if err := allow.CheckURL(as.BaseURL); err != nil {
		return nil, err
	}
	return allow, nil
}
