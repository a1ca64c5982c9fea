package proxy

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// plainEcho is an upstream that echoes through a buffer (io.Copy on two
// TCPConns would splice and spend pipe descriptors of its own).
func plainEcho(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err != nil { // EMFILE: retry, as the proxy does
				time.Sleep(5 * time.Millisecond)
				continue
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4<<10)
				_, _ = io.CopyBuffer(writerOnly{c}, readerOnly{c}, buf)
			}()
		}
	}()
	return ln.Addr().String()
}

func openFDs(t *testing.T) int {
	t.Helper()
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(es)
}

// limitFDs lowers RLIMIT_NOFILE's soft limit to n for the rest of the test.
func limitFDs(t *testing.T, n uint64) {
	t.Helper()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Skipf("getrlimit: %v", err)
	}
	if n >= old.Cur {
		t.Skipf("descriptor limit %d already below %d", old.Cur, n)
	}
	lim := old
	lim.Cur = n
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skipf("setrlimit: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) })
}

// TestBurstOfConnectionsAllConnect is the regression test for wrk's
// "unable to connect ... Connection timed out": 250 connections at once,
// five rounds, each must connect and round-trip. The descriptor limit is
// lowered so that six descriptors per link (two sockets and two splice
// pipes, the old fast path) exhaust it while the splice budget keeps the
// proxy within it. Client, proxy and upstream share this process, so a
// connection costs 4 socket descriptors plus the proxy's pipes.
func TestBurstOfConnectionsAllConnect(t *testing.T) {
	const conns, rounds = 250, 5
	up := plainEcho(t)
	s, p := newTestProxy(t, up)
	// Old fast path: 250 * 8 = 2000 descriptors > the limit below; with the
	// budget: 250 * 4 + limit/4 for pipes (~1430), within it.
	limitFDs(t, uint64(openFDs(t)+1600))

	deadline := time.Now().Add(90 * time.Second)
	for r := range rounds {
		var wg sync.WaitGroup
		errs := make(chan error, conns)
		start := make(chan struct{})
		for i := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs <- burstRoundTrip(p.Addr(), fmt.Sprintf("round %d conn %d\n", r, i), deadline)
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		failed := 0
		var first error
		for err := range errs {
			if err != nil {
				if first == nil {
					first = err
				}
				failed++
			}
		}
		if failed > 0 {
			t.Fatalf("round %d: %d of %d connections failed, first: %v (open fds %d, accept errors %v, dial errors %v)",
				r, failed, conns, first, openFDs(t),
				counterValue(s.metrics.acceptErrs.WithLabelValues("p")),
				counterValue(s.metrics.dialErrors.WithLabelValues("p")))
		}
		// Let the round's links finish closing, so rounds do not overlap.
		for p.Links() > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if n := counterValue(s.metrics.acceptErrs.WithLabelValues("p")); n != 0 {
		t.Fatalf("%v accept errors", n)
	}
}

// burstRoundTrip dials through the proxy, echoes msg and closes.
func burstRoundTrip(addr, msg string, deadline time.Time) error {
	c, err := net.DialTimeout("tcp", addr, time.Until(deadline))
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	defer c.Close()
	_ = c.SetDeadline(deadline)
	if _, err := io.WriteString(c, msg); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if string(buf) != msg {
		return fmt.Errorf("echo: got %q, want %q", buf, msg)
	}
	return nil
}

func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return -1
	}
	return m.GetCounter().GetValue()
}
