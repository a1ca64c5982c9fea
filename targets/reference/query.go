package reference

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats.go/jetstream"
)

// query is the read side of CQRS: an in-memory projection of ORDERS, fed
// by this instance's own pull consumer (query_feed.go). GET
// /query/orders/{id} is 404 until the order is projected; that delay is
// the consistency lag probes measure.
type query struct {
	n      *node
	stream jetstream.Stream // ORDERS, to fill a gap in a lane's feed (fill)

	mu      sync.RWMutex
	orders  map[string]OrderPlaced
	lastSeq uint64            // highest stream sequence projected (or skipped)
	applied uint64            // events projected; equals len(orders) unless one was applied twice
	lanes   [feedLanes]string // the bus node each feed lane's consumer is on ("" while lost)

	consumers atomic.Uint64 // consumers created, the first included
	placing   sync.Mutex    // held by the feed lane placing its consumer
}

func runQuery(ctx context.Context, n *node) (http.Handler, error) {
	q := &query{n: n, orders: map[string]OrderPlaced{}}
	stream, err := waitFor(ctx, "look up "+streamOrders, func(ctx context.Context) (jetstream.Stream, error) {
		return n.js.Stream(ctx, streamOrders)
	})
	if err != nil {
		return nil, err
	}
	q.stream = stream
	first, err := waitFor(ctx, "create a consumer on "+streamOrders, func(ctx context.Context) (*feedConsumer, error) {
		return q.newLaneConsumer(ctx, 0)
	})
	if err != nil {
		return nil, err
	}
	q.startFeed(ctx, first)
	n.setStats(q.statsView)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /query/orders/{id}", q.get)
	mux.HandleFunc("GET /query/stats", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, q.statsView()) })
	return mux, nil
}

// project applies the event at stream sequence seq once: a sequence at or
// below the last one projected is a redelivery (a consumer recreated from
// an older position) and is dropped, so projecting is idempotent.
func (q *query) project(seq uint64, data []byte) {
	var ev OrderPlaced
	err := json.Unmarshal(data, &ev)
	q.mu.Lock()
	defer q.mu.Unlock()
	if seq <= q.lastSeq {
		return
	}
	q.lastSeq = seq
	if err != nil {
		// Skipped, not retried: redelivery would not make it decodable.
		q.n.log.Printf("projection: skip undecodable event at seq %d: %v", seq, err)
		return
	}
	q.orders[ev.ID] = ev
	q.applied++
}

// next is the stream sequence the projection needs next.
func (q *query) next() uint64 {
	q.mu.RLock()
	defer q.mu.RUnlock()
	return q.lastSeq + 1
}

func (q *query) get(w http.ResponseWriter, r *http.Request) {
	q.mu.RLock()
	ev, ok := q.orders[r.PathValue("id")]
	q.mu.RUnlock()
	if !ok {
		writeErr(w, http.StatusNotFound, "order %q not projected (yet)", r.PathValue("id"))
		return
	}
	writeJSON(w, http.StatusOK, ev)
}

// QueryStats is what a query instance reports about its projection.
type QueryStats struct {
	// Projected is the number of distinct orders in the read model.
	Projected int `json:"projected"`
	// LastSeq is the highest ORDERS stream sequence projected.
	LastSeq uint64 `json:"last_seq"`
	// Applied counts events applied; above Projected means one order was
	// projected twice (or the stream holds an order twice).
	Applied uint64 `json:"applied"`
	// Consumers counts the consumers this instance created; each one past
	// the first replaced a feed lost to a fault.
	Consumers uint64 `json:"consumers"`
	// FeedServers are the bus nodes the feed's consumers are on, one per
	// lane ("" for a lane being replaced).
	FeedServers []string `json:"feed_servers"`
}

func (q *query) statsView() any {
	q.mu.RLock()
	defer q.mu.RUnlock()
	return QueryStats{Projected: len(q.orders), LastSeq: q.lastSeq, Applied: q.applied, Consumers: q.consumers.Load(),
		FeedServers: append([]string(nil), q.lanes[:]...)}
}
