package reference

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
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

// newSpec assigns free loopback ports to every instance.
func newSpec(dir string, o Options) (*Spec, error) {
	s := &Spec{Dir: dir, Options: o}
	for _, role := range roleOrder {
		for i := 1; i <= roleCount[role]; i++ {
			in := InstanceSpec{Role: role, ID: role + "-" + strconv.Itoa(i)}
			n := 2
			if role == "bus" {
				n = 3
			}
			ports, err := freePorts(n)
			if err != nil {
				return nil, err
			}
			in.Addr, in.Admin = ports[0], ports[1]
			if role == "bus" {
				in.Cluster = ports[2]
			}
			s.Instances = append(s.Instances, in)
		}
	}
	return s, nil
}

// freePorts reserves n loopback ports by listening and closing. Another
// process could take one in between; start-up then fails with a clear
// "address in use" from the child, never silently.
func freePorts(n int) ([]string, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	out := make([]string, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("reserve a loopback port: %w", err)
		}
		ls = append(ls, l)
		out = append(out, l.Addr().String())
	}
	return out, nil
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
