package reference

import (
	"fmt"
	"net/http"
	"sort"
	"sync"

	"github.com/faultline/faultline/targets"
)

// linkBackend carries the connections of one process's links. The real one
// is a faults/proxy server (links_proxy.go); the seam keeps the services
// unaware of how a link is implemented.
type linkBackend interface {
	// add opens a link named name to upstream and returns where to dial.
	add(name, upstream string) (listen string, err error)
	// handler serves the Toxiproxy-compatible API for the links.
	handler() http.Handler
}

// linkSet holds the outgoing links of one instance. Links are created once,
// on first use, and live as long as the process: killing the instance kills
// its links, as with a real pod.
type linkSet struct {
	self    string
	admin   string
	backend linkBackend

	mu    sync.Mutex
	links map[string]targets.Link // by "to" instance id
}

func newLinkSet(self, admin string, b linkBackend) *linkSet {
	return &linkSet{self: self, admin: admin, backend: b, links: map[string]targets.Link{}}
}

// linkName is the name of the link from one instance to another.
func linkName(from, to string) string { return from + "->" + to }

// to returns the address to dial to reach instance to at upstream.
func (l *linkSet) to(to, upstream string) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if k, ok := l.links[to]; ok {
		return k.Listen, nil
	}
	name := linkName(l.self, to)
	listen, err := l.backend.add(name, upstream)
	if err != nil {
		return "", fmt.Errorf("link %s: %w", name, err)
	}
	l.links[to] = targets.Link{Name: name, From: l.self, To: to, Listen: listen, Upstream: upstream, Admin: "http://" + l.admin}
	return listen, nil
}

// list returns the links, sorted by name.
func (l *linkSet) list() []targets.Link {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]targets.Link, 0, len(l.links))
	for _, k := range l.links {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
