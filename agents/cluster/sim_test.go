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
)

// sim is a simulated cluster: n nodes with the local profile on one
// MemNetwork, as BenchmarkConverge1000 and TestSimConverge run it.
type sim struct {
	tb    testing.TB
	net   *MemNetwork
	nodes []*Node
	log   *logCounter
	logf  func(format string, args ...any) // progress; tb.Logf unless set
	t0    time.Time
	cpu0  time.Duration
}

// simResult is what one simulated run measured. Converge and AllDead are
// zero when their phase ran out of time (Converged, Detected), FirstSuspect
// and FirstDead when nobody suspected or declared the cut node dead.
type simResult struct {
	Nodes                      int
	Joins, Converge            time.Duration
	Joined, Converged          bool
	FirstSuspect, FirstDead    time.Duration
	AllDead                    time.Duration
	Detected                   bool
	FalseSuspects, FalseDeaths uint64 // before the cut: suspicions, and declarations of death by each node
	Net                        MemStats
	CPU, Wall                  time.Duration
}

// newSim starts n nodes, joined to nobody yet.
func newSim(tb testing.TB, n int) *sim {
	s := &sim{tb: tb, net: &MemNetwork{}, nodes: make([]*Node, n), log: &logCounter{}, logf: tb.Logf}
	key := testKey(tb, 7)
	for i := range s.nodes {
		c := LocalConfig()
		c.ID, c.Key, c.Log = fmt.Sprintf("n%04d", i), key, s.log
		c.Transport = s.net.NewTransport(c.ID)
		nd, err := New(c)
		if err != nil {
			tb.Fatal(err)
		}
		s.nodes[i] = nd
	}
	tb.Cleanup(func() {
		for _, nd := range s.nodes {
			_ = nd.Shutdown()
		}
	})
	return s
}

// run measures joins, convergence and the detection of one cut node,
// spending at most joins, converge and detect on each.
func (s *sim) run(joins, converge, detect time.Duration) simResult {
	r := simResult{Nodes: len(s.nodes)}
	s.t0, s.cpu0 = time.Now(), cpuTime()
	r.Joined = s.joinAll(joins)
	r.Joins = time.Since(s.t0)
	s.progress("joins ended")
	// Nodes that never joined cannot converge: do not wait for them.
	r.Converged = r.Joined && s.wait(converge, "convergence", s.converged)
	if r.Converged {
		r.Converge = time.Since(s.t0)
	}
	r.FalseSuspects, r.FalseDeaths = s.log.suspects.Load(), s.log.deaths.Load()
	r.FirstSuspect, r.FirstDead, r.AllDead, r.Detected = s.detect(detect)
	r.Net, r.CPU, r.Wall = s.net.Stats(), cpuTime()-s.cpu0, time.Since(s.t0)
	return r
}

// joinAll joins node i to a random earlier node, 16 joins at a time, as
// agents starting across a fleet, each given some member's address, would.
// (Joining all through one seed instead makes that node a hot spot: its
// push/pulls, the full state 16 at a time, starve the nodes it shares the
// process with, and they miss probes. Joining one at a time leaves no node
// unknown once gossip settles; 16 at a time sometimes leaves a node known
// only to its seed until push/pull repairs it.) It starts no join after
// limit and reports whether all were done; a failed join is counted, not
// retried beyond what Node.Join does.
func (s *sim) joinAll(limit time.Duration) bool {
	var joined, failed atomic.Int64
	var stop atomic.Bool
	next := make(chan int, len(s.nodes))
	for i := 1; i < len(s.nodes); i++ {
		next <- i
	}
	close(next)
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
				if _, err := s.nodes[i].Join([]string{s.nodes[rng.IntN(i)].Addr()}); err != nil {
					failed.Add(1)
					continue
				}
				joined.Add(1)
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

// detect cuts one node off and measures until the first node suspects it
// (memberlist logs that as the prober's verdict), the first declares it
// dead, and every node that knew it has declared it dead.
func (s *sim) detect(limit time.Duration) (suspect, first, all time.Duration, ok bool) {
	victim := s.nodes[len(s.nodes)/2]
	var watch []*Node
	for _, nd := range s.nodes {
		if nd != victim && nd.knows(victim.ID()) {
			watch = append(watch, nd)
		}
	}
	s.log.watch(victim.ID())
	s.net.Cut(victim.ID())
	_ = victim.Shutdown()
	t1 := time.Now()
	ok = s.wait(limit, "failure detection", func() (bool, string) {
		dead := 0
		for _, nd := range watch {
			if !nd.knows(victim.ID()) {
				dead++
			}
		}
		if dead > 0 && first == 0 {
			first = time.Since(t1)
		}
		return dead == len(watch), fmt.Sprintf("%d of %d nodes declared %s dead", dead, len(watch), victim.ID())
	})
	if ok {
		all = time.Since(t1)
	}
	if at := s.log.suspectAt.Load(); at != 0 {
		suspect = time.Duration(at - t1.UnixNano())
	}
	return suspect, first, all, ok
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
	s.logf("%6s  %s (packets %d, dropped %d, suspicions %d, deaths %d, cpu %s)", time.Since(s.t0).Round(time.Second),
		fmt.Sprintf(format, args...), st.Packets, st.Dropped, s.log.suspects.Load(), s.log.deaths.Load(),
		(cpuTime() - s.cpu0).Round(time.Second))
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
// deaths memberlist declared (all false before a node is cut) and, once
// told the victim, when the first node suspected it.
type logCounter struct {
	suspects, deaths atomic.Uint64
	victim           atomic.Pointer[[]byte]
	suspectAt        atomic.Int64
}

func (l *logCounter) watch(id string) {
	b := []byte("Suspect " + id + " ")
	l.victim.Store(&b)
}

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
	return len(p), nil
}

// A small simulated cluster converges, notices a cut node in the order
// suspect, first dead, all dead, and loses (almost) no packets. Bounds are
// generous: the race detector and a loaded box slow it severalfold.
func TestSimConverge(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a simulated cluster for tens of seconds")
	}
	for _, n := range []int{5, 30} {
		t.Run(fmt.Sprint(n, " nodes"), func(t *testing.T) {
			r := newSim(t, n).run(time.Minute, time.Minute, time.Minute)
			t.Logf("%+v", r)
			if !r.Joined || !r.Converged || !r.Detected {
				t.Fatalf("joined %v, converged %v, detected %v", r.Joined, r.Converged, r.Detected)
			}
			if r.FirstSuspect <= 0 || r.FirstSuspect > r.FirstDead || r.FirstDead > r.AllDead {
				t.Fatalf("suspected after %s, first dead after %s, all after %s: want 0 < suspect <= first <= all",
					r.FirstSuspect, r.FirstDead, r.AllDead)
			}
			if r.Net.Packets == 0 || r.Net.Dropped*100 > r.Net.Packets {
				t.Fatalf("%d packets delivered, %d dropped: want some, with under 1%% dropped", r.Net.Packets, r.Net.Dropped)
			}
			if r.CPU <= 0 {
				t.Fatal("no CPU time measured")
			}
		})
	}
}
