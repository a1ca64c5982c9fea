package probes

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/targets/reference"
)

// The prober against the real reference topology: orders are written
// through the gateway and read on each query instance's CQRS read model.
// Every acknowledged order must become visible on both (nothing lost),
// with a lag a projection on loopback keeps well under a second.
func TestProbeReferenceReadModel(t *testing.T) {
	if testing.Short() {
		t.Skip("e2e: starts the reference topology's processes")
	}
	bin := filepath.Join(t.TempDir(), "faultline")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/faultline/faultline/cmd/faultline").CombinedOutput(); err != nil {
		t.Skipf("cmd/faultline does not build right now (someone may be editing it): %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	top, err := reference.Start(ctx, reference.Config{Binary: bin, Options: reference.DefaultOptions()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, scancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer scancel()
		top.Stop(sctx)
	})
	insts, err := top.Instances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var readers []Reader
	for _, in := range insts {
		if in.Role == "query" {
			readers = append(readers, Reader{Name: in.ID, BaseURL: "http://" + in.Addr})
		}
	}
	if len(readers) < 2 {
		t.Fatalf("query instances %v, want 2", readers)
	}
	p, err := New(Config{RunID: "e2e", AgentID: "a1", WriteURL: top.BaseURL(), Readers: readers,
		Until: time.Now().Add(4 * time.Second), Linger: 300 * time.Millisecond,
		Probe: scenarios.Probe{Name: "orders",
			Write:   scenarios.Request{Method: "POST", Path: "/orders", Body: `{"item":"item-{{rand 0 99}}","qty":1}`},
			Read:    scenarios.Request{Method: "GET", Path: `/query/orders/{{capture "write" "id"}}`},
			Rate:    scenarios.Rate{Freq: 5, Per: time.Second},
			Timeout: 5 * time.Second, Grace: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, ctx, p)
	c := reports.MeasureConsistency(&reports.Result{Probes: got}, "orders", 0, 0)
	t.Logf("%d samples, %d acked, lost %d, lag p50 %v p99 %v max %v, errors %v", c.Samples, c.Acked, c.Lost, c.Lag.P50, c.Lag.P99, c.Lag.Max, c.Errors)
	if c.Samples < 15 || c.Acked != c.Samples {
		t.Errorf("%d samples, %d acknowledged; want about 20, all acknowledged (errors %v)", c.Samples, c.Acked, c.Errors)
	}
	if c.Lost != 0 || c.Unresolved != 0 || c.Violations != 0 {
		t.Errorf("lost %d, unresolved %d, violations %d; want none on a healthy topology", c.Lost, c.Unresolved, c.Violations)
	}
	if c.Lag.Max > 2*time.Second || len(c.PerInstance) != len(readers) {
		t.Errorf("lag max %v over %d instances; want under 2s on both", c.Lag.Max, len(c.PerInstance))
	}
}
