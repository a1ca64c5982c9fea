package scenarios

import (
	"fmt"
	"strings"
)

// Validate checks a decoded scenario's meaning: references resolve, faults
// fit in the run and do not conflict, expectations name things that exist.
// Decode calls it; call it yourself for a Scenario built in Go. The error
// is an ErrorList.
func Validate(s *Scenario) error {
	v := &validator{s: s}
	v.target()
	v.options()
	v.agents()
	v.load()
	v.probes()
	v.timeline()
	v.variants()
	v.expectations()
	return v.err()
}

type validator struct {
	s *Scenario
	errs
}

func (v *validator) target() {
	t := v.s.Target
	switch t.Kind {
	case "external":
		if t.BaseURL == "" {
			v.add(t.Pos, "base_url: http://host:port", "an external target needs base_url")
		}
	case "reference":
		if t.BaseURL != "" {
			v.add(t.Pos, "kind and options", "a reference target starts its own gateway and takes no base_url")
		}
	}
}

func (v *validator) agents() {
	a := v.s.Agents
	if a.Count > 0 && len(a.Join) > 0 {
		v.add(a.Pos, "count (local agents) or join (an existing cluster)", "agents has both count and join")
	}
	if a.Min > 0 && len(a.Join) == 0 {
		v.add(a.Pos, "min together with join", "agents.min only applies when joining a cluster")
	}
}

func (v *validator) load() {
	l := v.s.Load
	sh := l.Shape
	need := func(ok bool, what string) {
		if !ok {
			v.add(sh.Pos, "", "a %s load shape needs %s", sh.Kind, what)
		}
	}
	switch sh.Kind {
	case "ramp":
		need(sh.From.Per > 0, "from (the starting rate)")
	case "step":
		need(sh.Step.Per > 0 && sh.Every > 0, "step and every")
	case "sine":
		need(sh.Amplitude.Per > 0 && sh.Period > 0, "amplitude and period")
		if sh.Amplitude.PerSecond() > l.Rate.PerSecond() {
			v.add(sh.Pos, "an amplitude at most the rate", "a sine amplitude above the rate would ask for a negative rate")
		}
	case "spike":
		need(sh.Spike.Per > 0 && sh.For > 0, "spike and for")
		if sh.At+sh.For > l.Warmup+l.Duration {
			v.add(sh.Pos, "at + for within warmup + duration", "the spike ends at %s, after the run ends at %s", sh.At+sh.For, l.Warmup+l.Duration)
		}
	}
	v.shapeFields(sh)
	names := map[string]bool{}
	for _, e := range l.Mix {
		if names[e.Name] {
			v.add(e.Pos, "unique endpoint names", "endpoint %q is defined twice", e.Name)
		}
		names[e.Name] = true
	}
	for _, e := range l.Mix {
		v.template(e.Pos, e.Path, "path of "+e.Name, false)
		v.template(e.Pos, e.Body, "body of "+e.Name, false)
		for _, k := range sortedKeys(e.Headers) {
			v.template(e.Pos, e.Headers[k], "header "+k+" of "+e.Name, false)
		}
	}
}

// template checks a template's syntax and that captures name an endpoint
// that declares that capture.
func (v *validator) template(p Pos, tpl, what string, probe bool) {
	acts, err := ParseTemplate(tpl)
	if err != nil {
		v.add(p, allowedTemplate, "bad template in %s: %v", what, err)
		return
	}
	for _, a := range acts {
		switch a.Func {
		case "probe_id":
			if !probe {
				v.add(p, "probe_id in probe requests only", "{{probe_id}} in %s: only probes have a probe id", what)
			}
		case "capture":
			ep, name := a.Args[0], a.Args[1]
			if probe && ep == "write" {
				continue
			}
			e := v.endpoint(ep)
			if e == nil {
				v.add(p, "endpoints: "+strings.Join(v.endpointNames(), ", "), "template in %s captures from unknown endpoint %q%s", what, ep, didYouMean(ep, v.endpointNames()))
			} else if _, ok := e.Capture[name]; !ok {
				allowed := "captures of " + ep + ": " + strings.Join(sortedKeys(e.Capture), ", ")
				if len(e.Capture) == 0 {
					allowed = "declare it on " + ep + ", e.g. capture: {" + name + ": " + name + "}"
				}
				v.add(p, allowed, "template in %s uses capture %q, which endpoint %q does not declare", what, name, ep)
			}
		}
	}
}

func (v *validator) endpoint(name string) *Endpoint {
	for i := range v.s.Load.Mix {
		if v.s.Load.Mix[i].Name == name {
			return &v.s.Load.Mix[i]
		}
	}
	return nil
}

func (v *validator) endpointNames() []string {
	var out []string
	for _, e := range v.s.Load.Mix {
		out = append(out, e.Name)
	}
	return out
}

func (v *validator) probes() {
	names := map[string]bool{}
	for _, p := range v.s.Probes {
		if names[p.Name] {
			v.add(p.Pos, "unique probe names", "probe %q is defined twice", p.Name)
		}
		names[p.Name] = true
		if p.Rate.PerSecond() <= 0 {
			v.add(p.Pos, "a rate above zero", "probe %q has a zero rate", p.Name)
		}
		for _, r := range []struct {
			req  Request
			what string
		}{{p.Write, "write"}, {p.Read, "read"}} {
			v.template(r.req.Pos, r.req.Path, fmt.Sprintf("probe %s %s path", p.Name, r.what), true)
			v.template(r.req.Pos, r.req.Body, fmt.Sprintf("probe %s %s body", p.Name, r.what), true)
		}
	}
}

func (v *validator) variants() {
	names := map[string]bool{}
	for _, x := range v.s.Variants {
		if names[x.Name] {
			v.add(x.Pos, "unique variant names", "variant %q is defined twice", x.Name)
		}
		names[x.Name] = true
	}
}

// shapeUses lists the shape fields each kind reads.
var shapeUses = map[string][]string{
	"constant": {},
	"ramp":     {"from"},
	"step":     {"from", "step", "every"},
	"sine":     {"amplitude", "period"},
	"spike":    {"spike", "at", "for"},
}

// shapeFields refuses fields the shape's kind would ignore: a silently
// ignored "spike:" on a ramp is a test that does not do what it says.
func (v *validator) shapeFields(sh Shape) {
	set := map[string]bool{
		"from": sh.From.Per > 0, "step": sh.Step.Per > 0, "every": sh.Every > 0,
		"amplitude": sh.Amplitude.Per > 0, "period": sh.Period > 0,
		"spike": sh.Spike.Per > 0, "at": sh.At > 0, "for": sh.For > 0,
	}
	uses, ok := shapeUses[sh.Kind]
	if !ok {
		return
	}
	for _, f := range []string{"from", "step", "every", "amplitude", "period", "spike", "at", "for"} {
		if set[f] && !contains(uses, f) {
			allowed := "no parameters"
			if len(uses) > 0 {
				allowed = strings.Join(uses, ", ")
			}
			v.add(sh.Pos, allowed, "a %s load shape does not use %s", sh.Kind, f)
		}
	}
}
