package proxy

import (
	"bytes"
	"testing"
	"time"
)

func TestPassThroughFastPath(t *testing.T) {
	_, p := newTestProxy(t, echoServer(t))
	c := dial(t, p.Addr())
	// 1 MiB both ways, byte for byte, with no toxic: the splice path.
	msg := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	roundTrip(t, c, msg)
}

func TestLatencyAppliesToOpenLinkAndGoesAway(t *testing.T) {
	_, p := newTestProxy(t, echoServer(t))
	c := dial(t, p.Addr())
	if d := roundTrip(t, c, []byte("warm")); d > 50*time.Millisecond {
		t.Logf("warm-up round trip slow (%v): machine busy", d)
	}
	// The link is already open (fast path): adding a toxic must kick it.
	if _, err := p.AddToxic(ToxicSpec{Type: "latency", Stream: "downstream", Attributes: map[string]any{"latency": 100}}); err != nil {
		t.Fatal(err)
	}
	var worst, best time.Duration = 0, time.Hour
	for range 5 {
		d := roundTrip(t, c, []byte("ping"))
		worst, best = max(worst, d), min(best, d)
	}
	if best < 100*time.Millisecond || worst > 400*time.Millisecond {
		t.Fatalf("latency 100ms: round trips in [%v, %v], want >= 100ms and well under 400ms", best, worst)
	}
	if err := p.RemoveToxic("latency_downstream"); err != nil {
		t.Fatal(err)
	}
	if d := roundTrip(t, c, []byte("pong")); d >= 100*time.Millisecond {
		t.Fatalf("after removal round trip took %v, want < 100ms", d)
	}
}

func TestLeaseExpiresWithoutRenewal(t *testing.T) {
	_, p := newTestProxy(t, echoServer(t))
	start := time.Now()
	if _, err := p.AddToxic(ToxicSpec{Type: "timeout", Lease: time.Second}); err != nil {
		t.Fatal(err)
	}
	for len(p.Toxics()) > 0 {
		if time.Since(start) > 1500*time.Millisecond {
			t.Fatalf("toxic with a 1s lease still present after %v", time.Since(start))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if el := time.Since(start); el < time.Second {
		t.Fatalf("toxic removed after %v, before its 1s lease", el)
	}
}

func TestLeaseRenewalKeepsToxic(t *testing.T) {
	_, p := newTestProxy(t, echoServer(t))
	if _, err := p.AddToxic(ToxicSpec{Type: "latency", Lease: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	for range 6 {
		time.Sleep(100 * time.Millisecond)
		if err := p.RenewToxic("latency_downstream", 300*time.Millisecond); err != nil {
			t.Fatalf("renew: %v", err)
		}
	}
	ts, ok := p.Toxic("latency_downstream")
	if !ok {
		t.Fatal("renewed toxic is gone")
	}
	if ts.Lease <= 0 || ts.Lease > 300*time.Millisecond {
		t.Fatalf("lease remaining %v, want in (0, 300ms]", ts.Lease)
	}
}
