package cluster

import (
	"testing"
	"time"
)

// Real UDP/TCP sockets on loopback: a keyless-at-our-key node cannot join.
func TestLoopbackRogueRejected(t *testing.T) {
	if testing.Short() {
		t.Skip("binds sockets")
	}
	start := func(id string, key []byte) *Node {
		c := LocalConfig()
		c.ID, c.Key = id, key
		n, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = n.Shutdown() })
		return n
	}
	key := testKey(t, 3)
	a, b := start("a", key), start("b", key)
	if _, err := b.Join([]string{a.Addr()}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "a and b see each other", func() bool { return a.NumMembers() == 2 })
	r := start("rogue", testKey(t, 4))
	if k, err := r.Join([]string{a.Addr()}); err == nil || k != 0 {
		t.Fatalf("rogue joined %d nodes (err %v)", k, err)
	}
	time.Sleep(time.Second)
	if a.NumMembers() != 2 {
		t.Fatalf("a sees %d members after the rogue tried, want 2", a.NumMembers())
	}
}
