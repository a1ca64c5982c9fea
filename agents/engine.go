package agents

import (
	"github.com/faultline/faultline/agents/load"
	"github.com/faultline/faultline/targets"
)

var _ Load = (*load.Engine)(nil)

// EngineFactory builds the real load engine (agents/load) for an
// assignment. The allowlist is rebuilt from the assignment itself, so the
// engine refuses any destination the coordinator did not list.
func EngineFactory(a Assignment) (Load, error) {
	allow, err := targets.NewAllowlist(append([]string{a.BaseURL}, a.Allow...)...)
	if err != nil {
		return nil, err
	}
	return load.New(load.Config{
		RunID: a.RunID, AgentID: a.AgentID, BaseURL: a.BaseURL, Allow: allow,
		Load: a.Load, Share: a.Share, Start: a.Start, Seed: a.Seed,
	})
}
