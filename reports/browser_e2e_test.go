package reports

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

// chromiumPath finds Debian's chromium.
func chromiumPath() string {
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// cdp is a minimal Chrome DevTools Protocol client over one page's
// websocket: numbered calls, and every event kept for later checks.
type cdp struct {
	ws     *websocket.Conn
	next   int
	events []map[string]any
}

func (c *cdp) call(method string, params map[string]any) (map[string]any, error) {
	c.next++
	id := c.next
	if err := websocket.JSON.Send(c.ws, map[string]any{"id": id, "method": method, "params": params}); err != nil {
		return nil, err
	}
	for {
		var msg map[string]any
		if err := websocket.JSON.Receive(c.ws, &msg); err != nil {
			return nil, fmt.Errorf("%s: %w", method, err)
		}
		if got, ok := msg["id"].(float64); ok && int(got) == id {
			if e, ok := msg["error"]; ok {
				return nil, fmt.Errorf("%s: %v", method, e)
			}
			res, _ := msg["result"].(map[string]any)
			return res, nil
		}
		if _, ok := msg["method"]; ok {
			c.events = append(c.events, msg)
		}
	}
}

// waitEvent reads until an event named method arrives.
func (c *cdp) waitEvent(method string) error {
	for _, e := range c.events {
		if e["method"] == method {
			return nil
		}
	}
	for {
		var msg map[string]any
		if err := websocket.JSON.Receive(c.ws, &msg); err != nil {
			return fmt.Errorf("waiting for %s: %w", method, err)
		}
		if _, ok := msg["method"]; ok {
			c.events = append(c.events, msg)
			if msg["method"] == method {
				return nil
			}
		}
	}
}

// TestHTMLInBrowser opens the HTML report in headless chromium and checks
// what a reader gets: no console errors, every chart drawn with a size, no
// request leaving the file. It saves a screenshot as an artefact.
func TestHTMLInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts chromium")
	}
	bin := chromiumPath()
	if bin == "" {
		t.Skip("chromium is not installed (apt-get install -y chromium); the browser check did not run")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(f, goldenFixture()); err != nil {
		t.Fatal(err)
	}
	f.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	// The profile lives outside t.TempDir: chromium's helpers may still be
	// writing to it for a moment after the kill.
	profile, err := os.MkdirTemp("", "faultline-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(profile)
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--remote-allow-origins=http://127.0.0.1", "--user-data-dir="+profile,
		"--window-size=1100,900", "about:blank")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	// Its own process group, so that the kill takes its helpers too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() }()
	// Chromium prints "DevTools listening on ws://127.0.0.1:PORT/..." when ready.
	port := ""
	sc := bufio.NewScanner(stderr)
	re := regexp.MustCompile(`DevTools listening on ws://127\.0\.0\.1:(\d+)/`)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			port = m[1]
			break
		}
	}
	if port == "" {
		t.Fatal("chromium never said where DevTools listens")
	}
	go func() { // keep draining so chromium never blocks on a full pipe
		for sc.Scan() {
		}
	}()
	var targets []struct {
		Type string `json:"type"`
		WS   string `json:"webSocketDebuggerUrl"`
	}
	resp, err := http.Get("http://127.0.0.1:" + port + "/json/list")
	if err != nil {
		t.Fatal(err)
	}
	err = json.NewDecoder(resp.Body).Decode(&targets)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	wsURL := ""
	for _, tg := range targets {
		if tg.Type == "page" {
			wsURL = tg.WS
		}
	}
	if wsURL == "" {
		t.Fatal("no page target")
	}
	ws, err := websocket.Dial(wsURL, "", "http://127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.MaxPayloadBytes = 64 << 20
	_ = ws.SetDeadline(time.Now().Add(80 * time.Second))
	c := &cdp{ws: ws}
	for _, m := range []string{"Runtime.enable", "Log.enable", "Network.enable", "Page.enable"} {
		if _, err := c.call(m, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.call("Page.navigate", map[string]any{"url": "file://" + page}); err != nil {
		t.Fatal(err)
	}
	if err := c.waitEvent("Page.loadEventFired"); err != nil {
		t.Fatal(err)
	}
	res, err := c.call("Runtime.evaluate", map[string]any{"returnByValue": true, "expression": `JSON.stringify(
		[...document.querySelectorAll('figure.chart')].map(f => { const s = f.querySelector('svg'); const r = s ? s.getBoundingClientRect() : {width: 0, height: 0}; return {id: f.id, w: r.width, h: r.height}; }))`})
	if err != nil {
		t.Fatal(err)
	}
	var charts []struct {
		ID   string
		W, H float64
	}
	val, _ := res["result"].(map[string]any)["value"].(string)
	if err := json.Unmarshal([]byte(val), &charts); err != nil {
		t.Fatalf("chart sizes %q: %v", val, err)
	}
	want := []string{"availability-0", "latency-0", "availability-1", "latency-1", "t-visibility", "dependency-graph"}
	if len(charts) != len(want) {
		t.Errorf("%d charts in the page, want %d: %+v", len(charts), len(want), charts)
	}
	for i, ch := range charts {
		if i < len(want) && ch.ID != want[i] {
			t.Errorf("chart %d is %q, want %q", i, ch.ID, want[i])
		}
		if ch.W < 100 || ch.H < 50 {
			t.Errorf("chart %s drawn %.0fx%.0f px, want a real size", ch.ID, ch.W, ch.H)
		}
	}
	shot, err := c.call("Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true})
	if err != nil {
		t.Fatal(err)
	}
	png, err := base64.StdEncoding.DecodeString(fmt.Sprint(shot["data"]))
	if err != nil || len(png) < 1000 {
		t.Fatalf("screenshot: %v (%d bytes)", err, len(png))
	}
	art := os.Getenv("FAULTLINE_ARTEFACTS")
	if art == "" {
		art = filepath.Join(os.TempDir(), "faultline-artefacts")
	}
	if err := os.MkdirAll(art, 0o755); err == nil {
		p := filepath.Join(art, "report-html.png")
		if err := os.WriteFile(p, png, 0o644); err == nil {
			t.Logf("screenshot saved: %s", p)
		}
	}
	// Every event seen: console errors, exceptions, and requests.
	for _, e := range c.events {
		params, _ := e["params"].(map[string]any)
		switch e["method"] {
		case "Runtime.exceptionThrown":
			t.Errorf("exception in the page: %v", params)
		case "Runtime.consoleAPICalled":
			if params["type"] == "error" || params["type"] == "warning" {
				t.Errorf("console %v: %v", params["type"], params["args"])
			}
		case "Log.entryAdded":
			entry, _ := params["entry"].(map[string]any)
			if entry["level"] == "error" {
				t.Errorf("browser log error: %v", entry["text"])
			}
		case "Network.requestWillBeSent":
			req, _ := params["request"].(map[string]any)
			u := fmt.Sprint(req["url"])
			if !strings.HasPrefix(u, "file://") && !strings.HasPrefix(u, "data:") && u != "about:blank" {
				t.Errorf("the page requested %s", u)
			}
		}
	}
}
