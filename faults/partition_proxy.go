package faults

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/faultline/faultline/faults/proxy"
)

// LinkLookup finds the proxy link a caller uses to reach a callee, if
// there is one (reference topology: links are (from-instance, to-instance)).
type LinkLookup func(caller, callee string) (*proxy.Proxy, bool)

// ProxyPartition is a partition fault over proxy links: each Cut becomes
// a blackhole (timeout toxic) on the flows that carry From's bytes to To,
// which is the upstream stream of From's link to To and the downstream
// stream of To's link to From. Every toxic carries the lease, so a dead
// coordinator leaves no partition behind; Revert heals.
type ProxyPartition struct {
	Name  string
	Cuts  []Cut
	Links LinkLookup
}

var _ Fault = (*ProxyPartition)(nil)

func (pp *ProxyPartition) toxicName(d proxy.Direction) string {
	return "partition-" + pp.Name + "-" + d.String()
}

// each visits every (proxy, stream) a cut applies to.
func (pp *ProxyPartition) each(f func(p *proxy.Proxy, d proxy.Direction) error) error {
	var errs []error
	for _, c := range pp.Cuts {
		if p, ok := pp.Links(c.From, c.To); ok {
			errs = append(errs, f(p, proxy.Upstream))
		}
		if p, ok := pp.Links(c.To, c.From); ok {
			errs = append(errs, f(p, proxy.Downstream))
		}
	}
	return errors.Join(errs...)
}

// Apply implements Fault.
func (pp *ProxyPartition) Apply(_ context.Context, lease time.Duration) error {
	if lease <= 0 {
		lease = DefaultLease
	}
	return pp.each(func(p *proxy.Proxy, d proxy.Direction) error {
		name := pp.toxicName(d)
		if _, ok := p.Toxic(name); ok {
			return p.RenewToxic(name, lease)
		}
		_, err := p.AddToxic(proxy.ToxicSpec{Name: name, Type: "timeout", Stream: d.String(), Lease: lease})
		if err != nil {
			return fmt.Errorf("partition %s on %s: %w", pp.Name, p.Name(), err)
		}
		return nil
	})
}

// Renew implements Fault.
func (pp *ProxyPartition) Renew(ctx context.Context, lease time.Duration) error {
	return pp.Apply(ctx, lease)
}

// Revert implements Fault: heal every cut.
func (pp *ProxyPartition) Revert(context.Context) error {
	return pp.each(func(p *proxy.Proxy, d proxy.Direction) error {
		if err := p.RemoveToxic(pp.toxicName(d)); err != nil && !errors.Is(err, proxy.ErrToxicNotFound) {
			return err
		}
		return nil
	})
}
