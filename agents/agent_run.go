package agents

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/faultline/faultline/agents/cluster"
	"github.com/faultline/faultline/reports"
)

// Window batching: windows close once a second per endpoint; sending what
// closed within 100 ms together keeps one message per second per agent.
const (
	batchDelay  = 100 * time.Millisecond
	sendRetries = 3
)

// assign starts a run, or explains why not.
func (a *Agent) assign(ctx context.Context, e *cluster.Envelope) {
	var m AssignMsg
	reply := func(err error) {
		msg := AcceptMsg{}
		if err != nil {
			msg.Error = err.Error()
			a.log.Printf("refused run %s from %s: %v", e.RunID, e.From, err)
		}
		// Off the Serve loop: a slow send must not delay heartbeats.
		go func() { _ = a.node.Send(e.From, KindAccept, e.RunID, msg) }()
	}
	if err := json.Unmarshal(e.Body, &m); err != nil {
		reply(fmt.Errorf("bad assignment: %w", err))
		return
	}
	as := m.Assignment
	a.mu.Lock()
	switch {
	case a.run != nil && a.run.id == e.RunID:
		a.mu.Unlock()
		reply(nil) // a retried assign: already running it
		return
	case a.run != nil:
		busy := a.run.id
		a.mu.Unlock()
		reply(fmt.Errorf("busy with run %s", busy))
		return
	case a.finished[e.RunID]:
		a.mu.Unlock()
		reply(fmt.Errorf("run %s already served; a run never starts twice", e.RunID))
		return
	}
	a.mu.Unlock()
	if as.RunID != e.RunID || as.AgentID != a.node.ID() {
		reply(fmt.Errorf("assignment for run %q agent %q does not match envelope run %q agent %q", as.RunID, as.AgentID, e.RunID, a.node.ID()))
		return
	}
	if _, err := checkAllowed(as); err != nil {
		reply(err)
		return
	}
	if m.Lease <= 0 {
		m.Lease = DefaultLease
	}
	ld, err := a.cfg.NewLoad(as)
	if err != nil {
		reply(fmt.Errorf("load engine: %w", err))
		return
	}
	rctx, cancel := context.WithCancel(ctx)
	r := &run{id: e.RunID, coord: e.From, lease: m.Lease, load: ld, cancel: cancel, heard: time.Now(), done: make(chan struct{}), share: as.Share}
	a.mu.Lock()
	a.run = r
	a.finished[r.id] = true
	a.mu.Unlock()
	reply(nil)
	a.log.Printf("run %s: started, share %.3f, lease %s", r.id, as.Share, r.lease)
	go a.execute(rctx, r)
}

// execute runs the load and forwards its windows until it ends.
func (a *Agent) execute(ctx context.Context, r *run) {
	out := make(chan reports.Window, 256)
	fwd := make(chan int)
	go func() { fwd <- a.forward(r, out) }()
	err := r.load.Run(ctx, out)
	close(out)
	sent := <-fwd
	r.stopOnce.Do(func() { r.reason = "load finished" })
	done := DoneMsg{Reason: r.reason, Windows: sent}
	if err != nil && ctx.Err() == nil {
		done.Error = err.Error()
	}
	_ = a.node.Send(r.coord, KindDone, r.id, done)
	r.cancel()
	a.mu.Lock()
	if a.run == r {
		a.run = nil
	}
	a.mu.Unlock()
	close(r.done)
	a.log.Printf("run %s: done (%s)", r.id, r.reason)
}

// forward batches windows and sends them to the coordinator, retrying a
// failed send a few times: the coordinator drops duplicates. It returns
// how many windows it sent.
func (a *Agent) forward(r *run, in <-chan reports.Window) int {
	var batch []reports.Window
	sent := 0
	flush := func() {
		if len(batch) == 0 {
			return
		}
		for i := 0; i < sendRetries; i++ {
			if err := a.node.Send(r.coord, KindWindows, r.id, WindowsMsg{Windows: batch}); err == nil {
				sent += len(batch)
				break
			} else if i == sendRetries-1 {
				a.log.Printf("run %s: lost %d windows: %v", r.id, len(batch), err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		batch = nil
	}
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		select {
		case w, ok := <-in:
			if !ok {
				flush()
				return sent
			}
			w.RunID, w.AgentID = r.id, a.node.ID()
			if len(batch) == 0 {
				t.Reset(batchDelay)
			}
			batch = append(batch, w)
		case <-t.C:
			flush()
		}
	}
}
