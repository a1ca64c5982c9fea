package cluster

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/memberlist"
)

// sim is a simulated cluster: n nodes with the local profile on one
// MemNetwork, as BenchmarkConverge1000 and TestSimConverge run it, and one
// more node kept out of the cold join to measure a later join.
type sim struct {
	tb    testing.TB
	opts  simOpts
	net   *MemNetwork
	nodes []*Node
	extra *Node
	log   *logCounter
	logf  func(format string, args ...any) // progress; tb.Logf unless set
	t0    time.Time
	cpu0  time.Duration

	paceMu sync.Mutex // one join at a time through pace
}

// simOpts chooses how a simulation joins and what it changes in the
// profile.
type simOpts struct {
	// Seed joins every node through node 0, as `faultline run` starts its
	// agents, each told the coordinator's address. Otherwise node i joins
	// a random earlier node, as agents across a fleet given some member's
	// address would.
	Seed bool
	// Tune, when set, changes every node's memberlist configuration after
	// the profile, to measure an alternative.
	Tune func(*memberlist.Config)
	// MaxCores, when above 0, holds each join back while the process uses
	// more cores than this: one process hosting every node otherwise
	// saturates in a mass join's gossip (see the README), which a fleet
	// spreads over its hosts.
	MaxCores float64
}

// phase is how long one measured phase took, and whether it ended before
// its limit (D is then meaningless).
type phase struct {
	D  time.Duration
	OK bool
}

// simResult is what one simulated run measured.
//   - Joins and Converge (the cold mass join) count from the first join:
//     until every join call returned, and until every node sees all n.
//   - Settle is how long the converged cluster took to go quiet (see
//     settle); JoinSpread and LeaveSpread are the standard gossip
//     convergence of Serf's simulator: in the settled cluster, how long
//     until one new node is known to every node, and one node that left
//     gracefully is gone from every view.
//   - FirstSuspect, FirstDead and AllDead time the detection of one node
//     cut off as a crash would: the first suspicion (memberlist's prober
//     logs it), the first node to declare it dead, and the last.
type simResult struct {
	Nodes                      int
	Joins, Converge, Settle    phase
	JoinSpread, LeaveSpread    phase
	FirstSuspect, FirstDead    phase
	AllDead                    phase
	FalseSuspects, FalseDeaths uint64 // before the cut: suspicions, and declarations of death by each node
	BadPackets                 uint64 // messages memberlist could not decode
	Shed                       uint64 // messages dropped by a full handler queue
	ColdNet                    MemStats
	ColdCPU                    time.Duration // CPU until converged (or gave up)
	Net                        MemStats
	CPU, Wall                  time.Duration
}

// newSim starts n+1 nodes, joined to nobody yet.
func newSim(tb testing.TB, n int, opts simOpts) *sim {
	s := &sim{tb: tb, opts: opts, net: &MemNetwork{}, nodes: make([]*Node, n), log: &logCounter{}, logf: tb.Logf}
	key := testKey(tb, 7)
	start := func(id string) *Node {
		c := LocalConfig()
		c.ID, c.Key, c.Log, c.tune = id, key, s.log, opts.Tune
		c.Transport = s.net.NewTransport(c.ID)
		nd, err := New(c)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = nd.Shutdown() })
		return nd
	}
	for i := range s.nodes {
		s.nodes[i] = start(fmt.Sprintf("n%04d", i))
	}
	s.extra = start("late")
	return s
}

// simLimits bound each phase of a run.
type simLimits struct {
	Joins, Converge, Settle, Spread, Detect time.Duration
}

// run measures the cold join and convergence, the spread of one join and
// one leave in the settled cluster, and the detection of one cut node.
// Phases after a failed one are skipped, as they would measure nothing.
func (s *sim) run(lim simLimits) simResult {
	r := simResult{Nodes: len(s.nodes)}
	s.t0, s.cpu0 = time.Now(), cpuTime()
	r.Joins = phase{OK: s.joinAll(lim.Joins)}
	r.Joins.D = time.Since(s.t0)
	s.progress("joins ended")
	// Nodes that never joined cannot converge: do not wait for them.
	if r.Joins.OK {
		r.Converge = s.timed(s.t0, lim.Converge, "convergence", s.converged)
	}
	r.ColdNet, r.ColdCPU = s.net.Stats(), cpuTime()-s.cpu0
	if r.Converge.OK {
		r.Settle = s.settle(lim.Settle)
		r.JoinSpread = s.joinSpread(lim.Spread)
		r.LeaveSpread = s.leaveSpread(lim.Spread)
	}
	r.FalseSuspects, r.FalseDeaths = s.log.suspects.Load(), s.log.deaths.Load()
	r.FirstSuspect, r.FirstDead, r.AllDead = s.detect(lim.Detect)
	r.BadPackets, r.Shed = s.log.bad.Load(), s.log.shed.Load()
	r.Net, r.CPU, r.Wall = s.net.Stats(), cpuTime()-s.cpu0, time.Since(s.t0)
	return r
}

// joinAll joins nodes 1 to n-1, 16 joins at a time (as agents starting at
// once would), through node 0 or a random node that has joined (see
// simOpts.Seed). Not through any earlier node: one whose own join has not
// happened yet forms a separate little cluster with the nodes joining
// through it, and they learn the rest only from that node's gossip, which
// reaches each of them with a chance of about retransmit budget / n, or at
// the next push/pull, 15 to 90 s later. That was the (node, member) gap
// seen with concurrent joins; see the README.
// It starts no join after limit and reports whether all were done; a
// failed join is counted, not retried beyond what Node.Join does.
func (s *sim) joinAll(limit time.Duration) bool {
	var joined, failed atomic.Int64
	var stop atomic.Bool
	next := make(chan int, len(s.nodes))
	for i := 1; i < len(s.nodes); i++ {
		next <- i
	}
	close(next)
	var mu sync.Mutex
	in := []int{0} // nodes in the cluster, to join through
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 2))
			for i := range next {
				if stop.Load() {
					return
				}
				if !s.pace(&stop) {
					return
				}
				mu.Lock()
				seed := in[0]
				if !s.opts.Seed {
					seed = in[rng.IntN(len(in))]
				}
				mu.Unlock()
				if _, err := s.nodes[i].Join([]string{s.nodes[seed].Addr()}); err != nil {
					failed.Add(1)
					continue
				}
				joined.Add(1)
				mu.Lock()
				in = append(in, i)
				mu.Unlock()
			}
		}()
	}
	ok := s.wait(limit, "joins", func() (bool, string) {
		return joined.Load()+failed.Load() == int64(len(s.nodes)-1),
			fmt.Sprintf("%d of %d joins done, %d failed", joined.Load(), len(s.nodes)-1, failed.Load())
	})
	stop.Store(true)
	wg.Wait()
	return ok && failed.Load() == 0
}

// pace lets one join through at a time, each once the process used under
// opts.MaxCores cores over the last 100 ms; it reports false if stop was
// set meanwhile.
func (s *sim) pace(stop *atomic.Bool) bool {
	if s.opts.MaxCores <= 0 {
		return true
	}
	s.paceMu.Lock()
	defer s.paceMu.Unlock()
	for !stop.Load() {
		c, t := cpuTime(), time.Now()
		time.Sleep(100 * time.Millisecond)
		if float64(cpuTime()-c)/float64(time.Since(t)) < s.opts.MaxCores {
			return true
		}
	}
	return false
}

// converged reports whether every node sees every node, and a summary.
func (s *sim) converged() (bool, string) {
	full, least := 0, len(s.nodes)
	for _, nd := range s.nodes {
		k := nd.liveCount()
		least = min(least, k)
		if k == len(s.nodes) {
			full++
		}
	}
	return full == len(s.nodes), fmt.Sprintf("%d of %d nodes see everyone; the least informed sees %d", full, len(s.nodes), least)
}

// settle waits until the cluster carries no more packets than failure
// detection alone does (each node's probe, its ack, and a little gossip:
// settledPackets a node per probe interval), so that the spread of one
// change is not measured behind the cold join's backlog.
func (s *sim) settle(limit time.Duration) phase {
	interval := time.Second
	if c := s.memberlistConfig(); c != nil {
		interval = c.ProbeInterval
	}
	t := time.Now()
	last := s.net.Stats().Packets
	ok := s.wait(limit, "settling", func() (bool, string) {
		time.Sleep(interval)
		now := s.net.Stats().Packets
		d := now - last
		last = now
		return d <= settledPackets*uint64(len(s.nodes)), fmt.Sprintf("%d packets in the last %s", d, interval)
	})
	s.progress("settled")
	return phase{D: time.Since(t), OK: ok}
}

// settledPackets is how many packets per node per probe interval a quiet
// cluster stays under: a ping and its ack each way (4), plus gossip.
const settledPackets = 6

// memberlistConfig is the memberlist configuration the nodes run with.
func (s *sim) memberlistConfig() *memberlist.Config {
	c := LocalConfig()
	c.tune = s.opts.Tune
	return c.memberlistConfig()
}

// joinSpread joins the node kept aside through a random member and times
// until every node knows it.
func (s *sim) joinSpread(limit time.Duration) phase {
	seed := s.nodes[rand.IntN(len(s.nodes))]
	t := time.Now()
	if _, err := s.extra.Join([]string{seed.Addr()}); err != nil {
		s.progress("late join failed: %v", err)
		return phase{}
	}
	id := s.extra.ID()
	return s.timed(t, limit, "spread of a join", func() (bool, string) {
		k := 0
		for _, nd := range s.nodes {
			if nd.knows(id) {
				k++
			}
		}
		return k == len(s.nodes), fmt.Sprintf("%d of %d nodes know %s", k, len(s.nodes), id)
	})
}

// leaveSpread makes one node leave gracefully and times until no other
// node holds it as a member.
func (s *sim) leaveSpread(limit time.Duration) phase {
	leaver := s.nodes[len(s.nodes)/3]
	t := time.Now()
	left := make(chan struct{})
	go func() { _ = leaver.Leave(limit); close(left) }()
	p := s.timed(t, limit, "spread of a leave", func() (bool, string) {
		k := s.knowing(leaver.ID())
		return k == 0, fmt.Sprintf("%d nodes still hold %s", k, leaver.ID())
	})
	// Then it stops, as an agent does after leaving.
	<-left
	_ = leaver.Shutdown()
	return p
}

// knowing is how many running nodes, other than id itself, hold id as a
// member.
func (s *sim) knowing(id string) int {
	k := 0
	for _, nd := range append(s.nodes, s.extra) {
		if nd.ID() != id && !nd.stopped() && nd.knows(id) {
			k++
		}
	}
	return k
}

// stopped reports whether n was shut down.
func (n *Node) stopped() bool {
	select {
	case <-n.done:
		return true
	default:
		return false
	}
}

// detect cuts one node off and times the first suspicion of it, the first
// node to declare it dead, and the last node that knew it to do so.
func (s *sim) detect(limit time.Duration) (suspect, first, all phase) {
	victim := s.nodes[len(s.nodes)/2]
	var watch []*Node
	for _, nd := range append(s.nodes, s.extra) {
		if nd != victim && !nd.stopped() && nd.knows(victim.ID()) {
			watch = append(watch, nd)
		}
	}
	s.log.watch(victim.ID())
	s.net.Cut(victim.ID())
	_ = victim.Shutdown()
	t1 := time.Now()
	all = s.timed(t1, limit, "failure detection", func() (bool, string) {
		dead := 0
		for _, nd := range watch {
			if !nd.knows(victim.ID()) {
				dead++
			}
		}
		if dead > 0 && !first.OK {
			first = phase{D: time.Since(t1), OK: true}
		}
		return dead == len(watch), fmt.Sprintf("%d of %d nodes declared %s dead", dead, len(watch), victim.ID())
	})
	if at := s.log.suspectAt.Load(); at != 0 {
		suspect = phase{D: time.Duration(at - t1.UnixNano()), OK: true}
	}
	return suspect, first, all
}

// timed waits for cond like wait and returns the time since t.
func (s *sim) timed(t time.Time, limit time.Duration, what string, cond func() (bool, string)) phase {
	ok := s.wait(limit, what, cond)
	d := time.Since(t)
	if ok {
		s.progress("%s took %s", what, d.Round(time.Millisecond))
	}
	return phase{D: d, OK: ok}
}

// wait polls cond every 50 ms for at most limit, logging its summary
// every 10 s, and reports whether it came true.
func (s *sim) wait(limit time.Duration, what string, cond func() (bool, string)) bool {
	end, next := time.Now().Add(limit), time.Now().Add(10*time.Second)
	for {
		done, summary := cond()
		if done {
			return true
		}
		if time.Now().After(end) {
			s.progress("gave up on %s after %s: %s", what, limit, summary)
			return false
		}
		if time.Now().After(next) {
			s.progress("%s: %s", what, summary)
			next = time.Now().Add(10 * time.Second)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// progress logs with the time since joins began and the network's and
// process's counters so far.
func (s *sim) progress(format string, args ...any) {
	st := s.net.Stats()
	s.logf("%6s  %s (packets %d, dropped %d, shed %d, suspicions %d, deaths %d, undecodable %d, cpu %s)", time.Since(s.t0).Round(time.Second),
		fmt.Sprintf(format, args...), st.Packets, st.Dropped, s.log.shed.Load(), s.log.suspects.Load(), s.log.deaths.Load(),
		s.log.bad.Load(), (cpuTime() - s.cpu0).Round(time.Second))
}

// liveCount is how many live members n knows (itself included), read from
// the copy its event delegate keeps: unlike memberlist's NumMembers it
// costs no walk over every node, so a benchmark polling 1,000 nodes does
// not itself load the process.
func (n *Node) liveCount() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.live)
}

// knows reports whether n holds id as a live (or suspect) member.
func (n *Node) knows(id string) bool { return n.find(id) != nil }

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// logCounter reads every node's memberlist log: it counts suspicions and
// deaths memberlist declared (all false before a node is cut), messages
// it could not decode (a packet cut short or a compound message whose
// count overflowed: see localUDPBufferSize) and, once told the victim,
// when the first node suspected it.
type logCounter struct {
	suspects, deaths, bad atomic.Uint64
	shed                  atomic.Uint64 // messages a full handler queue dropped
	victim                atomic.Pointer[[]byte]
	suspectAt             atomic.Int64
}

func (l *logCounter) watch(id string) {
	b := []byte("Suspect " + id + " ")
	l.victim.Store(&b)
}

// undecodable are the log lines memberlist writes for a message it
// received but could not read.
var undecodable = [][]byte{[]byte("Failed to decode"), []byte("truncated messages"), []byte("not supported")}

// Write takes one log line (a log.Logger writes each line whole).
func (l *logCounter) Write(p []byte) (int, error) {
	switch {
	case bytes.Contains(p, []byte("] memberlist: Suspect ")):
		if v := l.victim.Load(); v != nil && bytes.Contains(p, *v) {
			l.suspectAt.CompareAndSwap(0, time.Now().UnixNano())
		} else if v == nil {
			l.suspects.Add(1)
		}
	case bytes.Contains(p, []byte("] memberlist: Marking ")) && l.victim.Load() == nil:
		l.deaths.Add(1)
	}
	if bytes.Contains(p, []byte("handler queue full")) {
		l.shed.Add(1)
	}
	for _, u := range undecodable {
		if bytes.Contains(p, u) {
			l.bad.Add(1)
			break
		}
	}
	return len(p), nil
}

// A small simulated cluster converges, spreads a join and a leave, notices
// a cut node in the order suspect, first dead, all dead, and loses (almost)
// no packets. Bounds are generous: the race detector and a loaded box slow
// it severalfold.
func TestSimConverge(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a simulated cluster for tens of seconds")
	}
	for _, c := range []struct {
		n    int
		seed bool
	}{{5, false}, {30, false}, {30, true}} {
		t.Run(fmt.Sprintf("%d nodes, seed %v", c.n, c.seed), func(t *testing.T) {
			lim := simLimits{Joins: time.Minute, Converge: time.Minute, Settle: time.Minute, Spread: time.Minute, Detect: time.Minute}
			r := newSim(t, c.n, simOpts{Seed: c.seed}).run(lim)
			t.Logf("%+v", r)
			for _, p := range []struct {
				what string
				phase
			}{{"joins", r.Joins}, {"convergence", r.Converge}, {"settling", r.Settle}, {"join spread", r.JoinSpread},
				{"leave spread", r.LeaveSpread}, {"detection", r.AllDead}} {
				if !p.OK {
					t.Fatalf("%s did not finish in %s", p.what, lim.Converge)
				}
			}
			if !r.FirstSuspect.OK || r.FirstSuspect.D > r.FirstDead.D || r.FirstDead.D > r.AllDead.D {
				t.Fatalf("suspected after %v, first dead after %s, all after %s: want 0 < suspect <= first <= all",
					r.FirstSuspect, r.FirstDead.D, r.AllDead.D)
			}
			if r.Net.Packets == 0 || r.Net.Dropped*100 > r.Net.Packets {
				t.Fatalf("%d packets delivered, %d dropped: want some, with under 1%% dropped", r.Net.Packets, r.Net.Dropped)
			}
			if r.BadPackets != 0 {
				t.Fatalf("%d messages could not be decoded", r.BadPackets)
			}
			if r.CPU <= 0 {
				t.Fatal("no CPU time measured")
			}
		})
	}
}
