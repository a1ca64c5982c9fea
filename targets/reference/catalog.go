package reference

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// catalog serves items from the CATALOG bucket through a local TTL cache
// (the whitepaper's ElastiCache in front of a data store). With
// CacheFallback on, a KV failure is answered from the stale cache entry.
type catalog struct {
	n  *node
	kv jetstream.KeyValue

	mu    sync.Mutex
	cache map[string]cachedItem
	stale int // answers served stale
}

type cachedItem struct {
	val []byte
	at  time.Time
}

func runCatalog(ctx context.Context, n *node) (http.Handler, error) {
	kv, err := waitFor(ctx, "open bucket "+bucketCatalog, func(ctx context.Context) (jetstream.KeyValue, error) {
		return n.js.KeyValue(ctx, bucketCatalog)
	})
	if err != nil {
		return nil, err
	}
	c := &catalog{n: n, kv: kv, cache: map[string]cachedItem{}}
	c.warm(ctx)
	n.setStats(c.statsView)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /catalog/items/{id}", c.get)
	return mux, nil
}

// warm loads every seeded item, so that the cache can cover a bus outage
// from the start.
func (c *catalog) warm(ctx context.Context) {
	for i := range c.n.o.Items {
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		e, err := c.kv.Get(ctx, itemID(i))
		cancel()
		if err == nil {
			c.put(itemID(i), e.Value())
		}
	}
}

func (c *catalog) put(id string, val []byte) {
	c.mu.Lock()
	c.cache[id] = cachedItem{val: val, at: time.Now()}
	c.mu.Unlock()
}

func (c *catalog) get(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c.mu.Lock()
	hit, ok := c.cache[id]
	c.mu.Unlock()
	if ok && time.Since(hit.at) < c.n.o.CatalogCacheTTL {
		c.answer(w, hit.val, "local-hit")
		return
	}
	var val []byte
	err := c.n.busCall(r.Context(), func(ctx context.Context) error {
		e, err := c.kv.Get(ctx, id)
		if err == nil {
			val = e.Value()
		}
		return err
	})
	switch {
	case err == nil:
		c.put(id, val)
		c.answer(w, val, "miss")
	case errors.Is(err, jetstream.ErrKeyNotFound):
		writeErr(w, http.StatusNotFound, "no item %q", id)
	case ok && c.n.o.CacheFallback:
		c.mu.Lock()
		c.stale++
		c.mu.Unlock()
		recordCall(r.Context(), Call{Service: "cache", Instance: c.n.self.ID, Outcome: OutcomeStale})
		w.Header().Set("X-Stale", "true")
		c.answer(w, hit.val, "stale")
	default:
		writeErr(w, http.StatusServiceUnavailable, "catalog store unavailable: %v", err)
	}
}

func (c *catalog) answer(w http.ResponseWriter, val []byte, cache string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Local-Cache", cache)
	w.Write(val)
}

func (c *catalog) statsView() any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return map[string]any{"cached": len(c.cache), "stale_answers": c.stale}
}
