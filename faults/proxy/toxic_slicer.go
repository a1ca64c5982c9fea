package proxy

func init() { RegisterToxic("slicer", func() Toxic { return &SlicerToxic{} }) }

// SlicerToxic cuts each chunk into pieces of average_size ± size_variation
// bytes and waits delay µs between pieces, exercising a peer's handling of
// partial reads.
type SlicerToxic struct {
	AverageSize   int64 `json:"average_size"`   // bytes
	SizeVariation int64 `json:"size_variation"` // bytes
	Delay         int64 `json:"delay"`          // microseconds, as Toxiproxy
}

// Validate implements Toxic.
func (t *SlicerToxic) Validate() error {
	if err := firstErr(nonNegative("average_size", t.AverageSize), nonNegative("size_variation", t.SizeVariation), nonNegative("delay", t.Delay)); err != nil {
		return err
	}
	if t.SizeVariation >= t.AverageSize && t.AverageSize > 0 {
		return fieldErr("attributes.size_variation", "must be less than average_size (%d)", t.AverageSize)
	}
	return nil
}

// NewStage implements Toxic.
func (t *SlicerToxic) NewStage(env *Env) Stage { return &slicerStage{t: *t, env: env} }

type slicerStage struct {
	t   SlicerToxic
	env *Env
}

func (s *slicerStage) Pipe(c Chunk, next func(Chunk) error) error {
	if c.EOF || s.t.AverageSize == 0 {
		return next(c)
	}
	for data := c.Data; len(data) > 0; {
		n := s.t.AverageSize
		if v := s.t.SizeVariation; v > 0 {
			n += s.env.Rand.Int64N(2*v+1) - v
		}
		n = max(1, min(n, int64(len(data))))
		if err := next(Chunk{Data: data[:n], At: c.At}); err != nil {
			return err
		}
		data = data[n:]
		if len(data) > 0 && s.t.Delay > 0 && !s.env.Sleep(us(s.t.Delay)) {
			return next(Chunk{Data: data, At: c.At})
		}
	}
	return nil
}
