package reference

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline/faultline/targets"
)

// Config configures a topology. The zero value works, except that Binary
// must name a faultline binary when the caller is not one (tests).
type Config struct {
	// Binary is the faultline binary the instances run; default: this
	// process's executable.
	Binary string `yaml:"binary"`
	// Dir is the run directory (spec, data, logs). Default: a new
	// temporary directory, removed by Stop unless KeepDir.
	Dir     string `yaml:"dir"`
	KeepDir bool   `yaml:"keep_dir"`
	// ReplaceDelay is how long a dead instance stays dead before the
	// supervisor starts a replacement (the auto-scaling group's delay).
	ReplaceDelay time.Duration `yaml:"replace_delay"`
	// Registry is where the registry HTTP API listens; default a free
	// loopback port.
	Registry string `yaml:"registry"`
	// StartTimeout bounds start-up until every instance is healthy.
	StartTimeout time.Duration `yaml:"start_timeout"`
	// Options are the resilience patterns and tuning.
	Options Options `yaml:"options"`
	// Log receives supervisor lines; nil discards them.
	Log io.Writer `yaml:"-"`
}

// Defaults for Config.
const (
	DefaultReplaceDelay = 2 * time.Second
	DefaultStartTimeout = 60 * time.Second
	stopGrace           = 5 * time.Second // SIGTERM, then SIGKILL
)

// Event is a lifecycle change the supervisor saw or caused.
type Event struct {
	Time     time.Time `json:"time"`
	Instance string    `json:"instance"`
	// Kind is started, ready, exited, killed, terminated, paused, resumed,
	// restarting, replaced or stopped.
	Kind   string `json:"kind"`
	PID    int    `json:"pid,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// Topology is a running reference topology. It implements targets.Target,
// targets.Controller and targets.Linker.
type Topology struct {
	cfg    Config
	spec   *Spec
	ownDir bool
	sp     *spawner
	reg    *http.Server
	regURL string
	hc     *http.Client

	stopping atomic.Bool
	wg       sync.WaitGroup
	mu       sync.Mutex
	procs    map[string]*proc
	events   []Event
	done     chan struct{}
	stopOnce sync.Once
}

var (
	_ targets.Target     = (*Topology)(nil)
	_ targets.Controller = (*Topology)(nil)
	_ targets.Linker     = (*Topology)(nil)
)

type proc struct {
	spec       InstanceSpec
	cmd        *exec.Cmd
	state      string
	restartNow bool // replace at once (Restart), not after ReplaceDelay
	exited     chan struct{}
}

// Start launches the whole topology and returns once every instance is
// healthy and the gateway routes to every service, or fails and leaves
// nothing running.
func Start(ctx context.Context, cfg Config) (*Topology, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	t := &Topology{cfg: cfg, procs: map[string]*proc{}, sp: newSpawner(), done: make(chan struct{}),
		hc: &http.Client{Timeout: 2 * time.Second}}
	if cfg.Dir == "" {
		d, err := os.MkdirTemp("", "faultline-target-")
		if err != nil {
			return nil, err
		}
		t.cfg.Dir, t.ownDir = d, true
	}
	if err := os.MkdirAll(filepath.Join(t.cfg.Dir, "logs"), 0o755); err != nil {
		return nil, err
	}
	spec, err := newSpec(t.cfg.Dir, cfg.Options)
	if err != nil {
		return nil, err
	}
	t.spec = spec
	if err := spec.write(); err != nil {
		releasePorts(spec.addrs())
		return nil, err
	}
	if err := t.serveRegistry(); err != nil {
		releasePorts(spec.addrs())
		return nil, err
	}
	sctx, cancel := context.WithTimeout(ctx, cfg.StartTimeout)
	defer cancel()
	if err := t.boot(sctx); err != nil {
		t.cfg.KeepDir = true // keep the logs that explain the failure
		t.Stop(context.Background())
		return nil, fmt.Errorf("reference topology did not start (logs in %s): %w", filepath.Join(t.cfg.Dir, "logs"), err)
	}
	go t.watchReady()
	return t, nil
}

func (c *Config) fill() error {
	if c.Binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("find the faultline binary: %w", err)
		}
		c.Binary = exe
	}
	if c.ReplaceDelay <= 0 {
		c.ReplaceDelay = DefaultReplaceDelay
	}
	if c.StartTimeout <= 0 {
		c.StartTimeout = DefaultStartTimeout
	}
	if c.Registry == "" {
		c.Registry = "127.0.0.1:0"
	}
	if c.Options == (Options{}) {
		c.Options = DefaultOptions()
	}
	return c.Options.Validate()
}

// boot starts the buses, creates the data, then starts every service.
func (t *Topology) boot(ctx context.Context) error {
	buses := t.spec.Role("bus")
	for _, b := range buses {
		if err := t.launch(b); err != nil {
			return err
		}
	}
	if err := t.waitReady(ctx, buses); err != nil {
		return err
	}
	if err := t.bootstrap(ctx); err != nil {
		return err
	}
	var rest []InstanceSpec
	for _, role := range roleOrder[1:] {
		rest = append(rest, t.spec.Role(role)...)
	}
	for _, in := range rest {
		if err := t.launch(in); err != nil {
			return err
		}
	}
	return t.waitReady(ctx, rest)
}

// bootstrap connects straight to the buses (the supervisor is the control
// plane, not a component, so it uses no link) and creates the data.
func (t *Topology) bootstrap(ctx context.Context) error {
	var urls []string
	for _, b := range t.spec.Role("bus") {
		urls = append(urls, "nats://"+b.Addr)
	}
	nc, err := nats.Connect(strings.Join(urls, ","), busOptions("supervisor")...)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	return bootstrap(ctx, js, t.spec.Options)
}

// launch starts one instance process and its watcher.
func (t *Topology) launch(in InstanceSpec) error {
	logf, err := os.OpenFile(filepath.Join(t.cfg.Dir, "logs", in.ID+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(t.cfg.Binary, "target", "serve", in.Role, "--id", in.ID, "--spec", t.spec.path())
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := t.sp.start(cmd); err != nil {
		logf.Close()
		return fmt.Errorf("start %s: %w", in.ID, err)
	}
	p := &proc{spec: in, cmd: cmd, state: targets.StateStarting, exited: make(chan struct{})}
	t.mu.Lock()
	_, again := t.procs[in.ID]
	t.procs[in.ID] = p
	kind := "started"
	if again {
		kind = "replaced"
	}
	t.eventLocked(in.ID, kind, cmd.Process.Pid, "")
	t.mu.Unlock()
	t.wg.Add(1)
	go t.watch(p, logf)
	return nil
}

// watch waits for the process to end and replaces it unless stopping.
func (t *Topology) watch(p *proc, logf *os.File) {
	defer t.wg.Done()
	err := p.cmd.Wait()
	logf.Close()
	close(p.exited)
	detail := "exit 0"
	if err != nil {
		detail = err.Error()
	}
	t.mu.Lock()
	now := p.restartNow
	if t.stopping.Load() {
		p.state = targets.StateStopped
		t.eventLocked(p.spec.ID, "stopped", p.cmd.Process.Pid, detail)
		t.mu.Unlock()
		return
	}
	p.state = targets.StateDead
	t.eventLocked(p.spec.ID, "exited", p.cmd.Process.Pid, detail)
	t.mu.Unlock()
	if !now {
		select {
		case <-time.After(t.cfg.ReplaceDelay):
		case <-t.done:
			return
		}
	}
	// Keep trying: an instance the supervisor gave up on would stay dead
	// in the registry for the rest of the run.
	for !t.stopping.Load() {
		err := t.launch(p.spec)
		if err == nil {
			return
		}
		t.event(p.spec.ID, "replace-failed", 0, err.Error())
		select {
		case <-time.After(t.cfg.ReplaceDelay):
		case <-t.done:
			return
		}
	}
}

// waitReady polls the admin health of the instances until all answer 200.
func (t *Topology) waitReady(ctx context.Context, ins []InstanceSpec) error {
	pending := map[string]InstanceSpec{}
	for _, in := range ins {
		pending[in.ID] = in
	}
	for len(pending) > 0 {
		for id, in := range pending {
			if t.healthy(ctx, in) {
				t.setState(id, targets.StateStarting, targets.StateRunning)
				delete(pending, id)
			} else if st := t.state(id); st == targets.StateDead {
				return fmt.Errorf("%s exited during start-up (see logs/%s.log)", id, id)
			}
		}
		if len(pending) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			var ids []string
			for id := range pending {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			return fmt.Errorf("not healthy after %s: %s", t.cfg.StartTimeout, strings.Join(ids, ", "))
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}

func (t *Topology) healthy(ctx context.Context, in InstanceSpec) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+in.Admin+"/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := t.hc.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// watchReady marks replaced instances running once they are healthy.
func (t *Topology) watchReady() {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-t.done:
			return
		case <-tick.C:
		}
		t.mu.Lock()
		var starting []InstanceSpec
		for _, p := range t.procs {
			if p.state == targets.StateStarting {
				starting = append(starting, p.spec)
			}
		}
		t.mu.Unlock()
		for _, in := range starting {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			if t.healthy(ctx, in) && t.setState(in.ID, targets.StateStarting, targets.StateRunning) {
				t.event(in.ID, "ready", t.pid(in.ID), "")
			}
			cancel()
		}
	}
}

// Stop stops every instance (SIGTERM, then SIGKILL after a grace period)
// and the registry, and removes a temporary run directory. Safe to call
// more than once.
func (t *Topology) Stop(ctx context.Context) error {
	t.stopOnce.Do(func() {
		t.stopping.Store(true)
		close(t.done)
		t.mu.Lock()
		procs := make([]*proc, 0, len(t.procs))
		for _, p := range t.procs {
			procs = append(procs, p)
		}
		t.mu.Unlock()
		for _, p := range procs {
			pid := p.cmd.Process.Pid
			syscall.Kill(-pid, syscall.SIGCONT) // a paused process cannot act on SIGTERM
			syscall.Kill(-pid, syscall.SIGTERM)
		}
		deadline := time.After(stopGrace)
		for _, p := range procs {
			select {
			case <-p.exited:
			case <-deadline:
				syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			case <-ctx.Done():
				syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			}
		}
		t.wg.Wait()
		if t.spec != nil {
			releasePorts(t.spec.addrs())
		}
		if t.reg != nil {
			t.reg.Close()
		}
		if t.ownDir && !t.cfg.KeepDir {
			os.RemoveAll(t.cfg.Dir)
		}
	})
	return nil
}

// Done is closed when Stop begins.
func (t *Topology) Done() <-chan struct{} { return t.done }

func (t *Topology) logf(format string, args ...any) {
	if t.cfg.Log != nil {
		fmt.Fprintf(t.cfg.Log, time.Now().Format("15:04:05.000 ")+format+"\n", args...)
	}
}

func (t *Topology) eventLocked(id, kind string, pid int, detail string) {
	t.events = append(t.events, Event{Time: time.Now(), Instance: id, Kind: kind, PID: pid, Detail: detail})
	t.logf("%s %s pid=%d %s", id, kind, pid, detail)
}

func (t *Topology) event(id, kind string, pid int, detail string) {
	t.mu.Lock()
	t.eventLocked(id, kind, pid, detail)
	t.mu.Unlock()
}

func (t *Topology) state(id string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p := t.procs[id]; p != nil {
		return p.state
	}
	return ""
}

func (t *Topology) pid(id string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p := t.procs[id]; p != nil {
		return p.cmd.Process.Pid
	}
	return 0
}

// setState moves id from one state to another; false if it was elsewhere.
func (t *Topology) setState(id, from, to string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.procs[id]
	if p == nil || p.state != from {
		return false
	}
	p.state = to
	return true
}

var errStopping = errors.New("topology is stopping")
