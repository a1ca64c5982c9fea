package cluster

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/memberlist"
)

// memNode starts a node named id with key on mn.
func memNode(t testing.TB, mn *MemNetwork, id string, role Role, key []byte) *Node {
	t.Helper()
	return tunedMemNode(t, mn, id, role, key, nil)
}

// tunedMemNode is memNode with tune applied to memberlist's configuration.
func tunedMemNode(t testing.TB, mn *MemNetwork, id string, role Role, key []byte, tune func(*memberlist.Config)) *Node {
	t.Helper()
	c := LocalConfig()
	c.ID, c.Role, c.Key, c.tune = id, role, key, tune
	c.Transport = mn.NewTransport(id)
	n, err := New(c)
	if err != nil {
		t.Fatalf("start %s: %v", id, err)
	}
	t.Cleanup(func() { _ = n.Shutdown() })
	return n
}

// waitFor polls cond every 20 ms for up to d.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func recv(t *testing.T, n *Node, d time.Duration) *Envelope {
	t.Helper()
	select {
	case e := <-n.Inbox():
		return e
	case <-time.After(d):
		t.Fatalf("%s received nothing in %s", n.ID(), d)
		return nil
	}
}

func TestNewRefusesNoKey(t *testing.T) {
	c := LocalConfig()
	c.ID = "a"
	c.Transport = (&MemNetwork{}).NewTransport("a")
	if _, err := New(c); err != ErrNoKey {
		t.Fatalf("New without key = %v, want ErrNoKey", err)
	}
}

func TestSendAndMembers(t *testing.T) {
	mn := &MemNetwork{}
	key := testKey(t, 9)
	co := memNode(t, mn, "coord", RoleCoordinator, key)
	var agents []*Node
	for i := range 3 {
		a := memNode(t, mn, fmt.Sprintf("agent-%d", i), RoleAgent, key)
		if _, err := a.Join([]string{co.Addr()}); err != nil {
			t.Fatal(err)
		}
		agents = append(agents, a)
	}
	waitFor(t, 10*time.Second, "3 agents seen by the coordinator", func() bool { return len(co.Agents()) == 3 })
	for _, a := range agents {
		if err := co.Send(a.ID(), "hb", "run-1", map[string]int{"n": 1}); err != nil {
			t.Fatal(err)
		}
		e := recv(t, a, 5*time.Second)
		if e.Kind != "hb" || e.RunID != "run-1" || e.From != "coord" || string(e.Body) != `{"n":1}` {
			t.Fatalf("got %+v", e)
		}
	}
	if err := co.Send("nobody", "hb", "run-1", nil); err == nil {
		t.Fatal("send to an unknown node succeeded")
	}
}

// A captured, authentic message delivered a second time is dropped, and
// so is one addressed to another agent.
func TestReplayedAndRedirectedMessagesDropped(t *testing.T) {
	mn := &MemNetwork{}
	key := testKey(t, 9)
	co := memNode(t, mn, "coord", RoleCoordinator, key)
	a := memNode(t, mn, "a", RoleAgent, key)
	b := memNode(t, mn, "b", RoleAgent, key)
	for _, n := range []*Node{a, b} {
		if _, err := n.Join([]string{co.Addr()}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 10*time.Second, "2 agents", func() bool { return len(co.Agents()) == 2 })
	captured, err := co.seal("a", "stop", "run-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := co.ml.SendReliable(co.find("a"), captured); err != nil {
		t.Fatal(err)
	}
	recv(t, a, 5*time.Second)
	// Replay to the same agent, and redirect to another one.
	if err := co.ml.SendReliable(co.find("a"), captured); err != nil {
		t.Fatal(err)
	}
	if err := co.ml.SendReliable(co.find("b"), captured); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "replay and redirect counted", func() bool {
		return a.Stats().Replayed.Load() == 1 && b.Stats().NotForMe.Load() == 1
	})
	select {
	case e := <-a.Inbox():
		t.Fatalf("replayed message delivered: %+v", e)
	case e := <-b.Inbox():
		t.Fatalf("redirected message delivered: %+v", e)
	default:
	}
}

// A node with another key can neither join nor be seen.
func TestRogueNodeRejected(t *testing.T) {
	mn := &MemNetwork{}
	key := testKey(t, 9)
	co := memNode(t, mn, "coord", RoleCoordinator, key)
	a := memNode(t, mn, "a", RoleAgent, key)
	if _, err := a.Join([]string{co.Addr()}); err != nil {
		t.Fatal(err)
	}
	rogue := memNode(t, mn, "rogue", RoleAgent, testKey(t, 66))
	if k, err := rogue.Join([]string{co.Addr(), a.Addr()}); err == nil || k != 0 {
		t.Fatalf("rogue join reached %d nodes, err %v", k, err)
	}
	// Give gossip time to spread anything it might have leaked.
	time.Sleep(2 * time.Second)
	for _, m := range co.Members() {
		if m.ID == "rogue" {
			t.Fatal("coordinator lists the rogue node")
		}
	}
	if len(rogue.Members()) != 1 {
		t.Fatalf("rogue sees %d members, want only itself", len(rogue.Members()))
	}
}

// A node that joined while another was joining elsewhere learns of it by
// its resync after resyncAfter. Gossip, probes and the periodic full-state
// exchange are all off here, so nothing else could tell it: without the
// resync b would never learn of c.
func TestJoinResyncClosesGap(t *testing.T) {
	mn := &MemNetwork{}
	key := testKey(t, 4)
	quiet := func(mc *memberlist.Config) {
		mc.GossipInterval = 0
		mc.PushPullInterval = 0
		mc.ProbeInterval = time.Hour
	}
	start := func(id string) *Node { return tunedMemNode(t, mn, id, RoleAgent, key, quiet) }
	a, b, c := start("a"), start("b"), start("c")
	if _, err := b.Join([]string{a.Addr()}); err != nil {
		t.Fatal(err)
	}
	joined := time.Now()
	// The seed merges a joiner's state just after the join returns; c must
	// find b in a's view, or c would miss b just as b misses c.
	waitFor(t, 5*time.Second, "b's join to reach a", func() bool { return a.knows("b") })
	if _, err := c.Join([]string{a.Addr()}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "c's join to reach a", func() bool { return c.knows("b") && a.knows("c") })
	if b.knows("c") && time.Since(joined) < resyncAfter {
		t.Fatal("b learned of c before its resync: gossip is not off, so this test cannot show the resync")
	}
	waitFor(t, resyncAfter+10*time.Second, "b to learn of c", func() bool { return b.knows("c") })
	if got := time.Since(joined); got < resyncAfter {
		t.Fatalf("b learned of c after %s, before its resync was due (%s)", got, resyncAfter)
	}
}
