package agents

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// AdminClient is a small client of the Toxiproxy-compatible admin API
// (faults/proxy and every reference instance serve it), with faultline's
// lease extension.
type AdminClient struct {
	HTTP *http.Client
}

// ErrToxicNotFound is returned when the toxic (or its proxy) is not there.
var ErrToxicNotFound = errors.New("toxic not found")

// NewAdminClient returns a client with a 3 s timeout per call: an admin
// API on loopback answers in microseconds, and a fault must not hang.
func NewAdminClient() *AdminClient {
	return &AdminClient{HTTP: &http.Client{Timeout: 3 * time.Second}}
}

// leaseMS renders a lease in whole milliseconds (at least 1: 0 would drop it).
func leaseMS(d time.Duration) int64 { return max(d.Milliseconds(), 1) }

// AddToxic creates toxic t on proxy with a lease.
func (c *AdminClient) AddToxic(ctx context.Context, admin, proxy string, t Toxic, lease time.Duration) error {
	body := map[string]any{"name": t.Name, "type": t.Type, "stream": t.Stream, "toxicity": t.Toxicity,
		"attributes": t.Attributes, "lease_ms": leaseMS(lease)}
	return c.do(ctx, http.MethodPost, toxicsURL(admin, proxy), body, nil)
}

// RenewToxic renews a toxic's lease to lease from now.
func (c *AdminClient) RenewToxic(ctx context.Context, admin, proxy, name string, lease time.Duration) error {
	return c.do(ctx, http.MethodPost, toxicsURL(admin, proxy)+"/"+url.PathEscape(name), map[string]any{"lease_ms": leaseMS(lease)}, nil)
}

// RemoveToxic deletes a toxic.
func (c *AdminClient) RemoveToxic(ctx context.Context, admin, proxy, name string) error {
	return c.do(ctx, http.MethodDelete, toxicsURL(admin, proxy)+"/"+url.PathEscape(name), nil, nil)
}

// Toxics lists the toxics of proxy.
func (c *AdminClient) Toxics(ctx context.Context, admin, proxy string) ([]Toxic, error) {
	var out []Toxic
	err := c.do(ctx, http.MethodGet, toxicsURL(admin, proxy), nil, &out)
	return out, err
}

func toxicsURL(admin, proxy string) string {
	return strings.TrimRight(admin, "/") + "/proxies/" + url.PathEscape(proxy) + "/toxics"
}

func (c *AdminClient) do(ctx context.Context, method, u string, in, out any) error {
	var rd io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%s %s: %w: %s", method, u, ErrToxicNotFound, bytes.TrimSpace(b))
	case resp.StatusCode >= 300:
		return fmt.Errorf("%s %s: %s: %s", method, u, resp.Status, bytes.TrimSpace(b))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: decode: %w", method, u, err)
		}
	}
	return nil
}
