package reference

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sort"
	"syscall"

	"github.com/faultline/faultline/faults/process"
	"github.com/faultline/faultline/targets"
)

// BaseURL is the gateway's address: where every endpoint is served.
func (t *Topology) BaseURL() string {
	return "http://" + t.spec.Role("gateway")[0].Addr
}

// RegistryURL is the base URL of the registry HTTP API.
func (t *Topology) RegistryURL() string { return t.regURL }

// Dir is the run directory (spec, data, logs).
func (t *Topology) Dir() string { return t.cfg.Dir }

// Spec returns the topology's addresses and options.
func (t *Topology) Spec() Spec { return *t.spec }

// Endpoints lists the gateway's endpoints.
func (t *Topology) Endpoints() []targets.Endpoint {
	return append([]targets.Endpoint(nil), publicEndpoints...)
}

// Graph is the declared dependency graph.
func (t *Topology) Graph() *targets.Graph { return Graph() }

// Events returns the lifecycle events so far, oldest first.
func (t *Topology) Events() []Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Event(nil), t.events...)
}

// Instances lists every instance, in start order.
func (t *Topology) Instances(context.Context) ([]targets.Instance, error) {
	host, _ := os.Hostname()
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]targets.Instance, 0, len(t.spec.Instances))
	for _, in := range t.spec.Instances {
		i := targets.Instance{Role: in.Role, ID: in.ID, Addr: in.Addr, Admin: in.Admin, Host: host,
			State: targets.StateStopped, Labels: map[string]string{"service": in.Role}}
		if p := t.procs[in.ID]; p != nil {
			i.PID, i.State = p.cmd.Process.Pid, p.state
		}
		out = append(out, i)
	}
	return out, nil
}

// Kill sends SIGKILL; the supervisor replaces the instance after
// ReplaceDelay.
func (t *Topology) Kill(_ context.Context, id string) error {
	return t.signal(id, syscall.SIGKILL, "killed", "")
}

// Terminate sends SIGTERM; the instance is replaced like a killed one.
func (t *Topology) Terminate(_ context.Context, id string) error {
	return t.signal(id, syscall.SIGTERM, "terminated", "")
}

// Pause freezes the instance with SIGSTOP.
func (t *Topology) Pause(_ context.Context, id string) error {
	return t.signal(id, syscall.SIGSTOP, "paused", targets.StatePaused)
}

// Resume thaws a paused instance with SIGCONT.
func (t *Topology) Resume(_ context.Context, id string) error {
	return t.signal(id, syscall.SIGCONT, "resumed", targets.StateRunning)
}

// Restart terminates the instance and starts its replacement at once.
func (t *Topology) Restart(_ context.Context, id string) error {
	t.mu.Lock()
	if p := t.procs[id]; p != nil {
		p.restartNow = true
	}
	t.mu.Unlock()
	if p := t.pid(id); p > 1 {
		process.Resume(process.Target{PID: p, Group: true}) // a paused instance cannot act on SIGTERM
	}
	return t.signal(id, syscall.SIGTERM, "restarting", "")
}

// signal sends sig to a live instance and records the event.
func (t *Topology) signal(id string, sig syscall.Signal, kind, state string) error {
	if t.stopping.Load() {
		return errStopping
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.procs[id]
	if p == nil {
		return fmt.Errorf("%w %q (instances: %s)", targets.ErrUnknownInstance, id, t.idsLocked())
	}
	if p.state == targets.StateDead || p.state == targets.StateStopped {
		return fmt.Errorf("instance %s is %s, not running", id, p.state)
	}
	pid := p.cmd.Process.Pid
	// Each instance leads its own process group: signal the group, so
	// anything the instance started goes with it.
	if err := process.Signal(process.Target{PID: pid, Group: true}, sig); err != nil {
		return fmt.Errorf("signal %s: %w", id, err)
	}
	if state != "" {
		p.state = state
	}
	t.eventLocked(id, kind, pid, sig.String())
	return nil
}

func (t *Topology) idsLocked() string {
	ids := make([]string, 0, len(t.procs))
	for id := range t.procs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return fmt.Sprint(ids)
}

// Links asks the instance (or every running instance when id is empty)
// for its outgoing links.
func (t *Topology) Links(ctx context.Context, id string) ([]targets.Link, error) {
	var out []targets.Link
	for _, in := range t.spec.Instances {
		if id != "" && in.ID != id {
			continue
		}
		ls, err := t.linksOf(ctx, in)
		if err != nil {
			if id != "" {
				return nil, err
			}
			continue // a dead instance has no links
		}
		out = append(out, ls...)
	}
	if id != "" && out == nil {
		if _, ok := t.spec.Find(id); !ok {
			return nil, fmt.Errorf("%w %q", targets.ErrUnknownInstance, id)
		}
	}
	return out, nil
}

func (t *Topology) linksOf(ctx context.Context, in InstanceSpec) ([]targets.Link, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+in.Admin+"/links", nil)
	if err != nil {
		return nil, err
	}
	resp, err := t.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("links of %s: %w", in.ID, err)
	}
	defer resp.Body.Close()
	var ls []targets.Link
	if err := json.NewDecoder(resp.Body).Decode(&ls); err != nil {
		return nil, fmt.Errorf("links of %s: %w", in.ID, err)
	}
	return ls, nil
}
