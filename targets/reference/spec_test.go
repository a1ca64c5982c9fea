package reference

import (
	"strings"
	"testing"
)

// Ports must be distinct across the whole topology and below the
// ephemeral range (where links and outgoing connections take theirs).
func TestNewSpecPortsDistinct(t *testing.T) {
	lo, hi := portWindow()
	for range 20 { // a collision was a few percent per spec before
		s, err := newSpec(t.TempDir(), DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		defer releasePorts(s.addrs())
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

func TestPortClaims(t *testing.T) {
	a, err := newSpec(t.TempDir(), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	b, err := newSpec(t.TempDir(), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	// Two specs drawn while neither has bound anything share no port.
	seen := map[string]bool{}
	for _, x := range a.addrs() {
		seen[x] = true
	}
	for _, x := range b.addrs() {
		if seen[x] {
			t.Fatalf("%s handed to two topologies", x)
		}
	}
	_, port, _ := splitHostPort(a.addrs()[0])
	if claimPort(port) {
		t.Fatal("a claimed port was claimed again")
	}
	releasePorts(a.addrs())
	if !claimPort(port) {
		t.Fatal("a released port could not be claimed")
	}
	releasePorts([]string{a.addrs()[0]})
	releasePorts(b.addrs())
}
