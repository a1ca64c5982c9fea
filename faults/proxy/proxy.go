package proxy

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy is one named listener that pipes every accepted connection to its
// upstream through its toxics.
type Proxy struct {
	srv  *Server
	name string

	mu       sync.Mutex
	listen   string // as asked ("127.0.0.1:0")
	addr     string // as bound; kept across disable/enable
	upstream string
	enabled  bool
	ln       net.Listener
	links    map[*link]struct{}
	toxics   []*toxicRec
	version  uint64
	wg       sync.WaitGroup
	// kicks are the fast-path copies a chain change kicked out, each
	// closed once its copy has returned (see awaitKicks).
	kicks []<-chan struct{}

	chains [2]atomic.Pointer[chain]
}

// chain is an immutable snapshot of one direction's toxics.
type chain struct {
	version uint64
	toxics  []*toxicRec
	replies bool // a toxic here writes into the other direction (Replier)
}

var emptyChain = &chain{}

// Name returns the proxy's name.
func (p *Proxy) Name() string { return p.name }

// Addr returns the address the proxy listens on (the actual port when it
// was asked for port 0).
func (p *Proxy) Addr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.addr != "" {
		return p.addr
	}
	return p.listen
}

// Upstream returns where the proxy sends traffic.
func (p *Proxy) Upstream() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.upstream
}

// Enabled reports whether the proxy accepts connections.
func (p *Proxy) Enabled() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.enabled
}

// Links returns how many connections the proxy is carrying.
func (p *Proxy) Links() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.links)
}

func (p *Proxy) chain(d Direction) *chain {
	if c := p.chains[d].Load(); c != nil {
		return c
	}
	return emptyChain
}

// SetEnabled starts or stops the proxy. Disabling closes the listener and
// every link (as Toxiproxy does); enabling listens again on the same
// address.
func (p *Proxy) SetEnabled(on bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on == p.enabled {
		return nil
	}
	if on {
		return p.startLocked()
	}
	p.stopLocked()
	return nil
}

func (p *Proxy) startLocked() error {
	addr := p.listen
	if p.addr != "" {
		addr = p.addr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return wrap(ErrInvalidField, "listen", "%v", err)
	}
	p.ln = ln
	p.addr = ln.Addr().String()
	p.enabled = true
	p.wg.Add(1)
	go p.accept(ln)
	return nil
}

func (p *Proxy) stopLocked() {
	p.enabled = false
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for l := range p.links {
		l.close(false)
	}
}

// upstreamDialTimeout bounds how long a new link waits for its upstream.
const upstreamDialTimeout = 5 * time.Second

func (p *Proxy) accept(ln net.Listener) {
	defer p.wg.Done()
	backoff := 5 * time.Millisecond
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Transient (EMFILE, ECONNABORTED): a proxy that stops
			// accepting would look like a partition nobody asked for.
			// Counted, because while it lasts clients time out in the
			// backlog (see splice.go).
			p.srv.metrics.acceptErrs.WithLabelValues(p.name).Inc()
			time.Sleep(backoff)
			backoff = min(2*backoff, 100*time.Millisecond)
			continue
		}
		backoff = 5 * time.Millisecond
		p.wg.Add(1)
		go p.serve(c.(*net.TCPConn))
	}
}

func (p *Proxy) serve(client *net.TCPConn) {
	defer p.wg.Done()
	p.mu.Lock()
	up := p.upstream
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), upstreamDialTimeout)
	var d net.Dialer
	uc, err := d.DialContext(ctx, "tcp", up)
	cancel()
	if err != nil {
		p.srv.metrics.dialErrors.WithLabelValues(p.name).Inc()
		_ = client.SetLinger(0)
		_ = client.Close()
		return
	}
	l := newLink(p, client, uc.(*net.TCPConn), p.srv.nextSeed())
	p.mu.Lock()
	if !p.enabled {
		p.mu.Unlock()
		l.close(false)
		return
	}
	p.links[l] = struct{}{}
	p.mu.Unlock()
	p.srv.metrics.links.WithLabelValues(p.name).Inc()
	p.srv.metrics.active.WithLabelValues(p.name).Inc()

	l.run()

	p.srv.metrics.active.WithLabelValues(p.name).Dec()
	p.mu.Lock()
	delete(p.links, l)
	p.mu.Unlock()
}

// close stops the proxy for good and waits for its goroutines.
func (p *Proxy) close() {
	p.mu.Lock()
	p.stopLocked()
	for _, t := range p.toxics {
		t.stop()
	}
	p.toxics = nil
	p.publishLocked()
	p.mu.Unlock()
	p.wg.Wait()
}

// publishLocked installs new chain snapshots and tells every link.
func (p *Proxy) publishLocked() {
	p.version++
	var per [2][]*toxicRec
	var replies [2]bool
	for _, t := range p.toxics {
		per[t.dir] = append(per[t.dir], t)
		if r, ok := t.toxic.(Replier); ok && r.Replies() {
			replies[t.dir] = true
		}
	}
	for d := range per {
		p.chains[d].Store(&chain{version: p.version, toxics: per[d], replies: replies[d]})
	}
	p.srv.metrics.toxics.WithLabelValues(p.name).Set(float64(len(p.toxics)))
	for l := range p.links {
		p.kicks = append(p.kicks, l.changed()...)
	}
}

// kickWait bounds how long a toxic change waits for fast-path copies to
// return. A copy blocked writing to a slow peer reads nothing meanwhile,
// so the bound only spares the caller, never lets new bytes through.
const kickWait = time.Second

// awaitKicks waits until every fast-path copy kicked by the last chain
// changes has returned. Without it a copy caught between its deadline
// check and its read syscall could still move bytes the client wrote after
// AddToxic returned: a blackhole that lets the first bytes through. Called
// without p.mu.
func (p *Proxy) awaitKicks() {
	p.mu.Lock()
	kicks := p.kicks
	p.kicks = nil
	p.mu.Unlock()
	deadline := time.NewTimer(kickWait)
	defer deadline.Stop()
	for _, k := range kicks {
		select {
		case <-k:
		case <-deadline.C:
			return
		}
	}
}
