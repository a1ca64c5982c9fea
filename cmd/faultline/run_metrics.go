package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/faultline/faultline/agents/coordinator"
	"github.com/faultline/faultline/reports"
)

// serveLiveMetrics serves the run's live Prometheus metrics on addr (none
// when addr is empty) and hooks them into the session: every window and
// event it writes, and the agents' states from the progress view. The
// returned func stops the server.
func serveLiveMetrics(cmd *cobra.Command, addr string, s *coordinator.Session) (func(), error) {
	if addr == "" {
		return func() {}, nil
	}
	live := reports.NewLive()
	reg := prometheus.NewRegistry()
	reg.MustRegister(live)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, withCode(ExitInvalid, fmt.Errorf("--metrics-addr %s: %w", addr, err))
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(cmd.ErrOrStderr(), "faultline: live metrics: %v\n", err)
		}
	}()
	fmt.Fprintf(cmd.ErrOrStderr(), "live metrics on http://%s/metrics\n", ln.Addr())
	s.Tap = live
	print := s.Progress
	s.Progress = func(snap coordinator.Snapshot) {
		for _, a := range snap.Agents {
			live.SetAgentState(a.ID, a.State)
		}
		if print != nil {
			print(snap)
		}
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}
