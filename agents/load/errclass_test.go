package load

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/faultline/faultline/targets"
)

// rawServer accepts connections on loopback and hands each to fn.
func rawServer(t *testing.T, fn func(c *net.TCPConn)) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go fn(c.(*net.TCPConn))
		}
	}()
	return "http://" + ln.Addr().String()
}

// readRequest reads one request head off c.
func readRequest(c net.Conn) {
	_, _ = http.ReadRequest(bufio.NewReader(c))
}

// doOnce sends one request through a real engine transport and returns the
// error classes it recorded.
func doOnce(t *testing.T, url string, allow *targets.Allowlist, timeout time.Duration) map[string]int64 {
	t.Helper()
	ep := &endpoint{name: "e", method: "GET", timeout: timeout}
	rec := &recorder{eps: []*endpoint{ep}, accs: []*accum{newAccum()}, origin: time.Now(), base: context.Background()}
	tr := newTransport(rec, allow, nil)
	defer tr.h1.(*http.Transport).CloseIdleConnections()
	req, _ := http.NewRequest("GET", string(appendHit([]byte(url+"/x"), 0, -1)), nil)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	a := rec.accs[0].take()
	if a.requests != 1 {
		t.Errorf("%d requests recorded, want 1", a.requests)
	}
	return a.errors
}

// Error classes come from the real failure, over real loopback sockets.
func TestErrorClassesOverSockets(t *testing.T) {
	refused := func() string { // a port nobody listens on any more
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		return "http://" + addr
	}()
	reset := rawServer(t, func(c *net.TCPConn) { // read the request, then RST
		readRequest(c)
		_ = c.SetLinger(0)
		c.Close()
	})
	eof := rawServer(t, func(c *net.TCPConn) { // read the request, then FIN, no answer
		readRequest(c)
		c.Close()
	})
	stall := rawServer(t, func(c *net.TCPConn) { // never answer
		readRequest(c)
		time.Sleep(3 * time.Second)
		c.Close()
	})
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	outside, _ := targets.NewAllowlist() // loopback only
	cases := []struct {
		name, url string
		allow     *targets.Allowlist
		want      string
	}{
		{"nobody listening", refused, nil, ErrClassRefused},
		{"server resets", reset, nil, ErrClassReset},
		{"server hangs up", eof, nil, ErrClassEOF},
		{"server too slow for the 200 ms timeout", stall, nil, ErrClassTimeout},
		{"certificate from an unknown authority", tlsSrv.URL, nil, ErrClassTLS},
		// 0.0.0.0 is not loopback, so the dial check refuses it; were the
		// check broken, Linux would still dial this host, never the network.
		{"destination outside the allowlist", "http://0.0.0.0:9", outside, ErrClassNotAllowed},
	}
	for _, c := range cases {
		timeout := 10 * time.Second // generous: a loaded machine is slow to handshake
		if c.want == ErrClassTimeout {
			timeout = 200 * time.Millisecond
		}
		got := doOnce(t, c.url, c.allow, timeout)
		if len(got) != 1 || got[c.want] != 1 {
			t.Errorf("%s: errors %v, want {%s: 1}", c.name, got, c.want)
		}
	}
}

// Errors built by hand for what loopback cannot produce.
func TestClassifyErr(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"dns failure", &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "x.invalid"}}, ErrClassDNS},
		{"dns timeout", &net.DNSError{Err: "timeout", IsTimeout: true}, ErrClassTimeout},
		{"unexpected EOF", io.ErrUnexpectedEOF, ErrClassEOF},
		{"h2 stream reset", errors.New("stream error: stream ID 3; INTERNAL_ERROR"), ErrClassReset},
		{"anything else", errors.New("boom"), ErrClassOther},
		{"no error", nil, ""},
	}
	for _, c := range cases {
		if got := classifyErr(c.err); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	// A cancelled engine wins over whatever the error looks like.
	base, cancel := context.WithCancel(context.Background())
	cancel()
	if got := classify(errors.New("read: connection reset"), context.Background(), base); got != ErrClassCancelled {
		t.Errorf("cancelled engine: %q", got)
	}
}
