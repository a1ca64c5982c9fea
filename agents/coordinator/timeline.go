package coordinator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"sort"
	"sync"
	"time"

	"github.com/faultline/faultline/agents"
	"github.com/faultline/faultline/agents/cluster"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
)

// Timeline runs a scenario's faults through agents against a target:
//
//	at each fault's start ─▶ Resolve (seeded select, pids, links, cuts)
//	                      ─▶ pick a live agent (same host first)
//	                      ─▶ apply (authenticated FaultCommand), fault_applied
//	every lease/3         ─▶ renew; a lost agent's fault moves to another
//	at the fault's end    ─▶ revert, fault_reverted
//
// Its goroutines never touch the coordinator's state: acks reach them
// through Ack, events go straight to the Sink (which is safe for
// concurrent use).
type Timeline struct {
	cfg     TimelineConfig
	log     *log.Logger
	mu      sync.Mutex
	waiters map[string]chan agents.FaultAck
	stop    chan struct{}
	halted  sync.Once
	wg      sync.WaitGroup
	done    chan struct{}
	started bool
	sinkErr error
}

// TimelineConfig configures a Timeline.
type TimelineConfig struct {
	// Node sends commands; its live agents are the executors.
	Node  *cluster.Node
	RunID string
	// Scenario supplies the faults (Timeline) and the seed; Plan their
	// offsets from the schedule start.
	Scenario *scenarios.Scenario
	Plan     *scenarios.Plan
	// Inventory is the target's instances and links.
	Inventory Inventory
	// Lease is each fault's lease (default faults' 5 s), renewed every
	// Lease/3 while the fault's window lasts.
	Lease time.Duration
	// AckTimeout bounds the wait for an agent's answer (default 5 s:
	// generous on a loaded machine; a dead agent is caught by membership).
	AckTimeout time.Duration
	Sink       interface{ Event(reports.Event) error }
	Log        io.Writer
}

// NewTimeline checks cfg and returns a timeline that has not started.
func NewTimeline(cfg TimelineConfig) (*Timeline, error) {
	if cfg.Node == nil || cfg.Scenario == nil || cfg.Plan == nil || cfg.Sink == nil {
		return nil, errors.New("coordinator: TimelineConfig needs Node, Scenario, Plan and Sink")
	}
	if len(cfg.Scenario.Timeline) > 0 && cfg.Inventory == nil {
		return nil, errors.New("the scenario has faults but the target exposes no instances to fault (use target kind reference)")
	}
	if len(cfg.Plan.Faults) != len(cfg.Scenario.Timeline) {
		return nil, fmt.Errorf("coordinator: plan has %d faults, scenario %d", len(cfg.Plan.Faults), len(cfg.Scenario.Timeline))
	}
	if cfg.Lease <= 0 {
		cfg.Lease = agents.DefaultLease
	}
	if cfg.AckTimeout <= 0 {
		cfg.AckTimeout = 5 * time.Second
	}
	w := cfg.Log
	if w == nil {
		w = io.Discard
	}
	return &Timeline{cfg: cfg, log: log.New(w, "timeline ", log.LstdFlags|log.Lmicroseconds),
		waiters: map[string]chan agents.FaultAck{}, stop: make(chan struct{}), done: make(chan struct{})}, nil
}

// Start runs every fault relative to start, the schedule start.
func (t *Timeline) Start(start time.Time) {
	t.mu.Lock()
	t.started = true
	t.mu.Unlock()
	for i := range t.cfg.Scenario.Timeline {
		t.wg.Add(1)
		go func() {
			defer t.wg.Done()
			t.runFault(start, i)
		}()
	}
	go func() { t.wg.Wait(); close(t.done) }()
}

// Halt ends every fault now (reverting what is applied); faults not yet
// started never start.
func (t *Timeline) Halt() { t.halted.Do(func() { close(t.stop) }) }

// Done is closed when every fault has ended (never, before Start).
func (t *Timeline) Done() <-chan struct{} { return t.done }

// SinkErr is the first error the Sink returned.
func (t *Timeline) SinkErr() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sinkErr
}

// Ack delivers an agent's FaultAck envelope. It never blocks.
func (t *Timeline) Ack(e *cluster.Envelope) {
	var a agents.FaultAck
	if json.Unmarshal(e.Body, &a) != nil {
		return
	}
	t.mu.Lock()
	ch := t.waiters[ackKey(e.From, a.ID, a.Op)]
	t.mu.Unlock()
	if ch != nil {
		select {
		case ch <- a:
		default:
		}
	}
}

func ackKey(agent, id, op string) string { return agent + "\x00" + id + "\x00" + op }

// errAgentLost marks a command that no agent answered.
var errAgentLost = errors.New("agent did not answer")

// send sends one command to agent and waits for its ack.
func (t *Timeline) send(agent string, cmd agents.FaultCommand) (agents.FaultAck, error) {
	k := ackKey(agent, cmd.ID, cmd.Op)
	ch := make(chan agents.FaultAck, 1)
	t.mu.Lock()
	t.waiters[k] = ch
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		delete(t.waiters, k)
		t.mu.Unlock()
	}()
	if err := t.cfg.Node.Send(agent, agents.KindFault, t.cfg.RunID, cmd); err != nil {
		return agents.FaultAck{}, fmt.Errorf("%w: %s %s to %s: %v", errAgentLost, cmd.Op, cmd.ID, agent, err)
	}
	timer := time.NewTimer(t.cfg.AckTimeout)
	defer timer.Stop()
	select {
	case a := <-ch:
		if a.Error != "" {
			return a, fmt.Errorf("agent %s: %s %s: %s", agent, cmd.Op, cmd.ID, a.Error)
		}
		return a, nil
	case <-timer.C:
		return agents.FaultAck{}, fmt.Errorf("%w: %s %s: no answer from %s within %s", errAgentLost, cmd.Op, cmd.ID, agent, t.cfg.AckTimeout)
	}
}

// pickAgent chooses the executor: a live agent labelled host=HOST of the
// instance if there is one, else any live agent, skipping excluded ones.
// The choice is stable (sorted ids) so a run is reproducible.
func (t *Timeline) pickAgent(host string, excluded map[string]bool) string {
	var same, other []string
	for _, m := range t.cfg.Node.Agents() {
		if excluded[m.ID] {
			continue
		}
		if host != "" && m.Labels["host"] == host {
			same = append(same, m.ID)
		} else {
			other = append(other, m.ID)
		}
	}
	sort.Strings(same)
	sort.Strings(other)
	if len(same) > 0 {
		return same[0]
	}
	if len(other) > 0 {
		return other[0]
	}
	return ""
}

func (t *Timeline) event(e reports.Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	if err := t.cfg.Sink.Event(e); err != nil {
		t.mu.Lock()
		if t.sinkErr == nil {
			t.sinkErr = err
		}
		t.mu.Unlock()
	}
}

// sleepUntil waits for at, or returns false when halted first.
func (t *Timeline) sleepUntil(at time.Time) bool {
	d := time.Until(at)
	if d <= 0 {
		select {
		case <-t.stop:
			return false
		default:
			return true
		}
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-t.stop:
		return false
	}
}

// ctx bounds one resolution.
func resolveCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 5*time.Second)
}
