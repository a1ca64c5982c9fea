package scenarios

import (
	"fmt"
	"math"
	"net/url"
	"strings"

	"gopkg.in/yaml.v3"
)

func (d *decoder) scenario(n *yaml.Node) *Scenario {
	s := &Scenario{Pos: d.pos(n)}
	if n.Kind != yaml.MappingNode {
		d.fail(n, "a YAML mapping starting with version: 1", "a scenario must be a mapping of keys, got %s", kindName(n))
		return s
	}
	// The version decides how everything else reads, so check it first
	// and stop if it is wrong.
	if !d.version(n) {
		return s
	}
	d.object(n, "the scenario", KnownKeys["scenario"], []string{"name", "target", "load"}, func(key string, v *yaml.Node) {
		switch key {
		case "version":
			s.Version = SchemaVersion
		case "name":
			s.Name = d.name(v, "name")
		case "description":
			s.Description = d.str(v, "description")
		case "tags":
			s.Tags = d.strings(v, "tags")
		case "seed":
			s.Seed = d.integer(v, "seed", math.MinInt64, math.MaxInt64)
		case "claims":
			d.list(v, "claims", func(i int, item *yaml.Node) {
				if c, ok := d.claim(item, fmt.Sprintf("claims[%d]", i)); ok {
					s.Claims = append(s.Claims, c)
				}
			})
		case "target":
			s.Target = d.target(v)
		case "agents":
			s.Agents = d.agents(v)
		case "load":
			s.Load = d.load(v)
		case "probes":
			d.list(v, "probes", func(i int, item *yaml.Node) {
				s.Probes = append(s.Probes, d.probe(item, fmt.Sprintf("probes[%d]", i)))
			})
		case "steady_state":
			s.SteadyState = d.expectations(v, "steady_state")
		case "timeline":
			d.list(v, "timeline", func(i int, item *yaml.Node) {
				s.Timeline = append(s.Timeline, d.fault(item, fmt.Sprintf("timeline[%d]", i)))
			})
		case "abort_when":
			s.AbortWhen = d.expectations(v, "abort_when")
		case "expect":
			s.Expect = d.expectations(v, "expect")
		case "variants":
			d.list(v, "variants", func(i int, item *yaml.Node) {
				s.Variants = append(s.Variants, d.variant(item, fmt.Sprintf("variants[%d]", i)))
			})
		}
	})
	return s
}

// version checks the version key, which must be present and 1.
func (d *decoder) version(n *yaml.Node) bool {
	allowed := fmt.Sprintf("version: %d", SchemaVersion)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != "version" {
			continue
		}
		v := n.Content[i+1]
		if v.Kind != yaml.ScalarNode || v.Value != fmt.Sprint(SchemaVersion) {
			d.fail(v, allowed, "unsupported scenario version %s", kindName(v))
			return false
		}
		return true
	}
	d.fail(n, allowed, "the scenario has no version")
	return false
}

func (d *decoder) target(n *yaml.Node) Target {
	t := Target{Pos: d.pos(n)}
	d.object(n, "target", KnownKeys["target"], []string{"kind"}, func(key string, v *yaml.Node) {
		switch key {
		case "kind":
			t.Kind = d.str(v, "target.kind")
			if t.Kind != "" && !contains(targetKinds, t.Kind) {
				d.fail(v, strings.Join(targetKinds, ", "), "unknown target kind %q%s", t.Kind, didYouMean(t.Kind, targetKinds))
			}
		case "base_url":
			t.BaseURL = d.str(v, "target.base_url")
			if u, err := url.Parse(t.BaseURL); t.BaseURL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
				d.fail(v, "an absolute http:// or https:// URL, e.g. http://127.0.0.1:8080", "target.base_url %q is not an http(s) URL", t.BaseURL)
			}
		case "allow":
			t.Allow = d.strings(v, "target.allow")
		case "options":
			t.Options = d.anyMap(v, "target.options")
		}
	})
	return t
}

func (d *decoder) agents(n *yaml.Node) Agents {
	a := Agents{Pos: d.pos(n)}
	d.object(n, "agents", KnownKeys["agents"], nil, func(key string, v *yaml.Node) {
		switch key {
		case "count":
			a.Count = int(d.integer(v, "agents.count", 1, MaxLocalAgents))
		case "join":
			a.Join = d.strings(v, "agents.join")
		case "min":
			a.Min = int(d.integer(v, "agents.min", 1, 100000))
		}
	})
	return a
}

func (d *decoder) variant(n *yaml.Node, what string) Variant {
	v := Variant{Pos: d.pos(n)}
	d.object(n, what, KnownKeys["variant"], []string{"name", "options"}, func(key string, val *yaml.Node) {
		switch key {
		case "name":
			v.Name = d.name(val, what+".name")
		case "options":
			v.Options = d.anyMap(val, what+".options")
		}
	})
	return v
}

// claim decodes a claims item: a full object, or a catalogue claim id.
func (d *decoder) claim(n *yaml.Node, what string) (Claim, bool) {
	if n.Kind == yaml.ScalarNode {
		id := d.name(n, what)
		c, ok := catalogClaim(id)
		if !ok {
			d.fail(n, "an id from scenarios/catalog/claims.yaml ("+strings.Join(catalogClaimIDs(), ", ")+") or a claim object", "unknown claim %q%s", id, didYouMean(id, catalogClaimIDs()))
			return Claim{}, false
		}
		// Problems with a library rule in this scenario (a phase it lacks)
		// are reported where the scenario lists the claim.
		c.Pos = d.pos(n)
		c.Rules = append([]Expectation(nil), c.Rules...)
		for i := range c.Rules {
			c.Rules[i].Pos, c.Rules[i].col0, c.Rules[i].library = c.Pos, 0, true
		}
		return c, true
	}
	c := Claim{Pos: d.pos(n)}
	d.object(n, what, KnownKeys["claim"], []string{"id", "rules"}, func(key string, v *yaml.Node) {
		switch key {
		case "id":
			c.ID = d.name(v, what+".id")
		case "section":
			c.Section = d.str(v, what+".section")
		case "statement":
			c.Statement = d.str(v, what+".statement")
		case "experiment":
			c.Experiment = d.str(v, what+".experiment")
		case "rules":
			c.Rules = d.expectations(v, what+".rules")
		}
	})
	return c, true
}

// expectations decodes a list of expectation lines, parsing each one.
func (d *decoder) expectations(n *yaml.Node, what string) []Expectation {
	var out []Expectation
	d.list(n, what, func(i int, item *yaml.Node) {
		src, ok := d.scalar(item, fmt.Sprintf("%s[%d]", what, i), "an expectation such as availability(browse) >= 99.9%")
		if !ok {
			return
		}
		e := Expectation{Pos: d.pos(item), Source: src, col0: sourceColumn(item)}
		x, err := ParseExpectation(src)
		if err != nil {
			d.addErr(exprErrorAt(err, item, d.file))
		}
		e.Expr = x
		out = append(out, e)
	})
	return out
}

// exprErrorAt places an expectation syntax error at its column in the file.
// Plain and quoted one-line scalars map offsets exactly; for block scalars
// the error points at the scalar's start.
func exprErrorAt(err error, n *yaml.Node, file string) *Error {
	p := Pos{File: file, Line: n.Line, Col: n.Column}
	ee, ok := err.(*ExprError)
	if !ok {
		return &Error{Pos: p, Msg: err.Error()}
	}
	if c := sourceColumn(n); c > 0 {
		p.Col = c + ee.Offset
	}
	return &Error{Pos: p, Msg: ee.Msg, Allowed: ee.Allowed}
}

// sourceColumn is the file column of a scalar's first byte of value, or 0
// when bytes of the value do not map one to one onto file columns.
func sourceColumn(n *yaml.Node) int {
	if strings.ContainsAny(n.Value, "\"'\\\n") {
		return 0
	}
	switch n.Style {
	case 0:
		return n.Column
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		return n.Column + 1
	}
	return 0
}
