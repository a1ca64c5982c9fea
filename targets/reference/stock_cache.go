package reference

import (
	"context"
	"fmt"
	"hash/maphash"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// stockEntry is one STOCK key's value at a revision.
type stockEntry struct {
	have int64
	rev  uint64
}

// stockCache is an inventory instance's view of STOCK: the newest value and
// revision of each key, fed by a watcher of the bucket and by the
// instance's own writes. A reserve compare-and-sets against it, so it
// usually needs one round trip instead of a read and a write. A stale entry
// costs a lost compare-and-set and a fresh read; it can never oversell,
// because the bus checks the revision.
type stockCache struct {
	mu sync.Mutex
	m  map[string]stockEntry
}

func newStockCache() *stockCache { return &stockCache{m: map[string]stockEntry{}} }

func (c *stockCache) get(item string) (stockEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[item]
	return e, ok
}

// put keeps e unless the cache already holds a newer revision: the watcher
// and this instance's writes race, and the older one must not win.
func (c *stockCache) put(item string, e stockEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[item]; !ok || e.rev > old.rev {
		c.m[item] = e
	}
}

// forget drops item up to revision rev (a delete or purge at rev).
func (c *stockCache) forget(item string, rev uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[item]; ok && old.rev <= rev {
		delete(c.m, item)
	}
}

// apply takes one entry from a watcher of STOCK.
func (c *stockCache) apply(e jetstream.KeyValueEntry) {
	if e.Operation() != jetstream.KeyValuePut {
		c.forget(e.Key(), e.Revision())
		return
	}
	have, err := strconv.ParseInt(string(e.Value()), 10, 64)
	if err != nil {
		c.forget(e.Key(), e.Revision())
		return
	}
	c.put(e.Key(), stockEntry{have: have, rev: e.Revision()})
}

// follow feeds the cache from kv until ctx ends, watching again when a
// watcher ends or cannot start. While it lags or is down, reserves fall
// back to reading the bus.
func (c *stockCache) follow(ctx context.Context, kv jetstream.KeyValue, logf func(string, ...any)) {
	for ctx.Err() == nil {
		err := c.watch(ctx, kv)
		if ctx.Err() != nil {
			return
		}
		logf("stock cache: %v; watching again", err)
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// watchStart bounds how long a watcher may take to start (a variable so
// that a test can shrink it).
var watchStart = 5 * time.Second

// watch applies one watcher's entries until it ends or ctx does.
func (c *stockCache) watch(ctx context.Context, kv jetstream.KeyValue) error {
	// The watcher's subscription ends with the context it was created
	// with, so that context must outlive creation: a timer, not a
	// deadline, bounds the start.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	slow := time.AfterFunc(watchStart, cancel)
	w, err := kv.WatchAll(wctx)
	if !slow.Stop() && err == nil {
		w.Stop()
		err = fmt.Errorf("watcher took over %s to start", watchStart)
	}
	if err != nil {
		return fmt.Errorf("watch bucket %s: %w", kv.Bucket(), err)
	}
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-w.Updates():
			if !ok {
				return fmt.Errorf("watcher of bucket %s ended", kv.Bucket())
			}
			if e != nil { // nil marks the end of the initial values
				c.apply(e)
			}
		}
	}
}

// keyLocks serialises this instance's compare-and-sets per key: two
// reserves of one item in one instance would otherwise race for the same
// revision, and the loser would pay a read and a second write. Keys share
// a fixed number of locks, so memory stays bounded.
type keyLocks struct {
	seed  maphash.Seed
	slots [64]chan struct{}
}

func newKeyLocks() *keyLocks {
	l := &keyLocks{seed: maphash.MakeSeed()}
	for i := range l.slots {
		l.slots[i] = make(chan struct{}, 1)
	}
	return l
}

// lock waits for key's lock or for ctx to end; it returns the unlock.
func (l *keyLocks) lock(ctx context.Context, key string) (func(), error) {
	s := l.slots[maphash.String(l.seed, key)%uint64(len(l.slots))]
	select {
	case s <- struct{}{}:
		return func() { <-s }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
