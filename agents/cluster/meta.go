package cluster

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hashicorp/memberlist"
)

// Role says what a node does in the cluster.
type Role string

// Roles.
const (
	RoleAgent       Role = "agent"
	RoleCoordinator Role = "coordinator"
)

// Meta is what every node gossips about itself. It must fit memberlist's
// MetaMaxSize (512 bytes) once encoded, so the JSON keys are short.
type Meta struct {
	Role     Role              `json:"r"`
	ID       string            `json:"i"`
	Version  string            `json:"v,omitempty"`
	Labels   map[string]string `json:"l,omitempty"`
	Capacity int               `json:"c,omitempty"`
	// Control is the address control messages reach this node at (its
	// memberlist advertise address: control rides on memberlist streams).
	Control string `json:"a,omitempty"`
}

// ErrMetaTooLarge is returned when a node's metadata does not fit the
// gossip limit.
var ErrMetaTooLarge = errors.New("node metadata too large")

// Encode returns the wire form of m, refusing anything over the limit.
func (m Meta) Encode() ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode node metadata: %w", err)
	}
	if len(b) > memberlist.MetaMaxSize {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d (use fewer or shorter labels)", ErrMetaTooLarge, len(b), memberlist.MetaMaxSize)
	}
	return b, nil
}

// DecodeMeta parses what Encode wrote. Nodes that are not faultline nodes
// (or send garbage) yield an error and are ignored by callers.
func DecodeMeta(b []byte) (Meta, error) {
	var m Meta
	if len(b) == 0 {
		return m, errors.New("node has no metadata")
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("decode node metadata: %w", err)
	}
	if m.Role != RoleAgent && m.Role != RoleCoordinator {
		return m, fmt.Errorf("node metadata: unknown role %q (allowed: agent, coordinator)", m.Role)
	}
	if m.ID == "" {
		return m, errors.New("node metadata: empty id")
	}
	return m, nil
}
