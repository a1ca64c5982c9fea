package scenarios

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

func (d *decoder) load(n *yaml.Node) Load {
	l := Load{Pos: d.pos(n)}
	d.object(n, "load", KnownKeys["load"], []string{"rate", "duration", "mix"}, func(key string, v *yaml.Node) {
		switch key {
		case "rate":
			l.Rate = d.rate(v, "load.rate")
			if l.Rate.Freq == 0 && v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
				if _, err := ParseRate(v.Value); err == nil {
					d.fail(v, "a rate above zero", "load.rate must be above zero")
				}
			}
		case "duration":
			l.Duration = d.duration(v, "load.duration")
			if l.Duration == 0 && v.Value == "0" {
				d.fail(v, allowedDuration, "load.duration must be above zero")
			}
		case "warmup":
			l.Warmup = d.duration(v, "load.warmup")
		case "shape":
			l.Shape = d.shape(v)
		case "mix":
			d.list(v, "load.mix", func(i int, item *yaml.Node) {
				l.Mix = append(l.Mix, d.endpoint(item, fmt.Sprintf("load.mix[%d]", i)))
			})
			if v.Kind == yaml.SequenceNode && len(v.Content) == 0 {
				d.fail(v, "at least one endpoint", "load.mix is empty")
			}
		}
	})
	return l
}

// shape accepts a bare kind ("constant") or a mapping with parameters.
func (d *decoder) shape(n *yaml.Node) Shape {
	sh := Shape{Pos: d.pos(n)}
	kind := func(v *yaml.Node) {
		sh.Kind = d.str(v, "load.shape kind")
		if sh.Kind != "" && !contains(shapeKinds, sh.Kind) {
			d.fail(v, strings.Join(shapeKinds, ", "), "unknown load shape %q%s", sh.Kind, didYouMean(sh.Kind, shapeKinds))
		}
	}
	if n.Kind == yaml.ScalarNode {
		kind(n)
		return sh
	}
	d.object(n, "load.shape", KnownKeys["shape"], []string{"kind"}, func(key string, v *yaml.Node) {
		what := "load.shape." + key
		switch key {
		case "kind":
			kind(v)
		case "from":
			sh.From = d.rate(v, what)
		case "step":
			sh.Step = d.rate(v, what)
		case "every":
			sh.Every = d.duration(v, what)
		case "amplitude":
			sh.Amplitude = d.rate(v, what)
		case "period":
			sh.Period = d.duration(v, what)
		case "spike":
			sh.Spike = d.rate(v, what)
		case "at":
			sh.At = d.duration(v, what)
		case "for":
			sh.For = d.duration(v, what)
		}
	})
	return sh
}

func (d *decoder) endpoint(n *yaml.Node, what string) Endpoint {
	e := Endpoint{Pos: d.pos(n)}
	d.object(n, what, KnownKeys["endpoint"], []string{"name", "path"}, func(key string, v *yaml.Node) {
		switch key {
		case "name":
			e.Name = d.name(v, what+".name")
		case "weight":
			e.Weight = d.number(v, what+".weight")
		case "method":
			e.Method = d.method(v, what+".method")
		case "path":
			e.Path = d.path(v, what+".path")
		case "body":
			e.Body = d.str(v, what+".body")
		case "headers":
			e.Headers = d.strMap(v, what+".headers")
		case "timeout":
			e.Timeout = d.duration(v, what+".timeout")
		case "http2":
			e.HTTP2 = d.boolean(v, what+".http2")
		case "capture":
			e.Capture = d.strMap(v, what+".capture")
		case "good":
			e.Good = d.good(v, what+".good")
		}
	})
	return e
}

func (d *decoder) method(n *yaml.Node, what string) string {
	m := d.str(n, what)
	if m != "" && !contains(httpMethods, m) {
		d.fail(n, strings.Join(httpMethods, ", "), "unknown HTTP method %q%s", m, didYouMean(m, httpMethods))
	}
	return m
}

func (d *decoder) path(n *yaml.Node, what string) string {
	p := d.str(n, what)
	if p != "" && !strings.HasPrefix(p, "/") {
		d.fail(n, "a path starting with /, e.g. /items/{{rand 1 100}}", "%s %q does not start with /", what, p)
	}
	return p
}

const allowedGood = "status codes or inclusive ranges from 100 to 599, e.g. [200-299, 404]"

// good decodes the good status list: 200 or "200-299" items.
func (d *decoder) good(n *yaml.Node, what string) []StatusRange {
	var out []StatusRange
	d.list(n, what, func(i int, item *yaml.Node) {
		s, ok := d.scalar(item, fmt.Sprintf("%s[%d]", what, i), allowedGood)
		if !ok {
			return
		}
		r, err := ParseStatusRange(s)
		if err != nil {
			d.fail(item, allowedGood, "%s[%d]: %v", what, i, err)
			return
		}
		out = append(out, r)
	})
	return out
}

// ParseStatusRange parses "404" or "200-299" (inclusive, within 100..599).
func ParseStatusRange(s string) (StatusRange, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	if !isRange {
		hi = lo
	}
	a, err1 := strconv.Atoi(lo)
	b, err2 := strconv.Atoi(hi)
	if err1 != nil || err2 != nil || a < 100 || b > 599 || a > b || lo[0] == '+' || hi[0] == '+' {
		return StatusRange{}, fmt.Errorf("%q is not a status code or range", s)
	}
	return StatusRange{From: a, To: b}, nil
}

func (d *decoder) probe(n *yaml.Node, what string) Probe {
	p := Probe{Pos: d.pos(n)}
	d.object(n, what, KnownKeys["probe"], []string{"name", "write", "read"}, func(key string, v *yaml.Node) {
		switch key {
		case "name":
			p.Name = d.name(v, what+".name")
		case "write":
			p.Write = d.request(v, what+".write")
		case "read":
			p.Read = d.request(v, what+".read")
		case "rate":
			p.Rate = d.rate(v, what+".rate")
		case "timeout":
			p.Timeout = d.duration(v, what+".timeout")
		case "grace":
			p.Grace = d.duration(v, what+".grace")
		}
	})
	return p
}

func (d *decoder) request(n *yaml.Node, what string) Request {
	r := Request{Pos: d.pos(n)}
	d.object(n, what, KnownKeys["request"], []string{"path"}, func(key string, v *yaml.Node) {
		switch key {
		case "method":
			r.Method = d.method(v, what+".method")
		case "path":
			r.Path = d.path(v, what+".path")
		case "body":
			r.Body = d.str(v, what+".body")
		case "headers":
			r.Headers = d.strMap(v, what+".headers")
		}
	})
	return r
}
