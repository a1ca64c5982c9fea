package reference

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// query is the read side of CQRS: an in-memory projection of ORDERS, fed
// by an ordered consumer. GET /query/orders/{id} is 404 until the order is
// projected; that delay is the consistency lag probes measure. Pulls
// expire after 5 s with a 1 s heartbeat, so a consumer lost in a partition
// is noticed and recreated within seconds of healing.
type query struct {
	n *node

	mu      sync.RWMutex
	orders  map[string]OrderPlaced
	lastSeq uint64
}

func runQuery(ctx context.Context, n *node) (http.Handler, error) {
	q := &query{n: n, orders: map[string]OrderPlaced{}}
	cons, err := waitFor(ctx, "create ordered consumer on "+streamOrders, func(ctx context.Context) (jetstream.Consumer, error) {
		return n.js.OrderedConsumer(ctx, streamOrders, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subjectPlaced + ">"}})
	})
	if err != nil {
		return nil, err
	}
	cc, err := cons.Consume(q.project, jetstream.PullExpiry(5*time.Second), jetstream.PullHeartbeat(time.Second), jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		n.log.Printf("projection: %v", err)
	}))
	if err != nil {
		return nil, err
	}
	context.AfterFunc(ctx, cc.Stop)
	n.setStats(q.statsView)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /query/orders/{id}", q.get)
	mux.HandleFunc("GET /query/stats", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, q.statsView()) })
	return mux, nil
}

func (q *query) project(msg jetstream.Msg) {
	var ev OrderPlaced
	if err := json.Unmarshal(msg.Data(), &ev); err != nil {
		q.n.log.Printf("projection: skip undecodable event: %v", err)
		return
	}
	md, _ := msg.Metadata()
	q.mu.Lock()
	q.orders[ev.ID] = ev
	if md != nil && md.Sequence.Stream > q.lastSeq {
		q.lastSeq = md.Sequence.Stream
	}
	q.mu.Unlock()
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
	Projected int    `json:"projected"`
	LastSeq   uint64 `json:"last_seq"`
}

func (q *query) statsView() any {
	q.mu.RLock()
	defer q.mu.RUnlock()
	return QueryStats{Projected: len(q.orders), LastSeq: q.lastSeq}
}
