package proxy

func init() { RegisterToxic("reset_peer", func() Toxic { return &ResetPeerToxic{} }) }

// ResetPeerToxic resets the link (TCP RST, "connection reset by peer")
// after timeout ms, or at the first data when timeout is 0.
type ResetPeerToxic struct {
	Timeout int64 `json:"timeout"` // ms
}

// Validate implements Toxic.
func (t *ResetPeerToxic) Validate() error { return nonNegative("timeout", t.Timeout) }

// NewStage implements Toxic.
func (t *ResetPeerToxic) NewStage(env *Env) Stage {
	if t.Timeout > 0 {
		go closeAfter(env, ms(t.Timeout), true)
	}
	return &resetStage{env: env, immediate: t.Timeout == 0}
}

type resetStage struct {
	env       *Env
	immediate bool
}

func (s *resetStage) Pipe(c Chunk, next func(Chunk) error) error {
	if s.immediate && s.env.Active() {
		s.env.Close(true)
		return errEndLink
	}
	return next(c)
}
