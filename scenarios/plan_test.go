package scenarios

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// Two faults that overlap: kill-orders 10s-20s and slow-db 15s-30s after a
// 5s warmup, in a 40s run. Offsets in the plan include the warmup.
func TestPlanOverlap(t *testing.T) {
	s, err := LoadFile("testdata/overlap.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := NewPlan(s)
	if p.Total != 45*time.Second {
		t.Fatalf("total %s, want 45s", p.Total)
	}
	sec := time.Second
	want := []struct {
		name     string
		from, to time.Duration
	}{
		{"warmup", 0, 5 * sec},                              // load without judgement
		{"baseline", 5 * sec, 15 * sec},                     // up to kill-orders
		{"fault kill-orders", 15 * sec, 20 * sec},           // kill alone
		{"overlap kill-orders+slow-db", 20 * sec, 25 * sec}, // both active
		{"fault slow-db", 25 * sec, 35 * sec},               // latency alone
		{"recovery", 35 * sec, 45 * sec},                    // after the last fault
	}
	if len(p.Phases) != len(want) {
		t.Fatalf("phases %+v", p.Phases)
	}
	for i, w := range want {
		ph := p.Phases[i]
		if ph.Name() != w.name || ph.From != w.from || ph.To != w.to {
			t.Errorf("phase %d = %s [%s,%s), want %s [%s,%s)", i, ph.Name(), ph.From, ph.To, w.name, w.from, w.to)
		}
	}
	spans := map[string][2]time.Duration{
		"availability(*) >= 99%":                          {5 * sec, 15 * sec},  // steady state: baseline
		"availability(*) < 90% for 5s":                    {5 * sec, 45 * sec},  // abort: live, whole run
		"availability(browse) >= 99.9%":                   {5 * sec, 45 * sec},  // expect: whole run
		"p99(order) <= 250ms during fault(kill-orders)":   {15 * sec, 25 * sec}, // the fault's window
		"availability(order) >= 99% after fault(slow-db)": {35 * sec, 45 * sec}, // after its end
		"ttr(kill-orders) <= 10s":                         {15 * sec, 45 * sec}, // fault start onward
		"availability >= 95% during phase(recovery)":      {35 * sec, 45 * sec}, // recovery
	}
	for _, e := range p.Expectations {
		sp, ok := spans[e.Source]
		if !ok {
			t.Errorf("unexpected expectation %q", e.Source)
			continue
		}
		if e.From != sp[0] || e.To != sp[1] {
			t.Errorf("%q judged over [%s,%s), want [%s,%s)", e.Source, e.From, e.To, sp[0], sp[1])
		}
	}
	var buf bytes.Buffer
	if err := p.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	// 60 chars over 45s: 0.75s each. Warmup covers chars 0-6 (midpoints
	// below 5s), kill-orders (A) alone 15-20s, overlap 20-25s, slow-db (B)
	// alone 25-35s: 7 dots, 13 dashes, 7 A, 6 #, 14 B, 13 dashes.
	line := "|.......-------------AAAAAAA######BBBBBBBBBBBBBB-------------|"
	if got := p.Timeline(); got != line {
		t.Errorf("timeline\n got %s\nwant %s", got, line)
	}
	if !strings.Contains(buf.String(), line) || !strings.Contains(buf.String(), "overlap kill-orders+slow-db  20s   25s") {
		t.Errorf("text plan:\n%s", buf.String())
	}
	buf.Reset()
	if err := p.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var back Plan
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || len(back.Phases) != 6 {
		t.Fatalf("JSON round trip: %v, %d phases", err, len(back.Phases))
	}
}

// A scenario without faults is warmup then baseline to the end.
func TestPlanNoFaults(t *testing.T) {
	s, err := Resolve("smoke")
	if err != nil {
		t.Fatal(err)
	}
	p := NewPlan(s)
	if len(p.Phases) != 2 || p.Phases[1].Kind != PhaseBaseline || p.Phases[1].To != p.Total {
		t.Fatalf("phases %+v", p.Phases)
	}
}
