package coordinator

import "sort"

func sortViews(v []AgentView) {
	sort.Slice(v, func(i, j int) bool { return v[i].ID < v[j].ID })
}
