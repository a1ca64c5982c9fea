package scenarios

import (
	"encoding/json"
	"sort"
	"testing"
)

// The schema must parse, and each object's properties must be exactly the
// keys the decoder accepts, so that editors and the decoder agree.
func TestSchemaMatchesDecoder(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal(JSONSchema(), &root); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	defs, _ := root["$defs"].(map[string]any)
	for obj, keys := range KnownKeys {
		node := root
		if obj != "scenario" {
			node, _ = defs[obj].(map[string]any)
		}
		props := properties(node)
		if props == nil {
			t.Errorf("schema has no object for %q", obj)
			continue
		}
		var got []string
		for k := range props {
			got = append(got, k)
		}
		want := append([]string(nil), keys...)
		sort.Strings(got)
		sort.Strings(want)
		if !equal(got, want) {
			t.Errorf("%s: schema keys %v, decoder keys %v", obj, got, want)
		}
		if node["additionalProperties"] != false && !hasClosedBranch(node) {
			t.Errorf("%s: schema allows unknown keys, the decoder does not", obj)
		}
	}
	// Fault params: the union of every kind's parameters.
	params := map[string]bool{}
	for _, k := range FaultKinds {
		for _, p := range paramsOf(k) {
			params[p.Name] = true
		}
	}
	props := properties(defs["params"].(map[string]any))
	for p := range params {
		if _, ok := props[p]; !ok {
			t.Errorf("schema params lacks %q", p)
		}
	}
	if len(props) != len(params) {
		t.Errorf("schema params has %d keys, the kinds declare %d", len(props), len(params))
	}
}

// properties finds an object's properties, looking into anyOf branches
// (shape is a name or an object).
func properties(node map[string]any) map[string]any {
	if p, ok := node["properties"].(map[string]any); ok {
		return p
	}
	branches, _ := node["anyOf"].([]any)
	for _, b := range branches {
		if m, ok := b.(map[string]any); ok {
			if p := properties(m); p != nil {
				return p
			}
		}
	}
	return nil
}

func hasClosedBranch(node map[string]any) bool {
	branches, _ := node["anyOf"].([]any)
	for _, b := range branches {
		if m, ok := b.(map[string]any); ok && m["additionalProperties"] == false {
			return true
		}
	}
	return false
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
