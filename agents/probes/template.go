package probes

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"

	"github.com/faultline/faultline/agents/load"
	"github.com/faultline/faultline/scenarios"
)

// writeCapture is the only endpoint a probe template may capture from: the
// probe's own write response.
const writeCapture = "write"

// tmpl is a probe template split into literal text and actions.
type tmpl struct {
	lits []string // len(acts)+1 literal runs around the actions
	acts []scenarios.TemplateAction
}

// parseTmpl parses src with the scenario language's template parser, and
// refuses what a probe cannot render.
func parseTmpl(src, what string) (*tmpl, error) {
	acts, err := scenarios.ParseTemplate(src)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrConfig, what, err)
	}
	t := &tmpl{acts: acts}
	prev := 0
	for _, a := range acts {
		t.lits = append(t.lits, src[prev:a.Offset])
		end := strings.Index(src[a.Offset:], "}}")
		prev = a.Offset + end + 2
		if a.Func == "capture" && a.Args[0] != writeCapture {
			return nil, fmt.Errorf(`%w: %s: a probe captures only from its write, as in {{capture "write" "id"}}, not from %q`, ErrConfig, what, a.Args[0])
		}
	}
	t.lits = append(t.lits, src[prev:])
	return t, nil
}

// captures returns the JSON paths the template reads from the write.
func (t *tmpl) captures() []string {
	var out []string
	for _, a := range t.acts {
		if a.Func == "capture" {
			out = append(out, a.Args[1])
		}
	}
	return out
}

// env is what one sample's templates render with.
type env struct {
	id   string            // {{probe_id}}
	seq  uint64            // {{seq}}
	uuid string            // {{uuid}}
	rng  *rand.Rand        // {{rand A B}}, seeded per sample
	caps map[string]string // {{capture "write" path}}
}

// render renders t. escape path-escapes generated values, so that no
// value can change a URL's host or add a query.
func (t *tmpl) render(e *env, escape bool) (string, error) {
	var b strings.Builder
	for i, a := range t.acts {
		b.WriteString(t.lits[i])
		var v string
		switch a.Func {
		case "probe_id":
			v = e.id
		case "seq":
			v = strconv.FormatUint(e.seq, 10)
		case "uuid":
			v = e.uuid
		case "rand":
			lo, _ := strconv.ParseInt(a.Args[0], 10, 64)
			hi, _ := strconv.ParseInt(a.Args[1], 10, 64)
			span := uint64(hi - lo + 1)
			r := e.rng.Uint64()
			if span != 0 { // span 0: the whole int64 range
				r %= span
			}
			v = strconv.FormatInt(lo+int64(r), 10)
		case "capture":
			c, ok := e.caps[a.Args[1]]
			if !ok {
				return "", fmt.Errorf("the write response has no field %q to capture", a.Args[1])
			}
			v = c
		}
		if escape {
			v = url.PathEscape(v)
		}
		b.WriteString(v)
	}
	b.WriteString(t.lits[len(t.lits)-1])
	return b.String(), nil
}

// extract reads each JSON path ("id", "order.id", "items.0.sku") from a
// write response body, keyed by the path; missing paths are left out. The
// load engine's captures read responses the same way.
func extract(body []byte, paths []string) map[string]string {
	if len(paths) == 0 {
		return nil
	}
	named := make(map[string]string, len(paths))
	for _, p := range paths {
		named[p] = p
	}
	return load.ExtractJSON(body, named)
}
