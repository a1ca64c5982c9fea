package cluster

import (
	"fmt"
	"sync"
	"time"
)

// replayWindow is how far behind the highest sequence number a message
// may arrive and still be accepted once. Reliable sends use one TCP stream
// each, so two messages sent back to back can be handled out of order.
const replayWindow = 1024

// Guard drops replayed, stale and misaddressed envelopes. It remembers,
// per sender, its newest epoch and which recent sequence numbers it has
// already accepted. It is safe for concurrent use.
type Guard struct {
	self   string
	maxAge time.Duration
	now    func() time.Time

	mu      sync.Mutex
	senders map[string]*seqWindow
}

type seqWindow struct {
	epoch int64
	high  uint64
	seen  [replayWindow / 64]uint64 // bit i%replayWindow set: seq i accepted
}

// NewGuard returns a guard for node self that refuses envelopes sent more
// than maxAge ago (or as far in the future: clocks drift both ways).
func NewGuard(self string, maxAge time.Duration) *Guard {
	return &Guard{self: self, maxAge: maxAge, now: time.Now, senders: map[string]*seqWindow{}}
}

// Check accepts e at most once. It returns ErrNotForMe, ErrStale or
// ErrReplayed (wrapped, with the details) for envelopes to drop.
func (g *Guard) Check(e *Envelope) error {
	if e.To != g.self {
		return fmt.Errorf("%w: to %q, this node is %q", ErrNotForMe, e.To, g.self)
	}
	if g.maxAge > 0 {
		age := g.now().Sub(e.Sent)
		if age > g.maxAge || age < -g.maxAge {
			return fmt.Errorf("%w: %s from %s sent %s ago (limit %s)", ErrStale, e.Kind, e.From, age.Round(time.Millisecond), g.maxAge)
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	w := g.senders[e.From]
	switch {
	case w == nil || e.Epoch > w.epoch:
		w = &seqWindow{epoch: e.Epoch}
		g.senders[e.From] = w
	case e.Epoch < w.epoch:
		return fmt.Errorf("%w: %s from %s of an earlier incarnation", ErrReplayed, e.Kind, e.From)
	}
	return w.accept(e.Seq, e.Kind, e.From)
}

func (w *seqWindow) accept(seq uint64, kind, from string) error {
	if seq == 0 {
		return fmt.Errorf("%w: %s from %s without a sequence number", ErrReplayed, kind, from)
	}
	if seq+replayWindow <= w.high {
		return fmt.Errorf("%w: %s from %s, seq %d far behind %d", ErrReplayed, kind, from, seq, w.high)
	}
	if seq > w.high {
		// Clear the bits of the sequence numbers the window slides past.
		for s := w.high + 1; s <= seq && s <= w.high+replayWindow; s++ {
			w.clear(s)
		}
		w.high = seq
	} else if w.has(seq) {
		return fmt.Errorf("%w: %s from %s, seq %d seen before", ErrReplayed, kind, from, seq)
	}
	w.set(seq)
	return nil
}

func (w *seqWindow) has(s uint64) bool {
	i := s % replayWindow
	return w.seen[i/64]&(1<<(i%64)) != 0
}
func (w *seqWindow) set(s uint64) {
	i := s % replayWindow
	w.seen[i/64] |= 1 << (i % 64)
}
func (w *seqWindow) clear(s uint64) {
	i := s % replayWindow
	w.seen[i/64] &^= 1 << (i % 64)
}
