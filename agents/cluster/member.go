package cluster

import (
	"sort"

	"github.com/hashicorp/memberlist"
)

// State is a member's liveness as this node sees it.
type State string

// States.
const (
	StateAlive   State = "alive"
	StateSuspect State = "suspect"
	StateDead    State = "dead"
)

// Member is one node of the cluster as seen from here.
type Member struct {
	Meta
	Addr  string
	State State
}

// Members returns the faultline nodes this node knows about (itself
// included), alive or suspect, sorted by id. Nodes whose metadata does not
// decode are left out: they are not faultline nodes.
func (n *Node) Members() []Member {
	var out []Member
	for _, m := range n.ml.Members() {
		meta, err := DecodeMeta(m.Meta)
		if err != nil {
			continue
		}
		st := StateAlive
		switch m.State {
		case memberlist.StateSuspect:
			st = StateSuspect
		case memberlist.StateDead, memberlist.StateLeft:
			st = StateDead
		}
		out = append(out, Member{Meta: meta, Addr: m.Address(), State: st})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Agents returns the live (alive or suspect) agents.
func (n *Node) Agents() []Member {
	var out []Member
	for _, m := range n.Members() {
		if m.Role == RoleAgent && m.State != StateDead {
			out = append(out, m)
		}
	}
	return out
}

// Coordinators returns the live coordinators.
func (n *Node) Coordinators() []Member {
	var out []Member
	for _, m := range n.Members() {
		if m.Role == RoleCoordinator && m.State != StateDead {
			out = append(out, m)
		}
	}
	return out
}
