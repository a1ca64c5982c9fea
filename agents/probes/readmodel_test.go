package probes

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// readModel is a tiny real read model for tests: writes go to one server,
// reads to one server per instance, and a record becomes visible on an
// instance a fixed lag after it was written. It can drop a write on
// purpose (acknowledge it, never store it) and make an instance go back
// in time for a while (as a replaced replica would).
type readModel struct {
	start   time.Time // partitions are given as offsets from it
	mu      sync.Mutex
	written map[string]time.Time
	n       int
	drop    map[int]bool // write numbers (1-based) acknowledged but not stored
	write   *httptest.Server
	readers map[string]*httptest.Server
}

// instanceBehaviour says when an instance serves a record written at w.
type instanceBehaviour struct {
	lag time.Duration
	// forgetFrom..forgetTo (after the write) the instance answers 404
	// again although it served the record before.
	forgetFrom, forgetTo time.Duration
	// cutFrom..healAt (offsets from the model's start) the instance is
	// partitioned: what is written then shows catchUp after healAt, or
	// never if neverCatchUp.
	cutFrom, healAt, catchUp time.Duration
	neverCatchUp             bool
}

// partitioned reports whether a record written at w is still unseen on
// the instance at now because of its partition.
func (b instanceBehaviour) partitioned(start, w, now time.Time) bool {
	if b.healAt == 0 || w.Sub(start) < b.cutFrom || w.Sub(start) >= b.healAt {
		return false
	}
	return b.neverCatchUp || now.Sub(start) < b.healAt+b.catchUp
}

func newReadModel(t *testing.T, inst map[string]instanceBehaviour, drop ...int) *readModel {
	t.Helper()
	m := &readModel{start: time.Now(), written: map[string]time.Time{}, drop: map[int]bool{}, readers: map[string]*httptest.Server{}}
	for _, d := range drop {
		m.drop[d] = true
	}
	m.write = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		m.mu.Lock()
		m.n++
		id := fmt.Sprintf("rec-%d", m.n)
		if !m.drop[m.n] {
			m.written[id] = time.Now()
		}
		m.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"order": map[string]string{"id": id}})
	}))
	t.Cleanup(m.write.Close)
	for name, b := range inst {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := strings.TrimPrefix(r.URL.Path, "/records/")
			m.mu.Lock()
			at, ok := m.written[id]
			m.mu.Unlock()
			age := time.Since(at)
			if !ok || age < b.lag || (age >= b.forgetFrom && age < b.forgetTo) || b.partitioned(m.start, at, time.Now()) {
				http.NotFound(w, r)
				return
			}
			_, _ = w.Write([]byte(`{"id":"` + id + `"}`))
		}))
		t.Cleanup(srv.Close)
		m.readers[name] = srv
	}
	return m
}

func (m *readModel) readerList() []Reader {
	var out []Reader
	for name, s := range m.readers {
		out = append(out, Reader{Name: name, BaseURL: s.URL})
	}
	return out
}

func (m *readModel) writes() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.n
}
