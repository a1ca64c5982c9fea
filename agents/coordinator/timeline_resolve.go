package coordinator

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/faultline/faultline/agents"
	"github.com/faultline/faultline/faults"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/targets"
)

// Inventory is what the timeline resolves selectors over: the target's
// instances and their links. The reference topology satisfies it.
type Inventory interface {
	Instances(ctx context.Context) ([]targets.Instance, error)
	Links(ctx context.Context, id string) ([]targets.Link, error)
}

// Resolved is one fault resolved to concrete actions, and the instances
// it is charged to (one fault_applied event each).
type Resolved struct {
	Targets   agents.FaultTargets
	Instances []string
	// Host is the host of the first charged instance, for placement.
	Host string
}

// ErrNoLink is returned when a network fault or partition finds no link
// to act on: faulting nothing must never pass for a fault.
var ErrNoLink = errors.New("no link to fault")

// Resolve turns spec into the exact actions for an agent: the seeded
// faults.Select over the running instances, then pids for instance kinds,
// the links into the chosen instances (or the chosen edges) for network
// kinds, and the exact cuts of faults.Partition for partitions. id names
// the toxics so that they can be renewed and removed.
func Resolve(ctx context.Context, inv Inventory, spec scenarios.FaultSpec, id string, seed int64) (*Resolved, error) {
	all, err := inv.Instances(ctx)
	if err != nil {
		return nil, fmt.Errorf("fault %s: list instances: %w", spec.Name, err)
	}
	var live []targets.Instance
	for _, in := range all {
		if in.State == targets.StateRunning || in.State == "" {
			live = append(live, in)
		}
	}
	sel, err := faults.Select(spec.Target, live, seed)
	if err != nil {
		return nil, fmt.Errorf("fault %s (%s): %w", spec.Name, spec.Target.Key(), err)
	}
	kind, ok := scenarios.FaultKinds[spec.Kind]
	if !ok {
		return nil, fmt.Errorf("fault %s: unknown kind %q", spec.Name, spec.Kind)
	}
	r := &Resolved{}
	switch kind.Class {
	case "instance":
		for _, in := range sel.Instances {
			r.Targets.Procs = append(r.Targets.Procs, agents.ProcTarget{Instance: in.ID, PID: in.PID, Action: spec.Kind})
			r.charge(in)
		}
	case "network":
		err = r.network(ctx, inv, spec, id, sel)
	case "partition":
		err = r.partition(ctx, inv, spec, id, sel, live, seed)
	default:
		err = fmt.Errorf("fault %s: kind %s (class %s) has no executor", spec.Name, spec.Kind, kind.Class)
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Resolved) charge(in targets.Instance) {
	for _, id := range r.Instances {
		if id == in.ID {
			return
		}
	}
	if len(r.Instances) == 0 {
		r.Host = in.Host
	}
	r.Instances = append(r.Instances, in.ID)
}

// network puts the kind's toxic on every chosen edge's link, or on every
// link into each chosen instance (a slow dependency is slow for all of its
// callers).
func (r *Resolved) network(ctx context.Context, inv Inventory, spec scenarios.FaultSpec, id string, sel faults.Selection) error {
	links, err := inv.Links(ctx, "")
	if err != nil {
		return fmt.Errorf("fault %s: list links: %w", spec.Name, err)
	}
	toxics, err := NetworkToxics(spec, id)
	if err != nil {
		return err
	}
	add := func(l targets.Link, to targets.Instance) {
		for _, t := range toxics {
			r.Targets.Toxics = append(r.Targets.Toxics, agents.ToxicTarget{Admin: l.Admin, Proxy: l.Name, Instance: to.ID, Toxic: t})
		}
		r.charge(to)
	}
	if len(sel.Edges) > 0 {
		for _, e := range sel.Edges {
			for _, l := range links {
				if l.From == e.From.ID && l.To == e.To.ID {
					add(l, e.To)
				}
			}
		}
	} else {
		for _, in := range sel.Instances {
			for _, l := range links {
				if l.To == in.ID {
					add(l, in)
				}
			}
		}
	}
	if len(r.Targets.Toxics) == 0 {
		return fmt.Errorf("fault %s (%s): %w: no caller has opened a link to the chosen instances yet", spec.Name, spec.Target.Key(), ErrNoLink)
	}
	return nil
}

// partition cuts every directed flow faults.Partition returns: bytes
// From→To stop on the upstream side of link From->To and on the
// downstream side of link To->From, whichever exist.
func (r *Resolved) partition(ctx context.Context, inv Inventory, spec scenarios.FaultSpec, id string, sel faults.Selection, live []targets.Instance, seed int64) error {
	shape, _ := spec.Params["shape"].(string)
	groups := expandGroups(spec.Params["groups"], live)
	set := map[string]bool{}
	for _, in := range sel.Instances {
		set[in.ID] = true
		r.charge(in)
	}
	for _, g := range groups {
		for _, x := range g {
			set[x] = true
		}
	}
	ids := make([]string, 0, len(set))
	for x := range set {
		ids = append(ids, x)
	}
	cuts, err := faults.Partition(shape, ids, groups, seed)
	if err != nil {
		return fmt.Errorf("fault %s: %w", spec.Name, err)
	}
	links, err := inv.Links(ctx, "")
	if err != nil {
		return fmt.Errorf("fault %s: list links: %w", spec.Name, err)
	}
	byName := map[string]targets.Link{}
	for _, l := range links {
		byName[l.From+"->"+l.To] = l
	}
	seen := map[string]bool{}
	cut := func(l targets.Link, stream, to string) {
		k := l.Name + "/" + stream
		if seen[k] {
			return
		}
		seen[k] = true
		r.Targets.Toxics = append(r.Targets.Toxics, agents.ToxicTarget{Admin: l.Admin, Proxy: l.Name, Instance: to,
			Toxic: agents.Toxic{Name: "fl-" + id + "-" + stream, Type: "timeout", Stream: stream, Toxicity: 1, Attributes: map[string]any{"timeout": 0}}})
	}
	for _, c := range cuts {
		if l, ok := byName[c.From+"->"+c.To]; ok {
			cut(l, "upstream", c.To)
		}
		if l, ok := byName[c.To+"->"+c.From]; ok {
			cut(l, "downstream", c.To)
		}
	}
	if len(r.Targets.Toxics) == 0 {
		return fmt.Errorf("fault %s: %w: partition %s over %v cuts %d flows, none over an open link", spec.Name, ErrNoLink, shape, ids, len(cuts))
	}
	return nil
}

// expandGroups turns the groups parameter into instance ids: a service
// name stands for its running instances.
func expandGroups(v any, live []targets.Instance) [][]string {
	raw, _ := v.([][]string)
	var out [][]string
	for _, g := range raw {
		var ids []string
		for _, name := range g {
			n := 0
			for _, in := range live {
				if in.Role == name {
					ids = append(ids, in.ID)
					n++
				}
			}
			if n == 0 {
				ids = append(ids, name)
			}
		}
		sort.Strings(ids)
		out = append(out, ids)
	}
	return out
}

// NetworkToxics maps a network fault's typed params to Toxiproxy toxics
// (one per direction). Units follow the toxics: milliseconds, KB/s,
// microseconds for slicer delays, percentages 0..100.
func NetworkToxics(spec scenarios.FaultSpec, id string) ([]agents.Toxic, error) {
	p := spec.Params
	ms := func(k string) int64 { d, _ := p[k].(time.Duration); return d.Milliseconds() }
	pct := func(k string) float64 {
		if f, ok := p[k].(float64); ok {
			return f * 100
		}
		return 100
	}
	i64 := func(k string) int64 { n, _ := p[k].(int64); return n }
	var typ string
	attrs := map[string]any{}
	switch spec.Kind {
	case "latency":
		typ = "latency"
		attrs["latency"], attrs["jitter"] = ms("latency"), ms("jitter")
		if d, ok := p["distribution"].(string); ok {
			attrs["distribution"] = d
		}
	case "bandwidth":
		typ, attrs["rate"] = "bandwidth", i64("rate")/1024
	case "blackhole":
		typ, attrs["timeout"] = "timeout", 0
	case "timeout":
		typ, attrs["timeout"] = "timeout", ms("timeout")
	case "reset_peer":
		typ, attrs["timeout"] = "reset_peer", ms("timeout")
	case "slicer":
		d, _ := p["delay"].(time.Duration)
		typ = "slicer"
		attrs["average_size"], attrs["size_variation"], attrs["delay"] = i64("average_size"), i64("size_variation"), d.Microseconds()
	case "slow_close":
		typ, attrs["delay"] = "slow_close", ms("delay")
	case "limit_data":
		typ, attrs["bytes"] = "limit_data", i64("bytes")
	case "http_abort":
		st, _ := p["status"].(int)
		typ, attrs["status"], attrs["percent"] = "http_abort", st, pct("percent")
	case "http_delay":
		typ, attrs["delay"], attrs["percent"] = "http_delay", ms("delay"), pct("percent")
	default:
		return nil, fmt.Errorf("fault %s: %q is not a network kind", spec.Name, spec.Kind)
	}
	tox := 1.0
	if f, ok := p["toxicity"].(float64); ok {
		tox = f
	}
	streams := []string{"downstream"}
	switch p["direction"] {
	case "upstream":
		streams = []string{"upstream"}
	case "both":
		streams = []string{"upstream", "downstream"}
	}
	var out []agents.Toxic
	for _, s := range streams {
		out = append(out, agents.Toxic{Name: "fl-" + id + "-" + s, Type: typ, Stream: s, Toxicity: tox, Attributes: attrs})
	}
	return out, nil
}
