package agents

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faultline/faultline/faults/proxy"
)

// adminServer is a real fault proxy with one link, "edge", behind its admin
// API on loopback.
func adminServer(t *testing.T) (*proxy.Proxy, string) {
	t.Helper()
	return slowAdminServer(t, nil)
}

// slowAdminServer is adminServer whose toxic creations first call hold.
func slowAdminServer(t *testing.T, hold func()) (*proxy.Proxy, string) {
	t.Helper()
	up, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { up.Close() })
	srv := proxy.NewServer()
	t.Cleanup(func() { _ = srv.Close() })
	edge, err := srv.Add("edge", "127.0.0.1:0", up.Addr().String(), true)
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hold != nil && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/toxics") {
			hold()
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	return edge, hs.URL
}

func latencyOn(admin, name string) ToxicTarget {
	return ToxicTarget{Admin: admin, Proxy: "edge", Instance: "web-1",
		Toxic: Toxic{Name: name, Type: "latency", Stream: "downstream", Toxicity: 1, Attributes: map[string]any{"latency": 1000}}}
}

// An agent that held a fault died; the coordinator applies the fault again
// on another agent, naming the dead agent's toxics in Replaces. They go
// before the new ones come, so the link never carries both (twice the
// latency), whether or not their lease already removed them.
func TestExecutorApplyReplacesLostToxics(t *testing.T) {
	cases := []struct {
		name    string
		leftBy  string // toxic the lost executor left on the link ("" none)
		replace []string
		want    []string
	}{
		// Its lease has not run out: without Replaces it would stack.
		{"left in place", "fl-slow-1-downstream", []string{"fl-slow-1-downstream"}, []string{"fl-slow-2-downstream"}},
		// Its lease already removed it: nothing to do, not an error.
		{"already expired", "", []string{"fl-slow-1-downstream"}, []string{"fl-slow-2-downstream"}},
		// A first attempt replaces nothing; another fault's toxic stays.
		{"first attempt", "fl-other-1-downstream", nil, []string{"fl-other-1-downstream", "fl-slow-2-downstream"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			edge, admin := adminServer(t)
			ctx := context.Background()
			if c.leftBy != "" {
				lost := NewExecutor()
				if err := lost.Apply(ctx, FaultCommand{Op: FaultApply, ID: "lost", Lease: time.Minute,
					Targets: &FaultTargets{Toxics: []ToxicTarget{latencyOn(admin, c.leftBy)}}}); err != nil {
					t.Fatal(err)
				}
			}
			cmd := FaultCommand{Op: FaultApply, ID: "slow-2", Lease: time.Minute,
				Targets: &FaultTargets{Toxics: []ToxicTarget{latencyOn(admin, "fl-slow-2-downstream")}}}
			for _, n := range c.replace {
				cmd.Replaces = append(cmd.Replaces, latencyOn(admin, n))
			}
			if err := NewExecutor().Apply(ctx, cmd); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, x := range edge.Toxics() {
				got = append(got, x.Name)
			}
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("toxics on the link %v, want %v", got, c.want)
			}
		})
	}
}

// Replaces are admin APIs too: one outside the allowlist is refused, and
// nothing is applied.
func TestExecutorReplacesChecked(t *testing.T) {
	edge, admin := adminServer(t)
	cmd := FaultCommand{Op: FaultApply, ID: "slow-2", Lease: time.Minute,
		Targets:  &FaultTargets{Toxics: []ToxicTarget{latencyOn(admin, "fl-slow-2-downstream")}},
		Replaces: []ToxicTarget{latencyOn("http://192.0.2.1:8474", "fl-slow-1-downstream")}}
	if err := NewExecutor().Apply(context.Background(), cmd); err == nil {
		t.Fatal("applied with a replaced toxic on an admin API outside the allowlist")
	}
	if n := len(edge.Toxics()); n != 0 {
		t.Errorf("%d toxics on the link after a refused apply", n)
	}
}

// The run stops (RevertAll) while a fault is still being applied: the
// revert waits for the apply and undoes all of it. Reverting only what
// was applied so far left the rest on the link, held by nobody, until its
// lease ran out.
func TestExecutorRevertAllDuringApply(t *testing.T) {
	reached, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	edge, admin := slowAdminServer(t, func() {
		once.Do(func() { close(reached) })
		<-release
	})
	x := NewExecutor()
	applied := make(chan error, 1)
	go func() {
		applied <- x.Apply(context.Background(), FaultCommand{Op: FaultApply, ID: "slow-1", Lease: time.Minute,
			Targets: &FaultTargets{Toxics: []ToxicTarget{latencyOn(admin, "fl-slow-1-downstream")}}})
	}()
	<-reached // the toxic's creation is in flight
	reverted := make(chan error, 1)
	go func() { reverted <- x.RevertAll(context.Background()) }()
	time.Sleep(50 * time.Millisecond) // RevertAll has taken the fault
	close(release)
	if err := <-applied; err != nil {
		t.Fatal(err)
	}
	if err := <-reverted; err != nil {
		t.Fatal(err)
	}
	if n := edge.Toxics(); len(n) != 0 {
		t.Errorf("toxics %v left on the link after RevertAll", n)
	}
	if a := x.Active(); len(a) != 0 {
		t.Errorf("executor still holds %v", a)
	}
}
