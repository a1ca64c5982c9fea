package cluster

import "sort"

// Member is one live node of the cluster as seen from here: joined and not
// (yet) declared dead. memberlist does not announce suspicion, so callers
// that want a "suspect" state derive it from silence (the coordinator does).
type Member struct {
	Meta
	Addr string
}

// Members returns the live faultline nodes this node knows about (itself
// included), sorted by id. Nodes whose metadata does not decode are left
// out: they are not faultline nodes.
func (n *Node) Members() []Member {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []Member
	for _, m := range n.live {
		meta, err := DecodeMeta(m.Meta)
		if err != nil {
			continue
		}
		out = append(out, Member{Meta: meta, Addr: m.Address()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Agents returns the live (alive or suspect) agents.
func (n *Node) Agents() []Member {
	var out []Member
	for _, m := range n.Members() {
		if m.Role == RoleAgent {
			out = append(out, m)
		}
	}
	return out
}

// Coordinators returns the live coordinators.
func (n *Node) Coordinators() []Member {
	var out []Member
	for _, m := range n.Members() {
		if m.Role == RoleCoordinator {
			out = append(out, m)
		}
	}
	return out
}
