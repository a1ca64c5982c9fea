package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/spf13/cobra"

	"github.com/faultline/faultline/targets"
	"github.com/faultline/faultline/targets/reference"
)

// targetState is what `target up` leaves for `status` and `down`.
type targetState struct {
	Registry string `json:"registry"`
	BaseURL  string `json:"base_url"`
	Dir      string `json:"dir"`
	PID      int    `json:"pid"`
}

func defaultStatePath() string { return filepath.Join(os.TempDir(), "faultline-target.json") }

func init() {
	var statePath, registry string
	targetCmd := &cobra.Command{Use: "target", Short: "Run and inspect the reference topology"}
	targetCmd.PersistentFlags().StringVar(&statePath, "state", defaultStatePath(), "file where `target up` records the registry address")
	targetCmd.PersistentFlags().StringVar(&registry, "registry", "", "registry base URL (default: read from --state)")

	var cfgPath, dir string
	var keep bool
	up := &cobra.Command{
		Use:   "up",
		Short: "Start the reference topology and supervise it until Ctrl-C",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := reference.Config{}
			if cfgPath != "" {
				c, err := reference.LoadConfig(cfgPath)
				if err != nil {
					return withCode(ExitInvalid, err)
				}
				cfg = c
			}
			if dir != "" {
				cfg.Dir = dir
			}
			cfg.KeepDir = cfg.KeepDir || keep
			cfg.Log = cmd.ErrOrStderr()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			start := time.Now()
			t, err := reference.Start(ctx, cfg)
			if err != nil {
				return withCode(ExitHarness, err)
			}
			st := targetState{Registry: t.RegistryURL(), BaseURL: t.BaseURL(), Dir: t.Dir(), PID: os.Getpid()}
			b, _ := json.Marshal(st)
			if err := os.WriteFile(statePath, b, 0o644); err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: cannot write %s: %v\n", statePath, err)
			}
			defer os.Remove(statePath)
			ins, _ := t.Instances(ctx)
			printInstances(cmd, ins)
			fmt.Fprintf(cmd.OutOrStdout(), "healthy in %.1fs\ngateway:  %s\nregistry: %s\nrun dir:  %s\nCtrl-C or `faultline target down` stops it.\n",
				time.Since(start).Seconds(), t.BaseURL(), t.RegistryURL(), t.Dir())
			select {
			case <-ctx.Done():
			case <-t.Done():
			}
			sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			return t.Stop(sctx)
		},
	}
	up.Flags().StringVar(&cfgPath, "config", "", "topology config file (YAML)")
	up.Flags().StringVar(&dir, "dir", "", "run directory (default: a new temporary one)")
	up.Flags().BoolVar(&keep, "keep", false, "keep the run directory (data and logs) after stopping")

	var events bool
	status := &cobra.Command{
		Use:   "status",
		Short: "Print the registry of a running topology",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			reg, err := registryURL(registry, statePath)
			if err != nil {
				return err
			}
			var ins []targets.Instance
			if err := getJSON(reg+"/instances", &ins); err != nil {
				return err
			}
			printInstances(cmd, ins)
			if events {
				var evs []reference.Event
				if err := getJSON(reg+"/events", &evs); err != nil {
					return err
				}
				for _, e := range evs {
					fmt.Fprintf(cmd.OutOrStdout(), "%s  %-12s %-10s pid=%d %s\n", e.Time.Format("15:04:05.000"), e.Instance, e.Kind, e.PID, e.Detail)
				}
			}
			return nil
		},
	}
	status.Flags().BoolVar(&events, "events", false, "also print lifecycle events")

	down := &cobra.Command{
		Use:   "down",
		Short: "Stop a running topology",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			reg, err := registryURL(registry, statePath)
			if err != nil {
				return err
			}
			resp, err := http.Post(reg+"/shutdown", "application/json", nil)
			if err != nil {
				return withCode(ExitHarness, fmt.Errorf("stop the topology at %s: %w", reg, err))
			}
			resp.Body.Close()
			fmt.Fprintln(cmd.OutOrStdout(), "stopping")
			return nil
		},
	}

	var id, spec string
	serve := &cobra.Command{
		Use:    "serve ROLE",
		Short:  "Run one instance of the reference topology (started by the supervisor)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return reference.Serve(ctx, spec, args[0], id)
		},
	}
	serve.Flags().StringVar(&id, "id", "", "instance id, for example orders-1")
	serve.Flags().StringVar(&spec, "spec", "", "topology spec file written by the supervisor")
	serve.MarkFlagRequired("id")
	serve.MarkFlagRequired("spec")

	targetCmd.AddCommand(up, status, down, serve)
	rootCmd.AddCommand(targetCmd)
}

func registryURL(flag, statePath string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	b, err := os.ReadFile(statePath)
	if err != nil {
		return "", withCode(ExitInvalid, fmt.Errorf("no running topology recorded in %s (start one with `faultline target up`, or pass --registry): %w", statePath, err))
	}
	var st targetState
	if err := json.Unmarshal(b, &st); err != nil || st.Registry == "" {
		return "", withCode(ExitInvalid, fmt.Errorf("%s is not a faultline target state file", statePath))
	}
	return st.Registry, nil
}

func getJSON(url string, v any) error {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return withCode(ExitHarness, fmt.Errorf("registry %s: %w", url, err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return withCode(ExitHarness, fmt.Errorf("registry %s: %s", url, resp.Status))
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func printInstances(cmd *cobra.Command, ins []targets.Instance) {
	tw := tablewriter.NewWriter(cmd.OutOrStdout())
	tw.Header("ROLE", "ID", "PID", "STATE", "ADDRESS", "ADMIN")
	for _, i := range ins {
		tw.Append([]string{i.Role, i.ID, strconv.Itoa(i.PID), i.State, i.Addr, i.Admin})
	}
	tw.Render()
}
