package cluster

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Envelope is one control message. The coordinator sends commands in it,
// agents send windows back in it. Body is opaque JSON to this package.
type Envelope struct {
	Kind  string `json:"k"`
	RunID string `json:"r,omitempty"`
	From  string `json:"f"`
	To    string `json:"t"`
	// Epoch is the sender's incarnation (its start time in unix
	// nanoseconds) and Seq counts messages within it: together they let a
	// receiver drop replays even across sender restarts.
	Epoch int64           `json:"e"`
	Seq   uint64          `json:"s"`
	Sent  time.Time       `json:"at"`
	Body  json.RawMessage `json:"b,omitempty"`
}

// Wire format: one version byte, a 32-byte HMAC-SHA256 over the rest, then
// the envelope as JSON.
const (
	wireVersion = 0xF1
	macSize     = sha256.Size
	// MaxEnvelope bounds what Open accepts, so a peer cannot make a node
	// parse an arbitrarily large message.
	MaxEnvelope = 8 << 20
)

// Errors from Open and the replay guard. Callers count them; they never
// act on a message that produced one.
var (
	ErrForged    = errors.New("control message failed authentication")
	ErrMalformed = errors.New("malformed control message")
	ErrReplayed  = errors.New("replayed control message")
	ErrStale     = errors.New("stale control message")
	ErrNotForMe  = errors.New("control message addressed to another node")
)

// Seal encodes e and authenticates it with key.
func Seal(key []byte, e *Envelope) ([]byte, error) {
	js, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode control message %q: %w", e.Kind, err)
	}
	out := make([]byte, 1+macSize, 1+macSize+len(js))
	out[0] = wireVersion
	m := hmac.New(sha256.New, key)
	m.Write(js)
	copy(out[1:], m.Sum(nil))
	return append(out, js...), nil
}

// Open checks the MAC of b with key and decodes the envelope. It returns
// ErrForged for a wrong MAC and ErrMalformed for anything unparseable; it
// never panics on any input.
func Open(key, b []byte) (*Envelope, error) {
	if len(b) < 1+macSize || b[0] != wireVersion {
		return nil, fmt.Errorf("%w: bad header (%d bytes)", ErrMalformed, len(b))
	}
	if len(b) > MaxEnvelope {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrMalformed, len(b), MaxEnvelope)
	}
	sum, js := b[1:1+macSize], b[1+macSize:]
	m := hmac.New(sha256.New, key)
	m.Write(js)
	if !hmac.Equal(sum, m.Sum(nil)) {
		return nil, ErrForged
	}
	var e Envelope
	if err := json.Unmarshal(js, &e); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if e.Kind == "" || e.From == "" {
		return nil, fmt.Errorf("%w: missing kind or sender", ErrMalformed)
	}
	return &e, nil
}
