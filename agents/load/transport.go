package load

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/faultline/faultline/targets"
)

// A hit's endpoint and intended time travel from the targeter to the
// transport in the URL's fragment ("#fl=IDX;NANOS"), which HTTP never sends:
// no header map per hit, nothing leaks to the target. vegeta's Result keeps
// neither the endpoint nor the typed error, so the transport is where
// outcomes are recorded.
const hitMark = "#fl="

// recorder is what the transport reports outcomes to.
type recorder struct {
	eps      []*endpoint
	accs     []*accum
	caps     *captureStore
	origin   time.Time
	base     context.Context // cancelled when the engine stops
	behind   behindTracker
	sent     atomic.Int64
	done     atomic.Int64
	good     atomic.Int64
	errs     atomic.Int64
	inFlight atomic.Int64
}

// transport is the engine's http.RoundTripper: it checks every dial against
// the allowlist, applies the endpoint's timeout and protocol, and records
// how each request ended.
type transport struct {
	rec    *recorder
	h1, h2 http.RoundTripper
}

var _ http.RoundTripper = (*transport)(nil)

// newTransport builds the HTTP/1.1 and HTTP/2 transports. HTTP/2 is h2c
// (prior knowledge) on http:// and ALPN on https://.
func newTransport(rec *recorder, allow *targets.Allowlist, tlsConf *tls.Config) *transport {
	if tlsConf == nil {
		tlsConf = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if err := allow.CheckHostPort(addr); err != nil {
			return nil, err
		}
		return d.DialContext(ctx, network, addr)
	}
	h1 := &http.Transport{
		Proxy:               nil, // never route through an environment proxy: the allowlist is the destination
		DialContext:         dial,
		MaxIdleConnsPerHost: 10000,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true, // send what the scenario says, nothing more
		TLSClientConfig:     tlsConf.Clone(),
		TLSHandshakeTimeout: 10 * time.Second,
	}
	h2 := h1.Clone()
	p1, p2 := new(http.Protocols), new(http.Protocols)
	p1.SetHTTP1(true)
	p2.SetHTTP2(true)
	p2.SetUnencryptedHTTP2(true)
	h1.Protocols, h2.Protocols = p1, p2
	return &transport{rec: rec, h1: h1, h2: h2}
}

// RoundTrip sends req and records its outcome when the body is done.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := t.rec
	idx, at := parseHit(hitOf(req), len(r.eps))
	ep := r.eps[idx]
	sent := time.Now()
	intended := sent
	if at >= 0 {
		intended = r.origin.Add(time.Duration(at))
		r.behind.observe(sent.Sub(intended))
	}
	ctx, cancel := context.WithTimeout(r.base, ep.timeout)
	rt := t.h1
	if ep.http2 {
		rt = t.h2
	}
	r.sent.Add(1)
	r.inFlight.Add(1)
	resp, err := rt.RoundTrip(req.WithContext(ctx))
	if err != nil {
		r.finish(ep, intended, sent, 0, classify(err, ctx, r.base))
		cancel()
		return nil, err
	}
	b := &trackedBody{rc: resp.Body, rec: r, ep: ep, intended: intended, sent: sent,
		status: resp.StatusCode, ctx: ctx, cancel: cancel}
	if len(ep.capture) > 0 && resp.StatusCode/100 == 2 {
		b.buf = new(bytes.Buffer)
	}
	resp.Body = b
	return resp, nil
}

// finish records one outcome.
func (r *recorder) finish(ep *endpoint, intended, sent time.Time, status int, class string) {
	now := time.Now()
	r.inFlight.Add(-1)
	svc := now.Sub(sent)
	lat := now.Sub(intended)
	if lat < svc {
		lat = svc // a hit let out a little early is not faster than its service
	}
	o := outcome{status: status, class: class, latency: lat, service: svc, goodCode: status != 0 && isGood(status, ep.good)}
	if class != ErrClassCancelled {
		r.done.Add(1)
		if status == 0 {
			r.errs.Add(1)
		} else if o.goodCode {
			r.good.Add(1)
		}
	}
	r.accs[ep.idx].record(o)
}

// trackedBody records the request's outcome when its body ends: at EOF, at
// a read error, or at Close, whichever comes first.
type trackedBody struct {
	rc       io.ReadCloser
	rec      *recorder
	ep       *endpoint
	intended time.Time
	sent     time.Time
	status   int
	ctx      context.Context
	cancel   context.CancelFunc
	buf      *bytes.Buffer
	done     bool
}

func (b *trackedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if b.buf != nil && n > 0 && b.buf.Len()+n <= maxCaptureBody {
		b.buf.Write(p[:n])
	}
	if err == io.EOF {
		b.end(nil)
	} else if err != nil {
		b.end(err)
	}
	return n, err
}

func (b *trackedBody) Close() error {
	err := b.rc.Close()
	b.end(nil)
	b.cancel()
	return err
}

func (b *trackedBody) end(err error) {
	if b.done {
		return
	}
	b.done = true
	if err != nil {
		b.rec.finish(b.ep, b.intended, b.sent, 0, classify(err, b.ctx, b.rec.base))
		return
	}
	b.rec.finish(b.ep, b.intended, b.sent, b.status, "")
	if b.buf != nil && b.buf.Len() > 0 && b.rec.caps != nil {
		for name, v := range extract(b.buf.Bytes(), b.ep.capture) {
			b.rec.caps.add(b.ep.name, name, v)
		}
	}
}

// appendHit marks url with the hit: endpoint index and intended time in
// ns since the origin (-1: the send time is intended).
func appendHit(url []byte, idx int, at int64) []byte {
	url = append(url, hitMark...)
	url = strconv.AppendInt(url, int64(idx), 10)
	url = append(url, ';')
	return strconv.AppendInt(url, at, 10)
}

// hitOf finds the mark appendHit left in req's fragment (after any
// fragment of the scenario's own).
func hitOf(req *http.Request) string {
	f := req.URL.Fragment
	if i := strings.LastIndex(f, hitMark[1:]); i >= 0 {
		return f[i+len(hitMark)-1:]
	}
	return ""
}

// encodeHit is the mark's value part, as hitOf returns it.
func encodeHit(idx int, at int64) string {
	return string(appendHit(nil, idx, at)[len(hitMark):])
}

func parseHit(v string, n int) (idx int, at int64) {
	a, b, ok := strings.Cut(v, ";")
	i, err1 := strconv.Atoi(a)
	t, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || i < 0 || i >= n {
		return 0, -1
	}
	return i, t
}
