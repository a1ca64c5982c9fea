package main

import (
	"bytes"
	"encoding/json"
	"github.com/spf13/cobra"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the root command in-process and returns what it printed and
// the exit code main would use.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	rootCmd.SetArgs(args)
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&errb)
	defer func() {
		rootCmd.SetArgs(nil)
		rootCmd.SetOut(nil)
		rootCmd.SetErr(nil)
	}()
	code = execute()
	return out.String(), errb.String(), code
}

func TestValidateCommand(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("version: 1\nname: b\ntarget: {kind: external, base_url: \"http://127.0.0.1:1\"}\nload: {rate: 1/s, duraton: 5s, mix: [{name: a, path: /}]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	notYAML := filepath.Join(dir, "binary.yaml")
	if err := os.WriteFile(notYAML, []byte("\x00\x01{{{{"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args   []string
		code   int
		stdout string // exact
		stderr string // exact
	}{
		// a catalogue name validates like a file
		{[]string{"validate", "smoke"}, 0, "ok smoke\n", ""},
		// a good file, a misspelt key, a missing file: all reported, exit 2
		{[]string{"validate", "../../scenarios/testdata/overlap.yaml", bad, filepath.Join(dir, "none.yaml")}, 2,
			"ok ../../scenarios/testdata/overlap.yaml\n",
			bad + `:4:19: unknown key "duraton" in load; did you mean "duration"? (allowed: rate, duration, warmup, shape, mix)` + "\n" +
				filepath.Join(dir, "none.yaml") + ": no such scenario file or catalogue name (allowed: a path to a YAML file, or one of: smoke, whitepaper, whitepaper-quick)\n"},
	}
	for _, c := range cases {
		out, errOut, code := runCLI(t, c.args...)
		if code != c.code || out != c.stdout || errOut != c.stderr {
			t.Errorf("faultline %s:\ncode %d, want %d\nstdout %q\nwant   %q\nstderr %q\nwant   %q", strings.Join(c.args, " "), code, c.code, out, c.stdout, errOut, c.stderr)
		}
	}
	// Bytes that are not YAML give one line with a position, exit 2.
	_, errOut, code := runCLI(t, "validate", notYAML)
	if code != 2 || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, notYAML+":1:1: not valid YAML") {
		t.Errorf("not YAML: code %d, stderr %q", code, errOut)
	}
}

func TestValidateSchema(t *testing.T) {
	out, _, code := runCLI(t, "validate", "--schema")
	var v map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v["title"] == nil {
		t.Fatalf("validate --schema: code %d, output %.80q", code, out)
	}
	if f := findCommand("validate").Flags().Lookup("schema"); f != nil {
		_ = f.Value.Set("false")
	}
}

func TestPlanAndScenariosCommands(t *testing.T) {
	out, _, code := runCLI(t, "plan", "../../scenarios/testdata/overlap.yaml")
	if code != 0 || !strings.Contains(out, "|.......-------------AAAAAAA######BBBBBBBBBBBBBB-------------|") {
		t.Fatalf("plan: code %d\n%s", code, out)
	}
	out, _, code = runCLI(t, "plan", "smoke", "--json")
	var p map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &p) != nil || p["scenario"] != "smoke" {
		t.Fatalf("plan --json: code %d\n%s", code, out)
	}
	_ = findCommand("plan").Flags().Lookup("json").Value.Set("false")
	_, errOut, code := runCLI(t, "plan", "no-such-scenario")
	if code != 2 || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("plan of a missing scenario: code %d, stderr %q", code, errOut)
	}
	out, _, code = runCLI(t, "scenarios")
	if code != 0 || !strings.HasPrefix(out, "smoke             Load-only smoke test") {
		t.Fatalf("scenarios: code %d\n%s", code, out)
	}
}

func findCommand(name string) *cobra.Command {
	for _, c := range rootCmd.Commands() {
		if c.Name() == name {
			return c
		}
	}
	return nil
}
