package targets

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ErrNotAllowed is returned for a destination outside a run's allowlist.
var ErrNotAllowed = errors.New("destination outside the run's allowlist")

// Allowlist is the set of destinations a run may send traffic to: loopback
// always, plus the hosts (or host:port pairs) of the target. Nothing else,
// ever: faultline must not be pointed at someone else's production.
type Allowlist struct {
	hosts map[string]bool // host, or host:port
}

// NewAllowlist builds an allowlist from base URLs, host or host:port values.
func NewAllowlist(entries ...string) (*Allowlist, error) {
	a := &Allowlist{hosts: map[string]bool{}}
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		if strings.Contains(e, "://") {
			u, err := url.Parse(e)
			if err != nil || u.Host == "" {
				return nil, fmt.Errorf("allowlist entry %q: not a URL with a host", e)
			}
			e = u.Host
		}
		a.hosts[strings.ToLower(e)] = true
	}
	return a, nil
}

// Entries returns the configured (non-loopback) entries.
func (a *Allowlist) Entries() []string {
	out := make([]string, 0, len(a.hosts))
	for h := range a.hosts {
		out = append(out, h)
	}
	return out
}

// CheckURL refuses a URL whose host is not allowed.
func (a *Allowlist) CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	return a.CheckHostPort(u.Host)
}

// CheckHostPort refuses a host or host:port that is neither loopback nor
// listed. A listed bare host allows every port on it.
func (a *Allowlist) CheckHostPort(hp string) error {
	host, _, err := net.SplitHostPort(hp)
	if err != nil {
		host = strings.Trim(hp, "[]")
	}
	if IsLoopback(host) {
		return nil
	}
	if a != nil && (a.hosts[strings.ToLower(hp)] || a.hosts[strings.ToLower(host)]) {
		return nil
	}
	return fmt.Errorf("%w: %s (allowed: loopback and %s)", ErrNotAllowed, hp, a.describe())
}

func (a *Allowlist) describe() string {
	if a == nil || len(a.hosts) == 0 {
		return "no other host"
	}
	return strings.Join(a.Entries(), ", ")
}

// IsLoopback reports whether host is localhost, 127.0.0.0/8 or ::1. Names
// other than localhost are not resolved: a name that resolves to loopback
// today may not tomorrow.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
