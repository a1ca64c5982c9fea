package reference

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// node is what every instance of a service role shares: its place in the
// spec, options, links, tracer and (for roles that use it) the bus.
type node struct {
	spec  *Spec
	self  InstanceSpec
	o     Options
	links *linkSet
	tr    *tracer
	log   *log.Logger
	nc    *nats.Conn
	js    jetstream.JetStream
	// ready and stats feed the admin endpoint, which serves while the
	// role is still starting: roles set them with setReady and setStats.
	ready atomic.Pointer[func() bool]
	stats atomic.Pointer[func() any]
}

func (n *node) setReady(f func() bool) { n.ready.Store(&f) }
func (n *node) setStats(f func() any)  { n.stats.Store(&f) }

// isReady reports the role's readiness (false until the role says).
func (n *node) isReady() bool {
	f := n.ready.Load()
	return f != nil && (*f)()
}

// statsView returns the role's stats, or nil before it has any.
func (n *node) statsView() any {
	f := n.stats.Load()
	if f == nil {
		return nil
	}
	return (*f)()
}

// connectBus connects to the three buses through this instance's links.
func (n *node) connectBus() error {
	var urls []string
	for _, b := range n.spec.Role("bus") {
		addr, err := n.links.to(b.ID, b.Addr)
		if err != nil {
			return err
		}
		urls = append(urls, "nats://"+addr)
	}
	opts := append(busOptions(n.self.ID),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { n.log.Printf("bus disconnected: %v", err) }),
		nats.ReconnectHandler(func(c *nats.Conn) { n.log.Printf("bus reconnected to %s", c.ConnectedServerName()) }))
	nc, err := nats.Connect(strings.Join(urls, ","), opts...)
	if err != nil {
		return fmt.Errorf("connect to the bus: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	n.nc, n.js = nc, js
	return nil
}

// busCall runs fn against the bus, bounded by BusTimeout when timeouts are
// on, and records the call in the request's trace. Without timeouts the
// only bound left is the NATS client's own request timeout.
func (n *node) busCall(ctx context.Context, fn func(context.Context) error) error {
	if n.o.Timeouts {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, n.o.BusTimeout)
		defer cancel()
	}
	start := time.Now()
	err := fn(ctx)
	outcome := OutcomeOK
	switch {
	case err == nil, errors.Is(err, jetstream.ErrKeyNotFound), errors.Is(err, jetstream.ErrMsgNotFound):
	case isConflict(err):
		outcome = OutcomeConflict
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout):
		outcome = OutcomeTimeout
	case errors.Is(err, nats.ErrNoResponders), errors.Is(err, nats.ErrConnectionClosed):
		outcome = OutcomeUnreachable
	default:
		outcome = OutcomeError
	}
	recordCall(ctx, Call{Service: "bus", Instance: n.nc.ConnectedServerName(), Outcome: outcome, MS: float64(time.Since(start).Microseconds()) / 1000})
	return err
}

// waitFor retries fn until it succeeds or ctx ends (start-up only).
func waitFor[T any](ctx context.Context, what string, fn func(context.Context) (T, error)) (T, error) {
	v, err := retry(ctx, fn)
	if err != nil {
		return v, fmt.Errorf("%s: %w", what, err)
	}
	return v, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, map[string]string{"error": fmt.Sprintf(format, args...)})
}

// membersOf returns the instances of a service, each reached through this
// instance's link to it.
func (n *node) membersOf(role string) ([]member, error) {
	var out []member
	for _, in := range n.spec.Role(role) {
		addr, err := n.links.to(in.ID, in.Addr)
		if err != nil {
			return nil, err
		}
		out = append(out, member{id: in.ID, base: "http://" + addr})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("topology has no %s instance", role)
	}
	return out, nil
}

// seedOf derives a per-instance seed, so jitter differs between instances
// yet is reproducible for one instance id.
func seedOf(id string) uint64 {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(id); i++ {
		h = (h ^ uint64(id[i])) * 1099511628211
	}
	return h
}
