package coordinator

import "github.com/faultline/faultline/agents/cluster"

// Split divides the rate among agents in proportion to their capacity
// (capacity below 1 counts as 1). The fractions sum to 1 for a non-empty
// input.
func Split(agents []cluster.Member) map[string]float64 {
	total := 0
	for _, a := range agents {
		total += capOf(a)
	}
	out := make(map[string]float64, len(agents))
	for _, a := range agents {
		out[a.ID] = float64(capOf(a)) / float64(total)
	}
	return out
}

func capOf(a cluster.Member) int {
	if a.Capacity < 1 {
		return 1
	}
	return a.Capacity
}
