package proxy

import "net/http"

func init() {
	RegisterToxic("http_abort", func() Toxic { return &HTTPAbortToxic{Status: http.StatusServiceUnavailable, Percent: 100} })
}

// HTTPAbortToxic answers percent% of HTTP/1.1 requests itself with status
// (the request never reaches the upstream), as a failing load balancer or
// an Envoy abort fault would. The connection stays open unless the
// request asked to close it. Upstream stream only. Correct for clients
// that wait for each response before the next request (keep-alive, as
// browsers and Go's client do); for pipelining clients the reply may
// overtake responses to earlier requests still on their way.
type HTTPAbortToxic struct {
	Status  int     `json:"status"`
	Percent float64 `json:"percent"` // 0..100
}

// Validate implements Toxic.
func (t *HTTPAbortToxic) Validate() error {
	if t.Status < 100 || t.Status > 599 {
		return fieldErr("attributes.status", "must be an HTTP status 100..599, got %d", t.Status)
	}
	return percentAttr("percent", t.Percent)
}

// OnlyStream implements StreamLimiter: requests flow upstream.
func (t *HTTPAbortToxic) OnlyStream() Direction { return Upstream }

// Replies implements Replier: aborted requests are answered to the client.
func (t *HTTPAbortToxic) Replies() bool { return true }

// NewStage implements Toxic.
func (t *HTTPAbortToxic) NewStage(env *Env) Stage {
	pct := t.Percent
	return &httpStage{env: env, status: t.Status, decide: func() httpAction {
		if env.Rand.Float64()*100 < pct {
			return actAbort
		}
		return actForward
	}}
}
