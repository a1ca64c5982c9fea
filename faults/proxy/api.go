package proxy

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/faultline/faultline/targets"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Version is what GET /version answers (plain text, as Toxiproxy 2.5).
const Version = "faultline-proxy 0.1 (toxiproxy api 2.5)"

// maxBody bounds an admin request body.
const maxBody = 1 << 20

// Handler serves the Toxiproxy-compatible admin API and /metrics:
//
//	GET    /proxies                       map of name -> proxy (with toxics)
//	POST   /proxies                       create; 201, 409 if it exists
//	POST   /populate                      create or replace many; 201 {"proxies": [...]}
//	POST   /reset                         enable all, remove all toxics; 204
//	GET    /version                       plain text
//	GET    /proxies/{proxy}               one proxy
//	POST   /proxies/{proxy}               update listen, upstream, enabled
//	DELETE /proxies/{proxy}               204
//	GET    /proxies/{proxy}/toxics        array of toxics
//	POST   /proxies/{proxy}/toxics        create; 200 (as Toxiproxy)
//	GET    /proxies/{proxy}/toxics/{t}    one toxic
//	POST   /proxies/{proxy}/toxics/{t}    update attributes, toxicity, lease
//	DELETE /proxies/{proxy}/toxics/{t}    204
//	GET    /metrics                       Prometheus
//
// Additions to Toxiproxy's shapes: a toxic shows "lease_remaining_ms"
// when it has a lease; create and update take "lease" (a Go duration
// string such as "5s", or a number of ms) or "lease_ms". On update, a
// lease renews from now, 0 drops the lease, absent keeps it. Errors carry
// "field" naming the bad field.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /proxies", s.proxyIndex)
	mux.HandleFunc("POST /proxies", s.proxyCreate)
	mux.HandleFunc("POST /populate", s.populate)
	mux.HandleFunc("POST /reset", s.reset)
	mux.HandleFunc("GET /version", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain;charset=utf-8")
		_, _ = io.WriteString(w, Version)
	})
	mux.HandleFunc("GET /proxies/{proxy}", s.proxyShow)
	mux.HandleFunc("POST /proxies/{proxy}", s.proxyUpdate)
	mux.HandleFunc("DELETE /proxies/{proxy}", s.proxyDelete)
	mux.HandleFunc("GET /proxies/{proxy}/toxics", s.toxicIndex)
	mux.HandleFunc("POST /proxies/{proxy}/toxics", s.toxicCreate)
	mux.HandleFunc("GET /proxies/{proxy}/toxics/{toxic}", s.toxicShow)
	mux.HandleFunc("POST /proxies/{proxy}/toxics/{toxic}", s.toxicUpdate)
	mux.HandleFunc("DELETE /proxies/{proxy}/toxics/{toxic}", s.toxicDelete)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	return s.auth(mux)
}

// auth demands the bearer token when one is set, and otherwise serves
// loopback clients only: an unauthenticated fault API must not be
// reachable from the network.
func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if s.token != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) != 1 {
				writeErr(w, ErrUnauthorized)
				return
			}
		} else if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil && !targets.IsLoopback(host) {
			writeErr(w, wrap(ErrUnauthorized, "", "a token is required for clients off loopback"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// proxyJSON is Toxiproxy's proxy shape.
type proxyJSON struct {
	Name     string      `json:"name"`
	Listen   string      `json:"listen"`
	Upstream string      `json:"upstream"`
	Enabled  bool        `json:"enabled"`
	Toxics   []toxicJSON `json:"toxics"`
}

// toxicJSON is Toxiproxy's toxic shape plus the remaining lease.
type toxicJSON struct {
	Name             string         `json:"name"`
	Type             string         `json:"type"`
	Stream           string         `json:"stream"`
	Toxicity         float64        `json:"toxicity"`
	Attributes       map[string]any `json:"attributes"`
	LeaseRemainingMS *int64         `json:"lease_remaining_ms,omitempty"`
}

func toxicOut(t ToxicSpec, hasLease bool) toxicJSON {
	out := toxicJSON{Name: t.Name, Type: t.Type, Stream: t.Stream, Toxicity: t.Toxicity, Attributes: t.Attributes}
	if hasLease {
		ms := t.Lease.Milliseconds()
		out.LeaseRemainingMS = &ms
	}
	return out
}

func (p *Proxy) toxicsJSON() []toxicJSON {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	out := make([]toxicJSON, 0, len(p.toxics))
	for _, t := range p.toxics {
		out = append(out, toxicOut(t.view(now), !t.leaseEnd.IsZero()))
	}
	return out
}

func (p *Proxy) json() proxyJSON {
	return proxyJSON{Name: p.name, Listen: p.Addr(), Upstream: p.Upstream(), Enabled: p.Enabled(), Toxics: p.toxicsJSON()}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, err error) {
	ae := asAPIError(err)
	writeJSON(w, ae.Status, ae)
}

// decodeStrict decodes a JSON body, refusing unknown fields by name.
func decodeStrict(r *http.Request, v any) error {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return wrap(ErrBadRequestBody, "", "%v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonFieldErr("", err)
	}
	return nil
}

func (s *Server) proxyOr404(w http.ResponseWriter, r *http.Request) (*Proxy, bool) {
	name := r.PathValue("proxy")
	p, ok := s.Get(name)
	if !ok {
		writeErr(w, wrap(ErrProxyNotFound, "", "%q", name))
	}
	return p, ok
}
