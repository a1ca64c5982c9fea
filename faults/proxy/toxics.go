package proxy

import (
	"encoding/json"
	"math"
	"reflect"
	"time"
)

// ToxicSpec describes a toxic, for Go callers (links, agents) and as the
// API's JSON shape.
type ToxicSpec struct {
	// Name identifies the toxic on its proxy; empty means "<type>_<stream>".
	Name string
	// Type is a registered toxic type (ToxicTypes).
	Type string
	// Stream is "upstream" or "downstream"; empty means downstream
	// (upstream for the HTTP toxics), as Toxiproxy.
	Stream string
	// Toxicity is the probability (0..1) that the toxic applies to a link.
	// From Go, 0 means 1 (the API's default when the field is absent):
	// to switch a toxic off, remove it.
	Toxicity float64
	// Attributes are the type's attributes (Toxiproxy names, ms).
	Attributes map[string]any
	// Lease, when > 0, removes the toxic unless renewed within it. In a
	// returned spec it is the lease remaining.
	Lease time.Duration
}

// toxicRec is an installed toxic. It is replaced (never mutated) when its
// attributes or toxicity change, so links rebuild their stages; a lease
// renewal keeps it.
type toxicRec struct {
	spec    ToxicSpec // normalised: Name, Type, Stream, Toxicity, Attributes
	toxic   Toxic
	dir     Direction
	removed chan struct{}

	leaseEnd time.Time // zero: no lease
	timer    *time.Timer
}

func (t *toxicRec) stop() {
	if t.timer != nil {
		t.timer.Stop()
	}
	close(t.removed)
}

func (t *toxicRec) view(now time.Time) ToxicSpec {
	s := t.spec
	s.Attributes = attrsMap(t.toxic)
	if !t.leaseEnd.IsZero() {
		s.Lease = max(t.leaseEnd.Sub(now), 0)
	}
	return s
}

// buildToxic validates a spec into a record (not yet installed). base is
// the record being updated, or nil.
func buildToxic(s ToxicSpec, base *toxicRec) (*toxicRec, error) {
	if base == nil && s.Type == "" {
		return nil, wrap(ErrMissingField, "type", "")
	}
	if base != nil {
		s.Type, s.Stream, s.Name = base.spec.Type, base.spec.Stream, base.spec.Name
	}
	if math.IsNaN(s.Toxicity) || s.Toxicity < 0 || s.Toxicity > 1 {
		return nil, fieldErr("toxicity", "must be within 0..1, got %v", s.Toxicity)
	}
	if s.Lease < 0 {
		return nil, fieldErr("lease", "must be >= 0, got %v", s.Lease)
	}
	raw, err := json.Marshal(s.Attributes)
	if err != nil {
		return nil, fieldErr("attributes", "%v", err)
	}
	var prev Toxic
	if base != nil {
		prev = base.toxic
	}
	tx, err := decodeToxic(s.Type, prev, raw)
	if err != nil {
		return nil, err
	}
	if s.Stream == "" {
		s.Stream = "downstream"
		if l, ok := tx.(StreamLimiter); ok {
			s.Stream = l.OnlyStream().String()
		}
	}
	dir, err := ParseDirection(s.Stream)
	if err != nil {
		return nil, err
	}
	if l, ok := tx.(StreamLimiter); ok && l.OnlyStream() != dir {
		return nil, fieldErr("stream", "%s works on the %s stream only", s.Type, l.OnlyStream())
	}
	s.Stream = dir.String()
	if s.Name == "" {
		s.Name = s.Type + "_" + s.Stream
	}
	s.Attributes = attrsMap(tx)
	return &toxicRec{spec: s, toxic: tx, dir: dir, removed: make(chan struct{})}, nil
}

// AddToxic installs a toxic on the proxy; existing links pick it up at
// their next chunk. Toxicity 0 is taken as 1 (see ToxicSpec).
func (p *Proxy) AddToxic(s ToxicSpec) (ToxicSpec, error) {
	if s.Toxicity == 0 {
		s.Toxicity = 1
	}
	return p.addToxic(s)
}

func (p *Proxy) addToxic(s ToxicSpec) (ToxicSpec, error) {
	defer p.awaitKicks() // after the unlock below: links must leave splice first
	rec, err := buildToxic(s, nil)
	if err != nil {
		return ToxicSpec{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.findLocked(rec.spec.Name) >= 0 {
		return ToxicSpec{}, wrap(ErrToxicAlreadyExists, "name", "%q", rec.spec.Name)
	}
	p.armLocked(rec, s.Lease)
	p.toxics = append(p.toxics, rec)
	p.publishLocked()
	return rec.view(time.Now()), nil
}

// UpdateToxic changes a toxic's attributes (merged over the current ones)
// and toxicity (negative: keep). lease > 0 renews the lease, 0 keeps it,
// < 0 drops it. A change that leaves attributes and toxicity as they were
// only touches the lease, so links keep their stages.
func (p *Proxy) UpdateToxic(name string, attrs map[string]any, toxicity float64, lease time.Duration) (ToxicSpec, error) {
	defer p.awaitKicks() // after the unlock below
	p.mu.Lock()
	defer p.mu.Unlock()
	i := p.findLocked(name)
	if i < 0 {
		return ToxicSpec{}, wrap(ErrToxicNotFound, "", "%q", name)
	}
	cur := p.toxics[i]
	if toxicity < 0 {
		toxicity = cur.spec.Toxicity
	}
	rec, err := buildToxic(ToxicSpec{Attributes: attrs, Toxicity: toxicity}, cur)
	if err != nil {
		return ToxicSpec{}, err
	}
	if rec.spec.Toxicity == cur.spec.Toxicity && reflect.DeepEqual(rec.spec.Attributes, cur.spec.Attributes) {
		rec = cur
	} else {
		rec.leaseEnd = cur.leaseEnd
		cur.stop()
		p.toxics[i] = rec
		if !rec.leaseEnd.IsZero() && lease == 0 {
			lease = time.Until(rec.leaseEnd)
			if lease <= 0 {
				lease = time.Nanosecond
			}
		}
	}
	switch {
	case lease > 0:
		p.armLocked(rec, lease)
	case lease < 0:
		if rec.timer != nil {
			rec.timer.Stop()
		}
		rec.leaseEnd = time.Time{}
	}
	if rec != cur {
		p.publishLocked()
	}
	return rec.view(time.Now()), nil
}

// RenewToxic extends a toxic's lease to lease from now.
func (p *Proxy) RenewToxic(name string, lease time.Duration) error {
	if lease <= 0 {
		return fieldErr("lease", "must be > 0 to renew, got %v", lease)
	}
	_, err := p.UpdateToxic(name, nil, -1, lease)
	return err
}

// RemoveToxic removes a toxic; links stop applying it at once (a held
// chunk is released).
func (p *Proxy) RemoveToxic(name string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := p.findLocked(name)
	if i < 0 {
		return wrap(ErrToxicNotFound, "", "%q", name)
	}
	p.removeLocked(i)
	return nil
}

// Toxic returns one toxic's current spec (Lease = lease remaining).
func (p *Proxy) Toxic(name string) (ToxicSpec, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := p.findLocked(name)
	if i < 0 {
		return ToxicSpec{}, false
	}
	return p.toxics[i].view(time.Now()), true
}

// Toxics returns the installed toxics in order.
func (p *Proxy) Toxics() []ToxicSpec {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	out := make([]ToxicSpec, 0, len(p.toxics))
	for _, t := range p.toxics {
		out = append(out, t.view(now))
	}
	return out
}

// ResetToxics removes every toxic.
func (p *Proxy) ResetToxics() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, t := range p.toxics {
		t.stop()
	}
	p.toxics = nil
	p.publishLocked()
}

func (p *Proxy) findLocked(name string) int {
	for i, t := range p.toxics {
		if t.spec.Name == name {
			return i
		}
	}
	return -1
}

func (p *Proxy) removeLocked(i int) {
	p.toxics[i].stop()
	p.toxics = append(p.toxics[:i:i], p.toxics[i+1:]...)
	p.publishLocked()
}

// armLocked (re)starts rec's lease: when it runs out, the toxic goes.
func (p *Proxy) armLocked(rec *toxicRec, lease time.Duration) {
	if lease <= 0 {
		return
	}
	if rec.timer != nil {
		rec.timer.Stop()
	}
	rec.leaseEnd = time.Now().Add(lease)
	end := rec.leaseEnd
	rec.timer = time.AfterFunc(lease, func() { p.expire(rec, end) })
}

func (p *Proxy) expire(rec *toxicRec, end time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !rec.leaseEnd.Equal(end) {
		return // renewed meanwhile
	}
	for i, t := range p.toxics {
		if t == rec {
			p.removeLocked(i)
			p.srv.metrics.expired.WithLabelValues(p.name).Inc()
			return
		}
	}
}
