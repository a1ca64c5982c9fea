package proxy

func init() { RegisterToxic("limit_data", func() Toxic { return &LimitDataToxic{} }) }

// LimitDataToxic closes the link once bytes bytes have passed in its
// direction (counted per link).
type LimitDataToxic struct {
	Bytes int64 `json:"bytes"`
}

// Validate implements Toxic.
func (t *LimitDataToxic) Validate() error { return nonNegative("bytes", t.Bytes) }

// NewStage implements Toxic.
func (t *LimitDataToxic) NewStage(env *Env) Stage { return &limitStage{left: t.Bytes, env: env} }

type limitStage struct {
	left int64
	env  *Env
}

func (s *limitStage) Pipe(c Chunk, next func(Chunk) error) error {
	if c.EOF || !s.env.Active() {
		return next(c)
	}
	if int64(len(c.Data)) < s.left {
		s.left -= int64(len(c.Data))
		return next(c)
	}
	if s.left > 0 {
		if err := next(Chunk{Data: c.Data[:s.left], At: c.At}); err != nil {
			return err
		}
		s.left = 0
	}
	s.env.Close(false)
	return errEndLink
}
