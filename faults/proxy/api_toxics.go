package proxy

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"
)

// toxicInput is a toxic create or update body.
type toxicInput struct {
	Name             string          `json:"name"`
	Type             string          `json:"type"`
	Stream           string          `json:"stream"`
	Toxicity         *float64        `json:"toxicity"`
	Attributes       map[string]any  `json:"attributes"`
	Lease            json.RawMessage `json:"lease"`
	LeaseMS          *int64          `json:"lease_ms"`
	LeaseRemainingMS *int64          `json:"lease_remaining_ms"` // ignored: lets a client send back what it read
}

// lease returns the lease asked for, and whether one was given.
func (in *toxicInput) lease() (time.Duration, bool, error) {
	if in.LeaseMS != nil {
		if *in.LeaseMS < 0 {
			return 0, false, fieldErr("lease_ms", "must be >= 0, got %d", *in.LeaseMS)
		}
		return ms(*in.LeaseMS), true, nil
	}
	raw := bytes.TrimSpace(in.Lease)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return 0, false, nil
	}
	var n float64
	if err := json.Unmarshal(raw, &n); err == nil {
		if n < 0 {
			return 0, false, fieldErr("lease", "must be >= 0, got %v", n)
		}
		return time.Duration(n * float64(time.Millisecond)), true, nil
	}
	var str string
	if err := json.Unmarshal(raw, &str); err != nil {
		return 0, false, fieldErr("lease", "want a duration such as \"5s\" or a number of ms")
	}
	d, err := time.ParseDuration(str)
	if err != nil || d < 0 {
		return 0, false, fieldErr("lease", "want a non-negative duration such as \"5s\", got %q", str)
	}
	return d, true, nil
}

func (s *Server) toxicIndex(w http.ResponseWriter, r *http.Request) {
	if p, ok := s.proxyOr404(w, r); ok {
		writeJSON(w, http.StatusOK, p.toxicsJSON())
	}
}

func (s *Server) toxicCreate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.proxyOr404(w, r)
	if !ok {
		return
	}
	var in toxicInput
	if err := decodeStrict(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	lease, _, err := in.lease()
	if err != nil {
		writeErr(w, err)
		return
	}
	tox := 1.0
	if in.Toxicity != nil {
		tox = *in.Toxicity
	}
	spec, err := p.addToxic(ToxicSpec{Name: in.Name, Type: in.Type, Stream: in.Stream, Toxicity: tox, Attributes: in.Attributes, Lease: lease})
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toxicOut(spec, lease > 0))
}

func (s *Server) toxicShow(w http.ResponseWriter, r *http.Request) {
	p, ok := s.proxyOr404(w, r)
	if !ok {
		return
	}
	s.writeToxic(w, p, r.PathValue("toxic"))
}

func (s *Server) writeToxic(w http.ResponseWriter, p *Proxy, name string) {
	for _, t := range p.toxicsJSON() {
		if t.Name == name {
			writeJSON(w, http.StatusOK, t)
			return
		}
	}
	writeErr(w, wrap(ErrToxicNotFound, "", "%q", name))
}

func (s *Server) toxicUpdate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.proxyOr404(w, r)
	if !ok {
		return
	}
	var in toxicInput
	if err := decodeStrict(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	lease, given, err := in.lease()
	if err != nil {
		writeErr(w, err)
		return
	}
	switch {
	case given && lease == 0:
		lease = -1 // drop the lease
	case !given:
		lease = 0 // keep it
	}
	tox := -1.0
	if in.Toxicity != nil {
		tox = *in.Toxicity
		if tox < 0 {
			writeErr(w, fieldErr("toxicity", "must be within 0..1, got %v", tox))
			return
		}
	}
	name := r.PathValue("toxic")
	if _, err := p.UpdateToxic(name, in.Attributes, tox, lease); err != nil {
		writeErr(w, err)
		return
	}
	s.writeToxic(w, p, name)
}

func (s *Server) toxicDelete(w http.ResponseWriter, r *http.Request) {
	p, ok := s.proxyOr404(w, r)
	if !ok {
		return
	}
	if err := p.RemoveToxic(r.PathValue("toxic")); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
