package reference

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
)

// Why a call to a dependency was not answered. Callers turn them into
// statuses with statusFor.
var (
	errNoInstance  = errors.New("no registered instance")
	errBreakerOpen = errors.New("circuit breaker open")
	errBulkhead    = errors.New("bulkhead full")
	errTimeout     = errors.New("timed out")
	errUnreachable = errors.New("unreachable")
	errUpstream5xx = errors.New("upstream answered 5xx") // internal: counts as a breaker failure
)

// reply is a dependency's whole answer (bodies here are small).
type reply struct {
	status int
	header http.Header
	body   []byte
	from   string // instance id that answered
}

// member is one instance of a dependency, reached through its link.
type member struct {
	id   string
	base string // "http://" + link address
}

// depClient calls one dependency service with the resilience patterns the
// options switch on: per-attempt timeout, retries with full-jitter
// exponential backoff on another instance, a breaker per instance, and a
// bulkhead bounding the calls in flight to the service.
type depClient struct {
	service  string
	members  []member
	o        Options
	timeout  time.Duration
	hc       *http.Client
	breakers map[string]*gobreaker.CircuitBreaker[*reply]
	bulk     chan struct{}
	rr       atomic.Uint64
	// eligible filters members (the gateway's health checks); nil admits all.
	eligible func(id string) bool
	// failOpen picks among all members when none is eligible; failedOpen
	// counts the calls that did.
	failOpen   bool
	failedOpen atomic.Int64

	rmu sync.Mutex
	rnd *rand.Rand
}

func newDepClient(service string, members []member, o Options, timeout time.Duration, seed uint64) *depClient {
	c := &depClient{
		service: service, members: members, o: o, timeout: timeout,
		hc: &http.Client{Transport: &http.Transport{
			MaxIdleConns: 1024, MaxIdleConnsPerHost: 256, IdleConnTimeout: 30 * time.Second,
			DisableCompression: true,
		}},
		breakers: map[string]*gobreaker.CircuitBreaker[*reply]{},
		rnd:      rand.New(rand.NewPCG(seed, 0x5eed)),
	}
	if o.Bulkheads {
		c.bulk = make(chan struct{}, o.BulkheadLimit)
	}
	if o.Breakers {
		for _, m := range members {
			c.breakers[m.id] = gobreaker.NewCircuitBreaker[*reply](gobreaker.Settings{
				Name:        m.id,
				MaxRequests: 1,
				Timeout:     o.BreakerOpen,
				ReadyToTrip: func(cn gobreaker.Counts) bool { return int(cn.ConsecutiveFailures) >= o.BreakerFailures },
			})
		}
	}
	return c
}

// pick returns the next eligible member round-robin, preferring one not
// yet tried by this call.
func (c *depClient) pick(tried map[string]bool) (member, bool) {
	n := len(c.members)
	start := int(c.rr.Add(1))
	// Rank: untried with a closed breaker, untried, then anything eligible.
	// A member whose breaker is open would refuse the call unsent, so any
	// other member is a better choice even for a non-idempotent request.
	var best *member
	bestRank := 3
	for i := range n {
		m := c.members[(start+i)%n]
		if c.eligible != nil && !c.eligible(m.id) {
			continue
		}
		rank := 2
		if !tried[m.id] {
			rank = 1
			if cb := c.breakers[m.id]; cb == nil || cb.State() != gobreaker.StateOpen {
				rank = 0
			}
		}
		if rank < bestRank {
			best, bestRank = &m, rank
		}
	}
	if best != nil {
		return *best, true
	}
	if c.failOpen && c.eligible != nil && n > 0 {
		c.failedOpen.Add(1)
		return c.members[start%n], true
	}
	return member{}, false
}

// do sends one request, retrying an idempotent one when retries are on.
// A 5xx reply after the last attempt is returned as a reply, not an error.
func (c *depClient) do(ctx context.Context, method, path string, body []byte, idempotent bool, hdr http.Header) (*reply, error) {
	attempts := 1
	if c.o.Retries && idempotent {
		attempts += c.o.RetryAttempts
	}
	tried := map[string]bool{}
	var last *reply
	var lastErr error = errNoInstance
	for i := range attempts {
		if i > 0 && !c.backoff(ctx, i) {
			break
		}
		m, ok := c.pick(tried)
		if !ok {
			lastErr = errNoInstance
			break
		}
		tried[m.id] = true
		rep, err := c.attemptBulkhead(ctx, m, method, path, body, hdr)
		if err == nil && rep.status < 500 {
			return rep, nil
		}
		last, lastErr = rep, err
		if errors.Is(err, errBulkhead) || ctx.Err() != nil {
			break // retrying into a full bulkhead or a finished request is pointless
		}
	}
	if last != nil && lastErr == nil {
		return last, nil
	}
	return nil, lastErr
}

// backoff sleeps a full-jitter exponential delay; false if ctx ended.
func (c *depClient) backoff(ctx context.Context, attempt int) bool {
	c.rmu.Lock()
	d := time.Duration(c.rnd.Int64N(int64(c.o.RetryBackoff)<<attempt + 1))
	c.rmu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (c *depClient) attemptBulkhead(ctx context.Context, m member, method, path string, body []byte, hdr http.Header) (*reply, error) {
	if c.bulk != nil {
		select {
		case c.bulk <- struct{}{}:
			defer func() { <-c.bulk }()
		default:
			recordCall(ctx, Call{Service: c.service, Instance: m.id, Outcome: OutcomeBulkhead})
			return nil, errBulkhead
		}
	}
	start := time.Now()
	rep, err := c.attemptBreaker(ctx, m, method, path, body, hdr)
	recordCall(ctx, Call{Service: c.service, Instance: m.id, Outcome: outcomeOf(rep, err), MS: float64(time.Since(start).Microseconds()) / 1000})
	return rep, err
}

func (c *depClient) attemptBreaker(ctx context.Context, m member, method, path string, body []byte, hdr http.Header) (*reply, error) {
	cb := c.breakers[m.id]
	if cb == nil {
		return c.attempt(ctx, m, method, path, body, hdr)
	}
	rep, err := cb.Execute(func() (*reply, error) {
		rep, err := c.attempt(ctx, m, method, path, body, hdr)
		if err == nil && rep.status >= 500 {
			return rep, errUpstream5xx
		}
		return rep, err
	})
	switch {
	case errors.Is(err, gobreaker.ErrOpenState), errors.Is(err, gobreaker.ErrTooManyRequests):
		return nil, errBreakerOpen
	case errors.Is(err, errUpstream5xx):
		return rep, nil
	}
	return rep, err
}

// attempt is one HTTP exchange, bounded by the timeout when timeouts are on.
func (c *depClient) attempt(ctx context.Context, m member, method, path string, body []byte, hdr http.Header) (*reply, error) {
	if c.o.Timeouts {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, method, m.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	if id := traceID(ctx); id != "" {
		req.Header.Set(TraceHeader, id)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, classify(ctx, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, classify(ctx, err)
	}
	return &reply{status: resp.StatusCode, header: resp.Header, body: b, from: m.id}, nil
}

// classify maps a transport error to errTimeout or errUnreachable.
func classify(ctx context.Context, err error) error {
	var ne net.Error
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return errTimeout
	}
	return errors.Join(errUnreachable, err)
}

func outcomeOf(rep *reply, err error) string {
	switch {
	case errors.Is(err, errBreakerOpen):
		return OutcomeBreakerOpen
	case errors.Is(err, errTimeout):
		return OutcomeTimeout
	case errors.Is(err, errUnreachable):
		return OutcomeUnreachable
	case err != nil || rep == nil || rep.status >= 500:
		return OutcomeError
	}
	return OutcomeOK
}

// statusFor is the status a caller answers when a dependency call failed.
func statusFor(err error) int {
	if errors.Is(err, errTimeout) {
		return http.StatusGatewayTimeout
	}
	return http.StatusServiceUnavailable
}
