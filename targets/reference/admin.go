package reference

import (
	"net/http"
	"net/http/pprof"
	"strings"
)

// adminMux builds an instance's admin endpoint:
//
//	GET  /healthz              200 when the instance can serve
//	GET  /links                this instance's outgoing links
//	GET  /traces/summary       per-endpoint requests, dependency outcomes and call latency
//	GET  /traces/{id}          what one trace touched here
//	GET  /stats                role-specific state
//	GET  /debug/pprof/...      Go profiles (loopback only, like everything here)
//	     /proxies, /reset, ... the Toxiproxy-compatible API of the links
func adminMux(links *linkSet, tr *tracer, healthy func() bool, stats func() any) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		if healthy != nil && !healthy() {
			writeErr(w, http.StatusServiceUnavailable, "not ready")
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /links", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, links.list()) })
	mux.HandleFunc("GET /traces/summary", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, tr.snapshot()) })
	mux.HandleFunc("GET /traces/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, tr.find(r.PathValue("id")))
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		if stats == nil {
			writeJSON(w, http.StatusOK, map[string]any{})
			return
		}
		writeJSON(w, http.StatusOK, stats())
	})
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	proxyAPI := links.backend.handler()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/proxies") || r.URL.Path == "/reset" || r.URL.Path == "/version" || r.URL.Path == "/populate" {
			proxyAPI.ServeHTTP(w, r)
			return
		}
		http.NotFound(w, r)
	})
	return mux
}
