package cluster

import (
	"errors"
	"testing"
	"time"
)

func TestGuard(t *testing.T) {
	now := time.Unix(1000, 0)
	env := func(from string, epoch int64, seq uint64, age time.Duration) *Envelope {
		return &Envelope{Kind: "hb", From: from, To: "me", Epoch: epoch, Seq: seq, Sent: now.Add(-age)}
	}
	steps := []struct {
		name string
		e    *Envelope
		want error
	}{
		{"first message from c1 is accepted", env("c1", 5, 1, 0), nil},
		{"the same message again is a replay", env("c1", 5, 1, 0), ErrReplayed},
		{"a later seq is accepted", env("c1", 5, 3, 0), nil},
		{"an earlier, unseen seq (reordered stream) is accepted once", env("c1", 5, 2, 0), nil},
		{"and only once", env("c1", 5, 2, 0), ErrReplayed},
		{"seq 0 is never valid", env("c1", 5, 0, 0), ErrReplayed},
		{"a jump far ahead is accepted", env("c1", 5, 5000, 0), nil},
		{"a seq that fell out of the window is refused", env("c1", 5, 3000, 0), ErrReplayed},
		{"a restarted sender (newer epoch) starts over", env("c1", 6, 1, 0), nil},
		{"its previous incarnation is now refused", env("c1", 5, 6000, 0), ErrReplayed},
		{"other senders are tracked apart", env("c2", 1, 1, 0), nil},
		{"a message older than max age is stale", env("c3", 1, 1, time.Minute), ErrStale},
		{"so is one from too far in the future", env("c3", 1, 1, -time.Minute), ErrStale},
		{"a message for another node is refused", &Envelope{Kind: "hb", From: "c1", To: "you", Epoch: 6, Seq: 9, Sent: now}, ErrNotForMe},
	}
	g := NewGuard("me", 30*time.Second)
	g.now = func() time.Time { return now }
	for _, s := range steps {
		if err := g.Check(s.e); !errors.Is(err, s.want) && !(err == nil && s.want == nil) {
			t.Fatalf("%s: Check = %v, want %v", s.name, err, s.want)
		}
	}
}

func TestGuardWindowSlides(t *testing.T) {
	g := NewGuard("me", 0)
	// 10k in-order messages, each accepted exactly once.
	for s := uint64(1); s <= 10000; s++ {
		e := &Envelope{Kind: "w", From: "a", To: "me", Epoch: 1, Seq: s}
		if err := g.Check(e); err != nil {
			t.Fatalf("seq %d: %v", s, err)
		}
		if s > 1 {
			e.Seq = s - 1
			if err := g.Check(e); !errors.Is(err, ErrReplayed) {
				t.Fatalf("seq %d replayed after %d: %v", s-1, s, err)
			}
		}
	}
}
