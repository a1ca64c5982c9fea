package scenarios

import (
	"os"
	"strings"
	"testing"
)

// The README documents every metric, fault kind and key the decoder knows,
// so the reference cannot silently fall behind the code.
func TestREADMECoversLanguage(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, m := range MetricNames() {
		if !strings.Contains(doc, "`"+m+"`") && !strings.Contains(doc, "`"+m+"`,") {
			t.Errorf("README does not document metric %s", m)
		}
	}
	for _, k := range FaultKindNames() {
		if !strings.Contains(doc, "| `"+k+"` |") {
			t.Errorf("README does not document fault kind %s", k)
		}
	}
	for obj, keys := range KnownKeys {
		for _, k := range keys {
			if !strings.Contains(doc, k+":") && !strings.Contains(doc, "`"+k+"`") {
				t.Errorf("README does not show %s.%s", obj, k)
			}
		}
	}
}

// The README's full example is a valid scenario.
func TestREADMEExampleValidates(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(data), "```yaml\n")
	example, _, _ := strings.Cut(rest, "```")
	s, err := Decode("README.md example", []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "checkout-under-fire" || len(s.Claims) != 1 {
		t.Fatalf("decoded %s with %d claims", s.Name, len(s.Claims))
	}
}
