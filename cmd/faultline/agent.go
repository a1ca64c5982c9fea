package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/faultline/faultline/agents"
	"github.com/faultline/faultline/agents/cluster"
)

type agentFlags struct {
	id, bind, advertise, keyFile, profile, genKey string
	join, labels                                  []string
	capacity                                      int
	exitWithParent                                bool
}

func init() {
	var f agentFlags
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Join a faultline cluster and serve runs until stopped",
		Long: `agent joins the cluster (--join) and serves runs one after another: it
generates its share of a run's load and applies its faults, and stops both
when its coordinator is silent for one lease (5 s).

Gossip is always encrypted. Off loopback, every node needs the same
--key-file; create one with --gen-key FILE. On loopback without
--key-file, a key is generated and its file path printed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runAgent(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.id, "id", "", "node id, unique in the cluster (default hostname-pid)")
	fl.StringVar(&f.bind, "bind", "127.0.0.1", "address[:port] to gossip on (port 0 or none: any free port)")
	fl.StringVar(&f.advertise, "advertise", "", "address[:port] other nodes reach this one at (default: bind)")
	fl.StringSliceVar(&f.join, "join", nil, "host:port of cluster nodes to join (repeatable)")
	fl.StringVar(&f.keyFile, "key-file", "", "file holding the base64 gossip key shared by every node")
	fl.StringSliceVar(&f.labels, "labels", nil, "key=value labels for placement (repeatable or comma-separated)")
	fl.IntVar(&f.capacity, "capacity", 1, "relative share of the load this agent takes (>= 1)")
	fl.StringVar(&f.profile, "profile", "", "gossip timing: local or lan (default: local on loopback, lan otherwise)")
	fl.StringVar(&f.genKey, "gen-key", "", "write a new gossip key to this file and exit")
	fl.BoolVar(&f.exitWithParent, "exit-with-parent", false, "exit when the parent process (a coordinator that spawned it) exits")
	_ = fl.MarkHidden("exit-with-parent")
	rootCmd.AddCommand(cmd)
}

func runAgent(cmd *cobra.Command, f agentFlags) error {
	if f.genKey != "" {
		k, err := cluster.GenerateKey()
		if err == nil {
			err = cluster.WriteKeyFile(f.genKey, k)
		}
		if err != nil {
			return withCode(ExitHarness, err)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "wrote gossip key to %s (mode 0600); copy it to every node\n", f.genKey)
		return nil
	}
	cfg, err := nodeConfig(f.id, f.bind, f.advertise, f.keyFile, f.profile, cluster.RoleAgent)
	if err != nil {
		return err
	}
	if f.capacity < 1 {
		return withCode(ExitInvalid, fmt.Errorf("--capacity %d: must be at least 1", f.capacity))
	}
	cfg.Capacity = f.capacity
	if cfg.Labels, err = parseLabels(f.labels); err != nil {
		return withCode(ExitInvalid, err)
	}
	if cfg.Key == nil {
		if cfg.Key, err = generatedKey(cmd); err != nil {
			return withCode(ExitHarness, err)
		}
	}
	node, err := cluster.New(cfg)
	if err != nil {
		return withCode(ExitHarness, err)
	}
	defer node.Shutdown()
	if len(f.join) > 0 {
		if _, err := node.Join(f.join); err != nil {
			return withCode(ExitHarness, err)
		}
	}
	ag, err := agents.New(agents.Config{Node: node, NewLoad: agents.EngineFactory, Faults: agents.NewExecutor(), Log: cmd.ErrOrStderr()})
	if err != nil {
		return withCode(ExitHarness, err)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "faultline agent %s listening on %s\n", cfg.ID, node.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if f.exitWithParent {
		go exitWithParent(ctx, stop)
	}
	err = ag.Serve(ctx)
	_ = node.Leave(time.Second)
	return err
}

// exitWithParent ends the agent when it is reparented (its coordinator
// died), a backstop for Pdeathsig, which follows the parent's thread.
func exitWithParent(ctx context.Context, stop context.CancelFunc) {
	ppid := os.Getppid()
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if os.Getppid() != ppid {
				stop()
				return
			}
		}
	}
}

// nodeConfig builds a cluster config from the common node flags.
func nodeConfig(id, bind, advertise, keyFile, profile string, role cluster.Role) (*cluster.Config, error) {
	bh, bp, err := splitAddr(bind)
	if err != nil {
		return nil, withCode(ExitInvalid, fmt.Errorf("--bind %q: %w", bind, err))
	}
	ah, ap, err := splitAddr(advertise)
	if err != nil {
		return nil, withCode(ExitInvalid, fmt.Errorf("--advertise %q: %w", advertise, err))
	}
	if err := cluster.CheckBind(bh, ah, keyFile != ""); err != nil {
		return nil, withCode(ExitInvalid, err)
	}
	var cfg *cluster.Config
	switch profile {
	case "local":
		cfg = cluster.LocalConfig()
	case "lan":
		cfg = cluster.LANConfig()
	case "":
		cfg = cluster.LocalConfig()
		if keyFile != "" && bh != "" && !isLoopbackHost(bh) {
			cfg = cluster.LANConfig()
		}
	default:
		return nil, withCode(ExitInvalid, fmt.Errorf("--profile %q: allowed: local, lan", profile))
	}
	if id == "" {
		h, _ := os.Hostname()
		id = fmt.Sprintf("%s-%d", h, os.Getpid())
	}
	cfg.ID, cfg.Role, cfg.Version = id, role, Version()
	if bh == "" {
		bh = "127.0.0.1"
	}
	cfg.BindAddr, cfg.BindPort = bh, bp
	cfg.AdvertiseAddr, cfg.AdvertisePort = ah, ap
	if keyFile != "" {
		if cfg.Key, err = cluster.LoadKeyFile(keyFile); err != nil {
			return nil, withCode(ExitInvalid, err)
		}
	}
	return cfg, nil
}

func isLoopbackHost(h string) bool {
	ip := net.ParseIP(h)
	return h == "localhost" || (ip != nil && ip.IsLoopback())
}

// generatedKey makes a key for a loopback-only node and saves it where
// other local nodes can be pointed at it.
func generatedKey(cmd *cobra.Command) ([]byte, error) {
	k, err := cluster.GenerateKey()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "faultline-key-")
	if err != nil {
		return nil, err
	}
	p := filepath.Join(dir, "gossip.key")
	if err := cluster.WriteKeyFile(p, k); err != nil {
		return nil, err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "generated a gossip key for loopback: %s (pass --key-file %s to the other nodes)\n", p, p)
	return k, nil
}

// splitAddr accepts "host", "host:port" or "" (empty host, port 0).
func splitAddr(s string) (string, int, error) {
	if s == "" {
		return "", 0, nil
	}
	h, p, err := net.SplitHostPort(s)
	if err != nil {
		if strings.Contains(err.Error(), "missing port") {
			return strings.Trim(s, "[]"), 0, nil
		}
		return "", 0, err
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 0 || n > 65535 {
		return "", 0, fmt.Errorf("port %q: want 0-65535", p)
	}
	return h, n, nil
}

func parseLabels(in []string) (map[string]string, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, kv := range in {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--labels %q: want key=value", kv)
		}
		out[k] = v
	}
	return out, nil
}
