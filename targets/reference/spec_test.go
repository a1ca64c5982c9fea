package reference

import (
	"strings"
	"testing"
)

// Ports must be distinct across the whole topology and below the
// ephemeral range (where links and outgoing connections take theirs).
func TestNewSpecPortsDistinct(t *testing.T) {
	lo, hi := portWindow()
	for range 50 { // a collision was a few percent per spec before
		s, err := newSpec(t.TempDir(), DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Instances) != 13 {
			t.Fatalf("%d instances, want 13", len(s.Instances))
		}
		seen := map[string]string{}
		for _, in := range s.Instances {
			for _, a := range []string{in.Addr, in.Admin, in.Cluster} {
				if a == "" {
					continue
				}
				if !strings.HasPrefix(a, "127.0.0.1:") {
					t.Fatalf("%s listens on %s, not loopback", in.ID, a)
				}
				if other, dup := seen[a]; dup {
					t.Fatalf("%s and %s both got %s", other, in.ID, a)
				}
				seen[a] = in.ID
				_, port, _ := splitHostPort(a)
				if port < lo || port > hi {
					t.Fatalf("port %d outside %d..%d", port, lo, hi)
				}
			}
		}
	}
}
