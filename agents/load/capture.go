package load

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
)

// captureRing is how many recent values are kept per (endpoint, name):
// enough to spread reads over many records, bounded whatever the run length.
const captureRing = 256

// maxCaptureBody bounds the response bytes buffered to capture from.
const maxCaptureBody = 1 << 20

// captureStore holds recent captured values per endpoint and name.
type captureStore struct {
	rings map[string]*ring // "endpoint\x00name"
}

type ring struct {
	mu   sync.Mutex
	vals [captureRing]string
	n    uint64 // values ever added
}

func capKey(ep, name string) string { return ep + "\x00" + name }

// newCaptureStore makes rings for every capture the endpoints declare.
func newCaptureStore(decl map[string]map[string]string) *captureStore {
	s := &captureStore{rings: map[string]*ring{}}
	for ep, m := range decl {
		for name := range m {
			s.rings[capKey(ep, name)] = &ring{}
		}
	}
	return s
}

// add records a value captured from endpoint ep.
func (s *captureStore) add(ep, name, v string) {
	r := s.rings[capKey(ep, name)]
	if r == nil {
		return
	}
	r.mu.Lock()
	r.vals[r.n%captureRing] = v
	r.n++
	r.mu.Unlock()
}

// pick returns one of the recent values, chosen by the random value u.
func (s *captureStore) pick(ep, name string, u uint64) (string, bool) {
	r := s.rings[capKey(ep, name)]
	if r == nil {
		return "", false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	n := min(r.n, captureRing)
	if n == 0 {
		return "", false
	}
	return r.vals[u%n], true
}

// extract reads the values at the given JSON field paths ("id",
// "order.id", "items.0.sku") from body. Missing paths are skipped: a
// response that lacks the field captures nothing, and is not an error.
func extract(body []byte, paths map[string]string) map[string]string {
	return ExtractJSON(body, paths)
}

// ExtractJSON reads each named field path ("id", "order.id",
// "items.0.sku") from a JSON body: name -> value as text. Missing paths and
// bodies that are not JSON yield nothing, never an error. Probes read their
// write responses with it too.
func ExtractJSON(body []byte, paths map[string]string) map[string]string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil {
		return nil
	}
	out := make(map[string]string, len(paths))
	for name, path := range paths {
		if v, ok := walk(doc, path); ok {
			out[name] = v
		}
	}
	return out
}

func walk(doc any, path string) (string, bool) {
	cur := doc
	for _, seg := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[seg]
			if !ok {
				return "", false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(c) {
				return "", false
			}
			cur = c[i]
		default:
			return "", false
		}
	}
	switch v := cur.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}
