package scenarios

import "strings"

// suggest returns the candidate closest to got by edit distance, or "" when
// nothing is close enough to be a plausible typo (at most a third of the
// word, and at least one edit).
func suggest(got string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		d := editDistance(strings.ToLower(got), strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	limit := max(len(got)/3, 1)
	if bestD >= 0 && bestD <= limit {
		return best
	}
	// A cut-short word ("warm" for "warmup") is a typo too.
	if len(got) >= 3 {
		for _, c := range candidates {
			if strings.HasPrefix(strings.ToLower(c), strings.ToLower(got)) {
				return c
			}
		}
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		// Typos are short; long inputs are not worth a quadratic table.
		if a == b {
			return 0
		}
		return max(len(a), len(b))
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// didYouMean formats a suggestion for an error message, or "".
func didYouMean(got string, candidates []string) string {
	if s := suggest(got, candidates); s != "" {
		return "; did you mean " + quote(s) + "?"
	}
	return ""
}

func quote(s string) string { return "\"" + s + "\"" }
