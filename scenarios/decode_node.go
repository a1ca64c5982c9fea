package scenarios

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// decoder turns yaml.v3 nodes into spec values, collecting one-line errors
// with the node's position.
type decoder struct {
	file string
	errs
}

func (d *decoder) pos(n *yaml.Node) Pos {
	return Pos{File: d.file, Line: n.Line, Col: n.Column}
}

func (d *decoder) fail(n *yaml.Node, allowed, format string, args ...any) {
	d.add(d.pos(n), allowed, format, args...)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// object walks the mapping n, calling set for each known key, and reports
// unknown keys (with a suggestion), duplicates and missing required keys.
// It returns the keys it saw, or nil when n is not a mapping.
func (d *decoder) object(n *yaml.Node, what string, keys []string, required []string, set func(key string, v *yaml.Node)) map[string]bool {
	if n.Kind != yaml.MappingNode {
		d.fail(n, "keys "+strings.Join(keys, ", "), "%s must be a mapping, got %s", what, kindName(n))
		return nil
	}
	seen := map[string]bool{}
	// A misspelt required key is reported once, as unknown with its
	// suggestion, not a second time as missing.
	suggested := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.fail(k, strings.Join(keys, ", "), "%s has a key that is not a name", what)
			continue
		}
		if !contains(keys, k.Value) {
			d.fail(k, strings.Join(keys, ", "), "unknown key %q in %s%s", k.Value, what, didYouMean(k.Value, keys))
			suggested[suggest(k.Value, keys)] = true
			continue
		}
		if seen[k.Value] {
			d.fail(k, "each key once", "duplicate key %q in %s", k.Value, what)
			continue
		}
		seen[k.Value] = true
		set(k.Value, v)
	}
	for _, r := range required {
		if !seen[r] && !suggested[r] {
			d.fail(n, "", "%s is missing required key %q", what, r)
		}
	}
	return seen
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// scalar returns n's text, reporting lists, mappings and empty values.
func (d *decoder) scalar(n *yaml.Node, what, allowed string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.fail(n, allowed, "%s must be a single value, got %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

func (d *decoder) str(n *yaml.Node, what string) string {
	s, _ := d.scalar(n, what, "text")
	return s
}

// name is a string that other parts of the scenario refer to, so it has
// identifier syntax: a letter, then letters, digits, '_' or '-'.
func (d *decoder) name(n *yaml.Node, what string) string {
	s, ok := d.scalar(n, what, allowedName)
	if ok && !IsName(s) {
		d.fail(n, allowedName, "%s %q is not a valid name", what, s)
	}
	return s
}

const allowedName = "a letter followed by letters, digits, '_' or '-', at most 64 characters"

// IsName reports whether s can name an endpoint, probe, fault, variant or
// claim: it can then appear in expectations such as availability(s).
func IsName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

func (d *decoder) integer(n *yaml.Node, what string, lo, hi int64) int64 {
	allowed := fmt.Sprintf("a whole number from %d to %d", lo, hi)
	s, ok := d.scalar(n, what, allowed)
	if !ok {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < lo || v > hi {
		d.fail(n, allowed, "%s %q is not a whole number in range", what, s)
		return 0
	}
	return v
}

func (d *decoder) number(n *yaml.Node, what string) float64 {
	const allowed = "a number greater than 0, e.g. 1 or 2.5"
	s, ok := d.scalar(n, what, allowed)
	if !ok {
		return 0
	}
	f, err := parseDecimal(s)
	if err != nil || f <= 0 {
		d.fail(n, allowed, "%s %q is not a positive number", what, s)
		return 0
	}
	return f
}

func (d *decoder) boolean(n *yaml.Node, what string) bool {
	s, ok := d.scalar(n, what, "true or false")
	if !ok {
		return false
	}
	switch s {
	case "true":
		return true
	case "false":
		return false
	}
	d.fail(n, "true or false", "%s %q is not a boolean", what, s)
	return false
}

func (d *decoder) duration(n *yaml.Node, what string) time.Duration {
	s, ok := d.scalar(n, what, allowedDuration)
	if !ok {
		return 0
	}
	v, err := ParseDuration(s)
	if err != nil {
		d.fail(n, allowedDuration, "%s: %v", what, err)
	}
	return v
}

func (d *decoder) rate(n *yaml.Node, what string) Rate {
	s, ok := d.scalar(n, what, allowedRate)
	if !ok {
		return Rate{}
	}
	v, err := ParseRate(s)
	if err != nil {
		d.fail(n, allowedRate, "%s: %v", what, err)
	}
	return v
}

// list calls each for every item of the sequence n.
func (d *decoder) list(n *yaml.Node, what string, each func(i int, item *yaml.Node)) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, "a list", "%s must be a list, got %s", what, kindName(n))
		return
	}
	for i, item := range n.Content {
		each(i, item)
	}
}

func (d *decoder) strings(n *yaml.Node, what string) []string {
	var out []string
	d.list(n, what, func(i int, item *yaml.Node) {
		out = append(out, d.str(item, fmt.Sprintf("%s[%d]", what, i)))
	})
	return out
}

// strMap decodes a mapping of names to single values (headers, captures).
func (d *decoder) strMap(n *yaml.Node, what string) map[string]string {
	return mapping(d, n, what, "a mapping of names to values", d.str)
}

// anyMap decodes free-form options: scalars stay text, except true and
// false (booleans) and plain numbers (float64); lists and mappings nest.
func (d *decoder) anyMap(n *yaml.Node, what string) map[string]any {
	return mapping(d, n, what, "a mapping", d.anyValue)
}

// mapping decodes a mapping whose keys are names, each value by value;
// a duplicate key is an error at the second one.
func mapping[T any](d *decoder, n *yaml.Node, what, allowed string, value func(*yaml.Node, string) T) map[string]T {
	if n.Kind != yaml.MappingNode {
		d.fail(n, allowed, "%s must be a mapping, got %s", what, kindName(n))
		return nil
	}
	out := map[string]T{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key, ok := d.scalar(k, what+" key", "a name")
		if !ok {
			continue
		}
		if _, dup := out[key]; dup {
			d.fail(k, "each key once", "duplicate key %q in %s", key, what)
			continue
		}
		out[key] = value(v, what+"."+key)
	}
	return out
}

func (d *decoder) anyValue(n *yaml.Node, what string) any {
	switch n.Kind {
	case yaml.MappingNode:
		return d.anyMap(n, what)
	case yaml.SequenceNode:
		out := []any{}
		for i, c := range n.Content {
			out = append(out, d.anyValue(c, fmt.Sprintf("%s[%d]", what, i)))
		}
		return out
	}
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		return n.Value == "true"
	case "!!int", "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f
		}
	}
	return n.Value
}
