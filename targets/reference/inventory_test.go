package reference

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// testBus starts a one-server JetStream bus with a STOCK bucket and
// returns a JetStream client of it.
func testBus(t *testing.T) jetstream.JetStream {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("test bus not ready")
	}
	t.Cleanup(s.Shutdown)
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: bucketStock}); err != nil {
		t.Fatal(err)
	}
	return js
}

// testInventory is one inventory instance on js, without a watcher: the
// test decides what its cache holds.
func testInventory(t *testing.T, js jetstream.JetStream) *inventory {
	t.Helper()
	kv, err := js.KeyValue(context.Background(), bucketStock)
	if err != nil {
		t.Fatal(err)
	}
	n := &node{o: DefaultOptions(), nc: js.Conn(), js: js, log: log.New(io.Discard, "", 0)}
	return &inventory{n: n, stock: kv, cache: newStockCache(), locks: newKeyLocks()}
}

func setStock(t *testing.T, kv jetstream.KeyValue, item string, have int64) uint64 {
	t.Helper()
	rev, err := kv.Put(context.Background(), item, []byte(strconv.FormatInt(have, 10)))
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

func stockNow(t *testing.T, kv jetstream.KeyValue, item string) int64 {
	t.Helper()
	e, err := kv.Get(context.Background(), item)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.ParseInt(string(e.Value()), 10, 64)
	return n
}

func TestInventoryTake(t *testing.T) {
	js := testBus(t)
	for _, tc := range []struct {
		name    string
		have    int64       // stock on the bus
		cached  *stockEntry // what the cache holds (nil: nothing); rev 0 means the bus's revision
		qty     int64
		wantErr error
		left    int64
	}{
		{"cache hit", 10, &stockEntry{have: 10}, 3, nil, 7},
		{"cache miss reads the bus", 10, nil, 3, nil, 7},
		// Stock changed behind the cache (another instance, an operator):
		// the compare-and-set loses and the fresh value decides.
		{"stale cache says more than there is", 1, &stockEntry{have: 40, rev: 1}, 3, errNoStock, 1},
		{"stale cache says less than there is", 5, &stockEntry{have: 0, rev: 1}, 3, nil, 2},
		{"exactly what is left", 3, &stockEntry{have: 3}, 3, nil, 0},
		{"not enough, fresh", 2, nil, 3, errNoStock, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := testInventory(t, js)
			item := fmt.Sprintf("item-%d", time.Now().UnixNano())
			setStock(t, inv.stock, item, 0) // so that the stale revision below is old
			rev := setStock(t, inv.stock, item, tc.have)
			if tc.cached != nil {
				e := *tc.cached
				if e.rev == 0 {
					e.rev = rev
				}
				inv.cache.put(item, e)
			}
			left, dup, err := inv.take(context.Background(), "order-"+item, item, tc.qty)
			if !errors.Is(err, tc.wantErr) || dup {
				t.Fatalf("take: left %d, dup %v, err %v; want err %v", left, dup, err, tc.wantErr)
			}
			if err == nil && left != tc.left {
				t.Errorf("left = %d, want %d", left, tc.left)
			}
			if got := stockNow(t, inv.stock, item); got != tc.left {
				t.Errorf("stock on the bus = %d, want %d", got, tc.left)
			}
		})
	}
	t.Run("unknown item", func(t *testing.T) {
		inv := testInventory(t, js)
		if _, _, err := inv.take(context.Background(), "o", "no-such-item", 1); !errors.Is(err, jetstream.ErrKeyNotFound) {
			t.Errorf("take of an unknown item: %v, want ErrKeyNotFound", err)
		}
	})
}

// A retried reserve of one order, on either instance, with a fresh or a
// stale cache, takes the stock once.
func TestInventoryRetriedReserveTakesOnce(t *testing.T) {
	js := testBus(t)
	a, b := testInventory(t, js), testInventory(t, js)
	setStock(t, a.stock, "item-r", 100)
	for i, inv := range []*inventory{a, b, a, b} {
		left, dup, err := inv.take(context.Background(), "order-1", "item-r", 5)
		if err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
		if want := i > 0; dup != want {
			t.Errorf("attempt %d: dup = %v, want %v (left %d)", i, dup, want, left)
		}
	}
	if got := stockNow(t, a.stock, "item-r"); got != 95 {
		t.Errorf("stock after four attempts of one order = %d, want 95", got)
	}
}

// Two instances reserving one item concurrently sell exactly the stock.
func TestInventoryConcurrentReservesNeverOversell(t *testing.T) {
	js := testBus(t)
	insts := []*inventory{testInventory(t, js), testInventory(t, js)}
	const stock, orders = 30, 80
	setStock(t, insts[0].stock, "item-c", stock)
	var mu sync.Mutex
	outcomes := map[string]int{}
	var wg sync.WaitGroup
	for i := range orders {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, _, err := insts[i%2].take(ctx, fmt.Sprintf("order-%d", i), "item-c", 1)
			k := "ok"
			if err != nil {
				k = err.Error()
			}
			mu.Lock()
			outcomes[k]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if outcomes["ok"] != stock || outcomes[errNoStock.Error()] != orders-stock || len(outcomes) != 2 {
		t.Errorf("outcomes %v, want %d ok and %d %q", outcomes, stock, orders-stock, errNoStock)
	}
	if got := stockNow(t, insts[0].stock, "item-c"); got != 0 {
		t.Errorf("stock after the rush = %d, want 0", got)
	}
	t.Logf("compare-and-set conflicts %d and %d, reads %d and %d", insts[0].conflicts.Load(), insts[1].conflicts.Load(), insts[0].reads.Load(), insts[1].reads.Load())
}

// The cache follows the bucket, and keeps following after the watcher's
// start-up bound has passed (the subscription must not end with it).
func TestStockCacheFollowsBucket(t *testing.T) {
	defer func(d time.Duration) { watchStart = d }(watchStart)
	watchStart = 100 * time.Millisecond
	js := testBus(t)
	inv := testInventory(t, js)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var restarts atomic.Int64
	go inv.cache.follow(ctx, inv.stock, func(f string, a ...any) {
		restarts.Add(1)
		t.Logf(f, a...)
	})
	seen := func(item string, have int64, rev uint64) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if e, ok := inv.cache.get(item); ok && e == (stockEntry{have, rev}) {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		e, ok := inv.cache.get(item)
		t.Fatalf("cache of %s = %+v, %v; want %d at revision %d", item, e, ok, have, rev)
	}
	seen("item-f", 7, setStock(t, inv.stock, "item-f", 7))
	time.Sleep(3 * watchStart)
	seen("item-f", 6, setStock(t, inv.stock, "item-f", 6))
	if err := inv.stock.Delete(context.Background(), "item-f"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, ok := inv.cache.get("item-f"); ok; _, ok = inv.cache.get("item-f") {
		if time.Now().After(deadline) {
			t.Fatal("deleted key still cached after 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := restarts.Load(); n > 0 {
		t.Errorf("the watcher was restarted %d times, want it to keep running", n)
	}
}

// A release gives an order's stock back once, however often it is retried
// and on whichever instance.
func TestInventoryReleaseGivesBackOnce(t *testing.T) {
	js := testBus(t)
	a, b := testInventory(t, js), testInventory(t, js)
	setStock(t, a.stock, "item-g", 100)
	if _, _, err := a.take(context.Background(), "order-g", "item-g", 7); err != nil {
		t.Fatal(err)
	}
	for i, inv := range []*inventory{b, a, b} {
		left, dup, err := inv.give(context.Background(), "order-g", "item-g", 7)
		if err != nil {
			t.Fatalf("release %d: %v", i, err)
		}
		if want := i > 0; dup != want || (!dup && left != 100) {
			t.Errorf("release %d: left %d, dup %v; want 100 left on the first, dup after", i, left, dup)
		}
	}
	if got := stockNow(t, a.stock, "item-g"); got != 100 {
		t.Errorf("stock after a take of 7 and three releases of it = %d, want 100", got)
	}
}

// Inventory's work on a reserve ends when its caller's attempt does
// (CallTimeout), not a whole BusTimeout later; without timeouts, it is not
// bounded at all.
func TestInventoryWorkBoundedByCallTimeout(t *testing.T) {
	for _, on := range []bool{true, false} {
		inv := &inventory{n: &node{o: opts(func(o *Options) { o.Timeouts = on; o.CallTimeout = 300 * time.Millisecond })}}
		var left time.Duration
		var bounded bool
		var count atomic.Int64
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/reserve", strings.NewReader(`{"order":"o","item":"i","qty":1}`))
		inv.serveAdjust(w, r, "reserved", &count, func(ctx context.Context, _, _ string, _ int64) (int64, bool, error) {
			var dl time.Time
			dl, bounded = ctx.Deadline()
			left = time.Until(dl)
			return 1, false, nil
		})
		if w.Code != http.StatusOK || count.Load() != 1 {
			t.Fatalf("timeouts %v: %d %s, count %d", on, w.Code, w.Body, count.Load())
		}
		if bounded != on || (on && (left <= 0 || left > 300*time.Millisecond)) {
			t.Errorf("timeouts %v: deadline set %v, %v left; want set %v, at most 300ms", on, bounded, left, on)
		}
	}
}
