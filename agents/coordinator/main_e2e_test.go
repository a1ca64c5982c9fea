package coordinator

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faultline/faultline/agents/cluster"
)

// faultlineBin is the faultline binary built for the process tests, or ""
// with buildErr saying why not.
var faultlineBin, buildErr = "", error(nil)

func TestMain(m *testing.M) {
	flag.Parse() // testing.Short needs the flags
	dir, err := os.MkdirTemp("", "faultline-e2e-")
	if err == nil && !testing.Short() {
		faultlineBin, buildErr = buildFaultline(dir)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildFaultline builds ./cmd/faultline. Others edit that tree at the same
// time, so a failed build is retried a few times before giving up.
func buildFaultline(dir string) (string, error) {
	bin := filepath.Join(dir, "faultline")
	var out []byte
	var err error
	for try := 0; try < 4; try++ {
		if try > 0 {
			time.Sleep(15 * time.Second)
		}
		out, err = exec.Command("go", "build", "-o", bin, "../../cmd/faultline").CombinedOutput()
		if err == nil {
			return bin, nil
		}
	}
	return "", fmt.Errorf("go build ./cmd/faultline: %v\n%s", err, out)
}

func needBinary(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts processes")
	}
	if buildErr != nil {
		t.Fatal(buildErr)
	}
}

// agentProc is one `faultline agent` process.
type agentProc struct {
	id   string
	cmd  *exec.Cmd
	addr string
	done chan struct{}
}

var listenRE = regexp.MustCompile(`faultline agent (\S+) listening on (\S+)`)

// startAgentProc starts `faultline agent` in its own process group and
// waits for it to say where it listens. It is killed at cleanup.
func startAgentProc(t *testing.T, id, keyFile string, join ...string) *agentProc {
	t.Helper()
	args := []string{"agent", "--id", id, "--bind", "127.0.0.1", "--key-file", keyFile}
	for _, j := range join {
		args = append(args, "--join", j)
	}
	cmd, stderr, done := startGroup(t, args...)
	p := &agentProc{id: id, cmd: cmd, done: done}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			if m := listenRE.FindStringSubmatch(line); m != nil {
				addr <- m[2]
			}
			if testing.Verbose() && os.Getenv("FAULTLINE_TEST_LOG") != "" {
				fmt.Fprintln(os.Stderr, id+": "+line)
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case p.addr = <-addr:
	case <-p.done:
		t.Fatalf("agent %s exited before listening", id)
	case <-time.After(60 * time.Second):
		t.Fatalf("agent %s did not start listening within 60 s", id)
	}
	return p
}

func (p *agentProc) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// keyFile writes testKey to a file for agent processes.
func keyFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "gossip.key")
	if err := cluster.WriteKeyFile(p, testKey); err != nil {
		t.Fatal(err)
	}
	return p
}

func yamlList(ss []string) string { return "[" + strings.Join(ss, ", ") + "]" }

// startGroup starts faultline with args in its own process group, so that
// a kill reaches anything it spawned. done closes when it has exited; at
// cleanup the group is SIGKILLed and waited for.
func startGroup(t *testing.T, args ...string) (*exec.Cmd, io.ReadCloser, chan struct{}) {
	t.Helper()
	cmd := exec.Command(faultlineBin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); <-done })
	return cmd, stderr, done
}
