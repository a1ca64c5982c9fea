package cluster

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Benchmarks for `make bench-cluster` (run with -benchtime=1x: each one
// measures many events itself and reports percentiles as metrics).

// BenchmarkFanout3 and BenchmarkFanout50: one coordinator sends a command
// to every agent at once over real loopback sockets; the latency of a
// round is until the last agent has it in its inbox.
func BenchmarkFanout3(b *testing.B)  { benchFanout(b, 3, 200) }
func BenchmarkFanout50(b *testing.B) { benchFanout(b, 50, 100) }

func benchFanout(b *testing.B, agents, rounds int) {
	key := testKey(b, 5)
	start := func(id string, role Role) *Node {
		c := LocalConfig()
		c.ID, c.Role, c.Key = id, role, key
		n, err := New(c)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = n.Shutdown() })
		return n
	}
	co := start("coord", RoleCoordinator)
	var as []*Node
	for i := range agents {
		a := start(fmt.Sprintf("agent-%03d", i), RoleAgent)
		if _, err := a.Join([]string{co.Addr()}); err != nil {
			b.Fatal(err)
		}
		as = append(as, a)
	}
	waitFor(b, 60*time.Second, "agents joined", func() bool { return len(co.Agents()) == agents })
	b.ResetTimer()
	for range b.N {
		lat := make([]time.Duration, 0, rounds)
		for range rounds {
			t0 := time.Now()
			var wg sync.WaitGroup
			for _, a := range as {
				wg.Add(2)
				go func() {
					defer wg.Done()
					if err := co.Send(a.ID(), "hb", "bench", nil); err != nil {
						b.Error(err)
					}
				}()
				go func() {
					defer wg.Done()
					select {
					case <-a.Inbox():
					case <-time.After(10 * time.Second):
						b.Error("command lost")
					}
				}()
			}
			wg.Wait()
			lat = append(lat, time.Since(t0))
		}
		reportPercentiles(b, lat, "fanout")
	}
}

func reportPercentiles(b *testing.B, d []time.Duration, name string) {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	q := func(p float64) float64 { return float64(d[int(p*float64(len(d)-1))]) / 1e6 }
	b.ReportMetric(q(0.5), name+"-p50-ms")
	b.ReportMetric(q(0.99), name+"-p99-ms")
}

// BenchmarkConverge1000 starts 1,000 nodes (FAULTLINE_BENCH_NODES
// overrides) on the in-memory network with the local profile and
// encryption, joins them, and measures how long until every node sees all
// of them (convergence, counted like the joins from the first join); then it cuts one node off and measures until the
// first node suspects it, the first declares it dead, and every node has
// (failure detection). Each wait is bounded, so a run that misses its
// goals still ends: in about 12 minutes at worst.
func BenchmarkConverge1000(b *testing.B) {
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("FAULTLINE_BENCH_NODES")); err == nil && v > 1 {
		n = v // to look at the trend on a small machine
	}
	for range b.N {
		s := newSim(b, n)
		// A benchmark's log only shows once it ends: print progress now.
		s.logf = func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
		r := s.run(4*time.Minute, 5*time.Minute, 2*time.Minute)
		r.report(b)
	}
}

// report hands r to the benchmark as metrics. A phase that did not finish
// reports -1 s, so no table can mistake it for a fast one.
func (r simResult) report(b *testing.B) {
	secs := func(d time.Duration, ok bool) float64 {
		if !ok {
			return -1
		}
		return d.Seconds()
	}
	b.ReportMetric(secs(r.Joins, r.Joined), "joins-s")
	b.ReportMetric(secs(r.Converge, r.Converged), "converge-s")
	b.ReportMetric(secs(r.FirstSuspect, r.FirstSuspect > 0), "first-suspect-s")
	b.ReportMetric(secs(r.FirstDead, r.FirstDead > 0), "first-dead-s")
	b.ReportMetric(secs(r.AllDead, r.Detected), "all-dead-s")
	b.ReportMetric(float64(r.Net.Dropped), "dropped-packets")
	b.ReportMetric(100*float64(r.Net.Dropped)/float64(max(1, r.Net.Packets+r.Net.Dropped)), "dropped-%")
	b.ReportMetric(float64(r.FalseSuspects), "false-suspects")
	b.ReportMetric(float64(r.FalseDeaths), "false-deaths")
	b.ReportMetric(r.CPU.Seconds(), "cpu-s")
	b.ReportMetric(r.CPU.Seconds()/r.Wall.Seconds(), "cores")
	b.ReportMetric(1e3*r.CPU.Seconds()/r.Wall.Seconds()/float64(r.Nodes), "cpu-ms/node/s")
	b.ReportMetric(float64(r.Net.Packets)/float64(r.Nodes)/r.Wall.Seconds(), "packets/node/s")
}
