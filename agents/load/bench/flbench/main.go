// Command flbench measures the load engine's maximum open-loop rate with one
// agent: rate 0 (unpaced) with a fixed number of workers, against a
// loopback URL, for a fixed time. It prints one line:
//
//	flbench: requests N, good G, seconds S, req/s R, p99 P
//
// where req/s counts good responses, as vegeta's "throughput" does.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/faultline/faultline/agents/load"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
)

func main() {
	url := flag.String("url", "", "base URL of the target (loopback only), for example http://127.0.0.1:18080")
	workers := flag.Uint64("workers", 64, "concurrent requests (vegeta max workers)")
	dur := flag.Duration("duration", 10*time.Second, "how long to send")
	prof := flag.String("cpuprofile", "", "write a CPU profile here")
	flag.Parse()
	if *prof != "" {
		f, err := os.Create(*prof)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	if err := run(*url, *workers, *dur); err != nil {
		fmt.Fprintln(os.Stderr, "flbench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(url string, workers uint64, dur time.Duration) error {
	e, err := load.New(load.Config{
		RunID: "bench", AgentID: "bench", BaseURL: url, Share: 1,
		Workers: workers, MaxWorkers: workers,
		Load: scenarios.Load{Duration: dur, Mix: []scenarios.Endpoint{{Name: "ok", Weight: 1, Method: "GET", Path: "/"}}},
	})
	if err != nil {
		return err
	}
	out := make(chan reports.Window, 64)
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- e.Run(context.Background(), out) }()
	var reqs, good int64
	all := reports.NewHist()
	add := func(w reports.Window) {
		reqs += w.Requests
		good += w.Good
		all.Merge(w.Latency)
	}
	for {
		select {
		case w := <-out:
			add(w)
		case err := <-done:
			el := time.Since(start).Seconds()
			for len(out) > 0 {
				add(<-out)
			}
			if err != nil {
				return err
			}
			fmt.Printf("flbench: requests %d, good %d, seconds %.2f, req/s %.0f, p99 %s\n",
				reqs, good, el, float64(good)/el, all.Quantile(99))
			return nil
		}
	}
}
