package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/faultline/faultline/faults/proxy"
	"github.com/faultline/faultline/targets"
	"github.com/spf13/cobra"
)

// proxy runs the fault proxy standalone, Toxiproxy-style.
func init() {
	var (
		host, config, token string
		port                int
		seed                int64
		allow               []string
	)
	cmd := &cobra.Command{
		Use:   "proxy",
		Short: "Run the fault proxy standalone (Toxiproxy-compatible admin API)",
		Long: `Run the fault proxy standalone. The admin API is compatible with
Toxiproxy's (its clients and CLI work unchanged) and adds /metrics and
toxic leases. The config file is a JSON array of proxies, as /populate
takes: [{"name": "db", "listen": "127.0.0.1:26379", "upstream": "127.0.0.1:6379"}].
Off loopback the admin API needs --token (or FAULTLINE_PROXY_TOKEN).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if token == "" {
				token = os.Getenv("FAULTLINE_PROXY_TOKEN")
			}
			if !targets.IsLoopback(host) && token == "" {
				return withCode(ExitInvalid, fmt.Errorf("proxy: admin API on %s (not loopback) needs --token", host))
			}
			al, err := targets.NewAllowlist(allow...)
			if err != nil {
				return withCode(ExitInvalid, err)
			}
			opts := []proxy.Option{proxy.WithAllowlist(al), proxy.WithToken(token)}
			if cmd.Flags().Changed("seed") {
				opts = append(opts, proxy.WithSeed(seed))
			}
			srv := proxy.NewServer(opts...)
			defer srv.Close()
			if config != "" {
				if err := populateFile(srv, config); err != nil {
					return withCode(ExitInvalid, err)
				}
			}
			return serveAdmin(srv, net.JoinHostPort(host, strconv.Itoa(port)))
		},
	}
	f := cmd.Flags()
	f.StringVarP(&host, "host", "H", "127.0.0.1", "admin API host")
	f.IntVarP(&port, "port", "p", 8474, "admin API port (Toxiproxy's default)")
	f.StringVarP(&config, "config", "c", "", "JSON file of proxies to create at start")
	f.StringVar(&token, "token", "", "bearer token for the admin API")
	f.Int64Var(&seed, "seed", 0, "seed for toxicity and jitter decisions (default: random)")
	f.StringSliceVar(&allow, "allow", nil, "upstream hosts allowed besides loopback")
	rootCmd.AddCommand(cmd)
}

func populateFile(srv *proxy.Server, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("proxy config: %w", err)
	}
	var specs []proxy.PopulateSpec
	if err := json.Unmarshal(b, &specs); err != nil {
		return fmt.Errorf("proxy config %s: want a JSON array of {name, listen, upstream, enabled}: %w", path, err)
	}
	ps, err := srv.Populate(specs)
	if err != nil {
		return fmt.Errorf("proxy config %s: %w", path, err)
	}
	for _, p := range ps {
		fmt.Fprintf(os.Stderr, "proxy %s: %s -> %s\n", p.Name(), p.Addr(), p.Upstream())
	}
	return nil
}

func serveAdmin(srv *proxy.Server, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return withCode(ExitHarness, fmt.Errorf("proxy admin API: %w", err))
	}
	fmt.Fprintf(os.Stderr, "faultline proxy: admin API on http://%s\n", ln.Addr())
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return withCode(ExitHarness, err)
	}
	return nil
}
