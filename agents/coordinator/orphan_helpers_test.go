package coordinator

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/faultline/faultline/agents"
	"github.com/faultline/faultline/agents/cluster"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/targets"
)

// The orphan tests (orphan_e2e_test.go) fault an external target through
// real processes:
//
//	load ─▶ faultline proxy (link "edge", admin API) ─▶ upstream (test server)
//	          ▲ toxics with leases
//	3 × faultline agent ◀── coordinator (Session, in a process of its own)
//
// `faultline run` refuses faults on an external target (no inventory of
// instances and links in this build), so the coordinator here is this test
// binary running Session with a fixed Inventory: the same code `faultline
// run` runs, in a process the tests can SIGKILL.

// fixedInventory is a target described by hand: its instances and links.
type fixedInventory struct {
	Insts []targets.Instance `json:"instances"`
	Lnks  []targets.Link     `json:"links"`
}

func (f fixedInventory) Instances(context.Context) ([]targets.Instance, error) { return f.Insts, nil }

func (f fixedInventory) Links(_ context.Context, id string) ([]targets.Link, error) {
	var out []targets.Link
	for _, l := range f.Lnks {
		if id == "" || l.From == id {
			out = append(out, l)
		}
	}
	return out, nil
}

// coordSpec is what the coordinator process runs.
type coordSpec struct {
	Scenario  string         `json:"scenario"` // YAML file
	KeyFile   string         `json:"key_file"`
	Lease     time.Duration  `json:"lease"`
	Out       string         `json:"out"`
	Inventory fixedInventory `json:"inventory"`
}

func (c coordSpec) session() (*Session, error) {
	sc, err := scenarios.LoadFile(c.Scenario)
	if err != nil {
		return nil, err
	}
	key, err := cluster.LoadKeyFile(c.KeyFile)
	if err != nil {
		return nil, err
	}
	return &Session{Scenario: sc, Dir: c.Out, Version: "test", Key: key, Lease: c.Lease,
		WaitAgents: time.Minute, Target: c.Inventory, Log: testLog()}, nil
}

const coordSpecEnv = "FAULTLINE_ORPHAN_COORD"

// TestOrphanCoordinatorProcess is the coordinator process of the orphan
// tests, not a test of its own: it skips unless one of them started it.
func TestOrphanCoordinatorProcess(t *testing.T) {
	path := os.Getenv(coordSpecEnv)
	if path == "" {
		t.Skip("the orphan tests' coordinator process; runs only when they start it")
	}
	var spec coordSpec
	b, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(b, &spec)
	}
	if err != nil {
		t.Fatal(err)
	}
	s, err := spec.session()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// coordProc is a coordinator process; its output is kept for the log.
type coordProc struct {
	cmd *exec.Cmd
	out *syncBuffer
}

// startCoordProc starts this test binary as the coordinator of spec.
func startCoordProc(t *testing.T, spec coordSpec) *coordProc {
	t.Helper()
	p := filepath.Join(t.TempDir(), "coord.json")
	b, _ := json.Marshal(spec)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	// -test.short: the child needs no faultline build of its own.
	cmd := exec.Command(os.Args[0], "-test.run=^TestOrphanCoordinatorProcess$", "-test.short", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), coordSpecEnv+"="+p)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c := &coordProc{cmd: cmd, out: &syncBuffer{}}
	cmd.Stdout, cmd.Stderr = c.out, c.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		if t.Failed() {
			t.Logf("coordinator process output:\n%s", c.out.String())
		}
	})
	return c
}

// kill SIGKILLs the coordinator and returns when it did.
func (c *coordProc) kill(t *testing.T) time.Time {
	t.Helper()
	if err := syscall.Kill(c.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	return time.Now()
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// proxyProc is a `faultline proxy` process with one link, "edge".
type proxyProc struct {
	admin  string // http://127.0.0.1:port
	listen string // host:port the load dials
}

var (
	adminRE = regexp.MustCompile(`admin API on (http://\S+)`)
	edgeRE  = regexp.MustCompile(`proxy edge: (\S+) ->`)
)

// startProxyProc starts `faultline proxy` with link edge → upstream.
func startProxyProc(t *testing.T, upstream string) *proxyProc {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "proxies.json")
	spec := fmt.Sprintf(`[{"name": "edge", "listen": "127.0.0.1:0", "upstream": %q}]`, upstream)
	if err := os.WriteFile(cfg, []byte(spec), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, done := startGroup(t, "proxy", "--port", "0", "--config", cfg)
	p := &proxyProc{}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := edgeRE.FindStringSubmatch(sc.Text()); m != nil {
				p.listen = m[1]
			}
			if m := adminRE.FindStringSubmatch(sc.Text()); m != nil {
				p.admin = m[1]
				close(ready)
				break
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case <-ready:
	case <-done:
		t.Fatal("faultline proxy exited before serving its admin API")
	case <-time.After(30 * time.Second):
		t.Fatal("faultline proxy did not serve its admin API within 30 s")
	}
	if p.listen == "" {
		t.Fatal("faultline proxy did not say where link edge listens")
	}
	return p
}

// inventory is the external target behind the proxy: one instance, web-1,
// reached over link edge.
func (p *proxyProc) inventory(upstream string) fixedInventory {
	return fixedInventory{
		Insts: []targets.Instance{{Role: "web", ID: "web-1", Addr: upstream, State: targets.StateRunning}},
		Lnks:  []targets.Link{{Name: "edge", From: "client", To: "web-1", Listen: p.listen, Upstream: upstream, Admin: p.admin}},
	}
}

// toxics lists the toxic names on link edge.
func (p *proxyProc) toxics(t *testing.T) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	ts, err := agents.NewAdminClient().Toxics(ctx, p.admin, "edge")
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(ts))
	for _, x := range ts {
		names = append(names, x.Name)
	}
	return names
}

// waitToxics polls link edge every 20 ms until ok(names) or the deadline;
// it returns when ok first held (zero if it never did) and the last names.
func (p *proxyProc) waitToxics(t *testing.T, within time.Duration, ok func([]string) bool) (time.Time, []string) {
	t.Helper()
	end := time.Now().Add(within)
	for {
		names := p.toxics(t)
		if ok(names) {
			return time.Now(), names
		}
		if time.Now().After(end) {
			return time.Time{}, names
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// get times one request through the link on a fresh connection.
func (p *proxyProc) get(t *testing.T) time.Duration {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	resp, err := c.Get("http://" + p.listen + "/probe")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return time.Since(start)
}

// writeScenario writes a scenario: load at rate for dur against base, and
// one fault (YAML of a timeline item, indented for it).
func writeScenario(t *testing.T, name, base, join string, rate int, dur time.Duration, fault string) string {
	t.Helper()
	y := fmt.Sprintf(`version: 1
name: %s
target: {kind: external, base_url: %q}
agents: {join: [%s], min: 3}
load:
  rate: %d/s
  duration: %s
  mix:
    - {name: home, path: /, timeout: 5s}
timeline:
%s`, name, base, join, rate, dur, fault)
	p := filepath.Join(t.TempDir(), name+".yaml")
	if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// proxyRig is the setup of the proxy tests: a gossip key file, the
// upstream, a `faultline proxy` in front of it, and three agents.
type proxyRig struct {
	kf       string
	tg       *target
	upstream string // host:port
	px       *proxyProc
	procs    []*agentProc
}

func newProxyRig(t *testing.T, prefix string) *proxyRig {
	t.Helper()
	r := &proxyRig{kf: keyFile(t), tg: newTarget(t)}
	r.upstream = strings.TrimPrefix(r.tg.URL, "http://")
	r.px = startProxyProc(t, r.upstream)
	r.procs = threeAgents(t, prefix, r.kf)
	return r
}

// spec is a coordinator for the scenario at scn, against the rig.
func (r *proxyRig) spec(t *testing.T, scn string) coordSpec {
	return coordSpec{Scenario: scn, KeyFile: r.kf, Lease: orphanLease, Out: filepath.Join(t.TempDir(), "run"), Inventory: r.px.inventory(r.upstream)}
}

// threeAgents starts three `faultline agent` processes, ids prefix-a..c.
func threeAgents(t *testing.T, prefix, kf string) []*agentProc {
	t.Helper()
	first := startAgentProc(t, prefix+"-a", kf)
	return []*agentProc{first, startAgentProc(t, prefix+"-b", kf, first.addr), startAgentProc(t, prefix+"-c", kf, first.addr)}
}

func hasName(names []string, sub string) bool {
	for _, n := range names {
		if strings.Contains(n, sub) {
			return true
		}
	}
	return false
}
