package proxy

import (
	"encoding/json"
	"net/http"
)

type proxyInput struct {
	Name     string      `json:"name"`
	Listen   string      `json:"listen"`
	Upstream string      `json:"upstream"`
	Enabled  *bool       `json:"enabled"`
	Toxics   []toxicJSON `json:"toxics"` // accepted (round trips) and ignored
}

func (s *Server) proxyIndex(w http.ResponseWriter, _ *http.Request) {
	out := map[string]proxyJSON{}
	for _, p := range s.Proxies() {
		out[p.name] = p.json()
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) proxyCreate(w http.ResponseWriter, r *http.Request) {
	var in proxyInput
	if err := decodeStrict(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	p, err := s.Add(in.Name, in.Listen, in.Upstream, in.Enabled == nil || *in.Enabled)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, p.json())
}

func (s *Server) proxyShow(w http.ResponseWriter, r *http.Request) {
	if p, ok := s.proxyOr404(w, r); ok {
		writeJSON(w, http.StatusOK, p.json())
	}
}

func (s *Server) proxyUpdate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.proxyOr404(w, r)
	if !ok {
		return
	}
	var in proxyInput
	if err := decodeStrict(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	enabled := p.Enabled()
	if in.Enabled != nil {
		enabled = *in.Enabled
	}
	if _, err := s.Update(p.name, in.Listen, in.Upstream, enabled); err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, p.json())
}

func (s *Server) proxyDelete(w http.ResponseWriter, r *http.Request) {
	if err := s.Remove(r.PathValue("proxy")); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) reset(w http.ResponseWriter, _ *http.Request) {
	if err := s.Reset(); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// PopulateSpec is one proxy of a /populate body or a config file.
type PopulateSpec struct {
	Name     string `json:"name"`
	Listen   string `json:"listen"`
	Upstream string `json:"upstream"`
	Enabled  *bool  `json:"enabled"`
	// Toxics is accepted (Toxiproxy's client sends it) and ignored.
	Toxics json.RawMessage `json:"toxics,omitempty"`
}

// Populate creates the given proxies, replacing any of the same name whose
// listen address or upstream differ; all are validated before any is
// created. It returns the proxies created or kept.
func (s *Server) Populate(specs []PopulateSpec) ([]*Proxy, error) {
	for i, sp := range specs {
		if sp.Name == "" {
			return nil, wrap(ErrMissingField, "name", "at proxy %d", i+1)
		}
		if sp.Upstream == "" {
			return nil, wrap(ErrMissingField, "upstream", "at proxy %d", i+1)
		}
		if err := s.allow.CheckHostPort(sp.Upstream); err != nil {
			return nil, wrap(ErrUpstreamNotAllowed, "upstream", "at proxy %d: %v", i+1, err)
		}
	}
	var out []*Proxy
	for _, sp := range specs {
		enabled := sp.Enabled == nil || *sp.Enabled
		if old, ok := s.Get(sp.Name); ok {
			if old.Upstream() == sp.Upstream && (sp.Listen == "" || sp.Listen == old.Addr() || sp.Listen == old.listen) {
				if err := old.SetEnabled(enabled); err != nil {
					return out, err
				}
				out = append(out, old)
				continue
			}
			_ = s.Remove(sp.Name)
		}
		p, err := s.Add(sp.Name, sp.Listen, sp.Upstream, enabled)
		if err != nil {
			return out, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (s *Server) populate(w http.ResponseWriter, r *http.Request) {
	var in []PopulateSpec
	if err := decodeStrict(r, &in); err != nil {
		writeErr(w, err)
		return
	}
	ps, err := s.Populate(in)
	body := struct {
		*APIError
		Proxies []proxyJSON `json:"proxies"`
	}{Proxies: []proxyJSON{}}
	for _, p := range ps {
		body.Proxies = append(body.Proxies, p.json())
	}
	status := http.StatusCreated
	if err != nil {
		body.APIError = asAPIError(err)
		status = body.APIError.Status
	}
	writeJSON(w, status, body)
}
