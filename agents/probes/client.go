package probes

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/faultline/faultline/targets"
)

// maxBody bounds the response bytes read: enough for a write's JSON ack,
// and a read's body is drained only to keep the connection reusable.
const maxBody = 1 << 20

// newClient builds a client whose every dial is checked against allow and
// which never follows a redirect (a redirect could point anywhere).
func newClient(allow *targets.Allowlist) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{
		Transport: &http.Transport{
			Proxy: nil, // the allowlist names the destination, not a proxy
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				if err := allow.CheckHostPort(addr); err != nil {
					return nil, err
				}
				return d.DialContext(ctx, network, addr)
			},
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     30 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// answer is one HTTP exchange as the prober sees it.
type answer struct {
	sent, got time.Time
	status    int // 0: no response
	body      []byte
	err       error
}

// do sends one request with the probe's timeout. It reads the body only
// when keep is set.
func (p *Prober) do(ctx context.Context, method, rawURL, body string, headers map[string]string, keep bool) answer {
	if err := p.cfg.Allow.CheckURL(rawURL); err != nil {
		return answer{err: err, sent: time.Now(), got: time.Now()}
	}
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Probe.Timeout)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		return answer{err: fmt.Errorf("build request %s %s: %w", method, rawURL, err), sent: time.Now(), got: time.Now()}
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	a := answer{sent: time.Now()}
	resp, err := p.client.Do(req)
	a.got = time.Now()
	if err != nil {
		a.err = err
		return a
	}
	defer resp.Body.Close()
	a.status = resp.StatusCode
	if keep {
		a.body, _ = io.ReadAll(io.LimitReader(resp.Body, maxBody))
	} else {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	}
	return a
}

// describe says why an exchange failed, for ProbeSample.Error.
func (a answer) describe() string {
	if a.err != nil {
		if errorsIsTimeout(a.err) {
			return "timeout"
		}
		return a.err.Error()
	}
	return fmt.Sprintf("status %d", a.status)
}

func errorsIsTimeout(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, context.DeadlineExceeded)
}
