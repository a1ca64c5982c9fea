package proxy

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// pattern is byte i of the test stream: position-dependent over 16 MiB, so
// a lost, repeated or reordered chunk shows.
func pattern(i int) byte { return byte(i ^ i>>8 ^ i>>16) }

// pumpsFast reports how many of the proxy's link pumps are on the fast path.
func pumpsFast(p *Proxy) (fast, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for l := range p.links {
		for _, pm := range l.pumps {
			pm.mu.Lock()
			if pm.fast {
				fast++
			}
			pm.mu.Unlock()
			total++
		}
	}
	return fast, total
}

func waitFast(t *testing.T, p *Proxy, want int, within time.Duration) {
	t.Helper()
	end := time.Now().Add(within)
	for {
		f, n := pumpsFast(p)
		if f == want && n == want {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("%d of %d pumps on the fast path after %v, want %d", f, n, within, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestFastPathReturnsAfterToxicsGo streams bytes both ways through an
// echo upstream while toxics come and go on both directions; each time the
// last one goes, both pumps must be back on the fast path, and the echoed
// stream must be byte for byte what was sent.
func TestFastPathReturnsAfterToxicsGo(t *testing.T) {
	const maxBytes = 64 << 20
	_, p := newTestProxy(t, plainEcho(t))
	c := dial(t, p.Addr())
	_ = c.SetDeadline(time.Now().Add(120 * time.Second))
	waitFast(t, p, 2, 10*time.Second)

	// The writer streams until the cycles are done (at most 64 MiB), then
	// half-closes; the reader checks every byte until EOF.
	stop := make(chan struct{})
	type result struct {
		n   int
		err error
	}
	wrote := make(chan result, 1)
	go func() {
		buf := make([]byte, 4096)
		off := 0
		for ; off < maxBytes; off += len(buf) {
			select {
			case <-stop:
				wrote <- result{off, c.CloseWrite()}
				return
			default:
			}
			for i := range buf {
				buf[i] = pattern(off + i)
			}
			if _, err := c.Write(buf); err != nil {
				wrote <- result{off, err}
				return
			}
			time.Sleep(200 * time.Microsecond) // a steady flow through the cycles
		}
		wrote <- result{off, fmt.Errorf("wrote %d bytes before the cycles ended", off)}
	}()
	read := make(chan result, 1)
	go func() {
		r := bufio.NewReaderSize(c, 64<<10)
		for i := 0; ; i++ {
			b, err := r.ReadByte()
			if err == io.EOF {
				read <- result{i, nil}
				return
			}
			if err != nil {
				read <- result{i, err}
				return
			}
			if b != pattern(i) {
				read <- result{i, fmt.Errorf("byte %d: got %#x, want %#x", i, b, pattern(i))}
				return
			}
		}
	}()

	// Each cycle, one case: which toxics, on which streams.
	cycles := [][]ToxicSpec{
		// latency downstream only: one pump leaves, comes back
		{{Type: "latency", Stream: "downstream", Attributes: map[string]any{"latency": 2}}},
		// slicer upstream: cuts chunks, must not lose the tail on removal
		{{Type: "slicer", Stream: "upstream", Attributes: map[string]any{"average_size": 100, "delay": 10}}},
		// both directions at once
		{{Type: "latency", Stream: "upstream", Attributes: map[string]any{"latency": 1}},
			{Type: "bandwidth", Stream: "downstream", Attributes: map[string]any{"rate": 10000}}},
		// http_abort on a non-HTTP stream: the splitter goes raw, the
		// downstream pump leaves the fast path for the replies' lock
		{{Type: "http_abort", Stream: "upstream"}},
	}
	for round := range 3 {
		for i, specs := range cycles {
			for _, s := range specs {
				if _, err := p.AddToxic(s); err != nil {
					t.Fatalf("round %d cycle %d: add %s: %v", round, i, s.Type, err)
				}
			}
			time.Sleep(30 * time.Millisecond)
			if f, _ := pumpsFast(p); f == 2 {
				t.Fatalf("round %d cycle %d: both pumps still fast with toxics installed", round, i)
			}
			p.ResetToxics()
			waitFast(t, p, 2, 10*time.Second)
		}
	}
	close(stop)
	w, r := <-wrote, <-read
	if w.err != nil {
		t.Fatalf("write: %v", w.err)
	}
	if r.err != nil || r.n != w.n {
		t.Fatalf("echo through add/remove cycles: read %d of %d bytes intact: %v", r.n, w.n, r.err)
	}
	t.Logf("%d bytes intact through %d toxic cycles", r.n, 3*len(cycles))
}

// TestHTTPAbortRemovedMidHeadForwardsIt: a request head that arrives in
// two pieces around the removal of an http_abort toxic reaches the
// upstream whole (the splitter's held bytes are not dropped).
func TestHTTPAbortRemovedMidHeadForwardsIt(t *testing.T) {
	_, p := newTestProxy(t, httpUpstream(t))
	if _, err := p.AddToxic(ToxicSpec{Type: "http_abort", Attributes: map[string]any{"percent": 100}}); err != nil {
		t.Fatal(err)
	}
	c := dial(t, p.Addr())
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // let the proxy read the first piece
	if err := p.RemoveToxic("http_abort_upstream"); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, "Connection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no response to a head split around the removal: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != "ok" || resp.Header.Get("X-Faultline-Fault") != "" {
		t.Fatalf("got %d %q (fault %q), want the upstream's 200 ok", resp.StatusCode, body, resp.Header.Get("X-Faultline-Fault"))
	}
}
