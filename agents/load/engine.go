package load

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// ErrConfig is wrapped by every configuration error New returns (besides
// targets.ErrNotAllowed and ErrMix).
var ErrConfig = errors.New("bad load engine config")

// ErrRunning is returned by a second Run of one Engine.
var ErrRunning = errors.New("load engine: Run may be called only once")

// Engine runs one agent's share of a run's load. Create it with New, start
// it with Run; SetShare, Stop and Stats are safe from any goroutine.
type Engine struct {
	cfg     Config
	base    string // BaseURL without a trailing slash
	sh      shape
	unpaced bool
	mix     *mix
	caps    *captureStore
	key     uint64
	rec     *recorder
	client  *http.Client
	drain   time.Duration

	mu     sync.Mutex // guards share, sched, pacer
	share  float64
	sched  *schedule
	pacer  *pacer
	origin time.Time

	ran       atomic.Bool
	stopOnce  sync.Once
	stopCh    chan struct{}
	cancel    context.CancelFunc
	lastRate  atomic.Uint64 // float64 bits
	lastP99   atomic.Int64
	intendedK uint64 // next hit to count as intended (window loop only)
}

// New checks cfg and builds an engine. It refuses a BaseURL outside Allow
// (the error wraps targets.ErrNotAllowed) and a bad mix or shape, before
// any request is sent.
func New(cfg Config) (*Engine, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: base URL %q: need http://host[:port] or https://host[:port]", ErrConfig, cfg.BaseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("%w: base URL %q: no user, query or fragment allowed (put them in the mix's paths)", ErrConfig, cfg.BaseURL)
	}
	if err := cfg.Allow.CheckURL(cfg.BaseURL); err != nil {
		return nil, fmt.Errorf("load engine for run %s: base URL refused: %w", cfg.RunID, err)
	}
	if !(cfg.Share >= 0 && cfg.Share <= 1) {
		return nil, fmt.Errorf("%w: share %v: must be within 0..1", ErrConfig, cfg.Share)
	}
	if cfg.Load.Duration <= 0 || cfg.Load.Warmup < 0 {
		return nil, fmt.Errorf("%w: load.duration %s, warmup %s: need duration > 0 and warmup >= 0", ErrConfig, cfg.Load.Duration, cfg.Load.Warmup)
	}
	sh, err := newShape(cfg.Load)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	key := streamKey(cfg.Seed, cfg.RunID, cfg.AgentID)
	m, err := newMix(cfg.Load.Mix, key)
	if err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, base: strings.TrimSuffix(cfg.BaseURL, "/"), sh: sh, mix: m, key: key,
		share: cfg.Share, stopCh: make(chan struct{}), drain: cfg.Drain}
	_, e.unpaced = sh.(constShape)
	e.unpaced = e.unpaced && cfg.Load.Rate.PerSecond() == 0
	if e.unpaced && cfg.MaxWorkers == 0 {
		return nil, fmt.Errorf("%w: rate 0 (as fast as possible) needs an explicit MaxWorkers: with no pacing, the concurrency is the load", ErrConfig)
	}
	decl := map[string]map[string]string{}
	var longest time.Duration
	for _, ep := range m.eps {
		decl[ep.name] = ep.capture
		longest = max(longest, ep.timeout)
	}
	if e.drain <= 0 {
		e.drain = min(longest, DefaultDrain)
	}
	e.caps = newCaptureStore(decl)
	e.rec = &recorder{eps: m.eps, caps: e.caps}
	for range m.eps {
		e.rec.accs = append(e.rec.accs, newAccum())
	}
	e.client = &http.Client{
		Transport: newTransport(e.rec, cfg.Allow, cfg.TLS),
		// Redirects are not followed: a 3xx is the endpoint's answer (good
		// by default), and a followed one could leave the allowlist.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return e, nil
}

// SetShare changes this agent's fraction of the rate from now on. The
// schedule stays continuous: hit numbers and intended times carry on.
func (e *Engine) SetShare(f float64) {
	if !(f >= 0) {
		f = 0
	}
	f = min(f, 1)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.share = f
	if e.sched != nil {
		e.sched.setShare(time.Since(e.origin).Seconds(), f)
		e.pacer.notify()
	}
}

// Stop ends the run now: no new hits, requests in flight cancelled (counted
// as Errors["cancelled"]). Run still sends the final windows. Idempotent.
func (e *Engine) Stop() {
	e.stopOnce.Do(func() { close(e.stopCh) })
}

// targeter is the vegeta.Targeter: it takes the hit the pacer released and
// renders its endpoint. It never returns an error: vegeta would end the
// whole attack on one.
func (e *Engine) targeter(p *pacer) vegeta.Targeter {
	return func(t *vegeta.Target) error {
		var h hit
		select {
		case h = <-p.hits:
		default: // cannot happen (a hit is queued before its tick); never block
			h = hit{k: p.next.Load(), at: -1}
		}
		ep := e.mix.eps[e.mix.pick(h.k)]
		env := renderEnv{k: h.k, key: e.key, caps: e.caps}
		t.Method = ep.method
		u := ep.path.appendTo(append(make([]byte, 0, len(e.base)+len(ep.path.src)+40), e.base...), &env, escPath, 0)
		t.URL = string(appendHit(u, ep.idx, h.at))
		t.Body = nil
		if len(ep.body.parts) > 0 {
			t.Body = ep.body.appendTo(nil, &env, escBody, 1)
		}
		t.Header = ep.fixed // shared: vegeta copies it into each request
		if ep.fixed == nil && len(ep.headers) > 0 {
			t.Header = make(http.Header, len(ep.headers))
			for i, hd := range ep.headers {
				t.Header[hd.name] = []string{hd.val.render(&env, escHeader, uint64(2+i))}
			}
		}
		return nil
	}
}

// attack starts vegeta with the engine's client and pacer.
func (e *Engine) attack(p *pacer) (*vegeta.Attacker, <-chan *vegeta.Result) {
	w := e.cfg.Workers
	if w == 0 {
		w = DefaultWorkers
	}
	mw := e.cfg.MaxWorkers
	if mw == 0 {
		mw = DefaultMaxWorkers
	}
	opts := []func(*vegeta.Attacker){vegeta.Client(e.client), vegeta.Workers(min(w, mw)), vegeta.MaxWorkers(mw), vegeta.MaxBody(0)}
	a := vegeta.NewAttacker(opts...)
	return a, a.Attack(e.targeter(p), p, 0, "")
}

// end is the end of the schedule.
func (e *Engine) end() time.Time { return e.origin.Add(e.cfg.Load.Warmup + e.cfg.Load.Duration) }
