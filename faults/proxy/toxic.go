package proxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"
)

// Direction is the way bytes flow through a link.
type Direction int

// Directions, named as Toxiproxy names streams.
const (
	// Upstream carries bytes from the client to the upstream (requests).
	Upstream Direction = iota
	// Downstream carries bytes from the upstream back to the client (responses).
	Downstream
)

func (d Direction) String() string {
	if d == Upstream {
		return "upstream"
	}
	return "downstream"
}

// ParseDirection parses "upstream" or "downstream".
func ParseDirection(s string) (Direction, error) {
	switch strings.ToLower(s) {
	case "upstream":
		return Upstream, nil
	case "downstream":
		return Downstream, nil
	}
	return 0, wrap(ErrInvalidStream, "stream", "got %q", s)
}

// Chunk is one read's worth of bytes, stamped with when it was read, or the
// end of the stream (EOF).
type Chunk struct {
	Data []byte
	At   time.Time
	EOF  bool
}

// Toxic is one toxic's validated attributes. A type registers a
// constructor returning its zero attributes (JSON-tagged fields, Toxiproxy
// names, durations in milliseconds); the proxy decodes attributes into it,
// calls Validate, then NewStage once per link that the toxic applies to.
type Toxic interface {
	// Validate returns a *APIError naming the bad field
	// ("attributes.latency") or nil.
	Validate() error
	// NewStage builds this toxic's stage for one direction of one link.
	NewStage(env *Env) Stage
}

// Stage is a toxic at work on one direction of one link. Pipe receives each
// chunk in order and passes data on by calling next, zero, one or several
// times; it may wait (Env.Sleep). An error ends the link.
type Stage interface {
	Pipe(c Chunk, next func(Chunk) error) error
}

// Env is what a stage may use: its own seeded randomness, the signals that
// its toxic was removed or its link closed, and the link's controls.
type Env struct {
	// Rand is seeded from the server seed; only this stage uses it.
	Rand *rand.Rand
	// Removed is closed when the toxic is removed or replaced.
	Removed <-chan struct{}
	// Closed is closed when the link ends.
	Closed <-chan struct{}
	// Dir is the direction the stage works on.
	Dir Direction
	// Close ends the link; reset sends RST instead of FIN.
	Close func(reset bool)
	// Reply writes bytes back to the peer this direction reads from (the
	// client, for an upstream stage). Used by http_abort.
	Reply func([]byte) error
}

// Sleep waits d, and reports false if the toxic was removed or the link
// closed first (then the stage should stop holding data back). It ends
// within about 0.1 ms of d, not Go's usual 1 ms (see sleepPrecise).
func (e *Env) Sleep(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	return e.SleepUntil(time.Now().Add(d))
}

// SleepUntil waits until t (see Sleep).
func (e *Env) SleepUntil(t time.Time) bool {
	if coarse := time.Until(t) - preciseSlack; coarse > 0 {
		timer := time.NewTimer(coarse)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-e.Removed:
			return false
		case <-e.Closed:
			return false
		}
	}
	sleepPrecise(t)
	return true
}

// Active reports whether the toxic is still installed and the link open.
func (e *Env) Active() bool {
	select {
	case <-e.Removed:
		return false
	case <-e.Closed:
		return false
	default:
		return true
	}
}

// errEndLink ends a link without an error worth reporting.
var errEndLink = errors.New("link ended by toxic")

var (
	regMu    sync.RWMutex
	registry = map[string]func() Toxic{}
)

// RegisterToxic makes a toxic type available by name; newAttrs returns a
// pointer to its attributes with defaults set. Each toxic file calls it
// from init.
func RegisterToxic(name string, newAttrs func() Toxic) {
	regMu.Lock()
	defer regMu.Unlock()
	registry[name] = newAttrs
}

// ToxicTypes lists the registered toxic types, sorted.
func ToxicTypes() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Replier is implemented by toxics whose stages answer the peer
// themselves (Env.Reply), writing into the other direction's stream, as
// http_abort does. While one is installed, the other direction stays off
// the fast path, so that its writes take the same write lock as the
// replies and the two never interleave within a write.
type Replier interface {
	Replies() bool
}

// StreamLimiter is implemented by toxics that only make sense on one
// stream (the HTTP toxics read requests, so only upstream).
type StreamLimiter interface {
	OnlyStream() Direction
}

// decodeToxic builds a validated Toxic of type typ, starting from base
// (nil: the type's defaults) and overlaying raw JSON attributes. Unknown
// attributes and wrong types are 400s naming the field.
func decodeToxic(typ string, base Toxic, raw []byte) (Toxic, error) {
	regMu.RLock()
	newAttrs, ok := registry[typ]
	regMu.RUnlock()
	if !ok {
		return nil, wrap(ErrInvalidToxicType, "type", "%q (allowed: %s)", typ, strings.Join(ToxicTypes(), ", "))
	}
	t := newAttrs()
	if base != nil {
		b, err := json.Marshal(base)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, t); err != nil {
			return nil, err
		}
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && !bytes.Equal(raw, []byte("null")) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(t); err != nil {
			return nil, jsonFieldErr("attributes", err)
		}
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return t, nil
}

// jsonFieldErr turns a decoding error into a 400 naming the field.
func jsonFieldErr(prefix string, err error) *APIError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		f := te.Field
		if prefix != "" {
			f = prefix + "." + f
		}
		return fieldErr(f, "want %s, got %s", te.Type, te.Value)
	}
	msg := err.Error()
	if i := strings.Index(msg, "unknown field "); i >= 0 {
		name := strings.Trim(msg[i+len("unknown field "):], `"`)
		if prefix != "" {
			name = prefix + "." + name
		}
		return fieldErr(name, "unknown field")
	}
	if errors.Is(err, io.EOF) {
		return wrap(ErrBadRequestBody, prefix, "empty")
	}
	return wrap(ErrBadRequestBody, prefix, "%v", err)
}

// attrsMap renders a toxic's attributes as a JSON object map.
func attrsMap(t Toxic) map[string]any {
	b, err := json.Marshal(t)
	if err != nil {
		return map[string]any{}
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		return map[string]any{}
	}
	return m
}

// nonNegative is the check every duration and size attribute shares.
func nonNegative(field string, v int64) error {
	if v < 0 {
		return fieldErr("attributes."+field, "must be >= 0, got %d", v)
	}
	return nil
}

func ms(v int64) time.Duration { return time.Duration(v) * time.Millisecond }

func us(v int64) time.Duration { return time.Duration(v) * time.Microsecond }

// forever is a wait that only removal or the link's end interrupts.
const forever = time.Duration(1 << 62)

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
