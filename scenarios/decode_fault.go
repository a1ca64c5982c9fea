package scenarios

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

func (d *decoder) fault(n *yaml.Node, what string) FaultSpec {
	f := FaultSpec{Pos: d.pos(n)}
	var params *yaml.Node
	d.object(n, what, KnownKeys["fault"], []string{"at", "duration", "kind", "target"}, func(key string, v *yaml.Node) {
		switch key {
		case "name":
			f.Name = d.name(v, what+".name")
		case "at":
			f.At = d.duration(v, what+".at")
		case "duration":
			f.Duration = d.duration(v, what+".duration")
		case "kind":
			f.Kind = d.str(v, what+".kind")
			if _, ok := FaultKinds[f.Kind]; f.Kind != "" && !ok {
				d.fail(v, strings.Join(FaultKindNames(), ", "), "unknown fault kind %q%s", f.Kind, didYouMean(f.Kind, FaultKindNames()))
				f.Kind = ""
			}
		case "target":
			f.Target = d.selector(v, what+".target")
		case "params":
			params = v
		}
	})
	// Params are checked against the kind, so wait until the kind is known.
	if k, ok := FaultKinds[f.Kind]; ok {
		f.Params = d.params(params, n, k, what)
	}
	return f
}

// params checks a fault's params against its kind and stores typed values.
func (d *decoder) params(n, parent *yaml.Node, k FaultKind, what string) map[string]any {
	specs := paramsOf(k)
	out := map[string]any{}
	seen := map[string]bool{}
	if n != nil {
		var keys []string
		for _, p := range specs {
			keys = append(keys, p.Name)
		}
		d.object(n, what+".params", keys, nil, func(key string, v *yaml.Node) {
			seen[key] = true
			for _, p := range specs {
				if p.Name == key {
					if val, ok := d.param(v, p, fmt.Sprintf("%s.params.%s", what, key)); ok {
						out[key] = val
					}
				}
			}
		})
		if n.Kind != yaml.MappingNode {
			return out
		}
	}
	for _, p := range specs {
		if p.Required && !seen[p.Name] {
			at := parent
			if n != nil {
				at = n
			}
			d.fail(at, paramNames(specs), "a %s fault needs params.%s (%s)", k.Name, p.Name, p.Doc)
		}
	}
	if k.Name == "partition" && out["shape"] == "groups" && !seen["groups"] {
		d.fail(n, "groups: [[a, b], [c]]", "a partition with shape groups needs params.groups")
	}
	return out
}

func (d *decoder) param(n *yaml.Node, p ParamSpec, what string) (any, bool) {
	if p.Type == ParamGroups {
		return d.groups(n, what)
	}
	allowed := map[ParamType]string{
		ParamDuration: allowedDuration, ParamPercent: allowedPercent, ParamBytes: allowedBytes,
		ParamByteRate: "bytes per second, e.g. 64KiB/s", ParamStatus: "an HTTP status from 100 to 599",
		ParamEnum: strings.Join(p.Values, ", "), ParamDirection: "upstream, downstream, both",
	}[p.Type]
	s, ok := d.scalar(n, what, allowed)
	if !ok {
		return nil, false
	}
	var v any
	var err error
	switch p.Type {
	case ParamDuration:
		v, err = ParseDuration(s)
	case ParamPercent:
		v, err = ParsePercent(s)
	case ParamBytes:
		v, err = ParseBytes(s)
	case ParamByteRate:
		v, err = ParseByteRate(s)
	case ParamStatus:
		code, cerr := strconv.Atoi(s)
		if cerr != nil || code < 100 || code > 599 {
			err = fmt.Errorf("%q is not an HTTP status", s)
		}
		v = code
	case ParamEnum, ParamDirection:
		values := p.Values
		if p.Type == ParamDirection {
			values = []string{"upstream", "downstream", "both"}
		}
		if !contains(values, s) {
			err = fmt.Errorf("%q is not one of them%s", s, didYouMean(s, values))
		}
		v = s
	}
	if err != nil {
		d.fail(n, allowed, "%s: %v", what, err)
		return nil, false
	}
	return v, true
}

// groups decodes a list of lists of names.
func (d *decoder) groups(n *yaml.Node, what string) (any, bool) {
	var out [][]string
	ok := true
	d.list(n, what, func(i int, g *yaml.Node) {
		var names []string
		d.list(g, fmt.Sprintf("%s[%d]", what, i), func(j int, item *yaml.Node) {
			names = append(names, d.name(item, fmt.Sprintf("%s[%d][%d]", what, i, j)))
		})
		if len(names) == 0 {
			d.fail(g, "a non-empty list of instance names", "%s[%d] is an empty group", what, i)
			ok = false
		}
		out = append(out, names)
	})
	if n.Kind == yaml.SequenceNode && len(out) < 2 {
		d.fail(n, "two or more groups", "%s needs at least two groups to partition", what)
		ok = false
	}
	return out, ok && n.Kind == yaml.SequenceNode
}

func (d *decoder) selector(n *yaml.Node, what string) Selector {
	s := Selector{Pos: d.pos(n), Pick: Pick{Mode: PickAll}}
	const allowedSel = "exactly one of service, instance, label (key=value) or edge (from->to)"
	seen := d.object(n, what, KnownKeys["selector"], nil, func(key string, v *yaml.Node) {
		switch key {
		case "service":
			s.Service = d.name(v, what+".service")
		case "instance":
			s.Instance = d.name(v, what+".instance")
		case "label":
			s.Label = d.str(v, what+".label")
			if k, val, ok := strings.Cut(s.Label, "="); s.Label != "" && (!ok || k == "" || val == "") {
				d.fail(v, "key=value, e.g. zone=a", "%s.label %q is not key=value", what, s.Label)
			}
		case "edge":
			s.Edge = d.str(v, what+".edge")
			if a, b, ok := strings.Cut(s.Edge, "->"); s.Edge != "" && (!ok || !IsName(strings.TrimSpace(a)) || !IsName(strings.TrimSpace(b))) {
				d.fail(v, "from->to between service or instance names, e.g. orders->inventory", "%s.edge %q is not from->to", what, s.Edge)
			}
		case "pick":
			str, ok := d.scalar(v, what+".pick", allowedPick)
			if !ok {
				return
			}
			p, err := ParsePick(str)
			if err != nil {
				d.fail(v, allowedPick, "%s.pick: %v", what, err)
			}
			s.Pick = p
		}
	})
	if seen != nil {
		count := 0
		for _, k := range []string{"service", "instance", "label", "edge"} {
			if seen[k] {
				count++
			}
		}
		if count != 1 {
			d.fail(n, allowedSel, "%s must name exactly one thing to fault, got %d", what, count)
		}
	}
	return s
}

// Key identifies what a selector points at, for conflict checks:
// "service:orders", "instance:orders-1", "label:zone=a", "edge:a->b".
func (s Selector) Key() string {
	switch {
	case s.Service != "":
		return "service:" + s.Service
	case s.Instance != "":
		return "instance:" + s.Instance
	case s.Label != "":
		return "label:" + s.Label
	case s.Edge != "":
		a, b, _ := strings.Cut(s.Edge, "->")
		return "edge:" + strings.TrimSpace(a) + "->" + strings.TrimSpace(b)
	}
	return ""
}
