package probes

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/faultline/faultline/reports"
)

// sample makes write k and follows it to a resolved ProbeSample.
func (p *Prober) sample(ctx context.Context, k uint64) reports.ProbeSample {
	s := p.newSample(k)
	// Ids are random, not seeded: a re-run with the same seed against the
	// same target must not find its records already there.
	e := &env{id: p.cfg.Probe.Name + "-" + uuid.NewString(), seq: k, uuid: uuid.NewString(),
		rng: rand.New(rand.NewPCG(uint64(p.cfg.Seed), k))}
	s.Key = e.id
	path, err := p.wPath.render(e, true)
	var body string
	if err == nil {
		body, err = p.wBody.render(e, false)
	}
	hdr, herr := renderHeaders(p.wHdr, e)
	if err == nil {
		err = herr
	}
	if err != nil {
		s.Written, s.Error = time.Now(), "write template: "+err.Error()
		return s
	}
	a := p.do(ctx, p.cfg.Probe.Write.Method, joinURL(p.cfg.WriteURL, path), body, hdr, len(p.caps) > 0)
	s.Written = a.sent
	if a.err != nil && ctx.Err() != nil {
		s.Error = "stopped before the write was acknowledged"
		return s
	}
	if a.err != nil || a.status < 200 || a.status > 299 {
		s.Error = "write not acknowledged: " + a.describe()
		return s
	}
	s.Acked = a.got
	if len(p.caps) > 0 {
		e.caps = extract(a.body, p.caps)
		if v, ok := e.caps[p.caps[0]]; ok {
			s.Key = v
		}
	}
	reads, err := p.readRequests(e)
	if err != nil {
		s.Error = "read template: " + err.Error() + " (acknowledged, not followed)"
		return s
	}
	t := &tracker{s: &s, fresh: map[string]bool{}}
	p.follow(ctx, t, reads)
	return s
}

// read is one read instance's rendered request.
type read struct {
	name, url string
	hdr       map[string]string
}

func (p *Prober) readRequests(e *env) ([]read, error) {
	path, err := p.rPath.render(e, true)
	if err != nil {
		return nil, err
	}
	hdr, err := renderHeaders(p.rHdr, e)
	if err != nil {
		return nil, err
	}
	out := make([]read, len(p.cfg.Readers))
	for i, r := range p.cfg.Readers {
		out[i] = read{name: r.Name, url: joinURL(r.BaseURL, path), hdr: hdr}
	}
	return out, nil
}

// follow polls every read instance until the record has been fresh on all
// of them for Linger, or MaxWait passes, or end + grace; a record fresh
// nowhere by then gets one last look at end + grace before it is lost.
func (p *Prober) follow(ctx context.Context, t *tracker, reads []read) {
	acked := t.s.Acked
	var converged time.Time
	for {
		p.round(ctx, t, reads)
		now := time.Now()
		if t.allFresh(reads) {
			if converged.IsZero() {
				converged = now
			}
			if now.Sub(converged) >= p.cfg.Linger {
				return
			}
		}
		if ctx.Err() != nil {
			t.s.Error = "stopped before the write was resolved"
			return
		}
		dl, known := p.deadline()
		if known && !now.Before(dl) {
			break
		}
		if converged.IsZero() && now.Sub(acked) >= p.cfg.MaxWait {
			if !p.parkUntilDeadline(ctx) {
				t.s.Error = "stopped before the write was resolved"
				return
			}
			p.round(ctx, t, reads)
			break
		}
		wake := now.Add(p.pollGap(now.Sub(acked)))
		if known && dl.Before(wake) {
			wake = dl
		}
		if !sleepUntil(ctx, wake) {
			t.s.Error = "stopped before the write was resolved"
			return
		}
	}
	t.finish(reads)
}

// parkUntilDeadline waits, without reading, for end + grace.
func (p *Prober) parkUntilDeadline(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return false
	case <-p.ended:
	}
	dl, _ := p.deadline()
	return sleepUntil(ctx, dl)
}

// pollGap backs off with the sample's age: the gap is at most 5% of the
// age, so the lag's resolution stays within 5% while the reads a slow
// sample costs fall off.
func (p *Prober) pollGap(age time.Duration) time.Duration {
	return min(max(p.cfg.PollInterval, age/20), p.cfg.MaxPollInterval)
}

// round reads the record once on every instance, concurrently.
func (p *Prober) round(ctx context.Context, t *tracker, reads []read) {
	got := make([]answer, len(reads))
	var wg sync.WaitGroup
	for i, r := range reads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = p.do(ctx, p.cfg.Probe.Read.Method, r.url, "", r.hdr, false)
		}()
	}
	wg.Wait()
	for i, r := range reads {
		t.observe(r.name, got[i])
	}
}

// tracker folds reads into one sample.
type tracker struct {
	s     *reports.ProbeSample
	fresh map[string]bool
}

// observe classifies one read: 2xx is fresh, 404 stale, anything else
// (no answer, 5xx, 429) a read error that proves nothing.
//
// The server answered somewhere between the read's send and its receipt,
// so a stale read is stamped when it was sent and a fresh one when it was
// received: the write surely became visible between the last stale stamp
// and the first fresh one, however long the client was stalled (a starved
// CPU widens that bracket; it never moves the truth outside it).
func (t *tracker) observe(inst string, a answer) {
	s := t.s
	s.Reads++
	switch {
	case a.err == nil && a.status >= 200 && a.status <= 299:
		if !t.fresh[inst] {
			t.fresh[inst] = true
			setTime(&s.PerInstance, inst, a.got)
		}
		if s.FirstFresh.IsZero() || a.got.Before(s.FirstFresh) {
			s.FirstFresh = a.got
		}
	case a.err == nil && a.status == http.StatusNotFound:
		s.StaleReads++
		if t.fresh[inst] {
			// This instance served the record before: it went back in time.
			s.Violations++
			return
		}
		setTime(&s.LastStaleBy, inst, a.sent)
		if a.sent.After(s.LastStale) {
			s.LastStale = a.sent
		}
	default:
		s.ReadErrors++
	}
}

func (t *tracker) allFresh(reads []read) bool {
	for _, r := range reads {
		if !t.fresh[r.name] {
			return false
		}
	}
	return true
}

// finish judges a sample whose time ran out: lost when no instance ever
// served it, otherwise it names the instances that never did.
func (t *tracker) finish(reads []read) {
	if len(t.fresh) == 0 {
		if t.s.StaleReads == 0 {
			// No instance ever answered: unknown, not lost.
			t.s.Error = fmt.Sprintf("no read instance answered (%d read errors); visibility unknown", t.s.ReadErrors)
			return
		}
		t.s.Lost = true
		return
	}
	var missing []string
	for _, r := range reads {
		if !t.fresh[r.name] {
			missing = append(missing, r.name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		t.s.Error = fmt.Sprintf("never visible on %s by the deadline", strings.Join(missing, ", "))
	}
}

func setTime(m *map[string]time.Time, k string, v time.Time) {
	if *m == nil {
		*m = map[string]time.Time{}
	}
	(*m)[k] = v
}

func renderHeaders(ts map[string]*tmpl, e *env) (map[string]string, error) {
	if len(ts) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(ts))
	for k, t := range ts {
		v, err := t.render(e, false)
		if err != nil {
			return nil, err
		}
		// No control characters: a value must not add a header.
		out[k] = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return -1
			}
			return r
		}, v)
	}
	return out, nil
}

// joinURL appends a rendered path to a base URL without doubling slashes.
func joinURL(base, path string) string {
	if path == "" {
		return base
	}
	return strings.TrimRight(base, "/") + "/" + strings.TrimLeft(path, "/")
}
