package load

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"

	"github.com/faultline/faultline/scenarios"
)

// DefaultTimeout is an endpoint's timeout when the scenario gives none;
// vegeta's default too.
const DefaultTimeout = 30 * time.Second

// ErrMix is wrapped by every error about the load mix.
var ErrMix = errors.New("bad load mix")

// endpoint is one mix entry, templates parsed and checked once.
type endpoint struct {
	idx     int
	name    string
	method  string
	path    *tmpl
	body    *tmpl
	headers []header
	fixed   http.Header // headers when none is templated, else nil
	timeout time.Duration
	http2   bool
	capture map[string]string
	good    []scenarios.StatusRange
}

type header struct {
	name string
	val  *tmpl
}

// mix is the weighted endpoints of a run.
type mix struct {
	eps []*endpoint
	cum []float64 // cumulative weights, normalised to end at 1
	key uint64    // stream key for picking
}

// pick chooses hit k's endpoint: a pure function of (key, k), so that the
// intended hits of each endpoint can be counted from the schedule alone.
func (m *mix) pick(k uint64) int {
	if len(m.eps) == 1 {
		return 0
	}
	u := unit(draw(m.key, k, 1<<40))
	// Endpoint i owns [cum[i-1], cum[i]); a zero weight owns nothing.
	i := sort.Search(len(m.cum), func(i int) bool { return m.cum[i] > u })
	return min(i, len(m.eps)-1)
}

// ValidateMix checks a load mix without running it: names, weights,
// methods, paths, templates, captures, headers, timeouts and good codes.
// Errors name the endpoint and what is allowed.
func ValidateMix(in []scenarios.Endpoint) error {
	_, err := newMix(in, 0)
	return err
}

func newMix(in []scenarios.Endpoint, key uint64) (*mix, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("%w: load.mix is empty (at least one endpoint)", ErrMix)
	}
	m := &mix{key: key}
	decl := map[string]map[string]string{}
	var total float64
	for i, e := range in {
		ep, err := newEndpoint(i, e)
		if err != nil {
			return nil, fmt.Errorf("%w: endpoint %q%s: %v", ErrMix, e.Name, at(e.Pos), err)
		}
		if _, dup := decl[e.Name]; dup {
			return nil, fmt.Errorf("%w: endpoint %q%s: name used twice (names must be unique)", ErrMix, e.Name, at(e.Pos))
		}
		decl[e.Name] = e.Capture
		total += e.Weight
		m.eps = append(m.eps, ep)
	}
	if !(total > 0) || math.IsInf(total, 0) {
		return nil, fmt.Errorf("%w: the weights add up to %v (need a finite sum > 0)", ErrMix, total)
	}
	var run float64
	for _, e := range in {
		run += e.Weight
		m.cum = append(m.cum, run/total)
	}
	for i, ep := range m.eps {
		for _, t := range ep.templates() {
			for _, c := range t.captures() {
				if _, ok := decl[c[0]][c[1]]; !ok {
					return nil, fmt.Errorf("%w: endpoint %q%s: template %q captures %q from endpoint %q, which %s",
						ErrMix, ep.name, at(in[i].Pos), t.src, c[1], c[0], captureHelp(decl, c[0]))
				}
			}
		}
	}
	return m, nil
}

func captureHelp(decl map[string]map[string]string, ep string) string {
	m, ok := decl[ep]
	if !ok {
		return "is not in the mix"
	}
	if len(m) == 0 {
		return "captures nothing (add capture: {NAME: json.path} to it)"
	}
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return "captures only " + strings.Join(names, ", ")
}

func at(p scenarios.Pos) string {
	if p.Line == 0 {
		return ""
	}
	return fmt.Sprintf(" (%s:%d:%d)", p.File, p.Line, p.Col)
}

func newEndpoint(i int, e scenarios.Endpoint) (*endpoint, error) {
	ep := &endpoint{idx: i, name: e.Name, method: strings.ToUpper(e.Method), timeout: e.Timeout,
		http2: e.HTTP2, capture: e.Capture, good: e.Good}
	if e.Name == "" {
		return nil, errors.New("has no name")
	}
	if !(e.Weight >= 0) || math.IsInf(e.Weight, 0) {
		return nil, fmt.Errorf("weight %v: must be a finite number >= 0", e.Weight)
	}
	if ep.method == "" {
		ep.method = http.MethodGet
	}
	if !httpguts.ValidHeaderFieldName(ep.method) {
		return nil, fmt.Errorf("method %q is not an HTTP method token", e.Method)
	}
	if ep.timeout < 0 {
		return nil, fmt.Errorf("timeout %s: must be >= 0 (0 means %s)", e.Timeout, DefaultTimeout)
	}
	if ep.timeout == 0 {
		ep.timeout = DefaultTimeout
	}
	for _, g := range e.Good {
		if g.From < 100 || g.To > 599 || g.From > g.To {
			return nil, fmt.Errorf("good %d-%d: need 100 <= from <= to <= 599", g.From, g.To)
		}
	}
	for name, path := range e.Capture {
		if name == "" || path == "" || strings.Contains(path, "..") || strings.HasPrefix(path, ".") || strings.HasSuffix(path, ".") {
			return nil, fmt.Errorf("capture %q: %q is not a JSON field path like \"id\" or \"order.id\"", name, path)
		}
	}
	var err error
	if !strings.HasPrefix(e.Path, "/") {
		return nil, fmt.Errorf("path %q must start with / (it is appended to the target's base URL)", e.Path)
	}
	if ep.path, err = parseTemplate(e.Path); err != nil {
		return nil, fmt.Errorf("path: %w", err)
	}
	if _, err := url.ParseRequestURI(ep.path.render(&renderEnv{}, escPath, 0)); err != nil {
		return nil, fmt.Errorf("path %q does not make a valid URL path: %v", e.Path, err)
	}
	if ep.body, err = parseTemplate(e.Body); err != nil {
		return nil, fmt.Errorf("body: %w", err)
	}
	names := make([]string, 0, len(e.Headers))
	for n := range e.Headers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !httpguts.ValidHeaderFieldName(n) {
			return nil, fmt.Errorf("header name %q is not valid", n)
		}
		t, err := parseTemplate(e.Headers[n])
		if err != nil {
			return nil, fmt.Errorf("header %s: %w", n, err)
		}
		if !httpguts.ValidHeaderFieldValue(t.render(&renderEnv{}, escHeader, 0)) {
			return nil, fmt.Errorf("header %s: value %q holds characters a header cannot", n, e.Headers[n])
		}
		ep.headers = append(ep.headers, header{name: http.CanonicalHeaderKey(n), val: t})
	}
	if len(ep.headers) > 0 {
		ep.fixed = http.Header{}
		for _, h := range ep.headers {
			if !h.val.static() {
				ep.fixed = nil
				break
			}
			ep.fixed[h.name] = []string{h.val.src}
		}
	}
	return ep, nil
}

func (ep *endpoint) templates() []*tmpl {
	out := []*tmpl{ep.path, ep.body}
	for _, h := range ep.headers {
		out = append(out, h.val)
	}
	return out
}
