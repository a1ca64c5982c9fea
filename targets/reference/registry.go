package reference

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/faultline/faultline/targets"
)

// Registry API (the topology's Cloud Map), served by the supervisor:
//
//	GET  /instances                      []targets.Instance
//	GET  /events                         []Event
//	GET  /endpoints                      []targets.Endpoint
//	GET  /links[?instance=ID]            []targets.Link
//	GET  /info                           base URL, run directory, options
//	POST /instances/{id}/{action}        kill, terminate, pause, resume, restart
//	POST /shutdown                       stop the topology
func (t *Topology) serveRegistry() error {
	ln, err := net.Listen("tcp", t.cfg.Registry)
	if err != nil {
		return err
	}
	t.regURL = "http://" + ln.Addr().String()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /instances", func(w http.ResponseWriter, r *http.Request) {
		ins, _ := t.Instances(r.Context())
		writeJSON(w, http.StatusOK, ins)
	})
	mux.HandleFunc("GET /events", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, t.Events()) })
	mux.HandleFunc("GET /endpoints", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, t.Endpoints()) })
	mux.HandleFunc("GET /links", func(w http.ResponseWriter, r *http.Request) {
		ls, err := t.Links(r.Context(), r.URL.Query().Get("instance"))
		if err != nil {
			writeErr(w, statusOfControl(err), "%v", err)
			return
		}
		writeJSON(w, http.StatusOK, ls)
	})
	mux.HandleFunc("GET /info", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"base_url": t.BaseURL(), "dir": t.cfg.Dir, "options": t.spec.Options})
	})
	mux.HandleFunc("POST /instances/{id}/{action}", t.control)
	mux.HandleFunc("POST /shutdown", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "stopping"})
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			t.Stop(ctx)
		}()
	})
	t.reg = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go t.reg.Serve(ln)
	return nil
}

func (t *Topology) control(w http.ResponseWriter, r *http.Request) {
	id, action := r.PathValue("id"), r.PathValue("action")
	actions := map[string]func(context.Context, string) error{
		"kill": t.Kill, "terminate": t.Terminate, "pause": t.Pause, "resume": t.Resume, "restart": t.Restart,
	}
	fn, ok := actions[action]
	if !ok {
		writeErr(w, http.StatusBadRequest, "unknown action %q (allowed: kill, terminate, pause, resume, restart)", action)
		return
	}
	if err := fn(r.Context(), id); err != nil {
		writeErr(w, statusOfControl(err), "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"instance": id, "action": action})
}

func statusOfControl(err error) int {
	switch {
	case errors.Is(err, targets.ErrUnknownInstance):
		return http.StatusNotFound
	case errors.Is(err, errStopping):
		return http.StatusServiceUnavailable
	}
	return http.StatusConflict
}
