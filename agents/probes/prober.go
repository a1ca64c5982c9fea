package probes

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faultline/faultline/reports"
)

// Prober runs one consistency probe: it writes records at the probe's
// rate and follows each until it is visible on every read instance.
type Prober struct {
	cfg    Config
	client *http.Client
	// Parsed templates: write path, body, headers; read path, headers.
	wPath, wBody, rPath *tmpl
	wHdr, rHdr          map[string]*tmpl
	caps                []string // JSON paths captured from the write

	inFlight atomic.Int64
	// ended is closed when writing stops; endAt is then when it did.
	ended chan struct{}
	endAt time.Time
}

// New validates cfg and parses the probe's templates.
func New(cfg Config) (*Prober, error) {
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	p := &Prober{cfg: cfg, client: cfg.Client, ended: make(chan struct{}),
		wHdr: map[string]*tmpl{}, rHdr: map[string]*tmpl{}}
	if p.client == nil {
		p.client = newClient(cfg.Allow)
	}
	var err error
	parse := func(dst **tmpl, src, what string) {
		if err == nil {
			*dst, err = parseTmpl(src, fmt.Sprintf("probe %q %s", cfg.Probe.Name, what))
		}
	}
	w, r := cfg.Probe.Write, cfg.Probe.Read
	parse(&p.wPath, w.Path, "write path")
	parse(&p.wBody, w.Body, "write body")
	parse(&p.rPath, r.Path, "read path")
	for k, v := range w.Headers {
		var t *tmpl
		parse(&t, v, "write header "+k)
		p.wHdr[k] = t
	}
	for k, v := range r.Headers {
		var t *tmpl
		parse(&t, v, "read header "+k)
		p.rHdr[k] = t
	}
	if err != nil {
		return nil, err
	}
	for _, t := range []*tmpl{p.wPath, p.wBody} {
		if len(t.captures()) > 0 {
			return nil, fmt.Errorf(`%w %q: the write cannot capture from its own response; use {{probe_id}} or {{uuid}} in the write and {{capture "write" "id"}} in the read`, ErrConfig, cfg.Probe.Name)
		}
	}
	p.caps = p.rPath.captures()
	for _, t := range p.rHdr {
		p.caps = append(p.caps, t.captures()...)
	}
	return p, nil
}

// Run writes at the probe's rate until cfg.Until or ctx ends, and sends
// one sample per write on out. It returns when every sample is resolved:
// with cfg.Until set, at most Grace after Until (plus one timeout). When
// ctx ends first, writing stops and pending samples are sent unresolved
// (Error set, never Lost). The caller must drain out until Run returns.
func (p *Prober) Run(ctx context.Context, out chan<- reports.ProbeSample) error {
	period := time.Duration(float64(time.Second) / (p.cfg.Probe.Rate.PerSecond() * p.cfg.Share))
	if period <= 0 {
		return fmt.Errorf("%w %q: rate too high to schedule", ErrConfig, p.cfg.Probe.Name)
	}
	var wg sync.WaitGroup
	start := time.Now()
	var k uint64
	for {
		next := start.Add(time.Duration(k) * period)
		if !p.cfg.Until.IsZero() && !next.Before(p.cfg.Until) {
			break
		}
		if p.cfg.MaxSamples > 0 && k >= uint64(p.cfg.MaxSamples) {
			break
		}
		if !sleepUntil(ctx, next) {
			break
		}
		if n := p.inFlight.Load(); n >= int64(p.cfg.MaxInFlight) {
			out <- p.skipped(k, n)
		} else {
			p.inFlight.Add(1)
			wg.Add(1)
			go func(k uint64) {
				defer wg.Done()
				defer p.inFlight.Add(-1)
				out <- p.sample(ctx, k)
			}(k)
		}
		k++
	}
	p.endAt = time.Now()
	if !p.cfg.Until.IsZero() {
		p.endAt = p.cfg.Until
	}
	close(p.ended)
	wg.Wait()
	return nil
}

// skipped reports a write not made because too many samples were pending.
func (p *Prober) skipped(k uint64, n int64) reports.ProbeSample {
	s := p.newSample(k)
	s.Written = time.Now()
	s.Error = fmt.Sprintf("skipped: %d samples still pending (max_in_flight %d); the read path is not converging", n, p.cfg.MaxInFlight)
	return s
}

func (p *Prober) newSample(k uint64) reports.ProbeSample {
	return reports.ProbeSample{RunID: p.cfg.RunID, AgentID: p.cfg.AgentID, Probe: p.cfg.Probe.Name,
		Key: fmt.Sprintf("%s#%d", p.cfg.AgentID, k)}
}

// sleepUntil waits until t; false when ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-tm.C:
		return true
	}
}

// deadline returns when a pending sample must be judged (end + grace),
// and whether it is known yet (writing has stopped).
func (p *Prober) deadline() (time.Time, bool) {
	select {
	case <-p.ended:
		return p.endAt.Add(p.cfg.Probe.Grace), true
	default:
		return time.Time{}, false
	}
}
