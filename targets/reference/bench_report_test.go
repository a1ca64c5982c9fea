package reference

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// cpuMeter samples the CPU time of every instance and of the bench process
// itself (vegeta and the supervisor), so that a run reports CPU per request
// by process: utime+stime is robust to a busy machine, latency is not.
type cpuMeter struct {
	ids   []string // instance ids, then "bench"
	roles map[string]string
	pids  []int
	start []time.Duration
	at    time.Time
}

func newCPUMeter(b *testing.B, top *Topology) *cpuMeter {
	ins, err := top.Instances(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	m := &cpuMeter{roles: map[string]string{"bench": "bench (vegeta, supervisor)"}}
	for _, in := range ins {
		m.ids, m.pids = append(m.ids, in.ID), append(m.pids, in.PID)
		m.roles[in.ID] = in.Role
	}
	m.ids, m.pids = append(m.ids, "bench"), append(m.pids, os.Getpid())
	m.start, m.at = m.sample(b), time.Now()
	return m
}

func (m *cpuMeter) sample(b *testing.B) []time.Duration {
	out := make([]time.Duration, len(m.pids))
	for i, pid := range m.pids {
		d, err := procCPU(pid)
		if err != nil {
			b.Fatalf("cpu of %s (pid %d): %v", m.ids[i], pid, err)
		}
		out[i] = d
	}
	return out
}

// used returns the CPU each process used since the meter started, the
// sums by role, and the wall time.
func (m *cpuMeter) used(b *testing.B) (byID []time.Duration, byRole map[string]time.Duration, wall time.Duration) {
	end, wall := m.sample(b), time.Since(m.at)
	byRole = map[string]time.Duration{}
	for i, id := range m.ids {
		byID = append(byID, end[i]-m.start[i])
		byRole[m.roles[id]] += byID[i]
	}
	return byID, byRole, wall
}

// report logs CPU ms per request for each instance and each role, and the
// cores the whole run used.
func (m *cpuMeter) report(b *testing.B, requests uint64) {
	byID, byRole, wall := m.used(b)
	if requests == 0 {
		b.Log("cpu: no requests")
		return
	}
	perReq := func(d time.Duration) string {
		return fmt.Sprintf("%.3f", float64(d.Microseconds())/1000/float64(requests))
	}
	var total time.Duration
	var lines []string
	for i, id := range m.ids {
		total += byID[i]
		lines = append(lines, id+" "+perReq(byID[i]))
	}
	b.Logf("cpu ms/request over %s and %d requests: total %s (%.2f cores)", wall.Round(time.Millisecond), requests, perReq(total), total.Seconds()/wall.Seconds())
	b.Logf("cpu ms/request by role: %s", byRoleString(byRole, perReq))
	b.Logf("cpu ms/request by process: %s", strings.Join(lines, ", "))
}

// reportIdle logs the cores each role used with no load: the fixed cost
// (heartbeats, health checks, pings) that a request rate amortises.
func (m *cpuMeter) reportIdle(b *testing.B) {
	_, byRole, wall := m.used(b)
	var total time.Duration
	for _, d := range byRole {
		total += d
	}
	cores := func(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()/wall.Seconds()) }
	b.Logf("idle cpu over %s: %s cores; by role: %s", wall.Round(time.Millisecond), cores(total), byRoleString(byRole, cores))
}

func byRoleString(byRole map[string]time.Duration, format func(time.Duration) string) string {
	roles := slices.Sorted(maps.Keys(byRole))
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = r + " " + format(byRole[r])
	}
	return strings.Join(out, ", ")
}

// profileRun writes CPU profiles of every instance and of the bench
// process into dir while the attack runs: secs seconds, after a warm-up.
// It returns a wait function that blocks until every profile is written.
func profileRun(b *testing.B, top *Topology, dir string, secs int) func() {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, in := range top.spec.Instances {
		wg.Go(func() {
			u := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", in.Admin, secs)
			if err := fetchTo(b.Context(), u, filepath.Join(dir, in.ID+".pprof")); err != nil {
				b.Logf("profile %s: %v", in.ID, err)
			}
		})
	}
	f, err := os.Create(filepath.Join(dir, "bench.pprof"))
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Logf("profile bench: %v", err) // -cpuprofile already profiles it
		f.Close()
		f = nil
	}
	wg.Go(func() {
		time.Sleep(time.Duration(secs) * time.Second)
		if f != nil {
			pprof.StopCPUProfile()
			f.Close()
		}
	})
	return func() {
		wg.Wait()
		b.Logf("cpu profiles in %s: go tool pprof -top %s", dir, filepath.Join(dir, "gateway-1.pprof"))
	}
}

func fetchTo(ctx context.Context, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
