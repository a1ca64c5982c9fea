package coordinator

import (
	"testing"
	"time"

	"github.com/faultline/faultline/agents"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
)

// TestKilledEvent: a kill by pid is recorded as instance_killed with the
// pid and the agent, so TTR and the report see who killed what; other
// kinds record none.
func TestKilledEvent(t *testing.T) {
	at := time.Unix(100, 0)
	res := &Resolved{Targets: agents.FaultTargets{Procs: []agents.ProcTarget{{Instance: "catalog-2", PID: 4242, Action: "kill"}}}}
	cases := []struct {
		name, kind, instance string
		want                 bool
	}{
		{"kill by pid records instance_killed", "kill", "catalog-2", true},
		{"terminate is a kill too (SIGTERM)", "terminate", "catalog-2", true},
		{"pause does not kill", "pause", "catalog-2", false},
		{"latency is a network fault", "latency", "catalog-2", false},
		{"an instance the fault did not target", "kill", "catalog-1", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := killedEvent(scenarios.PlannedFault{Name: "kill-catalog", Kind: c.kind}, res, "agent-1", c.instance, at)
			if (e != nil) != c.want {
				t.Fatalf("event %+v, want one: %v", e, c.want)
			}
			if e == nil {
				return
			}
			if e.Kind != reports.EvInstanceKilled || e.Instance != "catalog-2" || e.Agent != "agent-1" || !e.Time.Equal(at) || e.Params["pid"] != 4242 || e.Fault != "kill-catalog" {
				t.Fatalf("event %+v", e)
			}
		})
	}
}
