package reference

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// cpuTimeline samples, once a second during a run, the CPU the whole
// machine used (/proc/stat) and the CPU the run's own processes used, so a
// stall shows whether another process took the cores (the machine is
// shared) or the topology itself stalled.
type cpuTimeline struct {
	m    *cpuMeter
	stop chan struct{}
	done sync.WaitGroup
	rows []string
}

// startCPUTimeline starts sampling the processes of m and the machine.
func startCPUTimeline(m *cpuMeter) *cpuTimeline {
	t := &cpuTimeline{m: m, stop: make(chan struct{})}
	t.done.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		ours, machine, at := t.ours(), machineBusy(), time.Now()
		for i := 0; ; i++ {
			select {
			case <-t.stop:
				return
			case <-tick.C:
			}
			o, mb, now := t.ours(), machineBusy(), time.Now()
			wall := now.Sub(at).Seconds()
			t.rows = append(t.rows, fmt.Sprintf("second %2d cpu: machine %.2f cores, run's processes %.2f, others %.2f",
				i, (mb-machine).Seconds()/wall, (o-ours).Seconds()/wall, ((mb-machine)-(o-ours)).Seconds()/wall))
			ours, machine, at = o, mb, now
		}
	})
	return t
}

// ours is the CPU the run's processes used so far; a process that is gone
// counts as zero (the run reports that elsewhere).
func (t *cpuTimeline) ours() time.Duration {
	var sum time.Duration
	for _, pid := range t.m.pids {
		d, _ := procCPU(pid)
		sum += d
	}
	return sum
}

// log stops sampling and logs one line per second.
func (t *cpuTimeline) log(b *testing.B) {
	close(t.stop)
	t.done.Wait()
	for _, r := range t.rows {
		b.Log(r)
	}
}

// machineBusy is the CPU time all processors spent not idle, from the
// first line of /proc/stat; zero when it cannot be read.
func machineBusy() time.Duration {
	s, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(s), "\n")
	d, _ := parseCPULine(line)
	return d
}

// parseCPULine reads the busy time from /proc/stat's "cpu" line: every
// field but idle and iowait (4th and 5th), minus guest time, which the
// kernel already counts in user and nice.
func parseCPULine(line string) (time.Duration, error) {
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, errors.New("proc stat: no aggregate cpu line")
	}
	var busy int64
	for i, v := range f[1:min(len(f), 9)] { // user nice system idle iowait irq softirq steal
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > 1<<40 {
			return 0, fmt.Errorf("proc stat: cpu field %q is not a tick count", v)
		}
		if i != 3 && i != 4 {
			busy += n
		}
	}
	return time.Duration(busy) * clockTick, nil
}

func TestParseCPULine(t *testing.T) {
	for _, tc := range []struct {
		line string
		want time.Duration
		ok   bool
	}{
		{"cpu  100 5 50 9000 30 1 2 3 0 0", 1610 * time.Millisecond, true},
		{"cpu 1 2 3 4 5 6 7", 190 * time.Millisecond, true},
		{"cpu0 100 5 50 9000 30 1 2 3 0 0", 0, false},
		{"cpu 1 2 3", 0, false},
		{"cpu 1 x 3 4 5 6 7 8", 0, false},
		{"cpu 1 -2 3 4 5 6 7 8", 0, false},
	} {
		got, err := parseCPULine(tc.line)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseCPULine(%q) = %v, %v; want %v, ok %v", tc.line, got, err, tc.want, tc.ok)
		}
	}
	if machineBusy() <= 0 {
		t.Error("machineBusy() is not positive on a running machine")
	}
}

func FuzzParseCPULine(f *testing.F) {
	f.Add("cpu  100 5 50 9000 30 1 2 3 0 0")
	f.Fuzz(func(t *testing.T, line string) {
		if d, err := parseCPULine(line); err == nil && d < 0 {
			t.Errorf("negative busy time %v from %q", d, line)
		}
	})
}
