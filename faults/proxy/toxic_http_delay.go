package proxy

func init() {
	RegisterToxic("http_delay", func() Toxic { return &HTTPDelayToxic{Percent: 100} })
}

// HTTPDelayToxic holds percent% of HTTP/1.1 requests for delay ms (from
// when the request head was read) before passing them on; other requests
// pass at once. Unlike latency, it picks requests, not chunks. Upstream
// stream only.
type HTTPDelayToxic struct {
	Delay   int64   `json:"delay"`   // ms
	Percent float64 `json:"percent"` // 0..100
}

// Validate implements Toxic.
func (t *HTTPDelayToxic) Validate() error {
	return firstErr(nonNegative("delay", t.Delay), percentAttr("percent", t.Percent))
}

// OnlyStream implements StreamLimiter: requests flow upstream.
func (t *HTTPDelayToxic) OnlyStream() Direction { return Upstream }

// NewStage implements Toxic.
func (t *HTTPDelayToxic) NewStage(env *Env) Stage {
	pct := t.Percent
	return &httpStage{env: env, delay: t.Delay, decide: func() httpAction {
		if env.Rand.Float64()*100 < pct {
			return actDelay
		}
		return actForward
	}}
}
