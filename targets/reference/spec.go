package reference

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Roles, in start order: the bus first, then the services that the
// gateway routes to, the gateway last.
var roleOrder = []string{"bus", "inventory", "catalog", "orders", "query", "notify", "gateway"}

// roleCount is how many instances each role has.
var roleCount = map[string]int{"bus": 3, "inventory": 2, "catalog": 2, "orders": 2, "query": 2, "notify": 1, "gateway": 1}

// InstanceSpec is where one instance listens. Ports are chosen free when
// the topology starts and kept across replacements, so the links other
// instances hold keep pointing at the right place.
type InstanceSpec struct {
	Role string `json:"role"`
	ID   string `json:"id"`
	// Addr serves the role's API (for the bus: NATS clients).
	Addr string `json:"addr"`
	// Admin serves health, links (Toxiproxy API), traces and stats.
	Admin string `json:"admin"`
	// Cluster is the bus's route listener (bus only).
	Cluster string `json:"cluster,omitempty"`
}

// Spec is everything an instance needs to know about the topology. The
// supervisor writes it to a file that each child reads.
type Spec struct {
	// Dir is the run directory: data, logs, spec.
	Dir       string         `json:"dir"`
	Options   Options        `json:"options"`
	Instances []InstanceSpec `json:"instances"`
}

// newSpec assigns free loopback ports to every instance, all drawn in one
// go so that no two instances are given the same port.
func newSpec(dir string, o Options) (*Spec, error) {
	s := &Spec{Dir: dir, Options: o}
	need := 0
	for _, role := range roleOrder {
		per := 2
		if role == "bus" {
			per = 3
		}
		need += per * roleCount[role]
	}
	ports, err := freePorts(need)
	if err != nil {
		return nil, err
	}
	next := func() string { p := ports[0]; ports = ports[1:]; return p }
	for _, role := range roleOrder {
		for i := 1; i <= roleCount[role]; i++ {
			in := InstanceSpec{Role: role, ID: role + "-" + strconv.Itoa(i), Addr: next(), Admin: next()}
			if role == "bus" {
				in.Cluster = next()
			}
			s.Instances = append(s.Instances, in)
		}
	}
	return s, nil
}

// freePorts picks n free loopback ports below the kernel's ephemeral
// range. Ports from the ephemeral range would race with the links every
// instance opens on port 0 (and with outgoing connections): a link could
// take a port reserved for an instance that has not started yet.
func freePorts(n int) ([]string, error) {
	lo, hi := portWindow()
	out := make([]string, 0, n)
	for tries := 0; len(out) < n && tries < 2000; tries++ {
		port := lo + rand.IntN(hi-lo)
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if slices.Contains(out, addr) || portTaken(addr) || !claimPort(port) {
			continue
		}
		out = append(out, addr)
	}
	if len(out) < n {
		releasePorts(out)
		return nil, fmt.Errorf("no free loopback port in %d..%d", lo, hi)
	}
	return out, nil
}

// portTaken reports whether addr cannot be listened on now.
func portTaken(addr string) bool {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return true
	}
	l.Close()
	return false
}

// portWindow is where instance ports are drawn from: 1024 ports under the
// ephemeral range's low bound (32768 unless the kernel says otherwise),
// randomised so that parallel topologies rarely meet.
func portWindow() (int, int) {
	low := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if v, err := strconv.Atoi(f[0]); err == nil && v > 12000 {
				low = v
			}
		}
	}
	return low - 11000, low - 1
}

// Role returns the instances of role, in id order.
func (s *Spec) Role(role string) []InstanceSpec {
	var out []InstanceSpec
	for _, in := range s.Instances {
		if in.Role == role {
			out = append(out, in)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Find returns the instance with id.
func (s *Spec) Find(id string) (InstanceSpec, bool) {
	for _, in := range s.Instances {
		if in.ID == id {
			return in, true
		}
	}
	return InstanceSpec{}, false
}

func (s *Spec) path() string { return filepath.Join(s.Dir, "spec.json") }

func (s *Spec) write() error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(s.path(), b, 0o600)
}

// ReadSpec reads the spec a supervisor wrote.
func ReadSpec(path string) (*Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read topology spec: %w", err)
	}
	var s Spec
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("topology spec %s: %w", path, err)
	}
	return &s, nil
}

// addrs lists every address the spec claimed.
func (s *Spec) addrs() []string {
	var out []string
	for _, in := range s.Instances {
		out = append(out, in.Addr, in.Admin)
		if in.Cluster != "" {
			out = append(out, in.Cluster)
		}
	}
	return out
}
