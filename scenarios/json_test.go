package scenarios

import (
	"encoding/json"
	"strings"
	"testing"
)

// A decoded scenario and its plan marshal to JSON (the result header keeps
// both), with typed fault params and parsed expectations.
func TestScenarioJSON(t *testing.T) {
	s, err := LoadFile("testdata/overlap.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"latency":200000000`, `"toxicity":0.5`, `"op":"\u003c="`, `"name":"kill-orders"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("scenario JSON lacks %s", want)
		}
	}
	if _, err := json.Marshal(NewPlan(s)); err != nil {
		t.Fatal(err)
	}
}

// Fault metrics need faults to be measured against.
func TestFaultMetricNeedsFaults(t *testing.T) {
	src := "version: 1\nname: n\ntarget: {kind: external, base_url: \"http://127.0.0.1:1\"}\nload: {rate: 1/s, duration: 5s, mix: [{name: a, path: /}]}\nexpect: [blast_radius.endpoints <= 34%]\n"
	_, err := Decode("n.yaml", []byte(src))
	want := "n.yaml:5:10: blast_radius.endpoints is measured against faults, and the timeline is empty (allowed: add a timeline of faults)"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}
