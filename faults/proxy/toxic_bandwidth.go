package proxy

import "time"

func init() { RegisterToxic("bandwidth", func() Toxic { return &BandwidthToxic{} }) }

// BandwidthToxic limits a direction to rate KB/s (1 KB = 1000 bytes, as
// Toxiproxy counts). Large chunks are cut in pieces of at most 20 ms worth
// of data so the flow is smooth; time is accounted from a running
// schedule, so sleeping granularity does not add up to a slower rate.
type BandwidthToxic struct {
	Rate int64 `json:"rate"` // KB/s; 0 stops the flow
}

// Validate implements Toxic.
func (t *BandwidthToxic) Validate() error { return nonNegative("rate", t.Rate) }

// NewStage implements Toxic.
func (t *BandwidthToxic) NewStage(env *Env) Stage { return &bandwidthStage{rate: t.Rate, env: env} }

type bandwidthStage struct {
	rate int64
	env  *Env
	next time.Time // when the next byte may leave
}

func (s *bandwidthStage) Pipe(c Chunk, next func(Chunk) error) error {
	if c.EOF {
		return next(c)
	}
	if s.rate == 0 {
		// No bandwidth at all: hold the data until the toxic goes.
		s.env.Sleep(forever)
		return next(c)
	}
	piece := int(s.rate * 20) // bytes per 20 ms
	if piece < 1 {
		piece = 1
	}
	now := time.Now()
	if s.next.Before(now) {
		s.next = now
	}
	for data := c.Data; len(data) > 0; {
		n := min(piece, len(data))
		if !s.env.SleepUntil(s.next) {
			return next(Chunk{Data: data, At: c.At})
		}
		if err := next(Chunk{Data: data[:n], At: c.At}); err != nil {
			return err
		}
		data = data[n:]
		// bytes / (KB/s) = bytes / (bytes/ms) ms.
		s.next = s.next.Add(time.Duration(n) * time.Millisecond / time.Duration(s.rate))
	}
	return nil
}
