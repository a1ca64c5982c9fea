package proxy

func init() { RegisterToxic("slow_close", func() Toxic { return &SlowCloseToxic{} }) }

// SlowCloseToxic delays the end of the stream (the FIN) by delay ms; data
// flows as usual.
type SlowCloseToxic struct {
	Delay int64 `json:"delay"` // ms
}

// Validate implements Toxic.
func (t *SlowCloseToxic) Validate() error { return nonNegative("delay", t.Delay) }

// NewStage implements Toxic.
func (t *SlowCloseToxic) NewStage(env *Env) Stage { return &slowCloseStage{d: t.Delay, env: env} }

type slowCloseStage struct {
	d   int64
	env *Env
}

func (s *slowCloseStage) Pipe(c Chunk, next func(Chunk) error) error {
	if c.EOF {
		s.env.Sleep(ms(s.d))
	}
	return next(c)
}
