package reference

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"time"
)

// binary is the faultline binary the e2e tests run instances from.
var binary string

func TestMain(m *testing.M) {
	// The supervisor starts instances as `BINARY target serve ROLE --id ID
	// --spec FILE`. When cmd/faultline does not build (others edit it), the
	// topology tests run this test binary as that BINARY instead.
	if len(os.Args) > 3 && os.Args[1] == "target" && os.Args[2] == "serve" {
		os.Exit(serveMain(os.Args[3], os.Args[4:]))
	}
	flag.Parse()
	code := func() int {
		if !testing.Short() && os.Getenv("FAULTLINE_SKIP_E2E") == "" {
			dir, err := os.MkdirTemp("", "faultline-e2e-bin-")
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			defer os.RemoveAll(dir)
			binary = filepath.Join(dir, "faultline")
			// cmd/faultline may be mid-edit by someone else: retry a few times.
			var out []byte
			for i := range 3 {
				cmd := exec.Command("go", "build", "-o", binary, "github.com/faultline/faultline/cmd/faultline")
				if out, err = cmd.CombinedOutput(); err == nil {
					break
				}
				time.Sleep(time.Duration(i+1) * 5 * time.Second)
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "build faultline: %v\n%s\ntopology tests run instances from the test binary; CLI tests fail\n", err, out)
				binary = ""
			}
		}
		return m.Run()
	}()
	os.Exit(code)
}

// startTopology starts a topology for one test and stops it at cleanup.
func startTopology(t *testing.T, mutate func(*Config)) *Topology {
	t.Helper()
	if testing.Short() {
		t.Skip("e2e: starts real processes")
	}
	cfg := Config{Binary: instanceBinary(t), Options: DefaultOptions(), Log: testLog{t}}
	if mutate != nil {
		mutate(&cfg)
	}
	start := time.Now()
	top, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("topology healthy in %s (dir %s)", time.Since(start).Round(time.Millisecond), top.Dir())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		top.Stop(ctx)
	})
	return top
}

type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(string(bytes.TrimRight(b, "\n")))
	return len(b), nil
}

var client = &http.Client{Timeout: 15 * time.Second} // far above every bound under test

type result struct {
	status int
	body   []byte
	header http.Header
	dur    time.Duration
	err    error
}

func call(method, u string, body any) result {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return result{err: err, dur: time.Since(start)}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, body: b, header: resp.Header, dur: time.Since(start)}
}

// placeOrder posts an order through the gateway and returns its id ("" if
// not 201) with the raw result.
func placeOrder(top *Topology, item string) (string, result) {
	r := call(http.MethodPost, top.BaseURL()+"/orders", OrderRequest{Item: item, Qty: 1})
	if r.status != http.StatusCreated {
		return "", r
	}
	var v struct{ ID string }
	json.Unmarshal(r.body, &v)
	return v.ID, r
}

func admin(top *Topology, id string) string {
	in, _ := top.spec.Find(id)
	return "http://" + in.Admin
}

func service(top *Topology, id string) string {
	in, _ := top.spec.Find(id)
	return "http://" + in.Addr
}

// eventually polls cond every 100 ms until it holds or within passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < within {
		if cond() {
			return time.Since(start)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s", what, within)
	return 0
}

// linkAPI drives one link through the owning instance's Toxiproxy API.
func linkAPI(t *testing.T, top *Topology, from, to, method, suffix string, body any) {
	t.Helper()
	u := admin(top, from) + "/proxies/" + url.PathEscape(linkName(from, to)) + suffix
	r := call(method, u, body)
	if r.err != nil || r.status >= 300 {
		t.Fatalf("%s %s: %v %d %s", method, u, r.err, r.status, r.body)
	}
}

func setLink(t *testing.T, top *Topology, from, to string, enabled bool) {
	linkAPI(t, top, from, to, http.MethodPost, "", map[string]any{"enabled": enabled})
}

func addLatency(t *testing.T, top *Topology, from, to string, ms int) {
	linkAPI(t, top, from, to, http.MethodPost, "/toxics", map[string]any{
		"name": "slow", "type": "latency", "stream": "downstream", "attributes": map[string]any{"latency": ms},
	})
}

func removeToxic(t *testing.T, top *Topology, from, to string) {
	linkAPI(t, top, from, to, http.MethodDelete, "/toxics/slow", nil)
}

func queryStats(top *Topology, id string) QueryStats {
	var s QueryStats
	r := call(http.MethodGet, service(top, id)+"/query/stats", nil)
	json.Unmarshal(r.body, &s)
	return s
}

func gatewayRegistered(top *Topology) map[string]bool {
	var v struct{ Registered map[string]bool }
	r := call(http.MethodGet, admin(top, "gateway-1")+"/stats", nil)
	json.Unmarshal(r.body, &v)
	return v.Registered
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// instanceBinary is what instances run: the faultline binary, or this test
// binary when cmd/faultline did not build.
func instanceBinary(t testing.TB) string {
	if binary != "" {
		return binary
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// serveMain is `target serve` for the test binary.
func serveMain(role string, args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	id := fs.String("id", "", "instance id")
	spec := fs.String("spec", "", "spec file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Serve(ctx, *spec, role, *id); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		return 1
	}
	return 0
}

// ordersInARow waits until n orders in a row succeed, item(i) naming the
// item of the i-th order of the current streak; a failure restarts the
// streak. It returns how long that took.
func ordersInARow(t *testing.T, top *Topology, n int, within time.Duration, what string, item func(i int) string) time.Duration {
	t.Helper()
	ok := 0
	return eventually(t, within, what, func() bool {
		if id, _ := placeOrder(top, item(ok)); id != "" {
			ok++
		} else {
			ok = 0
		}
		return ok >= n
	})
}
