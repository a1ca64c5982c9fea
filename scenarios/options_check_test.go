package scenarios

import (
	"fmt"
	"testing"
)

// A registered checker sees the target options, then each variant's
// options merged over them, and its errors land on the right line.
func TestOptionChecker(t *testing.T) {
	var seen []map[string]any
	RegisterOptionChecker("reference", func(m map[string]any) error {
		seen = append(seen, m)
		if m["retries"] == "maybe" {
			return fmt.Errorf("retries must be true or false")
		}
		return nil
	})
	defer optionCheckers.Delete("reference")
	src := `version: 1
name: opts
target:
  kind: reference
  options: {breakers: false}
load: {rate: 1/s, duration: 5s, mix: [{name: a, path: /}]}
variants:
  - name: plain
    options: {retries: false}
  - name: odd
    options: {retries: maybe}
`
	_, err := Decode("o.yaml", []byte(src))
	want := "o.yaml:10:5: variant odd: retries must be true or false"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	if len(seen) != 3 || seen[1]["breakers"] != false || seen[1]["retries"] != false {
		t.Fatalf("checker saw %v", seen)
	}
}
