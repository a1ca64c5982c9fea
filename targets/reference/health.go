package reference

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// healthChecker is the gateway's active health checking (an ALB target
// group): it probes each member's /healthz through the gateway's link,
// de-registers a member after UnhealthyThreshold failures in a row and
// re-registers it after HealthyThreshold successes in a row. A member's
// first result registers or de-registers it at once, so start-up needs one
// interval, not a threshold's worth.
type healthChecker struct {
	o  Options
	hc *http.Client

	mu      sync.Mutex
	members map[string]*memberHealth
	events  []HealthEvent
}

type memberHealth struct {
	base       string
	known      bool
	registered bool
	okRun      int
	failRun    int
}

// HealthEvent is a registration change at the gateway.
type HealthEvent struct {
	Time       time.Time `json:"time"`
	Instance   string    `json:"instance"`
	Registered bool      `json:"registered"`
}

func newHealthChecker(o Options) *healthChecker {
	return &healthChecker{o: o, members: map[string]*memberHealth{},
		hc: &http.Client{Timeout: o.HealthTimeout, Transport: &http.Transport{DisableKeepAlives: true}}}
}

func (h *healthChecker) add(m member) {
	h.mu.Lock()
	h.members[m.id] = &memberHealth{base: m.base}
	h.mu.Unlock()
}

// registered reports whether id receives traffic.
func (h *healthChecker) registered(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.members[id]
	return m != nil && m.registered
}

// run probes every member each interval until ctx ends.
func (h *healthChecker) run(ctx context.Context) {
	t := time.NewTicker(h.o.HealthInterval)
	defer t.Stop()
	for {
		h.mu.Lock()
		ids := make(map[string]string, len(h.members))
		for id, m := range h.members {
			ids[id] = m.base
		}
		h.mu.Unlock()
		var wg sync.WaitGroup
		for id, base := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				h.observe(id, h.probe(ctx, base))
			}()
		}
		wg.Wait()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (h *healthChecker) probe(ctx context.Context, base string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := h.hc.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// observe applies one probe result to the member's state.
func (h *healthChecker) observe(id string, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.members[id]
	if m == nil {
		return
	}
	if ok {
		m.okRun, m.failRun = m.okRun+1, 0
	} else {
		m.okRun, m.failRun = 0, m.failRun+1
	}
	was, first := m.registered, !m.known
	switch {
	case !m.known:
		m.known, m.registered = true, ok
	case !m.registered && m.okRun >= h.o.HealthyThreshold:
		m.registered = true
	case m.registered && m.failRun >= h.o.UnhealthyThreshold:
		m.registered = false
	}
	if m.registered != was || first {
		h.events = append(h.events, HealthEvent{Time: time.Now(), Instance: id, Registered: m.registered})
		if len(h.events) > 1000 {
			h.events = h.events[len(h.events)-1000:]
		}
	}
}

// view returns registration per member and the recent changes.
func (h *healthChecker) view() (map[string]bool, []HealthEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	reg := make(map[string]bool, len(h.members))
	for id, m := range h.members {
		reg[id] = m.registered
	}
	return reg, append([]HealthEvent(nil), h.events...)
}
