package cluster

import (
	"errors"
	"time"

	"github.com/hashicorp/memberlist"
)

// delegate is the Node seen as a memberlist.Delegate.
type delegate Node

var _ memberlist.Delegate = (*delegate)(nil)

// inboxWait is how long a verified message may wait for room in a full
// inbox before it is dropped; the sender's stream waits meanwhile, which
// slows a flooding peer down instead of growing memory.
const inboxWait = 2 * time.Second

// NodeMeta returns this node's encoded metadata (checked in New).
func (d *delegate) NodeMeta(limit int) []byte {
	b, err := d.meta.Encode()
	if err != nil || len(b) > limit {
		return nil
	}
	return b
}

// NotifyMsg authenticates, de-duplicates and queues one user message.
func (d *delegate) NotifyMsg(b []byte) {
	n := (*Node)(d)
	e, err := Open(n.ctl, b)
	if err == nil {
		err = n.guard.Check(e)
	}
	switch {
	case err == nil:
	case errors.Is(err, ErrForged):
		n.stats.Forged.Add(1)
		return
	case errors.Is(err, ErrReplayed):
		n.stats.Replayed.Add(1)
		return
	case errors.Is(err, ErrStale):
		n.stats.Stale.Add(1)
		return
	case errors.Is(err, ErrNotForMe):
		n.stats.NotForMe.Add(1)
		return
	default:
		n.stats.Malformed.Add(1)
		return
	}
	select {
	case n.inbox <- e:
		return
	default:
	}
	t := time.NewTimer(inboxWait)
	defer t.Stop()
	select {
	case n.inbox <- e:
	case <-t.C:
		n.stats.Overflow.Add(1)
	case <-n.done:
	}
}

// GetBroadcasts is unused: control messages are sent point to point.
func (d *delegate) GetBroadcasts(overhead, limit int) [][]byte { return nil }

// LocalState is unused: all shared state is in node metadata.
func (d *delegate) LocalState(join bool) []byte { return nil }

// MergeRemoteState is unused, see LocalState.
func (d *delegate) MergeRemoteState(buf []byte, join bool) {}

// events is the Node seen as a memberlist.EventDelegate.
type events Node

var _ memberlist.EventDelegate = (*events)(nil)

func (e *events) poke() {
	select {
	case e.changed <- struct{}{}:
	default:
	}
}

// NotifyJoin records a new live member. memberlist calls it under its own
// lock, which makes this the one safe moment to copy the node: the
// *memberlist.Node values Members() returns are mutated later without
// the caller holding that lock.
func (e *events) NotifyJoin(n *memberlist.Node) { e.store(n); e.poke() }

// NotifyLeave forgets a member that left or was declared dead.
func (e *events) NotifyLeave(n *memberlist.Node) {
	e.mu.Lock()
	delete(e.live, n.Name)
	e.mu.Unlock()
	e.poke()
}

// NotifyUpdate records a member's new metadata or address.
func (e *events) NotifyUpdate(n *memberlist.Node) { e.store(n); e.poke() }

func (e *events) store(n *memberlist.Node) {
	c := *n
	c.Addr = append([]byte(nil), n.Addr...)
	c.Meta = append([]byte(nil), n.Meta...)
	e.mu.Lock()
	e.live[n.Name] = &c
	e.mu.Unlock()
}
