package cluster

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/memberlist"
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

// BenchmarkConverge1000 starts 1,000 nodes on the in-memory network with
// the local profile and encryption, and measures (see simResult): the cold
// mass join and its convergence; in the settled cluster, the spread of one
// join and of one leave; and the detection of one node cut off. Each phase
// is bounded, so a run that misses its goals still ends, in under 5
// minutes. Environment variables, to look at trends and alternatives:
//   - FAULTLINE_BENCH_NODES: the number of nodes;
//   - FAULTLINE_BENCH_JOIN=seed: join every node through one, as
//     `faultline run` does, instead of through a random joined node;
//   - FAULTLINE_BENCH_PACE (cores, e.g. 1.2): start each join only while
//     the process uses fewer cores (simOpts.MaxCores), to form a cluster
//     one process cannot form at full speed;
//   - FAULTLINE_BENCH_UDP_BUFFER (bytes), FAULTLINE_BENCH_PROBE_INTERVAL
//     (a duration), FAULTLINE_BENCH_SUSPICION_MULT and
//     FAULTLINE_BENCH_RETRANSMIT_MULT: memberlist's UDPBufferSize,
//     ProbeInterval, SuspicionMult and RetransmitMult instead of the
//     profile's.
func BenchmarkConverge1000(b *testing.B) {
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("FAULTLINE_BENCH_NODES")); err == nil && v > 1 {
		n = v
	}
	opts := simOpts{Seed: os.Getenv("FAULTLINE_BENCH_JOIN") == "seed", Tune: benchTune(b)}
	lim := simLimits{Joins: 75 * time.Second, Converge: 75 * time.Second, Settle: 30 * time.Second,
		Spread: 30 * time.Second, Detect: 60 * time.Second}
	if v := os.Getenv("FAULTLINE_BENCH_PACE"); v != "" {
		c, err := strconv.ParseFloat(v, 64)
		if err != nil {
			b.Fatalf("FAULTLINE_BENCH_PACE: %v", err)
		}
		// Paced joins take longer; the convergence after them less.
		opts.MaxCores, lim.Joins, lim.Converge = c, 150*time.Second, 45*time.Second
	}
	for range b.N {
		s := newSim(b, n, opts)
		// A benchmark's log only shows once it ends: print progress now.
		s.logf = func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
		r := s.run(lim)
		r.report(b)
	}
}

// benchTune reads the FAULTLINE_BENCH_ overrides of the profile.
func benchTune(b *testing.B) func(*memberlist.Config) {
	var set []func(*memberlist.Config)
	override := func(name string, parse func(string) (int64, error), apply func(*memberlist.Config, int64)) {
		v := os.Getenv(name)
		if v == "" {
			return
		}
		k, err := parse(v)
		if err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		set = append(set, func(c *memberlist.Config) { apply(c, k) })
	}
	atoi := func(v string) (int64, error) { return strconv.ParseInt(v, 10, 64) }
	duration := func(v string) (int64, error) { d, err := time.ParseDuration(v); return int64(d), err }
	override("FAULTLINE_BENCH_UDP_BUFFER", atoi, func(c *memberlist.Config, k int64) { c.UDPBufferSize = int(k) })
	override("FAULTLINE_BENCH_PROBE_INTERVAL", duration, func(c *memberlist.Config, k int64) { c.ProbeInterval = time.Duration(k) })
	override("FAULTLINE_BENCH_SUSPICION_MULT", atoi, func(c *memberlist.Config, k int64) { c.SuspicionMult = int(k) })
	override("FAULTLINE_BENCH_RETRANSMIT_MULT", atoi, func(c *memberlist.Config, k int64) { c.RetransmitMult = int(k) })
	if len(set) == 0 {
		return nil
	}
	return func(c *memberlist.Config) {
		for _, f := range set {
			f(c)
		}
	}
}

// report hands r to the benchmark as metrics. A phase that did not finish
// reports -1 s, so no table can mistake it for a fast one.
func (r simResult) report(b *testing.B) {
	secs := func(p phase) float64 {
		if !p.OK {
			return -1
		}
		return p.D.Seconds()
	}
	b.ReportMetric(secs(r.Joins), "joins-s")
	b.ReportMetric(secs(r.Converge), "converge-s")
	b.ReportMetric(float64(r.ColdNet.Packets), "cold-packets")
	b.ReportMetric(r.ColdCPU.Seconds(), "cold-cpu-s")
	b.ReportMetric(secs(r.Settle), "settle-s")
	b.ReportMetric(secs(r.JoinSpread), "join-spread-s")
	b.ReportMetric(secs(r.LeaveSpread), "leave-spread-s")
	b.ReportMetric(secs(r.FirstSuspect), "first-suspect-s")
	b.ReportMetric(secs(r.FirstDead), "first-dead-s")
	b.ReportMetric(secs(r.AllDead), "all-dead-s")
	b.ReportMetric(float64(r.Net.Dropped), "dropped-packets")
	b.ReportMetric(100*float64(r.Net.Dropped)/float64(max(1, r.Net.Packets+r.Net.Dropped)), "dropped-%")
	b.ReportMetric(float64(r.FalseSuspects), "false-suspects")
	b.ReportMetric(float64(r.FalseDeaths), "false-deaths")
	b.ReportMetric(float64(r.BadPackets), "undecodable")
	b.ReportMetric(float64(r.Shed), "shed-messages")
	b.ReportMetric(r.CPU.Seconds(), "cpu-s")
	b.ReportMetric(r.CPU.Seconds()/r.Wall.Seconds(), "cores")
}
