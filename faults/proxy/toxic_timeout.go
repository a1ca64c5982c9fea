package proxy

import "time"

func init() { RegisterToxic("timeout", func() Toxic { return &TimeoutToxic{} }) }

// TimeoutToxic is a blackhole: no data gets through (it is dropped, as a
// partitioned network drops it), and after timeout ms the link is closed.
// Timeout 0 keeps the blackhole until the toxic is removed; data sent
// meanwhile is lost.
type TimeoutToxic struct {
	Timeout int64 `json:"timeout"` // ms
}

// Validate implements Toxic.
func (t *TimeoutToxic) Validate() error { return nonNegative("timeout", t.Timeout) }

// NewStage implements Toxic.
func (t *TimeoutToxic) NewStage(env *Env) Stage {
	if t.Timeout > 0 {
		go closeAfter(env, ms(t.Timeout), false)
	}
	return &timeoutStage{env: env}
}

type timeoutStage struct{ env *Env }

func (s *timeoutStage) Pipe(c Chunk, next func(Chunk) error) error {
	if !s.env.Active() {
		return next(c)
	}
	if c.EOF {
		// Hold the half-close too, or the peer would learn of it.
		s.env.Sleep(forever)
		return next(c)
	}
	return nil
}

// closeAfter closes the link after d unless the toxic goes first.
func closeAfter(env *Env, d time.Duration, reset bool) {
	if env.Sleep(d) {
		env.Close(reset)
	}
}
