package reports

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// fmtDur prints a latency the way an SRE reads it: µs below a
// millisecond, ms with one decimal below a second, else seconds.
func fmtDur(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d < 0:
		return "-" + fmtDur(-d)
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d/time.Microsecond)
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
}

// fmtOffset prints an offset from the run's origin: +12.5s.
func fmtOffset(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	return sign + strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
}

// fmtPct prints a ratio as a percentage with enough digits for
// three nines; "-" when undefined.
func fmtPct(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "-"
	}
	return strconv.FormatFloat(r*100, 'f', 3, 64) + "%"
}

// fmtValue prints a verdict's observed value or bound in its unit.
func fmtValue(v float64, unit string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	switch unit {
	case "ratio":
		return fmtPct(v)
	case "seconds":
		return fmtDur(time.Duration(v * float64(time.Second)))
	case "count":
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		s := strconv.FormatFloat(v, 'g', 6, 64)
		if unit != "" {
			s += " " + unit
		}
		return s
	}
}

// fmtCounts prints a count map as "200:2970 503:30", largest first.
func fmtCounts[K comparable](m map[K]int64) string {
	type kv struct {
		k string
		v int64
	}
	var kvs []kv
	for k, v := range m {
		if v != 0 {
			kvs = append(kvs, kv{fmt.Sprint(k), v})
		}
	}
	sort.Slice(kvs, func(i, j int) bool {
		if kvs[i].v != kvs[j].v {
			return kvs[i].v > kvs[j].v
		}
		return kvs[i].k < kvs[j].k
	})
	parts := make([]string, len(kvs))
	for i, e := range kvs {
		k := e.k
		if k == "0" {
			k = "none" // status 0: no response at all
		}
		parts[i] = k + ":" + strconv.FormatInt(e.v, 10)
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}

// fmtParams prints fault parameters as sorted key=value pairs.
func fmtParams(p map[string]any) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, p[k])
	}
	return strings.Join(parts, " ")
}
