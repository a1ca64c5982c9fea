package proxy

import (
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/faultline/faultline/targets"
)

// Server holds named proxies and serves the admin API.
type Server struct {
	allow *targets.Allowlist
	token string

	mu      sync.Mutex
	proxies map[string]*Proxy
	rng     *rand.Rand
	closed  bool

	metrics *metrics
}

// Option configures a Server.
type Option func(*Server)

// WithAllowlist sets the destinations upstreams may point at (loopback is
// always allowed). Without it, only loopback upstreams are accepted.
func WithAllowlist(a *targets.Allowlist) Option { return func(s *Server) { s.allow = a } }

// WithSeed seeds every random decision (toxicity, jitter, percentages), so
// that a run with the same seed and the same connection order repeats.
func WithSeed(seed int64) Option {
	return func(s *Server) { s.rng = rand.New(rand.NewPCG(uint64(seed), 0x5eed)) }
}

// WithToken requires "Authorization: Bearer <token>" on every admin API
// request. Without a token, the API answers loopback clients only.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// NewServer returns a server with no proxies.
func NewServer(opts ...Option) *Server {
	s := &Server{proxies: map[string]*Proxy{}, metrics: newMetrics()}
	for _, o := range opts {
		o(s)
	}
	if s.rng == nil {
		s.rng = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x5eed))
	}
	return s
}

func (s *Server) nextSeed() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Uint64()
}

// Add creates a proxy that listens on listen ("127.0.0.1:0" picks a port)
// and forwards to upstream, started when enabled. The upstream must be
// loopback or on the allowlist.
func (s *Server) Add(name, listen, upstream string, enabled bool) (*Proxy, error) {
	if name == "" {
		return nil, wrap(ErrMissingField, "name", "")
	}
	if upstream == "" {
		return nil, wrap(ErrMissingField, "upstream", "")
	}
	if err := s.allow.CheckHostPort(upstream); err != nil {
		return nil, wrap(ErrUpstreamNotAllowed, "upstream", "%v", err)
	}
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrServerClosed
	}
	if _, ok := s.proxies[name]; ok {
		return nil, wrap(ErrProxyAlreadyExists, "name", "%q", name)
	}
	p := &Proxy{srv: s, name: name, listen: listen, upstream: upstream, links: map[*link]struct{}{}}
	if enabled {
		p.mu.Lock()
		err := p.startLocked()
		p.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
	s.proxies[name] = p
	return p, nil
}

// Get returns the named proxy.
func (s *Server) Get(name string) (*Proxy, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.proxies[name]
	return p, ok
}

// Proxies returns every proxy, sorted by name.
func (s *Server) Proxies() []*Proxy {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Proxy, 0, len(s.proxies))
	for _, p := range s.proxies {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// Remove stops and deletes the named proxy, closing its links.
func (s *Server) Remove(name string) error {
	s.mu.Lock()
	p, ok := s.proxies[name]
	delete(s.proxies, name)
	s.mu.Unlock()
	if !ok {
		return wrap(ErrProxyNotFound, "", "%q", name)
	}
	p.close()
	return nil
}

// Reset enables every proxy and removes every toxic (Toxiproxy's /reset).
func (s *Server) Reset() error {
	for _, p := range s.Proxies() {
		p.ResetToxics()
		if err := p.SetEnabled(true); err != nil {
			return err
		}
	}
	return nil
}

// Update changes a proxy's listen address, upstream or enabled state. A
// changed address restarts the listener and closes the proxy's links.
func (s *Server) Update(name, listen, upstream string, enabled bool) (*Proxy, error) {
	p, ok := s.Get(name)
	if !ok {
		return nil, wrap(ErrProxyNotFound, "", "%q", name)
	}
	if upstream != "" {
		if err := s.allow.CheckHostPort(upstream); err != nil {
			return nil, wrap(ErrUpstreamNotAllowed, "upstream", "%v", err)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	moved := (listen != "" && listen != p.listen && listen != p.addr) || (upstream != "" && upstream != p.upstream)
	if moved && p.enabled {
		p.stopLocked()
	}
	if listen != "" && listen != p.listen && listen != p.addr {
		p.listen, p.addr = listen, ""
	}
	if upstream != "" {
		p.upstream = upstream
	}
	if enabled && !p.enabled {
		if err := p.startLocked(); err != nil {
			return nil, err
		}
	} else if !enabled && p.enabled {
		p.stopLocked()
	}
	return p, nil
}

// Close stops every proxy and waits for their goroutines; the server
// refuses new proxies afterwards.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	ps := make([]*Proxy, 0, len(s.proxies))
	for _, p := range s.proxies {
		ps = append(ps, p)
	}
	s.proxies = map[string]*Proxy{}
	s.mu.Unlock()
	for _, p := range ps {
		p.close()
	}
	return nil
}
